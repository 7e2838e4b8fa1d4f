-- Every KTT decision that starts, changes or ends a period leaves a notice for the
-- employment authority, and the statement it answers one with names what it states about
-- the activity: its start, a change of its terms, its end. SQLite cannot change a CHECK in
-- place: the statements and the notices that point at them are rebuilt (the notices first
-- dropped, as dropping their parent would fail).
CREATE TABLE labour_policy_statement_next (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client (id),
    issued_on DATE NOT NULL,
    issued_by TEXT NOT NULL REFERENCES official (id),
    statement_kind TEXT NOT NULL CHECK (statement_kind IN ('KTT_START', 'KTT_CHANGE', 'KTT_END', 'BENEFIT_CONDITIONS_MET', 'BENEFIT_CONDITIONS_NOT_MET')),
    content TEXT NOT NULL,
    recipient TEXT CHECK (recipient IS NULL OR recipient IN ('KELA', 'UNEMPLOYMENT_FUND')),
    fund_name TEXT
);
INSERT INTO labour_policy_statement_next (id, client_id, issued_on, issued_by, statement_kind, content, recipient, fund_name)
SELECT id, client_id, issued_on, issued_by, statement_kind, content, recipient, fund_name FROM labour_policy_statement;
CREATE TABLE ktt_notice_next (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client (id),
    decision_id TEXT NOT NULL UNIQUE REFERENCES ktt_decision (id),
    kind TEXT NOT NULL CHECK (kind IN ('GRANT', 'CHANGE', 'TERMINATE')),
    period_id TEXT NOT NULL REFERENCES rehab_period (id),
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    created_at {ts} NOT NULL,
    handled_at {ts},
    handled_by TEXT REFERENCES official (id),
    statement_id TEXT REFERENCES labour_policy_statement_next (id),
    CHECK ((handled_at IS NULL) = (handled_by IS NULL)),
    CHECK ((handled_at IS NULL) = (statement_id IS NULL))
);
INSERT INTO ktt_notice_next (id, client_id, decision_id, kind, period_id, starts_on, ends_on, created_at, handled_at, handled_by, statement_id)
SELECT id, client_id, decision_id, 'GRANT', period_id, starts_on, ends_on, created_at, handled_at, handled_by, statement_id FROM ktt_start_notice;
DROP INDEX IF EXISTS ktt_start_notice_open_idx;
DROP TABLE ktt_start_notice;
DROP INDEX IF EXISTS labour_policy_statement_client_idx;
DROP TABLE labour_policy_statement;
ALTER TABLE labour_policy_statement_next RENAME TO labour_policy_statement;
ALTER TABLE ktt_notice_next RENAME TO ktt_start_notice;
CREATE INDEX labour_policy_statement_client_idx ON labour_policy_statement (client_id);
CREATE INDEX ktt_start_notice_open_idx ON ktt_start_notice (handled_at);
-- Who pays each attended day follows the benefit status of that day (benefit_status), so
-- the payer once stored on the period and the social-assistance flag on the client, which
-- nothing reads any more, go.
ALTER TABLE rehab_period DROP COLUMN payer;
ALTER TABLE client DROP COLUMN on_social_assistance;
