-- Monthly KTT summaries for the reports (see ktt_month.rs): per client, provider and month,
-- and per client and month. Derived data, rebuilt per client on every write that touches
-- periods, attendance or allowances, and filled for everyone when this migration runs.
CREATE TABLE ktt_month (
    client_id TEXT NOT NULL REFERENCES client (id),
    provider_id TEXT NOT NULL REFERENCES provider (id),
    month TEXT NOT NULL CHECK (length(month) = 7),
    days_in_force INTEGER NOT NULL CHECK (days_in_force >= 0),
    in_force_at_end INTEGER NOT NULL CHECK (in_force_at_end IN (0, 1)),
    recorded_days INTEGER NOT NULL CHECK (recorded_days >= 0),
    attended_days INTEGER NOT NULL CHECK (attended_days BETWEEN 0 AND recorded_days),
    allowance_cents BIGINT NOT NULL,
    travel_cents BIGINT NOT NULL,
    PRIMARY KEY (client_id, provider_id, month)
);
CREATE INDEX ktt_month_month_idx ON ktt_month (month);
CREATE TABLE ktt_client_month (
    client_id TEXT NOT NULL REFERENCES client (id),
    month TEXT NOT NULL CHECK (length(month) = 7),
    days_in_force INTEGER NOT NULL CHECK (days_in_force >= 0),
    in_force_at_end INTEGER NOT NULL CHECK (in_force_at_end IN (0, 1)),
    recorded_days INTEGER NOT NULL CHECK (recorded_days >= 0),
    attended_days INTEGER NOT NULL CHECK (attended_days BETWEEN 0 AND recorded_days),
    allowance_cents BIGINT NOT NULL,
    travel_cents BIGINT NOT NULL,
    PRIMARY KEY (client_id, month)
);
CREATE INDEX ktt_client_month_month_idx ON ktt_client_month (month);
-- Reports read the days of partial months at a range's ends by date.
CREATE INDEX attendance_day_day_idx ON attendance_day (day);
