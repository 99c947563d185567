-- Reports (issue 24). A report is filed by a local account (`reporter_account_id`)
-- or arrives as a `Flag` from another server (`reporter_domain`, with the sending
-- actor, usually that server's instance actor, in `reporter_account_id`). The
-- reporter is shown to this instance's moderators only: never to the reported
-- account, to facilitators or to another server. `rule_ids`: the instance rules
-- cited, comma-separated. `uri`: the Flag's id (received or sent). Identical for
-- SQLite and PostgreSQL.
CREATE TABLE reports (
    id BIGINT PRIMARY KEY NOT NULL,
    reporter_account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    reporter_domain TEXT,
    target_account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    comment TEXT NOT NULL,
    category TEXT NOT NULL,
    rule_ids TEXT NOT NULL,
    forwarded BOOLEAN NOT NULL,
    assigned_account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    action_taken_by_account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    action_taken_at TIMESTAMP,
    uri TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX reports_target_idx ON reports (target_account_id);
CREATE INDEX reports_reporter_idx ON reports (reporter_account_id);
-- The statuses a report names. No foreign key: a status removed on the report
-- stays named by it (the moderators' record of what was reported).
CREATE TABLE report_statuses (
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL,
    PRIMARY KEY (report_id, status_id)
);
-- The groups a report reaches (a reported status posted in them): their
-- facilitators see it, without the reporter, and mark their part done.
CREATE TABLE report_groups (
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    group_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    done_at TIMESTAMP,
    done_by_account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    PRIMARY KEY (report_id, group_id)
);
CREATE INDEX report_groups_group_idx ON report_groups (group_id);
-- What was done on a report, by a facilitator (within `group_id`) or a moderator:
-- `kind` is remove_post, mute, ban, done, note... (kindred_domain::reports).
CREATE TABLE report_actions (
    id BIGINT PRIMARY KEY NOT NULL,
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    group_id BIGINT,
    kind TEXT NOT NULL,
    status_id BIGINT,
    note TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX report_actions_report_idx ON report_actions (report_id);
-- An `admin.report` notification names its report (no foreign key, so SQLite can
-- drop the column again; a notification whose report is gone shows none).
ALTER TABLE notifications ADD COLUMN report_id BIGINT;
