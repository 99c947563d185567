-- A new status's author is counted in account_stats by
-- kindred_db::models::statuses::insert_row (as on SQLite since 2026-11-26-000022),
-- no longer by this AFTER INSERT trigger. Why: the inbox's group-commit writer
-- stores many statuses in one transaction; the trigger upserted each author's row
-- as each status went in, so two processes on one database, each writing a batch,
-- could lock two authors' rows in opposite orders and deadlock. insert_row counts
-- them when the batch ends, in account order (issue 27). The delete branch stays:
-- every deletion path, cascades included, still keeps the counts in step.
DROP TRIGGER account_stats_status ON statuses;
CREATE OR REPLACE FUNCTION account_stats_on_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.visibility <> 'direct' THEN
        UPDATE account_stats SET statuses_count = statuses_count - 1
        WHERE account_id = OLD.account_id;
    END IF;
    RETURN OLD;
END;
$$;
CREATE TRIGGER account_stats_status AFTER DELETE ON statuses
FOR EACH ROW EXECUTE FUNCTION account_stats_on_status();
