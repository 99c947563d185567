DROP TABLE account_restrictions;
DROP TABLE account_warnings;
CREATE TABLE federation_policy_audit (
    id BIGINT PRIMARY KEY NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    domain TEXT,
    old_value TEXT,
    new_value TEXT,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX federation_policy_audit_created_idx ON federation_policy_audit (created_at);
INSERT INTO federation_policy_audit (id, actor, action, domain, old_value, new_value, created_at)
SELECT id, actor, substr(kind, 12), target, old_value, new_value, created_at
FROM audit_log WHERE kind LIKE 'federation.%';
DROP TABLE audit_log;
