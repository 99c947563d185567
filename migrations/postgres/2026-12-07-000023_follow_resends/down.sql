DROP INDEX follow_requests_resend_idx;
ALTER TABLE follow_requests DROP COLUMN resends;
ALTER TABLE follow_requests DROP COLUMN resend_at;
