DROP TRIGGER account_stats_status ON statuses;
CREATE OR REPLACE FUNCTION account_stats_on_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.visibility <> 'direct' THEN
            INSERT INTO account_stats (account_id, statuses_count, last_status_at)
            VALUES (NEW.account_id, 1, NEW.created_at)
            ON CONFLICT (account_id) DO UPDATE SET
                statuses_count = account_stats.statuses_count + 1,
                last_status_at = GREATEST(account_stats.last_status_at, EXCLUDED.last_status_at);
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.visibility <> 'direct' THEN
        UPDATE account_stats SET statuses_count = statuses_count - 1
        WHERE account_id = OLD.account_id;
    END IF;
    RETURN OLD;
END;
$$;
CREATE TRIGGER account_stats_status AFTER INSERT OR DELETE ON statuses
FOR EACH ROW EXECUTE FUNCTION account_stats_on_status();
