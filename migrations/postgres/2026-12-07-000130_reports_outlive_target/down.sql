-- Back to reports that go with the account they are about: those whose account
-- was purged (no target any more) are dropped.
DELETE FROM reports WHERE target_account_id IS NULL;
ALTER TABLE reports DROP CONSTRAINT reports_target_account_id_fkey;
ALTER TABLE reports ADD CONSTRAINT reports_target_account_id_fkey
    FOREIGN KEY (target_account_id) REFERENCES accounts (id) ON DELETE CASCADE;
ALTER TABLE reports ALTER COLUMN target_account_id SET NOT NULL;
