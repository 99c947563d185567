DROP TRIGGER account_stats_follow_delete;
DROP TRIGGER account_stats_follow_insert;
DROP TRIGGER account_stats_status_delete;
DROP TRIGGER account_stats_status_insert;
DROP TABLE account_stats;
