-- Who pays what for a KTT day (act 189/2001 ss. 17-18 as amended by 1025/2022).
--
-- The client's benefit status, effective-dated: an unemployment benefit recorded by Kela
-- (labour market subsidy, basic unemployment allowance, an unemployment fund's
-- earnings-related allowance, or none) and social assistance recorded by the county. Two
-- tracks: a day may carry one unemployment status and social assistance at once.
CREATE TABLE benefit_status (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client (id),
    kind TEXT NOT NULL CHECK (kind IN ('LABOUR_MARKET_SUBSIDY', 'BASIC_UNEMPLOYMENT_ALLOWANCE', 'EARNINGS_RELATED_ALLOWANCE', 'SOCIAL_ASSISTANCE', 'NONE')),
    fund_name TEXT CHECK (fund_name IS NULL OR length(fund_name) BETWEEN 1 AND 200),
    valid_from DATE NOT NULL,
    valid_to DATE,
    recording_agency TEXT NOT NULL REFERENCES agency (code) CHECK (recording_agency IN ('KELA', 'EKSOTE')),
    -- NULL only for the statuses moved here from the client's former flag (see below).
    recorded_by TEXT REFERENCES official (id),
    recorded_at {ts} NOT NULL,
    CHECK (valid_to IS NULL OR valid_to >= valid_from),
    CHECK ((kind = 'EARNINGS_RELATED_ALLOWANCE' AND fund_name IS NOT NULL) OR (kind <> 'EARNINGS_RELATED_ALLOWANCE' AND fund_name IS NULL)),
    CHECK ((kind = 'SOCIAL_ASSISTANCE' AND recording_agency = 'EKSOTE') OR (kind <> 'SOCIAL_ASSISTANCE' AND recording_agency = 'KELA'))
);
CREATE INDEX benefit_status_client_idx ON benefit_status (client_id, valid_from);
-- The former flag carried no dates: a client it marked is taken to have been on social
-- assistance since the act came into force, as the flag was read for every day until now.
INSERT INTO benefit_status (id, client_id, kind, fund_name, valid_from, valid_to, recording_agency, recorded_by, recorded_at)
SELECT 'moved-' || id, id, 'SOCIAL_ASSISTANCE', NULL, '2001-09-01', NULL, 'EKSOTE', NULL, created_at
FROM client WHERE on_social_assistance;
-- Travel compensation at the cheapest means (189/2001 s. 18(2)): a fare per attended day
-- and a period ticket per month, as decided for the period; NULL for the default fare and
-- no ticket.
ALTER TABLE rehab_period ADD COLUMN travel_fare_cents BIGINT CHECK (travel_fare_cents IS NULL OR travel_fare_cents >= 0);
ALTER TABLE rehab_period ADD COLUMN travel_ticket_cents_month BIGINT CHECK (travel_ticket_cents_month IS NULL OR travel_ticket_cents_month >= 0);
-- Allowance lines by payer: the expense allowance (kulukorvaus) is paid with the
-- unemployment benefit by Kela or the client's fund; toimintaraha and travel by the county.
-- SQLite cannot change a CHECK in place: both tables are rebuilt (the link table too, as
-- dropping its parent would empty it).
CREATE TABLE allowance_line_next (
    id TEXT PRIMARY KEY,
    period_id TEXT NOT NULL REFERENCES rehab_period (id),
    month TEXT NOT NULL CHECK (length(month) = 7),
    kind TEXT NOT NULL CHECK (kind IN ('EXPENSE_ALLOWANCE', 'TOIMINTARAHA', 'TRAVEL')),
    payer TEXT NOT NULL CHECK (payer IN ('KELA', 'FUND', 'EKSOTE')),
    fund_name TEXT,
    days INTEGER NOT NULL CHECK (days >= 0),
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
    rule_version TEXT NOT NULL,
    created_at {ts} NOT NULL,
    CHECK ((payer = 'FUND' AND fund_name IS NOT NULL) OR (payer <> 'FUND' AND fund_name IS NULL)),
    CHECK ((kind = 'EXPENSE_ALLOWANCE' AND payer IN ('KELA', 'FUND')) OR (kind <> 'EXPENSE_ALLOWANCE' AND payer = 'EKSOTE'))
);
-- Travel was booked to the period's payer before; it is the organiser's (the county's).
INSERT INTO allowance_line_next (id, period_id, month, kind, payer, fund_name, days, amount_cents, rule_version, created_at)
SELECT id, period_id, month, kind, CASE WHEN kind = 'EXPENSE_ALLOWANCE' THEN payer ELSE 'EKSOTE' END, NULL, days, amount_cents, rule_version, created_at
FROM allowance_line;
CREATE TABLE allowance_line_attendance_next (
    allowance_line_id TEXT NOT NULL REFERENCES allowance_line_next (id) ON DELETE CASCADE,
    attendance_day_id TEXT NOT NULL REFERENCES attendance_day (id),
    PRIMARY KEY (allowance_line_id, attendance_day_id)
);
INSERT INTO allowance_line_attendance_next (allowance_line_id, attendance_day_id)
SELECT allowance_line_id, attendance_day_id FROM allowance_line_attendance;
DROP INDEX IF EXISTS allowance_line_attendance_day_idx;
DROP TABLE allowance_line_attendance;
DROP TABLE allowance_line;
ALTER TABLE allowance_line_next RENAME TO allowance_line;
ALTER TABLE allowance_line_attendance_next RENAME TO allowance_line_attendance;
CREATE INDEX allowance_line_attendance_day_idx ON allowance_line_attendance (attendance_day_id);
CREATE UNIQUE INDEX allowance_line_payee_idx ON allowance_line (period_id, month, kind, payer, COALESCE(fund_name, ''));
-- What each export delivered, per period, month, kind and payer: the next export to the
-- same recipient sends the difference of any month it delivered before as a correction.
CREATE TABLE allowance_export (
    id TEXT PRIMARY KEY,
    recipient TEXT NOT NULL CHECK (recipient IN ('KELA', 'FUND', 'EKSOTE')),
    fund_name TEXT,
    month TEXT NOT NULL CHECK (length(month) = 7),
    exported_by TEXT NOT NULL REFERENCES official (id),
    exported_at {ts} NOT NULL,
    CHECK ((recipient = 'FUND' AND fund_name IS NOT NULL) OR (recipient <> 'FUND' AND fund_name IS NULL))
);
CREATE INDEX allowance_export_recipient_idx ON allowance_export (recipient, month);
CREATE TABLE allowance_export_line (
    export_id TEXT NOT NULL REFERENCES allowance_export (id),
    period_id TEXT NOT NULL REFERENCES rehab_period (id),
    month TEXT NOT NULL CHECK (length(month) = 7),
    kind TEXT NOT NULL CHECK (kind IN ('EXPENSE_ALLOWANCE', 'TOIMINTARAHA', 'TRAVEL')),
    days INTEGER NOT NULL,
    amount_cents BIGINT NOT NULL,
    -- The export that first delivered this month of the period, for a correction.
    corrects_export_id TEXT REFERENCES allowance_export (id),
    PRIMARY KEY (export_id, period_id, month, kind)
);
CREATE INDEX allowance_export_line_period_idx ON allowance_export_line (period_id, month);
-- The monthly summaries split the daily allowance by payer.
ALTER TABLE ktt_month ADD COLUMN kela_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ktt_month ADD COLUMN fund_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ktt_month ADD COLUMN toimintaraha_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ktt_client_month ADD COLUMN kela_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ktt_client_month ADD COLUMN fund_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE ktt_client_month ADD COLUMN toimintaraha_cents BIGINT NOT NULL DEFAULT 0;
