-- Nothing changes on PostgreSQL: its account_stats trigger stays, and its search
-- index is an expression index with no per-statement flush (the SQLite migration
-- of the same name says why SQLite's insert triggers went). Kept so that both
-- backends' migrations carry the same names.
SELECT 1;
