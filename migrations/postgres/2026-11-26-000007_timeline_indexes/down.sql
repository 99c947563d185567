DROP INDEX follows_notify_idx;
DROP INDEX accounts_approved_idx;
DROP INDEX accounts_suspended_idx;
DROP INDEX statuses_reblog_account_idx;
CREATE INDEX statuses_reblog_idx ON statuses (reblog_of_id);
DROP INDEX statuses_account_stats_idx;
