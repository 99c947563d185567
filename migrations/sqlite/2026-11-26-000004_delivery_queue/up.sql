-- Federation: remote servers, and the persistent queue of activities to deliver.
-- Identical for SQLite and PostgreSQL.

-- A remote server we deliver to or hear from, with its delivery health.
CREATE TABLE instances (
    -- normalized host (lower case, no trailing dot, with a non-default port)
    domain TEXT PRIMARY KEY NOT NULL,
    software TEXT,
    last_success_at TIMESTAMP,
    last_failure_at TIMESTAMP,
    -- consecutive failed attempts since the last success
    failures INTEGER NOT NULL DEFAULT 0,
    -- set after 3 days without success: deliveries pause until a success or probe
    dead_since TIMESTAMP,
    -- which `kindred serve` process delivers to this instance, until when
    leased_by TEXT,
    leased_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);

-- One activity to POST to one inbox. Written in the same transaction as the change
-- that caused it; removed once delivered or given up on. Per instance, delivered in
-- id order.
CREATE TABLE deliveries (
    id BIGINT PRIMARY KEY NOT NULL,
    domain TEXT NOT NULL REFERENCES instances (domain) ON DELETE CASCADE,
    inbox_url TEXT NOT NULL,
    -- the local account that signs; NULL for the instance actor. No foreign key:
    -- an account's own deletion must still be delivered.
    signer_account_id BIGINT,
    activity_id TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX deliveries_domain_idx ON deliveries (domain, id);
CREATE INDEX deliveries_due_idx ON deliveries (next_attempt_at);
