-- Email (issue 26). Everything here is keyed by account and goes with it.
--
-- The outbox: messages waiting for the SMTP server, sent by the worker in
-- `kindred serve` with retries and backoff; a row is deleted once sent or given up.
-- It names the account, never an address: the address is read (and decrypted) at
-- sending time, so a changed or erased address is never written to. `sealed` is
-- what must not lie in the database in the clear (a reset or confirmation link's
-- token), encrypted with the instance key.
-- Without an account (a rejected sign-up, whose account is gone) `sealed` holds
-- the address as `users` held it, encrypted, until the message is sent.
CREATE TABLE email_outbox (
    id BIGINT PRIMARY KEY NOT NULL,
    account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    sealed BYTEA,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at);

-- Single-use links sent by email (password reset, address confirmation), stored as
-- SHA-256 hashes. A confirmation holds the keyed look-up hash of the address it was
-- sent to, so it confirms that address only.
CREATE TABLE email_tokens (
    id BIGINT PRIMARY KEY NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    email_lookup TEXT,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX email_tokens_account ON email_tokens (account_id, purpose);

-- A member's email choices: which address is confirmed (its look-up hash: a new
-- address is unconfirmed until its link is opened) and the opt-in messages.
CREATE TABLE email_settings (
    account_id BIGINT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    confirmed_lookup TEXT,
    meeting_reminders BOOLEAN NOT NULL DEFAULT FALSE,
    place_confirmed BOOLEAN NOT NULL DEFAULT FALSE
);

-- The day a token was last used (day precision: updated at most once a day, and it
-- says no more about a member's habits): unused for `security.token_expiry_days`,
-- a token no longer works.
ALTER TABLE oauth_tokens ADD COLUMN last_used_at TIMESTAMP;
-- Tokens from before this migration count as used now, so upgrading does not end
-- every session older than `security.token_expiry_days` at once.
UPDATE oauth_tokens SET last_used_at = CURRENT_TIMESTAMP WHERE revoked_at IS NULL;
