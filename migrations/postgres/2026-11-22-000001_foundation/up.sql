-- Foundation: accounts, OAuth, invites, the instance actor.
-- Kept identical between migrations/sqlite and migrations/postgres except for the
-- binary type (BLOB / BYTEA); a test compares the resulting tables and columns.

-- An actor: a local member or, later, a remote account. Public profile and state only;
-- what lets a local member log in lives in `users`, so profile queries never load secrets.
CREATE TABLE accounts (
    id BIGINT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL,
    -- lower-cased username: uniqueness and look-ups are case-insensitive
    username_lower TEXT NOT NULL,
    -- '' for local accounts; the remote host[:port] otherwise
    domain TEXT NOT NULL DEFAULT '',
    display_name TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT 'member',
    public_key_pem TEXT NOT NULL,
    locked BOOLEAN NOT NULL DEFAULT FALSE,
    bot BOOLEAN NOT NULL DEFAULT FALSE,
    discoverable BOOLEAN NOT NULL DEFAULT FALSE,
    hide_collections BOOLEAN NOT NULL DEFAULT TRUE,
    approved BOOLEAN NOT NULL DEFAULT FALSE,
    suspended BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX accounts_username_domain_idx ON accounts (username_lower, domain);

-- Login and private settings of a local account (one row per local account).
CREATE TABLE users (
    account_id BIGINT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- XChaCha20-Poly1305 ciphertext (nonce || sealed); the key never enters the database
    email_ciphertext BYTEA,
    -- keyed hash (HMAC-SHA256) of the lower-cased address, to find an account at login
    email_lookup TEXT,
    -- argon2id PHC string
    password_hash TEXT,
    private_key_pem TEXT NOT NULL,
    sign_up_reason TEXT,
    invite_id BIGINT,
    default_privacy TEXT NOT NULL DEFAULT 'private',
    default_sensitive BOOLEAN NOT NULL DEFAULT FALSE,
    default_language TEXT,
    created_at TIMESTAMP NOT NULL
);
-- not unique: one address may belong to several pseudonyms, and a sign-up must not
-- reveal whether an address is already known here
CREATE INDEX users_email_lookup_idx ON users (email_lookup);

CREATE TABLE invites (
    id BIGINT PRIMARY KEY NOT NULL,
    -- SHA-256 of the code; the code itself is shown once to the admin who made it
    code_hash TEXT NOT NULL,
    created_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    max_uses INTEGER,
    uses INTEGER NOT NULL DEFAULT 0,
    expires_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX invites_code_hash_idx ON invites (code_hash);

CREATE TABLE oauth_applications (
    id BIGINT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    website TEXT,
    -- newline-separated, as Mastodon stores them
    redirect_uris TEXT NOT NULL,
    scopes TEXT NOT NULL,
    client_id TEXT NOT NULL,
    client_secret_hash TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX oauth_applications_client_id_idx ON oauth_applications (client_id);

CREATE TABLE oauth_tokens (
    id BIGINT PRIMARY KEY NOT NULL,
    -- SHA-256 of the bearer token; the token is only ever in the client's hands
    token_hash TEXT NOT NULL,
    application_id BIGINT NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
    -- NULL for client_credentials tokens (an app acting as itself)
    account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    scopes TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE UNIQUE INDEX oauth_tokens_token_hash_idx ON oauth_tokens (token_hash);
CREATE INDEX oauth_tokens_account_idx ON oauth_tokens (account_id);

CREATE TABLE oauth_authorization_codes (
    id BIGINT PRIMARY KEY NOT NULL,
    code_hash TEXT NOT NULL,
    application_id BIGINT NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    scopes TEXT NOT NULL,
    -- PKCE S256 challenge, when the client sent one
    code_challenge TEXT,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE UNIQUE INDEX oauth_authorization_codes_code_hash_idx ON oauth_authorization_codes (code_hash);

-- The instance's own actor (type Application) that signs fetches. One row, id 1.
CREATE TABLE instance_actor (
    id BIGINT PRIMARY KEY NOT NULL,
    private_key_pem TEXT NOT NULL,
    public_key_pem TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
