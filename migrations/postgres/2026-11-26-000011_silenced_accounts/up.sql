-- Silenced ("limited") accounts: what they post reaches only those who follow them
-- (Mastodon's `silenced_at`). A side table, because `accounts` is at diesel's
-- 16-column limit; its primary key is the index the public timelines' "leave out
-- silenced authors the viewer does not follow" subquery reads, as they read
-- accounts_suspended_idx for suspended authors. Identical for SQLite and PostgreSQL.
CREATE TABLE silenced_accounts (
    account_id BIGINT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- `domain`: a domain block with severity silence covers the account's domain, and
    -- lifting or lowering that block lifts it; other origins (a moderator silencing
    -- one account) are left alone by domain-block changes.
    origin TEXT NOT NULL,
    silenced_at TIMESTAMP NOT NULL
);
