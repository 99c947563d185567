-- Account moderation (issue 24): the one audit log, account warnings, and the
-- restrictions a moderator puts on one account. Identical for SQLite and PostgreSQL.

-- Every moderation action, role change, sign-up decision, federation-policy and
-- partner-directory change, recorded once and never edited. No foreign keys: an
-- entry outlives the accounts it names; an erased member's ids are replaced by an
-- opaque one (`kindred_core::audit::forget_account`).
CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- The acting account; NULL for the command line.
    actor_id BIGINT,
    -- `cli`, `admin:NAME` (federation-policy entries from the API), or `account`.
    actor TEXT NOT NULL,
    -- What happened, e.g. `account.suspend`, `account.role`, `federation.block`.
    kind TEXT NOT NULL,
    target_account_id BIGINT,
    -- What else was acted on: a domain.
    target TEXT,
    -- The report acted on (an opaque number: reports live in their own table).
    report_id BIGINT,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id);
CREATE INDEX audit_log_target_idx ON audit_log (target_account_id, id);
CREATE INDEX audit_log_kind_idx ON audit_log (kind, id);
CREATE INDEX audit_log_created_idx ON audit_log (created_at);

-- The federation-policy audit is folded in: one log, one reader.
INSERT INTO audit_log (id, created_at, actor_id, actor, kind, target_account_id, target,
                       report_id, old_value, new_value)
SELECT id, created_at, NULL, actor, 'federation.' || action, NULL, domain, NULL,
       old_value, new_value
FROM federation_policy_audit;
DROP TABLE federation_policy_audit;

-- What the member acted on is told (Mastodon's AccountWarning). Never names the
-- moderator or a reporter. Its notification has the same id.
CREATE TABLE account_warnings (
    id BIGINT PRIMARY KEY NOT NULL,
    target_account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- Mastodon's action names: none, disable, sensitive, silence, suspend.
    action TEXT NOT NULL,
    text TEXT NOT NULL,
    report_id BIGINT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX account_warnings_target_idx ON account_warnings (target_account_id, id);

-- Restrictions on one account, by kind: `suspended` (by a moderator here; the
-- effective flag stays `accounts.suspended`, which every listing reads),
-- `suspended_remote` (its own server says it is suspended), `disabled` (may not
-- log in), `sensitized` (its media is marked sensitive). A domain block's
-- suspension never lifts a row here. Silences live in `silenced_accounts`.
CREATE TABLE account_restrictions (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, kind)
);
