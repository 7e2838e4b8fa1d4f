-- KTT decisions are administrative decisions of the wellbeing services county (act 189/2001
-- on rehabilitative work activity; Social Welfare Act 1301/2014 s. 45): made by a county
-- official holding delegated decision-making power, on the plan in force, written with
-- reasons, the hearing and appeal instructions (Administrative Procedure Act 434/2003),
-- and never deleted.
--
-- The delegation: which county officials decide, under which title. Granted and revoked by
-- administration (logged in admin_log); a decision keeps the decider's name and title as
-- they stood.
CREATE TABLE ktt_decision_maker (
    official_id TEXT PRIMARY KEY REFERENCES official (id),
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    granted_by TEXT NOT NULL REFERENCES official (id),
    granted_at {ts} NOT NULL
);
-- The KTT item of a plan (act 189/2001 ss. 4-5: KTT is arranged on the plan): its goal and
-- the support and guidance the person needs, agreed on a day.
CREATE TABLE plan_ktt_item (
    id TEXT PRIMARY KEY,
    plan_id TEXT NOT NULL REFERENCES employment_plan (id),
    case_id TEXT NOT NULL REFERENCES typ_case (id),
    goal TEXT NOT NULL CHECK (length(goal) BETWEEN 1 AND 2000),
    support TEXT NOT NULL CHECK (length(support) BETWEEN 1 AND 2000),
    agreed_on DATE NOT NULL,
    created_by TEXT NOT NULL REFERENCES official (id),
    created_at {ts} NOT NULL
);
CREATE INDEX plan_ktt_item_plan_idx ON plan_ktt_item (plan_id);
CREATE TABLE ktt_decision (
    id TEXT PRIMARY KEY,
    decision_number TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('GRANT', 'REFUSE', 'CHANGE', 'TERMINATE')),
    client_id TEXT NOT NULL REFERENCES client (id),
    case_id TEXT REFERENCES typ_case (id),
    period_id TEXT REFERENCES rehab_period (id),
    plan_id TEXT REFERENCES employment_plan (id),
    plan_item_id TEXT REFERENCES plan_ktt_item (id),
    legal_basis TEXT NOT NULL,
    decided_by TEXT NOT NULL REFERENCES official (id),
    decider_name TEXT NOT NULL,
    decider_title TEXT NOT NULL,
    hearing_on DATE,
    hearing_omitted_reason TEXT,
    provider_id TEXT REFERENCES provider (id),
    starts_on DATE,
    ends_on DATE,
    days_per_week INTEGER,
    hours_per_day INTEGER,
    terminated_on DATE,
    toimintaraha_cents_per_day BIGINT NOT NULL CHECK (toimintaraha_cents_per_day >= 0),
    travel_cents_per_day BIGINT NOT NULL CHECK (travel_cents_per_day >= 0),
    language TEXT NOT NULL CHECK (language IN ('fi', 'sv')),
    decided_on DATE NOT NULL,
    served_on DATE NOT NULL,
    reasoning TEXT,
    created_at {ts} NOT NULL,
    CHECK (served_on >= decided_on),
    CHECK ((hearing_on IS NULL) <> (hearing_omitted_reason IS NULL)),
    CHECK (kind = 'REFUSE' OR period_id IS NOT NULL),
    CHECK (kind <> 'GRANT' OR plan_item_id IS NOT NULL),
    CHECK ((kind = 'TERMINATE') = (terminated_on IS NOT NULL)),
    CHECK (kind = 'GRANT' OR reasoning IS NOT NULL)
);
CREATE INDEX ktt_decision_client_idx ON ktt_decision (client_id);
CREATE INDEX ktt_decision_period_idx ON ktt_decision (period_id);
-- The start notice to the employment authority (act 189/2001; Unemployment Security Act
-- 1290/2002 ch. 11 s. 4): a granted period waits in the employment authority's work list
-- until its expert issues the labour-policy statement.
CREATE TABLE ktt_start_notice (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client (id),
    decision_id TEXT NOT NULL UNIQUE REFERENCES ktt_decision (id),
    period_id TEXT NOT NULL REFERENCES rehab_period (id),
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    created_at {ts} NOT NULL,
    handled_at {ts},
    handled_by TEXT REFERENCES official (id),
    statement_id TEXT REFERENCES labour_policy_statement (id),
    CHECK ((handled_at IS NULL) = (handled_by IS NULL)),
    CHECK ((handled_at IS NULL) = (statement_id IS NULL))
);
CREATE INDEX ktt_start_notice_open_idx ON ktt_start_notice (handled_at);
-- Whom a labour-policy statement is addressed to: Kela, or a named unemployment fund
-- (statements recorded before this change have none).
ALTER TABLE labour_policy_statement ADD COLUMN recipient TEXT CHECK (recipient IS NULL OR recipient IN ('KELA', 'UNEMPLOYMENT_FUND'));
ALTER TABLE labour_policy_statement ADD COLUMN fund_name TEXT;
