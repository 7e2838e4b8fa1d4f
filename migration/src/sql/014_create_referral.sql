-- Referrals between agencies (for example to Kela vocational rehabilitation or a county
-- service): sent -> accepted (with the receiving side's due date) or declined -> done (the
-- outcome returned to the sender). Part of the shared case record (group CASE).
CREATE TABLE referral (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client (id),
    case_id TEXT NOT NULL REFERENCES typ_case (id),
    from_agency TEXT NOT NULL REFERENCES agency (code) CHECK (from_agency IN ('TE', 'EKSOTE', 'KELA')),
    to_agency TEXT NOT NULL REFERENCES agency (code) CHECK (to_agency IN ('TE', 'EKSOTE', 'KELA')),
    service TEXT NOT NULL CHECK (length(service) BETWEEN 1 AND 200),
    reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    status TEXT NOT NULL CHECK (status IN ('SENT', 'ACCEPTED', 'DECLINED', 'DONE')),
    sent_by TEXT NOT NULL REFERENCES official (id),
    sent_on DATE NOT NULL,
    answered_by TEXT REFERENCES official (id),
    answered_on DATE,
    due_on DATE,
    decline_reason TEXT CHECK (decline_reason IS NULL OR length(decline_reason) BETWEEN 1 AND 2000),
    outcome TEXT CHECK (outcome IS NULL OR length(outcome) BETWEEN 1 AND 2000),
    done_on DATE,
    created_at {ts} NOT NULL,
    CHECK (from_agency <> to_agency),
    CHECK ((status = 'SENT') = (answered_on IS NULL)),
    CHECK ((status = 'DECLINED') = (decline_reason IS NOT NULL)),
    CHECK (status NOT IN ('ACCEPTED', 'DONE') OR due_on IS NOT NULL),
    CHECK ((status = 'DONE') = (outcome IS NOT NULL AND done_on IS NOT NULL))
);
CREATE INDEX referral_client_idx ON referral (client_id);
