-- Per-account totals shown on every Account entity (statuses_count, last_status_at,
-- followers_count, following_count), kept by triggers on statuses and follows so that
-- every path — local posts, federated ones, boosts, cascades from deleting a status or
-- an account, bulk seeding — keeps them, and presenting a page no longer counts each
-- author's history (docs/performance.md, timelines). Direct statuses are not counted
-- (as Mastodon). last_status_at only moves forward: deleting the latest status keeps
-- the day, as Mastodon's account_stats does.
CREATE TABLE account_stats (
    account_id BIGINT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    statuses_count BIGINT NOT NULL DEFAULT 0,
    followers_count BIGINT NOT NULL DEFAULT 0,
    following_count BIGINT NOT NULL DEFAULT 0,
    last_status_at TIMESTAMP
);

INSERT INTO account_stats (account_id, statuses_count, followers_count, following_count, last_status_at)
SELECT a.id,
    (SELECT count(*) FROM statuses s WHERE s.account_id = a.id AND s.visibility <> 'direct'),
    (SELECT count(*) FROM follows f WHERE f.target_account_id = a.id),
    (SELECT count(*) FROM follows f WHERE f.account_id = a.id),
    (SELECT max(s.created_at) FROM statuses s WHERE s.account_id = a.id AND s.visibility <> 'direct')
FROM accounts a;

-- Insert triggers upsert (the row may not exist yet); delete triggers only update,
-- so a cascade from a deleted account never re-creates its row.
CREATE FUNCTION account_stats_on_status() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE FUNCTION account_stats_on_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO account_stats (account_id, followers_count)
        VALUES (NEW.target_account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET
            followers_count = account_stats.followers_count + 1;
        INSERT INTO account_stats (account_id, following_count)
        VALUES (NEW.account_id, 1)
        ON CONFLICT (account_id) DO UPDATE SET
            following_count = account_stats.following_count + 1;
        RETURN NEW;
    END IF;
    UPDATE account_stats SET followers_count = followers_count - 1
    WHERE account_id = OLD.target_account_id;
    UPDATE account_stats SET following_count = following_count - 1
    WHERE account_id = OLD.account_id;
    RETURN OLD;
END;
$$;
CREATE TRIGGER account_stats_follow AFTER INSERT OR DELETE ON follows
FOR EACH ROW EXECUTE FUNCTION account_stats_on_follow();
