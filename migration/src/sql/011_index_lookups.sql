-- Indexes for lookups by parent that had none: the load benchmark found each case view
-- spending 10 ms scanning agreed_action for a plan's actions at 10,000 clients.
CREATE INDEX agreed_action_plan_idx ON agreed_action (plan_id);
CREATE INDEX rehab_period_case_idx ON rehab_period (case_id);
CREATE INDEX rehab_interruption_period_idx ON rehab_interruption (period_id);
CREATE INDEX disclosure_log_access_log_idx ON disclosure_log (access_log_id);
CREATE INDEX assessment_reuse_client_idx ON assessment_reuse (client_id);
CREATE INDEX allowance_line_attendance_day_idx ON allowance_line_attendance (attendance_day_id);
