DROP TABLE ics_feed_tokens;
DROP TABLE meeting_participations;
DROP TABLE meeting_cancellations;
DROP TABLE meeting_places;
DROP TABLE meeting_times;
DROP TABLE meetings;
