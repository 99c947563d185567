-- Full-text search (GET /api/v2/search).
-- The searchable words of a status (typed text and content warning) and of an account's
-- display name are cut and normalised in Rust (kindred_domain::search) and stored as
-- space-separated words, the same on SQLite and PostgreSQL, so both give the same
-- answers. The columns are the same on both backends; only the index differs.
-- Rows that exist already are filled in by kindred_db::search::backfill, which runs
-- right after the migrations (the words need the Rust normalisation).

ALTER TABLE statuses ADD COLUMN search_text TEXT;
ALTER TABLE accounts ADD COLUMN search_name TEXT;

-- An FTS5 index over statuses.search_text (external content: no second copy of the
-- text). The `ascii` tokenizer splits only at the spaces between our words: every
-- non-ASCII character is part of a word, and our words hold no ASCII punctuation.
CREATE VIRTUAL TABLE statuses_search USING fts5(
    search_text,
    content = 'statuses',
    content_rowid = 'id',
    tokenize = 'ascii'
);

-- Kept in step with statuses by triggers, so no write path can forget it (foreign-key
-- cascades fire them too).
CREATE TRIGGER statuses_search_insert AFTER INSERT ON statuses
WHEN new.search_text IS NOT NULL
BEGIN
    INSERT INTO statuses_search (rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE TRIGGER statuses_search_delete AFTER DELETE ON statuses
WHEN old.search_text IS NOT NULL
BEGIN
    INSERT INTO statuses_search (statuses_search, rowid, search_text)
    VALUES ('delete', old.id, old.search_text);
END;

CREATE TRIGGER statuses_search_update AFTER UPDATE OF search_text ON statuses
BEGIN
    INSERT INTO statuses_search (statuses_search, rowid, search_text)
    SELECT 'delete', old.id, old.search_text WHERE old.search_text IS NOT NULL;
    INSERT INTO statuses_search (rowid, search_text)
    SELECT new.id, new.search_text WHERE new.search_text IS NOT NULL;
END;
