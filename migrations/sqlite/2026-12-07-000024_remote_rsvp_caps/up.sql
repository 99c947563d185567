-- The most places (requested, wait-listed or accepted) that people answering
-- through any one remote server may hold on a meeting: the meeting's own (a row
-- here), else its group's default (groups.max_per_remote_domain), else the setting
-- `meetings.max_per_remote_domain`. Its own table because `meetings` is at diesel's
-- 16 columns. Identical for SQLite and PostgreSQL.
CREATE TABLE meeting_remote_caps (
    meeting_id BIGINT PRIMARY KEY NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    max_per_remote_domain BIGINT NOT NULL
);
ALTER TABLE groups ADD COLUMN max_per_remote_domain BIGINT;
