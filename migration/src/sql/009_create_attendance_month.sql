-- Attendance summed per period and month, so reports over years read thousands of rows
-- instead of millions. Kept in step with attendance_day by recordAttendance (same
-- transaction) and by the seed; filled here from the rows that already exist.
CREATE TABLE attendance_month (
    period_id TEXT NOT NULL REFERENCES rehab_period (id),
    month TEXT NOT NULL CHECK (length(month) = 7),
    recorded_days INTEGER NOT NULL CHECK (recorded_days >= 0),
    attended_days INTEGER NOT NULL CHECK (attended_days BETWEEN 0 AND recorded_days),
    PRIMARY KEY (period_id, month)
);
CREATE INDEX attendance_month_month_idx ON attendance_month (month, period_id);
-- Reports read the days of partial months at a range's ends by date.
CREATE INDEX attendance_day_day_idx ON attendance_day (day);
INSERT INTO attendance_month (period_id, month, recorded_days, attended_days)
SELECT period_id, {month_of_day}, COUNT(*), SUM(CASE WHEN present THEN 1 ELSE 0 END)
FROM attendance_day GROUP BY period_id, {month_of_day};
