DROP TRIGGER account_stats_follow ON follows;
DROP FUNCTION account_stats_on_follow();
DROP TRIGGER account_stats_status ON statuses;
DROP FUNCTION account_stats_on_status();
DROP TABLE account_stats;
