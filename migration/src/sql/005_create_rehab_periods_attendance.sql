-- Rehabilitative work activity (KTT) periods, attendance and allowances; job coaching.
CREATE TABLE service_interruption (
    id TEXT PRIMARY KEY,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    reason TEXT NOT NULL,
    CHECK (ends_on >= starts_on)
);
CREATE TABLE rehab_period (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client (id),
    case_id TEXT REFERENCES typ_case (id),
    provider_id TEXT NOT NULL REFERENCES provider (id),
    decision_number TEXT NOT NULL UNIQUE,
    decided_on DATE NOT NULL,
    decided_by TEXT NOT NULL REFERENCES official (id),
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    days_per_week INTEGER NOT NULL CHECK (days_per_week BETWEEN 1 AND 5),
    hours_per_day INTEGER NOT NULL CHECK (hours_per_day BETWEEN 4 AND 8),
    goal TEXT NOT NULL,
    support_needs TEXT,
    travel_distance_km {f64} CHECK (travel_distance_km IS NULL OR travel_distance_km >= 0),
    payer TEXT NOT NULL CHECK (payer IN ('KELA', 'EKSOTE')),
    ended_early_on DATE,
    end_reason TEXT,
    created_at {ts} NOT NULL,
    CHECK (ends_on > starts_on),
    CHECK (days_per_week * hours_per_day <= 32),
    CHECK (ended_early_on IS NULL OR (ended_early_on >= starts_on AND ended_early_on <= ends_on AND end_reason IS NOT NULL))
);
CREATE INDEX rehab_period_client_idx ON rehab_period (client_id);
CREATE INDEX rehab_period_provider_idx ON rehab_period (provider_id);
CREATE TABLE rehab_interruption (
    id TEXT PRIMARY KEY,
    period_id TEXT NOT NULL REFERENCES rehab_period (id),
    starts_on DATE NOT NULL,
    ends_on DATE,
    reason TEXT NOT NULL,
    CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
CREATE TABLE attendance_day (
    id TEXT PRIMARY KEY,
    period_id TEXT NOT NULL REFERENCES rehab_period (id),
    day DATE NOT NULL,
    present BOOLEAN NOT NULL,
    absence_reason TEXT,
    recorded_by TEXT NOT NULL REFERENCES official (id),
    recorded_at {ts} NOT NULL,
    UNIQUE (period_id, day),
    CHECK (present OR absence_reason IS NOT NULL)
);
CREATE TABLE allowance_line (
    id TEXT PRIMARY KEY,
    period_id TEXT NOT NULL REFERENCES rehab_period (id),
    month TEXT NOT NULL CHECK (length(month) = 7),
    kind TEXT NOT NULL CHECK (kind IN ('EXPENSE_ALLOWANCE', 'TOIMINTARAHA', 'TRAVEL')),
    payer TEXT NOT NULL CHECK (payer IN ('KELA', 'EKSOTE')),
    days INTEGER NOT NULL CHECK (days >= 0),
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
    rule_version TEXT NOT NULL,
    created_at {ts} NOT NULL,
    UNIQUE (period_id, month, kind)
);
CREATE TABLE allowance_line_attendance (
    allowance_line_id TEXT NOT NULL REFERENCES allowance_line (id) ON DELETE CASCADE,
    attendance_day_id TEXT NOT NULL REFERENCES attendance_day (id),
    PRIMARY KEY (allowance_line_id, attendance_day_id)
);
CREATE TABLE job_coaching (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client (id),
    provider_id TEXT REFERENCES provider (id),
    kind TEXT NOT NULL CHECK (kind IN ('COUNTY', 'VOUCHER', 'NEUROPSYCHIATRIC', 'INDIVIDUAL', 'WALK_ALONGSIDE')),
    ordered_by_agency TEXT NOT NULL REFERENCES agency (code),
    hours INTEGER NOT NULL CHECK (hours BETWEEN 1 AND 500),
    starts_on DATE NOT NULL,
    ends_on DATE,
    CHECK (ends_on IS NULL OR ends_on >= starts_on)
);
CREATE INDEX job_coaching_client_idx ON job_coaching (client_id);
