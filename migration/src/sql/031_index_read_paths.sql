-- Indexes that let the read paths which list or search drive from what the request names
-- (a month, a day range, an official's upcoming meetings, a municipality) instead of
-- reading the table whole: the read-path benchmark (`scale_bench --paths`) found each of
-- these statements scanning its table sequentially at 10,000 clients.
-- The allowance statement and the exports read one month's lines of one payer.
CREATE INDEX allowance_line_month_idx ON allowance_line (month, payer);
-- An official's upcoming meetings are read from today on in time order until the page
-- is full; the meetings report counts those held in a range.
CREATE INDEX network_meeting_scheduled_idx ON network_meeting (status, scheduled_at);
CREATE INDEX network_meeting_held_idx ON network_meeting (held_on);
-- The case reports count the cases opened or ended in a range, and those open on a day.
CREATE INDEX typ_case_opened_idx ON typ_case (opened_on);
CREATE INDEX typ_case_ended_idx ON typ_case (ended_on);
-- The period-length report counts the periods started in a range.
CREATE INDEX rehab_period_starts_idx ON rehab_period (starts_on);
-- The reports' municipality filter reads that municipality's clients.
CREATE INDEX client_municipality_idx ON client (municipality, id);
