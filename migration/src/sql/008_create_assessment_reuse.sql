-- A work-ability assessment offered for reuse instead of a duplicate (for the reports).
CREATE TABLE assessment_reuse (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client (id),
    assessment_id TEXT NOT NULL REFERENCES work_ability_assessment (id),
    requested_by_agency TEXT NOT NULL REFERENCES agency (code),
    requested_on DATE NOT NULL
);
CREATE INDEX assessment_reuse_on_idx ON assessment_reuse (requested_on);
