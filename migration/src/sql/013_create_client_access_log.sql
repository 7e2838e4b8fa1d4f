-- The client's own reads and writes through the client schema (their own case, their access
-- log, withdrawing a consent): logged like every other read of personal data, apart from
-- the officials' log, whose rows name an official.
CREATE TABLE client_access_log (
    id {serial},
    at {ts} NOT NULL,
    client_id TEXT NOT NULL REFERENCES client (id),
    action TEXT NOT NULL CHECK (action IN ('READ', 'WRITE')),
    field_groups TEXT NOT NULL,
    operation TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX client_access_log_client_idx ON client_access_log (client_id, id);
