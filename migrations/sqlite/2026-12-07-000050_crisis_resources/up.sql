-- Help lines the admins keep (issue 24, docs/moderation-crisis.md): public, shown
-- in the instance rules and extended description, and in the opt-in gentle notice.
-- At least one way to reach each (kindred_domain::crisis::Reach checks it first).
-- Identical for SQLite and PostgreSQL.
CREATE TABLE crisis_resources (
    id BIGINT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    phone TEXT,
    text_line TEXT,
    url TEXT,
    hours TEXT,
    region TEXT,
    language TEXT,
    position INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (phone IS NOT NULL OR text_line IS NOT NULL OR url IS NOT NULL)
);
CREATE INDEX crisis_resources_order ON crisis_resources (position, id);
