-- Statuses and the social graph for the Mastodon client API.
-- Kept identical between migrations/sqlite and migrations/postgres; a test compares
-- the resulting tables and columns.

CREATE TABLE statuses (
    id BIGINT PRIMARY KEY NOT NULL,
    -- ActivityPub id; for local statuses derived from the instance domain
    uri TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- true when written on this instance (the public "local" timeline)
    local BOOLEAN NOT NULL,
    in_reply_to_id BIGINT REFERENCES statuses (id) ON DELETE SET NULL,
    in_reply_to_account_id BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    -- a boost: the boosted status; text and content are empty
    reblog_of_id BIGINT REFERENCES statuses (id) ON DELETE CASCADE,
    -- what the author typed (for edits and redraft) and the rendered HTML
    text TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL DEFAULT '',
    spoiler_text TEXT NOT NULL DEFAULT '',
    sensitive BOOLEAN NOT NULL DEFAULT FALSE,
    -- public | unlisted | private | direct
    visibility TEXT NOT NULL,
    -- never federates (Mastodon's "local" visibility / local_only flag)
    local_only BOOLEAN NOT NULL DEFAULT FALSE,
    language TEXT,
    created_at TIMESTAMP NOT NULL,
    edited_at TIMESTAMP
);
CREATE UNIQUE INDEX statuses_uri_idx ON statuses (uri);
CREATE INDEX statuses_account_idx ON statuses (account_id, id);
CREATE INDEX statuses_reblog_idx ON statuses (reblog_of_id);
CREATE INDEX statuses_reply_idx ON statuses (in_reply_to_id);
CREATE INDEX statuses_public_idx ON statuses (visibility, local, id);

-- One row per edit: the version before the change, for /history.
CREATE TABLE status_edits (
    id BIGINT PRIMARY KEY NOT NULL,
    status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    content TEXT NOT NULL,
    spoiler_text TEXT NOT NULL,
    sensitive BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX status_edits_status_idx ON status_edits (status_id, id);

CREATE TABLE mentions (
    status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (status_id, account_id)
);
CREATE INDEX mentions_account_idx ON mentions (account_id, status_id);

CREATE TABLE tags (
    id BIGINT PRIMARY KEY NOT NULL,
    -- lower-cased; the display form is taken from the status text
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX tags_name_idx ON tags (name);

CREATE TABLE status_tags (
    status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    PRIMARY KEY (status_id, tag_id)
);
CREATE INDEX status_tags_tag_idx ON status_tags (tag_id, status_id);

CREATE TABLE favourites (
    id BIGINT PRIMARY KEY NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX favourites_account_status_idx ON favourites (account_id, status_id);
CREATE INDEX favourites_status_idx ON favourites (status_id, id);

CREATE TABLE bookmarks (
    id BIGINT PRIMARY KEY NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX bookmarks_account_status_idx ON bookmarks (account_id, status_id);

CREATE TABLE status_pins (
    id BIGINT PRIMARY KEY NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX status_pins_account_status_idx ON status_pins (account_id, status_id);

-- Follows (accepted) and follow requests (pending, for locked accounts).
CREATE TABLE follows (
    id BIGINT PRIMARY KEY NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    show_reblogs BOOLEAN NOT NULL DEFAULT TRUE,
    notify BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX follows_pair_idx ON follows (account_id, target_account_id);
CREATE INDEX follows_target_idx ON follows (target_account_id, id);

CREATE TABLE follow_requests (
    id BIGINT PRIMARY KEY NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    show_reblogs BOOLEAN NOT NULL DEFAULT TRUE,
    notify BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX follow_requests_pair_idx ON follow_requests (account_id, target_account_id);
CREATE INDEX follow_requests_target_idx ON follow_requests (target_account_id, id);

CREATE TABLE blocks (
    id BIGINT PRIMARY KEY NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX blocks_pair_idx ON blocks (account_id, target_account_id);
CREATE INDEX blocks_target_idx ON blocks (target_account_id);

CREATE TABLE mutes (
    id BIGINT PRIMARY KEY NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    hide_notifications BOOLEAN NOT NULL DEFAULT TRUE,
    expires_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX mutes_pair_idx ON mutes (account_id, target_account_id);

CREATE TABLE notifications (
    id BIGINT PRIMARY KEY NOT NULL,
    -- the recipient
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    from_account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- mention | status | reblog | follow | follow_request | favourite | update | admin.sign_up
    kind TEXT NOT NULL,
    status_id BIGINT REFERENCES statuses (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX notifications_account_idx ON notifications (account_id, id);

CREATE TABLE markers (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- home | notifications
    timeline TEXT NOT NULL,
    last_read_id TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 0,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, timeline)
);

-- POST /api/v1/statuses with an Idempotency-Key: the same key within a day returns
-- the status created the first time instead of posting twice.
CREATE TABLE idempotency_keys (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    key_hash TEXT NOT NULL,
    status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, key_hash)
);
