-- Service vouchers (palveluseteli, act 569/2009) and job coaching (työhönvalmennus) as each
-- orderer's own work (docs/work-provider.md, docs/work-county.md).
--
-- Which providers the county has approved for each kind of voucher (act 569/2009 s. 5: the
-- municipality approves the providers whose services a voucher may buy). An approval is
-- withdrawn by its end date, never deleted: vouchers chosen under it keep naming it.
CREATE TABLE provider_voucher_approval (
    provider_id TEXT NOT NULL REFERENCES provider (id),
    voucher_kind TEXT NOT NULL CHECK (voucher_kind IN ('KTT', 'COACHING')),
    approved_on DATE NOT NULL,
    approved_by TEXT NOT NULL REFERENCES official (id),
    withdrawn_on DATE,
    withdrawn_by TEXT REFERENCES official (id),
    PRIMARY KEY (provider_id, voucher_kind),
    CHECK (withdrawn_on IS NULL OR withdrawn_on >= approved_on)
);
-- A voucher granted by the county: its value per unit (a KTT day or month, a coaching hour
-- or month), the quantity granted (days or hours), its validity, the client's choice of an
-- approved provider and the provider's answer. A KTT voucher names the KTT period placed
-- under it, whose attended days count against it; coaching hours count through the job
-- coaching ordered under it.
CREATE TABLE service_voucher (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client (id),
    kind TEXT NOT NULL CHECK (kind IN ('KTT', 'COACHING')),
    unit TEXT NOT NULL CHECK (unit IN ('DAY', 'HOUR', 'MONTH')),
    value_cents BIGINT NOT NULL CHECK (value_cents BETWEEN 1 AND 10000000),
    quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
    valid_from DATE NOT NULL,
    valid_until DATE NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('GRANTED', 'CHOSEN', 'ACCEPTED', 'DECLINED')),
    granted_by TEXT NOT NULL REFERENCES official (id),
    granted_on DATE NOT NULL,
    provider_id TEXT REFERENCES provider (id),
    chosen_on DATE,
    answered_by TEXT REFERENCES official (id),
    answered_on DATE,
    decline_reason TEXT,
    rehab_period_id TEXT REFERENCES rehab_period (id),
    CHECK (valid_until >= valid_from),
    CHECK ((kind = 'KTT' AND unit IN ('DAY', 'MONTH')) OR (kind = 'COACHING' AND unit IN ('HOUR', 'MONTH'))),
    CHECK ((status = 'GRANTED') = (provider_id IS NULL)),
    CHECK (status IN ('GRANTED', 'CHOSEN') OR answered_on IS NOT NULL),
    CHECK (rehab_period_id IS NULL OR (kind = 'KTT' AND status = 'ACCEPTED'))
);
CREATE INDEX service_voucher_client_idx ON service_voucher (client_id);
CREATE INDEX service_voucher_provider_idx ON service_voucher (provider_id);
CREATE UNIQUE INDEX service_voucher_period_idx ON service_voucher (rehab_period_id);
-- Job coaching, rebuilt for a wider set of kinds (GROUP added; COUNTY and VOUCHER remain
-- for rows recorded before the way it was ordered was kept apart from its kind), the
-- official who ordered it, the voucher it is bought under (the county's order through a
-- voucher provider) and the hours used, which never exceed the hours bought.
CREATE TABLE job_coaching_next (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client (id),
    provider_id TEXT REFERENCES provider (id),
    kind TEXT NOT NULL CHECK (kind IN ('COUNTY', 'VOUCHER', 'NEUROPSYCHIATRIC', 'INDIVIDUAL', 'WALK_ALONGSIDE', 'GROUP')),
    ordered_by_agency TEXT NOT NULL REFERENCES agency (code),
    hours INTEGER NOT NULL CHECK (hours BETWEEN 1 AND 500),
    starts_on DATE NOT NULL,
    ends_on DATE,
    ordered_by TEXT REFERENCES official (id),
    voucher_id TEXT REFERENCES service_voucher (id),
    hours_used INTEGER NOT NULL DEFAULT 0 CHECK (hours_used >= 0 AND hours_used <= hours),
    CHECK (ends_on IS NULL OR ends_on >= starts_on),
    CHECK (voucher_id IS NULL OR ordered_by_agency = 'EKSOTE')
);
INSERT INTO job_coaching_next (id, client_id, provider_id, kind, ordered_by_agency, hours, starts_on, ends_on)
    SELECT id, client_id, provider_id, kind, ordered_by_agency, hours, starts_on, ends_on
    FROM job_coaching;
DROP INDEX IF EXISTS job_coaching_client_idx;
DROP TABLE job_coaching;
ALTER TABLE job_coaching_next RENAME TO job_coaching;
CREATE INDEX job_coaching_client_idx ON job_coaching (client_id);
CREATE INDEX job_coaching_provider_idx ON job_coaching (provider_id);
CREATE INDEX job_coaching_voucher_idx ON job_coaching (voucher_id);
-- Coaching hours used, one row per recording (day and hours): the month's statement sums them.
CREATE TABLE job_coaching_hours (
    id TEXT PRIMARY KEY,
    coaching_id TEXT NOT NULL REFERENCES job_coaching (id),
    client_id TEXT NOT NULL REFERENCES client (id),
    worked_on DATE NOT NULL,
    hours INTEGER NOT NULL CHECK (hours BETWEEN 1 AND 24),
    recorded_by TEXT NOT NULL REFERENCES official (id),
    recorded_by_agency TEXT NOT NULL REFERENCES agency (code),
    recorded_at {ts} NOT NULL
);
CREATE INDEX job_coaching_hours_coaching_idx ON job_coaching_hours (coaching_id);
CREATE INDEX job_coaching_hours_client_idx ON job_coaching_hours (client_id);
