-- Clients (one row per person) and their consents.
CREATE TABLE client (
    id TEXT PRIMARY KEY,
    personal_identity_code TEXT NOT NULL UNIQUE CHECK (length(personal_identity_code) = 11),
    first_name TEXT NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
    last_name TEXT NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
    phone TEXT,
    email TEXT,
    street_address TEXT,
    postal_code TEXT,
    municipality TEXT,
    language TEXT CHECK (language IS NULL OR language IN ('fi', 'sv', 'en', 'ru', 'et', 'ar', 'uk', 'other')),
    on_social_assistance BOOLEAN NOT NULL DEFAULT FALSE,
    registered_by_agency TEXT NOT NULL REFERENCES agency (code),
    date_of_death DATE,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at {ts} NOT NULL,
    updated_at {ts} NOT NULL
);
CREATE INDEX client_name_idx ON client (last_name, first_name);
CREATE TABLE consent (
    id TEXT PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES client (id),
    kind TEXT NOT NULL CHECK (kind IN ('MULTI_AGENCY_SERVICE', 'DISCLOSURE')),
    recipient_agency TEXT REFERENCES agency (code),
    given_on DATE NOT NULL,
    valid_until DATE,
    withdrawn_on DATE,
    recorded_by TEXT NOT NULL REFERENCES official (id),
    recorded_by_agency TEXT NOT NULL REFERENCES agency (code),
    created_at {ts} NOT NULL,
    CHECK (valid_until IS NULL OR valid_until >= given_on),
    CHECK (withdrawn_on IS NULL OR withdrawn_on >= given_on),
    CHECK ((kind = 'DISCLOSURE') = (recipient_agency IS NOT NULL))
);
CREATE INDEX consent_client_idx ON consent (client_id);
CREATE TABLE consent_field_group (
    consent_id TEXT NOT NULL REFERENCES consent (id) ON DELETE CASCADE,
    field_group TEXT NOT NULL CHECK (field_group IN ('IDENTITY', 'CONTACT', 'CASE', 'REHAB', 'ATTENDANCE', 'ALLOWANCE', 'EMPLOYMENT', 'BENEFIT', 'WORK_ABILITY', 'HEALTH', 'SOCIAL')),
    PRIMARY KEY (consent_id, field_group)
);
