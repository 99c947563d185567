ALTER TABLE users DROP COLUMN ui_language;
ALTER TABLE users DROP COLUMN rules_accepted_at;
ALTER TABLE users DROP COLUMN rules_version;
