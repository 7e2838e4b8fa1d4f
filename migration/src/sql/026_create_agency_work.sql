-- The agencies' own work in the case graph.
--
-- The employment authority's plan items and obligations get a follow-up: done, not done or
-- postponed to a new due date, with a note; recorded once, then only as a correction.
ALTER TABLE employment_item ADD COLUMN follow_up_status TEXT CHECK (follow_up_status IS NULL OR follow_up_status IN ('DONE', 'NOT_DONE', 'POSTPONED'));
ALTER TABLE employment_item ADD COLUMN followed_up_on DATE;
ALTER TABLE employment_item ADD COLUMN follow_up_note TEXT CHECK (follow_up_note IS NULL OR length(follow_up_note) BETWEEN 1 AND 2000);
ALTER TABLE employment_item ADD COLUMN new_due_on DATE;
ALTER TABLE employment_item ADD COLUMN followed_up_by TEXT REFERENCES official (id);
ALTER TABLE employment_item ADD COLUMN follow_up_corrected BOOLEAN NOT NULL DEFAULT FALSE;
-- Kela's benefit decisions change status after they are recorded (pending -> granted or
-- rejected, granted -> ended): who changed it last, and when.
ALTER TABLE benefit_decision ADD COLUMN status_changed_on DATE;
ALTER TABLE benefit_decision ADD COLUMN status_changed_by TEXT REFERENCES official (id);
-- A referral's kind, so that referrals to Kela's vocational rehabilitation can be followed
-- and counted; the referrals sent before are OTHER.
ALTER TABLE referral ADD COLUMN kind TEXT NOT NULL DEFAULT 'OTHER' CHECK (kind IN ('KELA_VOCATIONAL_REHABILITATION', 'OTHER'));
-- The employment authority records the expert assessments it buys (asiantuntija-arviointi)
-- as a third assessor, naming the outside expert; it holds no health details. SQLite cannot
-- change a CHECK in place: the table is rebuilt, and with it the table of reuses that
-- references it (a parent cannot be dropped under its child).
CREATE TABLE work_ability_assessment_next (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client (id),
    assessed_on DATE NOT NULL,
    assessor_agency TEXT NOT NULL REFERENCES agency (code) CHECK (assessor_agency IN ('EKSOTE', 'KELA', 'TE')),
    assessor_id TEXT NOT NULL REFERENCES official (id),
    conclusion TEXT NOT NULL,
    restrictions TEXT,
    details TEXT,
    override_reason TEXT,
    created_at {ts} NOT NULL,
    expert_name TEXT CHECK (expert_name IS NULL OR length(expert_name) BETWEEN 1 AND 200),
    CHECK ((assessor_agency = 'TE') = (expert_name IS NOT NULL)),
    CHECK (assessor_agency <> 'TE' OR details IS NULL)
);
INSERT INTO work_ability_assessment_next (id, client_id, assessed_on, assessor_agency, assessor_id, conclusion, restrictions, details, override_reason, created_at, expert_name)
SELECT id, client_id, assessed_on, assessor_agency, assessor_id, conclusion, restrictions, details, override_reason, created_at, NULL
FROM work_ability_assessment;
CREATE TABLE assessment_reuse_next (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client (id),
    assessment_id TEXT NOT NULL REFERENCES work_ability_assessment_next (id),
    requested_by_agency TEXT NOT NULL REFERENCES agency (code),
    requested_on DATE NOT NULL
);
INSERT INTO assessment_reuse_next (id, client_id, assessment_id, requested_by_agency, requested_on)
SELECT id, client_id, assessment_id, requested_by_agency, requested_on FROM assessment_reuse;
DROP INDEX IF EXISTS assessment_reuse_on_idx;
DROP INDEX IF EXISTS work_ability_assessment_client_idx;
DROP TABLE assessment_reuse;
DROP TABLE work_ability_assessment;
ALTER TABLE work_ability_assessment_next RENAME TO work_ability_assessment;
ALTER TABLE assessment_reuse_next RENAME TO assessment_reuse;
CREATE INDEX work_ability_assessment_client_idx ON work_ability_assessment (client_id);
CREATE INDEX assessment_reuse_on_idx ON assessment_reuse (requested_on);
-- Recognition of skills (opinnollistaminen): what a KTT period showed, described against a
-- qualification or a unit of one, certified by an education provider. Written by the coach
-- of the period's provider; the provider is kept on the row, as the period's, for the coach's
-- scope and the reports.
CREATE TABLE competence_record (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client (id),
    period_id TEXT NOT NULL REFERENCES rehab_period (id),
    provider_id TEXT NOT NULL REFERENCES provider (id),
    qualification TEXT NOT NULL CHECK (length(qualification) BETWEEN 1 AND 200),
    qualification_unit TEXT CHECK (qualification_unit IS NULL OR length(qualification_unit) BETWEEN 1 AND 200),
    competence_areas TEXT NOT NULL CHECK (length(competence_areas) BETWEEN 1 AND 2000),
    education_provider TEXT NOT NULL CHECK (length(education_provider) BETWEEN 1 AND 200),
    certified_on DATE NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES official (id),
    created_at {ts} NOT NULL
);
CREATE INDEX competence_record_period_idx ON competence_record (period_id);
CREATE INDEX competence_record_client_idx ON competence_record (client_id);
