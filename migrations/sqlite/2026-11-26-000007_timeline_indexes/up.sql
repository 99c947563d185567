-- Indexes for timelines under load (see crates/kindred-server/benches/timelines and
-- docs/performance.md). Indexes only: no table or column changes. Kept identical
-- between migrations/sqlite and migrations/postgres.

-- The status total and latest date on every Account entity, read from the index
-- alone; counted per author on every page of statuses.
CREATE INDEX statuses_account_stats_idx ON statuses (account_id, visibility, created_at);

-- Boost counts and "did the viewer boost this" for a page of statuses, by the boosted
-- status and then the booster (the viewer's own boosts were found by reading all of
-- the viewer's statuses). Replaces (reblog_of_id) alone.
DROP INDEX statuses_reblog_idx;
CREATE INDEX statuses_reblog_account_idx ON statuses (reblog_of_id, account_id);

-- Suspended or not-yet-approved authors are left out of public timelines; these let
-- that subquery read the few such accounts instead of every account.
CREATE INDEX accounts_suspended_idx ON accounts (suspended);
CREATE INDEX accounts_approved_idx ON accounts (approved);

-- Followers who asked to be notified of new posts, read on every new status: a
-- covering range instead of visiting every follower's row.
CREATE INDEX follows_notify_idx ON follows (target_account_id, notify, account_id);
