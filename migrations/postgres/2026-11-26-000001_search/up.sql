-- Full-text search (GET /api/v2/search).
-- The searchable words of a status (typed text and content warning) and of an account's
-- display name are cut and normalised in Rust (kindred_domain::search) and stored as
-- space-separated words, the same on SQLite and PostgreSQL, so both give the same
-- answers. The columns are the same on both backends; only the index differs.
-- Rows that exist already are filled in by kindred_db::search::backfill, which runs
-- right after the migrations (the words need the Rust normalisation).

ALTER TABLE statuses ADD COLUMN search_text TEXT;
ALTER TABLE accounts ADD COLUMN search_name TEXT;

-- A GIN index over the words taken as they are: array_to_tsvector uses no parser and
-- no dictionary (unlike to_tsvector, even with the `simple` configuration), so the
-- lexemes are exactly the words SQLite's FTS5 index holds. Queries must use this very
-- expression (kindred_db::search) for the index to serve them.
CREATE INDEX statuses_search_idx ON statuses
    USING gin (array_to_tsvector(string_to_array(search_text, ' ')));
