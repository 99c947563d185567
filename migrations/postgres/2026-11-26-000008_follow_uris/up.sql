-- The ActivityPub id of the Follow behind a follow or a pending request, when one
-- crossed instances: ours when a local account follows a remote one (so Undo names
-- it), theirs when a remote account follows a local one (so Accept/Reject name it).
-- Identical for SQLite and PostgreSQL.
ALTER TABLE follows ADD COLUMN uri TEXT;
ALTER TABLE follow_requests ADD COLUMN uri TEXT;
