-- Delivery worker bookkeeping. Identical for SQLite and PostgreSQL.

-- Start of the current run of failed attempts (NULL while deliveries succeed): an
-- instance that has failed continuously for 3 days is marked dead.
ALTER TABLE instances ADD COLUMN failing_since TIMESTAMP;
