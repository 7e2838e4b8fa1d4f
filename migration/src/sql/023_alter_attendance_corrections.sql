-- The KTT calendar kept consistent (docs/ktt-calendar.md).
--
-- The weekly schedule the decision holds: the weekdays of the period, as many as its days a
-- week (act 189/2001 s. 5: 1-4 days a week), as codes MON..SUN joined by commas. Periods
-- decided before this change are given the first days from Monday.
-- The exceptions the decision allows (a day outside the schedule or on a public holiday):
-- MAKE_UP_DAY, EVENT, joined by commas; NULL allows none.
ALTER TABLE rehab_period ADD COLUMN weekdays TEXT;
UPDATE rehab_period SET weekdays = CASE days_per_week
    WHEN 1 THEN 'MON'
    WHEN 2 THEN 'MON,TUE'
    WHEN 3 THEN 'MON,TUE,WED'
    WHEN 4 THEN 'MON,TUE,WED,THU'
    ELSE 'MON,TUE,WED,THU,FRI'
END;
ALTER TABLE rehab_period ADD COLUMN allowed_exceptions TEXT;
-- How a period ended (its structured outcome) and what followed it: a new period or a
-- work-ability assessment. The assessment is named without a foreign key: its table
-- (migration 006) goes down before the periods' table (migration 005) would let go of it.
-- The service checks that it is an assessment of the same client; none is ever deleted.
ALTER TABLE rehab_period ADD COLUMN outcome TEXT CHECK (outcome IS NULL OR outcome IN (
    'STUDIES', 'PAY_SUBSIDISED_WORK', 'OPEN_LABOUR_MARKET', 'WORK_ABILITY_ASSESSMENT',
    'NEW_REHAB_PERIOD', 'PENSION_INVESTIGATION', 'ENDED_BY_ILLNESS', 'ENDED_BY_CLIENT', 'OTHER'
));
ALTER TABLE rehab_period ADD COLUMN followed_by_period_id TEXT REFERENCES rehab_period (id);
ALTER TABLE rehab_period ADD COLUMN followed_by_assessment_id TEXT;
ALTER TABLE rehab_period ADD COLUMN outcome_recorded_by TEXT REFERENCES official (id);
ALTER TABLE rehab_period ADD COLUMN outcome_recorded_at {ts};
-- A day recorded outside the schedule or on a holiday names the exception the decision
-- allows. A day that an early end, an interruption or a service-wide closure took away is
-- voided, never deleted: who, when and why stay on it, and it counts nowhere.
ALTER TABLE attendance_day ADD COLUMN exception_reason TEXT CHECK (exception_reason IS NULL OR exception_reason IN ('MAKE_UP_DAY', 'EVENT'));
ALTER TABLE attendance_day ADD COLUMN voided_at {ts};
ALTER TABLE attendance_day ADD COLUMN voided_by TEXT REFERENCES official (id);
ALTER TABLE attendance_day ADD COLUMN void_reason TEXT;
-- Every voiding, with what the day said: the history stays when a voided day is recorded
-- again (a shortened interruption, a cancelled closure).
CREATE TABLE attendance_correction (
    id TEXT PRIMARY KEY,
    attendance_day_id TEXT NOT NULL REFERENCES attendance_day (id),
    period_id TEXT NOT NULL REFERENCES rehab_period (id),
    day DATE NOT NULL,
    cause TEXT NOT NULL CHECK (cause IN ('EARLY_END', 'INTERRUPTION', 'SERVICE_INTERRUPTION')),
    cause_id TEXT,
    was_present BOOLEAN NOT NULL,
    was_absence_reason TEXT,
    reason TEXT NOT NULL,
    corrected_by TEXT NOT NULL REFERENCES official (id),
    corrected_at {ts} NOT NULL
);
CREATE INDEX attendance_correction_period_idx ON attendance_correction (period_id);
