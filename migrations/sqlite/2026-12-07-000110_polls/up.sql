-- Polls (issue 28). A poll belongs to one status and is named by its id, so it goes
-- when the status goes. Who voted for what is stored only to count votes and to
-- show a voter their own choices; no API answer or activity lists voters.
CREATE TABLE polls (
    status_id BIGINT PRIMARY KEY NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    expires_at TIMESTAMP,
    multiple BOOLEAN NOT NULL,
    hide_totals BOOLEAN NOT NULL,
    -- A remote poll's voters as its origin counts them (NULL for ours: counted here).
    remote_voters_count BIGINT,
    -- When the end of the poll was told to its author and voters (NULL: not yet).
    ended_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX polls_due_idx ON polls (expires_at) WHERE ended_at IS NULL;

CREATE TABLE poll_options (
    status_id BIGINT NOT NULL REFERENCES polls (status_id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    title TEXT NOT NULL,
    -- A remote poll's count as its origin reports it (NULL for ours).
    remote_votes_count BIGINT,
    PRIMARY KEY (status_id, position)
);

-- One row per voter and poll: a second vote is refused by the key. A remote vote
-- keeps its activity id, so a replay is counted once.
CREATE TABLE poll_voters (
    status_id BIGINT NOT NULL REFERENCES polls (status_id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    activity_uri TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (status_id, account_id)
);
CREATE UNIQUE INDEX poll_voters_activity_idx ON poll_voters (activity_uri);
CREATE INDEX poll_voters_account_idx ON poll_voters (account_id);

CREATE TABLE poll_votes (
    status_id BIGINT NOT NULL,
    account_id BIGINT NOT NULL,
    choice BIGINT NOT NULL,
    PRIMARY KEY (status_id, account_id, choice),
    FOREIGN KEY (status_id, account_id) REFERENCES poll_voters (status_id, account_id) ON DELETE CASCADE
);
