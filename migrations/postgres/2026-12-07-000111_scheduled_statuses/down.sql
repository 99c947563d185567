DROP TABLE scheduled_statuses;
