-- Versions of the authorization policy (the casbin model and policy text), and the log of
-- every administrative change. The newest version is in force on every replica.
CREATE TABLE policy_version (
    version BIGINT PRIMARY KEY CHECK (version >= 1),
    model TEXT NOT NULL,
    policy TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('FILES', 'ADMIN')),
    comment TEXT NOT NULL CHECK (length(comment) BETWEEN 1 AND 500),
    beyond_contract BOOLEAN NOT NULL DEFAULT FALSE,
    created_by TEXT REFERENCES official (id),
    created_at {ts} NOT NULL,
    CHECK ((source = 'ADMIN') = (created_by IS NOT NULL))
);
CREATE TABLE admin_log (
    id {serial},
    at {ts} NOT NULL,
    official_id TEXT REFERENCES official (id),
    action TEXT NOT NULL CHECK (action IN (
        'CREATE_OFFICIAL', 'UPDATE_OFFICIAL', 'DEACTIVATE_OFFICIAL',
        'CREATE_PROVIDER', 'UPDATE_PROVIDER', 'DEACTIVATE_PROVIDER',
        'LOAD_POLICY'
    )),
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX admin_log_at_idx ON admin_log (at);
