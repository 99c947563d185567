-- Lists, keyword filters, instance announcements, followed hashtags and the
-- bookkeeping for direct-message conversations. Identical for SQLite and PostgreSQL.

-- Direct statuses and the conversation (thread) each belongs to: the conversation
-- of the status it replies to, else that status's id, else its own id.
CREATE TABLE status_conversations (
    status_id BIGINT PRIMARY KEY NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    conversation_id BIGINT NOT NULL
);
CREATE INDEX status_conversations_conversation_idx ON status_conversations (conversation_id, status_id);
INSERT INTO status_conversations (status_id, conversation_id)
    SELECT id, COALESCE(in_reply_to_id, id) FROM statuses WHERE visibility = 'direct';

CREATE TABLE lists (
    id BIGINT PRIMARY KEY NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    -- followed | list | none: which replies the list timeline shows
    replies_policy TEXT NOT NULL,
    -- members' statuses are left out of the home timeline
    exclusive BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX lists_account_idx ON lists (account_id, id);

CREATE TABLE list_accounts (
    list_id BIGINT NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (list_id, account_id)
);
CREATE INDEX list_accounts_account_idx ON list_accounts (account_id, list_id);

CREATE TABLE filters (
    id BIGINT PRIMARY KEY NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    -- comma-separated contexts: home,notifications,public,thread,account
    contexts TEXT NOT NULL,
    -- warn | hide
    filter_action TEXT NOT NULL,
    expires_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX filters_account_idx ON filters (account_id, id);

CREATE TABLE filter_keywords (
    id BIGINT PRIMARY KEY NOT NULL,
    filter_id BIGINT NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
    keyword TEXT NOT NULL,
    whole_word BOOLEAN NOT NULL
);
CREATE INDEX filter_keywords_filter_idx ON filter_keywords (filter_id, id);

CREATE TABLE filter_statuses (
    id BIGINT PRIMARY KEY NOT NULL,
    filter_id BIGINT NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
    status_id BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX filter_statuses_pair_idx ON filter_statuses (filter_id, status_id);

CREATE TABLE announcements (
    id BIGINT PRIMARY KEY NOT NULL,
    -- what the admin typed, and its rendered HTML
    text TEXT NOT NULL,
    content TEXT NOT NULL,
    published BOOLEAN NOT NULL,
    all_day BOOLEAN NOT NULL DEFAULT FALSE,
    starts_at TIMESTAMP,
    ends_at TIMESTAMP,
    published_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE announcement_dismissals (
    announcement_id BIGINT NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    PRIMARY KEY (announcement_id, account_id)
);

CREATE TABLE announcement_reactions (
    announcement_id BIGINT NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    PRIMARY KEY (announcement_id, account_id, name)
);

CREATE TABLE followed_tags (
    id BIGINT PRIMARY KEY NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    tag_id BIGINT NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX followed_tags_pair_idx ON followed_tags (account_id, tag_id);
CREATE INDEX followed_tags_tag_idx ON followed_tags (tag_id);

-- Per participant: how far a conversation has been read, and up to which status it
-- was removed from the list (a newer message brings it back, as in Mastodon).
CREATE TABLE conversation_marks (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    conversation_id BIGINT NOT NULL,
    read_up_to BIGINT NOT NULL DEFAULT 0,
    hidden_up_to BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, conversation_id)
);
