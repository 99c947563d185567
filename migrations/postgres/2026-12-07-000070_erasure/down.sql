DROP TABLE account_exports;
ALTER TABLE groups DROP COLUMN retention_days;
DROP TABLE erased_accounts;
ALTER TABLE deliveries RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold);
