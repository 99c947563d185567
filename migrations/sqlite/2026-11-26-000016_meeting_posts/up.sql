-- The status a group posts for each of its meetings, so a meeting shows in
-- Mastodon apps' timelines (with a preview card) and is updated with it.
CREATE TABLE meeting_posts (
    meeting_id BIGINT PRIMARY KEY NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL UNIQUE REFERENCES statuses (id) ON DELETE CASCADE
);
