-- Federation, inbound: what we know about remote actors beyond their `accounts` row,
-- and the activity ids already received. Identical for SQLite and PostgreSQL.

-- A remote actor's addresses. Its public profile (name, bio, key, locked...) is its
-- `accounts` row (domain = its host); this holds what only federation needs.
CREATE TABLE remote_accounts (
    account_id BIGINT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- the actor id (ActivityPub `id`)
    uri TEXT NOT NULL,
    inbox_url TEXT NOT NULL,
    shared_inbox_url TEXT,
    followers_url TEXT,
    -- the profile page (`url`), shown to clients
    url TEXT,
    -- Person, Service, Group, Application or Organization
    actor_type TEXT NOT NULL,
    fetched_at TIMESTAMP NOT NULL,
    -- last re-fetch after a signature failed (at most one per 5 minutes)
    key_refetched_at TIMESTAMP
);
CREATE UNIQUE INDEX remote_accounts_uri_idx ON remote_accounts (uri);

-- Activity ids already processed (SHA-256 of the id), so a re-delivery is absorbed.
-- Kept at least 14 days, then pruned.
CREATE TABLE received_activities (
    id_hash TEXT PRIMARY KEY NOT NULL,
    -- SHA-256 of the Signature header it came with: the same request sent again
    -- is a replay, refused; a fresh delivery of a known id is simply acknowledged
    signature_hash TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL
);
CREATE INDEX received_activities_received_idx ON received_activities (received_at);
