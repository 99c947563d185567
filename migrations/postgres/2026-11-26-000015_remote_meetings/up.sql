-- Meetings listed by other servers (Mobilizon, Gancio, other Kindred instances),
-- received as ActivityPub `Event`s. The meeting itself is an ordinary `meetings` row
-- (group_id NULL, no creator) with its times, so it shows in upcoming listings; this
-- side table says where it comes from: its ActivityPub id, the actor that published
-- it (only that actor's server may change or remove it) and its web page. Only the
-- public part of a remote listing is kept: locality, region, country, never a street
-- address (its `meeting_places` row stays empty). Removing the actor's account
-- removes its meetings (kindred_db::models::remote_accounts::delete).
-- Identical for SQLite and PostgreSQL.
CREATE TABLE remote_meetings (
    meeting_id BIGINT PRIMARY KEY NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    uri TEXT NOT NULL UNIQUE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    url TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX remote_meetings_account_idx ON remote_meetings (account_id);
