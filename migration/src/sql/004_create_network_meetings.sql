-- Network meetings (verkostopalaverit) and the agreed actions of plans and meetings.
CREATE TABLE network_meeting (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES typ_case (id),
    client_id TEXT NOT NULL REFERENCES client (id),
    scheduled_at {ts} NOT NULL,
    location TEXT,
    status TEXT NOT NULL CHECK (status IN ('SCHEDULED', 'HELD', 'CANCELLED')),
    shared_record TEXT,
    held_on DATE,
    created_by TEXT NOT NULL REFERENCES official (id),
    created_at {ts} NOT NULL,
    CHECK ((status = 'HELD') = (held_on IS NOT NULL))
);
CREATE INDEX network_meeting_case_idx ON network_meeting (case_id);
CREATE INDEX network_meeting_client_idx ON network_meeting (client_id);
CREATE TABLE meeting_participant (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES network_meeting (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('OFFICIAL', 'CLIENT', 'PROVIDER_COACH')),
    official_id TEXT REFERENCES official (id),
    agency TEXT REFERENCES agency (code),
    consent_id TEXT REFERENCES consent (id),
    CHECK ((kind = 'CLIENT') = (official_id IS NULL)),
    CHECK (kind <> 'PROVIDER_COACH' OR consent_id IS NOT NULL)
);
CREATE INDEX meeting_participant_meeting_idx ON meeting_participant (meeting_id);
CREATE UNIQUE INDEX meeting_participant_once ON meeting_participant (meeting_id, official_id) WHERE official_id IS NOT NULL;
CREATE TABLE meeting_agenda_item (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES network_meeting (id) ON DELETE CASCADE,
    agency TEXT NOT NULL REFERENCES agency (code),
    position INTEGER NOT NULL CHECK (position >= 1),
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    UNIQUE (meeting_id, position)
);
CREATE TABLE meeting_agency_section (
    id TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES network_meeting (id) ON DELETE CASCADE,
    agency TEXT NOT NULL REFERENCES agency (code) CHECK (agency IN ('TE', 'EKSOTE', 'KELA')),
    body TEXT NOT NULL,
    author_id TEXT NOT NULL REFERENCES official (id),
    UNIQUE (meeting_id, agency)
);
CREATE TABLE agreed_action (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES typ_case (id),
    plan_id TEXT REFERENCES employment_plan (id),
    meeting_id TEXT REFERENCES network_meeting (id),
    owner_agency TEXT NOT NULL REFERENCES agency (code),
    description TEXT NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
    due_on DATE NOT NULL,
    completed_on DATE,
    created_by TEXT NOT NULL REFERENCES official (id),
    created_at {ts} NOT NULL
);
CREATE INDEX agreed_action_case_idx ON agreed_action (case_id);
CREATE INDEX agreed_action_meeting_idx ON agreed_action (meeting_id);
