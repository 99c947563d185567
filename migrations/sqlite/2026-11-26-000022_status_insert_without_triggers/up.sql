-- A new status's search row and its author's account_stats are written by
-- kindred_db::models::statuses::insert_row (the one place statuses are inserted)
-- instead of by AFTER INSERT triggers. Why: a statement that fires triggers runs
-- inside a statement journal, and FTS5 flushes its pending terms to a new segment
-- at every statement savepoint — once per stored status instead of once per
-- commit, which cost the inbox's group-commit writer about a tenth of its time
-- and a segment's pages per status. The delete and update triggers stay: every
-- deletion path, foreign-key cascades included, still keeps both in step.
DROP TRIGGER statuses_search_insert;
DROP TRIGGER account_stats_status_insert;
