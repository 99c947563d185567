DROP INDEX IF EXISTS statuses_search_idx;
ALTER TABLE accounts DROP COLUMN search_name;
ALTER TABLE statuses DROP COLUMN search_text;
