-- Indexes that let the remaining reports read the rows of their range, not the table: at
-- 200,000 clients the read-path benchmark (`scale_bench --paths`) found each of these
-- statements scanning its table sequentially.
-- The assessments report counts the assessments made in a range of months.
CREATE INDEX work_ability_assessment_assessed_idx ON work_ability_assessment (assessed_on);
-- The coaching-hours report counts the job coachings started in a range of months.
CREATE INDEX job_coaching_starts_idx ON job_coaching (starts_on);
-- The individual-support clients on a day: the cases of that track not ended by the day
-- (open ones have no end date), a third of the cases, most of them long ended.
CREATE INDEX typ_case_track_ended_idx ON typ_case (service_track, ended_on);
