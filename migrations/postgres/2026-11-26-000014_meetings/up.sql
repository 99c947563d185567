-- Offline and hybrid meetings (kindred_domain::meetings). A meeting belongs to a
-- group or, with group_id NULL, to the instance itself. Public fields (what any
-- listing, feed or federated object may carry: the time, locality, region, country)
-- live in `meetings` and `meeting_times`; the street address, postal code, access
-- notes and online link live apart in `meeting_places`, read only for facilitators
-- and accepted attendees (invariant 4). Identical for SQLite and PostgreSQL.
CREATE TABLE meetings (
    id BIGINT PRIMARY KEY NOT NULL,
    group_id BIGINT REFERENCES groups (account_id) ON DELETE CASCADE,
    created_by BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    -- tentative | confirmed | cancelled (the whole series)
    status TEXT NOT NULL,
    -- free | approval | invite
    join_mode TEXT NOT NULL,
    -- public | members
    audience TEXT NOT NULL,
    capacity BIGINT,
    content_category TEXT,
    locality TEXT NOT NULL DEFAULT '',
    region TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    -- has an online link (hybrid or online): a public fact; the link is private
    online BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX meetings_group_idx ON meetings (group_id);

-- When: the first occurrence as instants, the IANA zone whose wall clock the
-- recurrence follows, the rule (canonical RRULE in the supported subset), and when
-- the last occurrence ends (NULL: the rule has no end), for "upcoming" listings.
CREATE TABLE meeting_times (
    meeting_id BIGINT PRIMARY KEY NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    time_zone TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    recurrence TEXT,
    series_ends_at TIMESTAMP
);
CREATE INDEX meeting_times_start_idx ON meeting_times (starts_at, meeting_id);
CREATE INDEX meeting_times_series_end_idx ON meeting_times (series_ends_at);

-- The private part of the place.
CREATE TABLE meeting_places (
    meeting_id BIGINT PRIMARY KEY NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    venue_name TEXT NOT NULL DEFAULT '',
    street_address TEXT NOT NULL DEFAULT '',
    postal_code TEXT NOT NULL DEFAULT '',
    access_notes TEXT NOT NULL DEFAULT '',
    -- comma-separated words from kindred_domain::meetings::Accessibility
    accessibility TEXT NOT NULL DEFAULT '',
    online_link TEXT
);

-- Single occurrences cancelled, named by their wall-clock start in the meeting's zone
-- (rendered as EXDATE).
CREATE TABLE meeting_cancellations (
    meeting_id BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    occurrence_local TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (meeting_id, occurrence_local)
);

-- Who comes. A local account, or a remote attendee known only by an opaque token
-- their own instance made for this meeting (anonymous RSVP between Kindred
-- instances: the host counts them without learning who they are). meeting_name is
-- the optional "name for the meeting", seen by facilitators only.
CREATE TABLE meeting_participations (
    id BIGINT PRIMARY KEY NOT NULL,
    meeting_id BIGINT NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    account_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    anonymous_token TEXT,
    -- the instance that holds the anonymous attendee's identity
    anonymous_domain TEXT,
    -- invited | interested | requested | waitlisted | accepted | rejected
    state TEXT NOT NULL,
    meeting_name TEXT,
    created_at TIMESTAMP NOT NULL,
    -- also the wait-list order
    updated_at TIMESTAMP NOT NULL,
    CHECK ((account_id IS NULL) <> (anonymous_token IS NULL))
);
CREATE UNIQUE INDEX meeting_participations_account_idx ON meeting_participations (meeting_id, account_id);
CREATE UNIQUE INDEX meeting_participations_token_idx ON meeting_participations (meeting_id, anonymous_domain, anonymous_token);
CREATE INDEX meeting_participations_state_idx ON meeting_participations (meeting_id, state, updated_at, id);
CREATE INDEX meeting_participations_joined_idx ON meeting_participations (account_id, state);

-- Personal calendar feeds at a secret URL: only the token's SHA-256 is stored. One
-- per account; making a new one revokes the old.
CREATE TABLE ics_feed_tokens (
    account_id BIGINT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
