-- A report outlives the account it is about (issue 26): erasing a member keeps
-- the moderators' decision (action, moderator, dates), so `target_account_id`
-- becomes nullable and is set to NULL when the account's row is purged; the
-- erasure itself clears the report's copies of the member's words.
--
-- SQLite cannot change a column's constraint in place: the table is rebuilt.
-- Migrations run in a transaction, where foreign keys cannot be switched off, and
-- dropping `reports` would then cascade into the tables that name it, so those
-- are set aside in temporary copies, dropped first and rebuilt after.
CREATE TEMP TABLE keep_report_statuses AS SELECT * FROM report_statuses;
CREATE TEMP TABLE keep_report_groups AS SELECT * FROM report_groups;
CREATE TEMP TABLE keep_report_actions AS SELECT * FROM report_actions;
DROP TABLE report_actions;
DROP TABLE report_groups;
DROP TABLE report_statuses;

CREATE TABLE reports_rebuilt (
    id BIGINT PRIMARY KEY NOT NULL,
    reporter_account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    reporter_domain TEXT,
    target_account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
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
INSERT INTO reports_rebuilt SELECT id, reporter_account_id, reporter_domain,
    target_account_id, comment, category, rule_ids, forwarded, assigned_account_id,
    action_taken_by_account_id, action_taken_at, uri, created_at, updated_at
    FROM reports;
DROP TABLE reports;
ALTER TABLE reports_rebuilt RENAME TO reports;
CREATE INDEX reports_target_idx ON reports (target_account_id);
CREATE INDEX reports_reporter_idx ON reports (reporter_account_id);

CREATE TABLE report_statuses (
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL,
    PRIMARY KEY (report_id, status_id)
);
CREATE TABLE report_groups (
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    group_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    done_at TIMESTAMP,
    done_by_account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    PRIMARY KEY (report_id, group_id)
);
CREATE INDEX report_groups_group_idx ON report_groups (group_id);
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
INSERT INTO report_statuses SELECT report_id, status_id FROM keep_report_statuses;
INSERT INTO report_groups SELECT report_id, group_id, done_at, done_by_account_id
    FROM keep_report_groups;
INSERT INTO report_actions SELECT id, report_id, account_id, group_id, kind, status_id,
    note, created_at FROM keep_report_actions;
DROP TABLE keep_report_statuses;
DROP TABLE keep_report_groups;
DROP TABLE keep_report_actions;
