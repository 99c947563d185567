CREATE TRIGGER statuses_search_insert AFTER INSERT ON statuses
WHEN new.search_text IS NOT NULL
BEGIN
    INSERT INTO statuses_search (rowid, search_text) VALUES (new.id, new.search_text);
END;

CREATE TRIGGER account_stats_status_insert AFTER INSERT ON statuses
WHEN NEW.visibility <> 'direct'
BEGIN
    INSERT INTO account_stats (account_id, statuses_count, last_status_at)
    VALUES (NEW.account_id, 1, NEW.created_at)
    ON CONFLICT (account_id) DO UPDATE SET
        statuses_count = statuses_count + 1,
        last_status_at = CASE
            WHEN last_status_at IS NULL OR excluded.last_status_at > last_status_at
            THEN excluded.last_status_at ELSE last_status_at END;
END;
