-- Erasures at the end of retention (`typgraph retention --apply`): one row per client and
-- record class, naming the client by id only (its personal data is gone or pseudonymised),
-- so a second run finds nothing due and the erasure itself is on record.
CREATE TABLE retention_erasure (
    client_id TEXT NOT NULL REFERENCES client (id),
    record_class TEXT NOT NULL CHECK (record_class IN ('SOCIAL_SERVICES', 'BASIC_DATA', 'FEE_DECISIONS')),
    due_on DATE NOT NULL,
    erased_at {ts} NOT NULL,
    rows_changed BIGINT NOT NULL CHECK (rows_changed >= 0),
    PRIMARY KEY (client_id, record_class)
);
