-- Pictures (issue 28). One row per picture: a member's upload (attached to a post,
-- or not yet) or a remote post's attachment. The files live in the media store
-- (`media.path`) under `original/TOKEN.EXT` and `small/TOKEN.EXT`; the token is
-- random (128 bits), so no URL can be guessed from another. No foreign keys on
-- purpose: when a post or an account goes, the sweep (`kindred_core::media::sweep`)
-- deletes the files first and the row after, so no file outlives its row.
CREATE TABLE media_attachments (
    id BIGINT PRIMARY KEY NOT NULL,
    token TEXT NOT NULL,
    account_id BIGINT NOT NULL,
    status_id BIGINT,
    position INTEGER NOT NULL DEFAULT 0,
    -- The original's type; the small version is JPEG for a JPEG, else PNG, and
    -- its size follows from width and height (`kindred_domain::media::small_size`).
    content_type TEXT NOT NULL,
    width INTEGER,
    height INTEGER,
    blurhash TEXT,
    description TEXT,
    focus TEXT,
    -- Bytes of both files in the store (0 while a remote picture is not cached).
    stored_bytes BIGINT NOT NULL DEFAULT 0,
    -- A remote attachment: where its server has it, and when we last fetched it
    -- (NULL: not in our cache; fetched again on the next view).
    remote_url TEXT,
    fetched_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX media_attachments_token_idx ON media_attachments (token);
CREATE INDEX media_attachments_status_idx ON media_attachments (status_id, position);
CREATE INDEX media_attachments_account_idx ON media_attachments (account_id, id);
CREATE INDEX media_attachments_fetched_idx ON media_attachments (fetched_at);

