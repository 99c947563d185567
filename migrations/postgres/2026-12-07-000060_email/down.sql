ALTER TABLE oauth_tokens DROP COLUMN last_used_at;
DROP TABLE email_settings;
DROP TABLE email_tokens;
DROP TABLE email_outbox;
