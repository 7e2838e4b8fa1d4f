-- Employers, pay-subsidised employment, programme tags and the TYP service track.
--
-- An employer (työnantaja) is no client's data: a business, its business id (Y-tunnus,
-- seven digits, a hyphen and a check digit) and a contact person. The register is kept by
-- the officials who arrange work (see docs/work-employers.md).
CREATE TABLE employer (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    business_id TEXT NOT NULL UNIQUE CHECK (length(business_id) = 9),
    contact_name TEXT CHECK (contact_name IS NULL OR length(contact_name) BETWEEN 1 AND 200),
    contact_phone TEXT CHECK (contact_phone IS NULL OR length(contact_phone) BETWEEN 1 AND 50),
    contact_email TEXT CHECK (contact_email IS NULL OR length(contact_email) BETWEEN 3 AND 254),
    created_by TEXT NOT NULL REFERENCES official (id),
    created_at {ts} NOT NULL
);
-- A programme (hanke, pilotti) that cases and job coaching are tagged with for reporting:
-- a regional job-coaching pilot, a development project. Reference data, no client's.
CREATE TABLE programme (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 40),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    valid_from DATE NOT NULL,
    valid_until DATE,
    created_at {ts} NOT NULL,
    CHECK (valid_until IS NULL OR valid_until >= valid_from)
);
-- Pay-subsidised employment (palkkatuettu työ) of a client: the employment authority's
-- record (it grants the subsidy, act 916/2012 ch. 7; from 2025 act 380/2023). The
-- subsidised employment ends at the latest when the subsidy does; what followed is recorded
-- with the end, so that transitions to the open labour market can be counted. A
-- walk-alongside job coaching of the client may support it.
CREATE TABLE pay_subsidy (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client (id),
    employer_id TEXT NOT NULL REFERENCES employer (id),
    starts_on DATE NOT NULL,
    subsidy_ends_on DATE NOT NULL,
    hours_per_week INTEGER NOT NULL CHECK (hours_per_week BETWEEN 1 AND 40),
    job_coaching_id TEXT REFERENCES job_coaching (id),
    ended_on DATE,
    followed_by TEXT CHECK (followed_by IS NULL OR followed_by IN ('OPEN_LABOUR_MARKET', 'STUDIES', 'UNEMPLOYMENT', 'OTHER')),
    recorded_by TEXT NOT NULL REFERENCES official (id),
    created_at {ts} NOT NULL,
    CHECK (subsidy_ends_on >= starts_on),
    CHECK (ended_on IS NULL OR (ended_on >= starts_on AND ended_on <= subsidy_ends_on)),
    CHECK ((ended_on IS NULL) = (followed_by IS NULL))
);
CREATE INDEX pay_subsidy_client_idx ON pay_subsidy (client_id);
CREATE INDEX pay_subsidy_ends_idx ON pay_subsidy (subsidy_ends_on);
-- Changes of the registers above (employers, programmes): append-only, like the
-- administration log, whose closed set of actions this keeps apart.
CREATE TABLE register_log (
    id {serial},
    at {ts} NOT NULL,
    official_id TEXT REFERENCES official (id),
    action TEXT NOT NULL CHECK (action IN ('CREATE_EMPLOYER', 'UPDATE_EMPLOYER', 'CREATE_PROGRAMME', 'UPDATE_PROGRAMME')),
    target TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX register_log_at_idx ON register_log (at);
-- The service track of a TYP case, recorded (not derived): individual support
-- (yksilöllinen tuki) or the multi-sector service. Cases opened before it was recorded have
-- none (NULL) and are counted in neither.
ALTER TABLE typ_case ADD COLUMN service_track TEXT CHECK (service_track IS NULL OR service_track IN ('MULTI_SECTOR', 'INDIVIDUAL_SUPPORT'));
ALTER TABLE typ_case ADD COLUMN programme_id TEXT REFERENCES programme (id);
ALTER TABLE job_coaching ADD COLUMN programme_id TEXT REFERENCES programme (id)
