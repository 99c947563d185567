-- Meeting reminders sent: one per participation and occurrence (by its UTC start),
-- so restarts and several processes never send the same reminder twice.
CREATE TABLE meeting_reminders (
    participation_id BIGINT NOT NULL REFERENCES meeting_participations (id) ON DELETE CASCADE,
    occurrence_start TIMESTAMP NOT NULL,
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (participation_id, occurrence_start)
);

-- The meeting a notification is about (pleroma:event_reminder, participation and
-- event-update notifications), shown to apps as an extension field.
ALTER TABLE notifications ADD COLUMN meeting_id BIGINT REFERENCES meetings (id) ON DELETE CASCADE;
