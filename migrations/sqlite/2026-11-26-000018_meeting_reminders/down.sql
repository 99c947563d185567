ALTER TABLE notifications DROP COLUMN meeting_id;
DROP TABLE meeting_reminders;
