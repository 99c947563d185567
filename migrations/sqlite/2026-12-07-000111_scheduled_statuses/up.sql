-- Scheduled posts (issue 28): a post as its author sent it, published by the
-- server's job at `scheduled_at` through the same rules as a post made then.
-- `state`: scheduled, publishing (claimed by one process at `claimed_at`; a claim
-- older than the lease is taken again, and the post's idempotency key keeps that
-- from publishing twice), failed (the author could no longer post it). A published
-- row is deleted, as Mastodon deletes it.
CREATE TABLE scheduled_statuses (
    id BIGINT PRIMARY KEY NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    scheduled_at TIMESTAMP NOT NULL,
    params TEXT NOT NULL,
    state TEXT NOT NULL,
    claimed_at TIMESTAMP,
    failure TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX scheduled_statuses_due_idx ON scheduled_statuses (state, scheduled_at);
CREATE INDEX scheduled_statuses_account_idx ON scheduled_statuses (account_id, id);
