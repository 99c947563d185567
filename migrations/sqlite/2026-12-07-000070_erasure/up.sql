-- A member's erasure, retention and export (issue 26). Identical for SQLite and
-- PostgreSQL apart from the storage settings at the end.

-- An erased account: its rows go (the `accounts` row and everything that cascades
-- from it) once the activities it signs are delivered; this row stays, so the name
-- is never given to someone else. No content, no email: the id, the name, when.
CREATE TABLE erased_accounts (
    account_id BIGINT PRIMARY KEY NOT NULL,
    username_lower TEXT NOT NULL,
    erased_at TIMESTAMP NOT NULL,
    purged_at TIMESTAMP
);
CREATE UNIQUE INDEX erased_accounts_username_idx ON erased_accounts (username_lower);

-- How many days a group keeps its discussion posts (NULL: the instance's default).
ALTER TABLE groups ADD COLUMN retention_days BIGINT;

-- A member's data export: built in the background, kept as a file in the server's
-- file store under `file_key`, fetched at a URL holding a random token (only its
-- SHA-256 here) by its owner only, deleted at `expires_at`.
CREATE TABLE account_exports (
    id BIGINT PRIMARY KEY NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    file_key TEXT,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP
);
CREATE INDEX account_exports_account_idx ON account_exports (account_id, id);
