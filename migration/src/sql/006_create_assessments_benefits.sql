-- Work-ability assessments, benefit decisions, labour-policy statements and employment items.
CREATE TABLE work_ability_assessment (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client (id),
    assessed_on DATE NOT NULL,
    assessor_agency TEXT NOT NULL REFERENCES agency (code) CHECK (assessor_agency IN ('EKSOTE', 'KELA')),
    assessor_id TEXT NOT NULL REFERENCES official (id),
    conclusion TEXT NOT NULL,
    restrictions TEXT,
    details TEXT,
    override_reason TEXT,
    created_at {ts} NOT NULL
);
CREATE INDEX work_ability_assessment_client_idx ON work_ability_assessment (client_id);
CREATE TABLE benefit_decision (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client (id),
    agency TEXT NOT NULL REFERENCES agency (code) CHECK (agency IN ('KELA', 'EKSOTE')),
    benefit_kind TEXT NOT NULL CHECK (benefit_kind IN ('LABOUR_MARKET_SUBSIDY', 'BASIC_UNEMPLOYMENT_ALLOWANCE', 'BASIC_SOCIAL_ASSISTANCE', 'REHABILITATION_ALLOWANCE', 'EXPENSE_ALLOWANCE')),
    status TEXT NOT NULL CHECK (status IN ('PENDING', 'GRANTED', 'REJECTED', 'ENDED')),
    decided_on DATE NOT NULL,
    valid_from DATE,
    valid_until DATE,
    decided_by TEXT NOT NULL REFERENCES official (id),
    CHECK (valid_until IS NULL OR valid_from IS NULL OR valid_until >= valid_from)
);
CREATE INDEX benefit_decision_client_idx ON benefit_decision (client_id);
CREATE TABLE labour_policy_statement (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client (id),
    issued_on DATE NOT NULL,
    issued_by TEXT NOT NULL REFERENCES official (id),
    statement_kind TEXT NOT NULL CHECK (statement_kind IN ('KTT_START', 'BENEFIT_CONDITIONS_MET', 'BENEFIT_CONDITIONS_NOT_MET')),
    content TEXT NOT NULL
);
CREATE INDEX labour_policy_statement_client_idx ON labour_policy_statement (client_id);
CREATE TABLE employment_item (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client (id),
    kind TEXT NOT NULL CHECK (kind IN ('JOB_SEARCH_OBLIGATION', 'PLAN_ITEM', 'TRAINING')),
    description TEXT NOT NULL,
    due_on DATE,
    recorded_by TEXT NOT NULL REFERENCES official (id),
    created_at {ts} NOT NULL
);
CREATE INDEX employment_item_client_idx ON employment_item (client_id);
CREATE TABLE agency_note (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client (id),
    agency TEXT NOT NULL REFERENCES agency (code) CHECK (agency IN ('TE', 'EKSOTE', 'KELA')),
    author_id TEXT NOT NULL REFERENCES official (id),
    body TEXT NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
    shared_with_case_team BOOLEAN NOT NULL DEFAULT FALSE,
    created_at {ts} NOT NULL
);
CREATE INDEX agency_note_client_idx ON agency_note (client_id);
