-- The partner meeting directory: instance actor to instance actor subscriptions to
-- public meeting listings (docs/meetings.md, FEDERATION.md "Meeting directory").
--
-- `directory_subscriptions`: partners whose listings this instance asked for. The
-- admin names a domain; the partner's instance actor is found (WebFinger) and sent
-- our instance actor's Follow, whose id is kept so the partner's Accept or Reject
-- finds the row. state: requested | accepted | rejected.
-- Identical for SQLite and PostgreSQL.
CREATE TABLE directory_subscriptions (
    id BIGINT PRIMARY KEY NOT NULL,
    domain TEXT NOT NULL UNIQUE,
    actor_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    follow_uri TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX directory_subscriptions_actor_idx ON directory_subscriptions (actor_id);

-- Partners' instance actors that follow ours: they receive this instance's public
-- listings (its own and its groups'). Nothing but the remote actor and its Follow.
CREATE TABLE directory_subscribers (
    account_id BIGINT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    follow_uri TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
