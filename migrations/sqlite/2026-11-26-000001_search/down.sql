DROP TRIGGER IF EXISTS statuses_search_update;
DROP TRIGGER IF EXISTS statuses_search_delete;
DROP TRIGGER IF EXISTS statuses_search_insert;
DROP TABLE IF EXISTS statuses_search;
ALTER TABLE accounts DROP COLUMN search_name;
ALTER TABLE statuses DROP COLUMN search_text;
