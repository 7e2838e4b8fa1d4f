-- Append-only access and disclosure logs (act 906/2019 § 17, act 703/2023 § 11).
CREATE TABLE access_log (
    id {serial},
    at {ts} NOT NULL,
    official_id TEXT NOT NULL REFERENCES official (id),
    agency TEXT NOT NULL REFERENCES agency (code),
    roles TEXT NOT NULL,
    client_id TEXT REFERENCES client (id),
    action TEXT NOT NULL CHECK (action IN ('READ', 'WRITE')),
    field_groups TEXT NOT NULL,
    operation TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX access_log_client_idx ON access_log (client_id, id);
CREATE TABLE disclosure_log (
    id {serial},
    access_log_id BIGINT NOT NULL REFERENCES access_log (id),
    client_id TEXT NOT NULL REFERENCES client (id),
    recipient_agency TEXT NOT NULL REFERENCES agency (code),
    field_group TEXT NOT NULL,
    consent_id TEXT NOT NULL REFERENCES consent (id)
);
CREATE INDEX disclosure_log_client_idx ON disclosure_log (client_id);
