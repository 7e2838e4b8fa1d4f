-- TYP client relationships, multi-sector plans and agreed actions.
CREATE TABLE typ_case (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client (id),
    phase TEXT NOT NULL CHECK (phase IN ('MAPPING', 'PLANNING', 'IMPLEMENTATION', 'CLOSED')),
    criterion TEXT NOT NULL CHECK (criterion IN ('LABOUR_MARKET_SUBSIDY_300_DAYS', 'UNEMPLOYED_12_MONTHS_25_PLUS', 'UNEMPLOYED_6_MONTHS_UNDER_25', 'JOINT_ASSESSMENT')),
    responsible_official_id TEXT NOT NULL REFERENCES official (id),
    responsible_agency TEXT NOT NULL REFERENCES agency (code) CHECK (responsible_agency IN ('TE', 'EKSOTE', 'KELA')),
    opened_on DATE NOT NULL,
    mapping_deadline DATE NOT NULL,
    special_arrangements TEXT,
    education_history TEXT,
    work_history TEXT,
    ended_on DATE,
    outcome TEXT CHECK (outcome IS NULL OR outcome IN ('STUDIES', 'PAY_SUBSIDISED_WORK', 'OPEN_LABOUR_MARKET', 'WORK_ABILITY_ASSESSMENT', 'NEW_REHAB_PERIOD', 'PENSION', 'MOVED', 'OTHER')),
    created_at {ts} NOT NULL,
    CHECK (mapping_deadline >= opened_on),
    CHECK (ended_on IS NULL OR ended_on >= opened_on),
    CHECK ((ended_on IS NULL) = (outcome IS NULL)),
    CHECK ((phase = 'CLOSED') = (ended_on IS NOT NULL))
);
CREATE INDEX typ_case_client_idx ON typ_case (client_id);
CREATE UNIQUE INDEX typ_case_one_open_per_client ON typ_case (client_id) WHERE ended_on IS NULL;
CREATE TABLE case_follow_up (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES typ_case (id),
    months_after INTEGER NOT NULL CHECK (months_after IN (3, 6, 12)),
    status TEXT NOT NULL CHECK (status IN ('EMPLOYED', 'PAY_SUBSIDISED_WORK', 'STUDYING', 'UNEMPLOYED', 'REHABILITATION', 'PENSION', 'OUTSIDE_LABOUR_FORCE', 'UNKNOWN')),
    recorded_on DATE NOT NULL,
    recorded_by TEXT NOT NULL REFERENCES official (id),
    UNIQUE (case_id, months_after)
);
CREATE TABLE employment_plan (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES typ_case (id),
    kind TEXT NOT NULL CHECK (kind IN ('MULTI_SECTOR', 'ACTIVATION')),
    made_on DATE NOT NULL,
    goals TEXT NOT NULL,
    review_on DATE NOT NULL,
    created_by TEXT NOT NULL REFERENCES official (id),
    created_at {ts} NOT NULL,
    CHECK (review_on > made_on)
);
CREATE INDEX employment_plan_case_idx ON employment_plan (case_id);
