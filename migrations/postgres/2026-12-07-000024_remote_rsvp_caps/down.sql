ALTER TABLE groups DROP COLUMN max_per_remote_domain;
DROP TABLE meeting_remote_caps;
