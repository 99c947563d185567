ALTER TABLE meeting_participations DROP COLUMN anonymous_actor_id;
ALTER TABLE groups DROP COLUMN show_participant_count;
