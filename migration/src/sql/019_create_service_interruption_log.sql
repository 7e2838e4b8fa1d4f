-- A service-wide interruption of KTT is the organiser's administrative act: held by a
-- county management role, bounded, per provider or for all, and never deleted. Who recorded
-- it and why stays on the row; a cancellation marks it (attendance rules then ignore it);
-- every recording, correction and cancellation is a row of its own append-only log.
--
-- The county management role: `official_role` is rebuilt to admit it (SQLite cannot change
-- a CHECK constraint in place; nothing references the table).
CREATE TABLE official_role_next (
    official_id TEXT NOT NULL REFERENCES official (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('TYP_OFFICER', 'TE_EXPERT', 'EKSOTE_WORKER', 'KELA_EXPERT', 'PROVIDER_COACH', 'ANALYST', 'AUDITOR', 'ADMIN', 'COUNTY_MANAGER')),
    PRIMARY KEY (official_id, role)
);
INSERT INTO official_role_next (official_id, role) SELECT official_id, role FROM official_role;
DROP TABLE official_role;
ALTER TABLE official_role_next RENAME TO official_role;
-- Interruptions recorded before this change have no recorder (NULL): they came in as data.
ALTER TABLE service_interruption ADD COLUMN provider_id TEXT REFERENCES provider (id);
ALTER TABLE service_interruption ADD COLUMN recorded_by TEXT REFERENCES official (id);
ALTER TABLE service_interruption ADD COLUMN recorded_at {ts};
ALTER TABLE service_interruption ADD COLUMN cancelled_at {ts};
ALTER TABLE service_interruption ADD COLUMN cancelled_by TEXT REFERENCES official (id);
ALTER TABLE service_interruption ADD COLUMN cancel_reason TEXT;
CREATE TABLE service_interruption_log (
    id {serial},
    at {ts} NOT NULL,
    official_id TEXT NOT NULL REFERENCES official (id),
    action TEXT NOT NULL CHECK (action IN (
        'RECORD_SERVICE_INTERRUPTION', 'CORRECT_SERVICE_INTERRUPTION', 'CANCEL_SERVICE_INTERRUPTION'
    )),
    interruption_id TEXT NOT NULL REFERENCES service_interruption (id),
    detail TEXT NOT NULL
);
CREATE INDEX service_interruption_log_at_idx ON service_interruption_log (at);
