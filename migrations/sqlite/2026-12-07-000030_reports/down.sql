ALTER TABLE notifications DROP COLUMN report_id;
DROP TABLE report_actions;
DROP TABLE report_groups;
DROP TABLE report_statuses;
DROP TABLE reports;
