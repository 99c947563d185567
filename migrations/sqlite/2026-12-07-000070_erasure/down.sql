DROP TABLE account_exports;
ALTER TABLE groups DROP COLUMN retention_days;
DROP TABLE erased_accounts;
