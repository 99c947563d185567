-- A report outlives the account it is about (issue 26): erasing a member keeps
-- the moderators' decision (action, moderator, dates), so `target_account_id`
-- becomes nullable and is set to NULL when the account's row is purged; the
-- erasure itself clears the report's copies of the member's words.
ALTER TABLE reports ALTER COLUMN target_account_id DROP NOT NULL;
ALTER TABLE reports DROP CONSTRAINT reports_target_account_id_fkey;
ALTER TABLE reports ADD CONSTRAINT reports_target_account_id_fkey
    FOREIGN KEY (target_account_id) REFERENCES accounts (id) ON DELETE SET NULL;
