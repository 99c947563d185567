-- A group may let everyone who sees its meetings see how many are coming
-- (`participants_count`, Mobilizon's `participantCount`); off by default, when
-- only facilitators see counts.
ALTER TABLE groups ADD COLUMN show_participant_count BOOLEAN NOT NULL DEFAULT FALSE;
-- The remote actor (the attendee's instance actor) that sent an anonymous RSVP,
-- so a later decision (approval, rejection, a place from the wait list) can be
-- sent back to it with the token. No foreign key, as for notifications.meeting_id:
-- an actor gone means nobody to tell. Identical for SQLite and PostgreSQL.
ALTER TABLE meeting_participations ADD COLUMN anonymous_actor_id BIGINT;
