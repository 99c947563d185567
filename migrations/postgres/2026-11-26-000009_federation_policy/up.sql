-- Federation policy (invariant 5): domain blocks with Mastodon's fields, allowed
-- partners with their traffic scopes, the instance mode, and an audit log of every
-- change. Domains are stored normalized (kindred_domain::federation_policy).
-- Identical for SQLite and PostgreSQL.
CREATE TABLE domain_blocks (
    id BIGINT PRIMARY KEY NOT NULL,
    domain TEXT NOT NULL,
    -- suspend, silence or noop
    severity TEXT NOT NULL,
    reject_media BOOLEAN NOT NULL DEFAULT FALSE,
    reject_reports BOOLEAN NOT NULL DEFAULT FALSE,
    private_comment TEXT,
    public_comment TEXT,
    obfuscate BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX domain_blocks_domain_idx ON domain_blocks (domain);

CREATE TABLE domain_allows (
    id BIGINT PRIMARY KEY NOT NULL,
    domain TEXT NOT NULL,
    -- comma-separated traffic kinds (follows, announcements, meetings, rsvps,
    -- reports, direct)
    scopes TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX domain_allows_domain_idx ON domain_allows (domain);

-- `mode` (open | allowlist) once an admin sets it; `version`, bumped by every
-- policy change so running servers reload before their next check.
CREATE TABLE federation_settings (
    name TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Who changed what, when: old and new values as JSON text.
CREATE TABLE federation_policy_audit (
    id BIGINT PRIMARY KEY NOT NULL,
    -- `admin:NAME` (API) or `cli`
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    domain TEXT,
    old_value TEXT,
    new_value TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX federation_policy_audit_created_idx ON federation_policy_audit (created_at);
