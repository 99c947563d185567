-- Hashtags a member features on their profile (issue 28; Mastodon's FeaturedTag).
CREATE TABLE featured_tags (
    id BIGINT PRIMARY KEY NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX featured_tags_account_tag_idx ON featured_tags (account_id, tag_id);
