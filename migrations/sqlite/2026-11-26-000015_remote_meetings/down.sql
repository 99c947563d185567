DROP TABLE remote_meetings;
