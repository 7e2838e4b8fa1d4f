-- Agencies, KTT/coaching providers and the officials who sign in.
CREATE TABLE agency (
    code TEXT PRIMARY KEY CHECK (code IN ('TE', 'EKSOTE', 'KELA', 'PROVIDER')),
    name_fi TEXT NOT NULL,
    name_sv TEXT NOT NULL,
    name_en TEXT NOT NULL
);
INSERT INTO agency (code, name_fi, name_sv, name_en) VALUES
    ('TE', 'Etelä-Karjalan työllisyysalue', 'Södra Karelens sysselsättningsområde', 'South Karelia employment area'),
    ('EKSOTE', 'Etelä-Karjalan hyvinvointialue', 'Södra Karelens välfärdsområde', 'Wellbeing services county of South Karelia'),
    ('KELA', 'Kela', 'FPA', 'Kela (Social Insurance Institution)'),
    ('PROVIDER', 'Palveluntuottaja', 'Tjänsteproducent', 'Service provider');
CREATE TABLE provider (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    kind TEXT NOT NULL CHECK (kind IN ('COUNTY_WORKSHOP', 'COUNTY_ACTIVITY_CENTRE', 'VOUCHER_PROVIDER', 'THIRD_SECTOR')),
    municipality TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at {ts} NOT NULL
);
CREATE TABLE official (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    agency TEXT NOT NULL REFERENCES agency (code),
    provider_id TEXT REFERENCES provider (id),
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at {ts} NOT NULL,
    CHECK ((agency = 'PROVIDER') = (provider_id IS NOT NULL))
);
CREATE INDEX official_provider_idx ON official (provider_id);
CREATE TABLE official_role (
    official_id TEXT NOT NULL REFERENCES official (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('TYP_OFFICER', 'TE_EXPERT', 'EKSOTE_WORKER', 'KELA_EXPERT', 'PROVIDER_COACH', 'ANALYST', 'AUDITOR', 'ADMIN')),
    PRIMARY KEY (official_id, role)
);
-- Which data set the database holds ('demo' lets `typgraph token` use the development secret).
CREATE TABLE dataset_marker (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
