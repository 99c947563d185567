ALTER TABLE follow_requests DROP COLUMN uri;
ALTER TABLE follows DROP COLUMN uri;
