-- Anonymous RSVPs our members sent to meetings listed by other servers: the opaque
-- token (one per member and meeting) the host counts them by. Kept here only, so
-- the host's answer (which echoes the token) finds the member; the host never
-- learns who it is. Removed with the listing or the member's account.
-- Identical for SQLite and PostgreSQL.
CREATE TABLE remote_rsvp_tokens (
    meeting_id BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token TEXT NOT NULL,
    PRIMARY KEY (meeting_id, account_id)
);
CREATE UNIQUE INDEX remote_rsvp_tokens_token_idx ON remote_rsvp_tokens (meeting_id, token);
