-- Peer-support groups (kindred_domain::groups). A group is an account (role
-- 'group', no login) so its handle is unique among accounts and groups and apps see
-- it as an Account with "group": true. Membership lives here, never in `follows`:
-- who belongs to a group is for its facilitators only (invariant 3), and a follow
-- would show on the member's profile. Remote followers of a group use `follows`.
-- Identical for SQLite and PostgreSQL.
CREATE TABLE groups (
    account_id BIGINT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- public | closed | private
    visibility TEXT NOT NULL,
    rules TEXT NOT NULL DEFAULT '',
    -- JSON array of strings
    questions TEXT NOT NULL DEFAULT '[]',
    content_warning TEXT NOT NULL DEFAULT '',
    review_first_posts BIGINT NOT NULL DEFAULT 0,
    -- signs the group's federation traffic
    private_key_pem TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE group_memberships (
    id BIGINT PRIMARY KEY NOT NULL,
    group_id BIGINT NOT NULL REFERENCES groups (account_id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- owner | facilitator | member
    role TEXT NOT NULL DEFAULT 'member',
    -- requested | member | banned
    state TEXT NOT NULL,
    -- JSON array of answers to the join questions, for facilitators
    answers TEXT NOT NULL DEFAULT '[]',
    -- posts let through (or not needing review), for the first-posts review window
    approved_posts BIGINT NOT NULL DEFAULT 0,
    muted_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX group_memberships_pair_idx ON group_memberships (group_id, account_id);
CREATE INDEX group_memberships_account_idx ON group_memberships (account_id, state);
CREATE INDEX group_memberships_state_idx ON group_memberships (group_id, state, id);

-- Statuses posted in a group. Discussion posts are stored with visibility 'group'
-- and local_only, so every timeline, search and federation path that lists the
-- visibilities it serves leaves them out unless it asks for them.
CREATE TABLE group_posts (
    status_id BIGINT PRIMARY KEY NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    group_id BIGINT NOT NULL REFERENCES groups (account_id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- discussion | announcement
    kind TEXT NOT NULL,
    -- waiting in the review queue
    held BOOLEAN NOT NULL DEFAULT FALSE,
    pinned_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX group_posts_group_idx ON group_posts (group_id, status_id);
CREATE INDEX group_posts_held_idx ON group_posts (group_id, held, status_id);
