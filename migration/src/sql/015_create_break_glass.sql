-- Break-glass: an official opens a case outside their scope for an urgent reason. The grant
-- is time-limited, its reason required, every access-log row made under it is flagged
-- (break_glass_access), and it is a review item until an AUDITOR closes it.
CREATE TABLE break_glass (
    id TEXT PRIMARY KEY,
    official_id TEXT NOT NULL REFERENCES official (id),
    agency TEXT NOT NULL REFERENCES agency (code),
    roles TEXT NOT NULL,
    client_id TEXT NOT NULL REFERENCES client (id),
    reason TEXT NOT NULL CHECK (length(reason) BETWEEN 10 AND 2000),
    opened_at {ts} NOT NULL,
    expires_at {ts} NOT NULL,
    review_status TEXT NOT NULL CHECK (review_status IN ('OPEN', 'CLOSED')),
    reviewed_by TEXT REFERENCES official (id),
    reviewed_at {ts},
    review_note TEXT CHECK (review_note IS NULL OR length(review_note) BETWEEN 1 AND 2000),
    CHECK (expires_at > opened_at),
    CHECK ((review_status = 'CLOSED') = (reviewed_at IS NOT NULL AND reviewed_by IS NOT NULL AND review_note IS NOT NULL))
);
CREATE INDEX break_glass_official_idx ON break_glass (official_id, expires_at);
CREATE INDEX break_glass_review_idx ON break_glass (review_status, opened_at);
CREATE TABLE break_glass_access (
    access_log_id BIGINT PRIMARY KEY REFERENCES access_log (id),
    break_glass_id TEXT NOT NULL REFERENCES break_glass (id)
);
CREATE INDEX break_glass_access_grant_idx ON break_glass_access (break_glass_id);
