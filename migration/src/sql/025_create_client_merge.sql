-- Temporary identities and their merge into the permanent client, and the basis of each
-- access.
--
-- A personal identity code with an individual number 900-999 is temporary (given before
-- the population register assigns the permanent code). Whether a client's identity is
-- temporary is recorded at registration from the code; clients registered before this
-- change take it from their code here.
ALTER TABLE client ADD COLUMN temporary_identity BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE client SET temporary_identity = (substr(personal_identity_code, 8, 3) >= '900');
-- A temporary client merged into the permanent one stays as a tombstone naming it: its
-- records are moved to the permanent client, its log rows (append-only, sealed) stay as
-- they were and are read under the permanent client through client_merge.
ALTER TABLE client ADD COLUMN merged_into TEXT REFERENCES client (id);
CREATE TABLE client_merge (
    from_client_id TEXT PRIMARY KEY REFERENCES client (id),
    into_client_id TEXT NOT NULL REFERENCES client (id),
    merged_by TEXT NOT NULL REFERENCES official (id),
    merged_by_agency TEXT NOT NULL REFERENCES agency (code),
    merged_at {ts} NOT NULL,
    reason TEXT NOT NULL CHECK (length(reason) BETWEEN 10 AND 2000),
    rows_moved BIGINT NOT NULL CHECK (rows_moved >= 0),
    CHECK (from_client_id <> into_client_id)
);
CREATE INDEX client_merge_into_idx ON client_merge (into_client_id);
-- What admitted an official's access (act 703/2023 § 11: the client learns on what basis
-- their data was processed). Rows logged before this change did not record it (NULL).
ALTER TABLE access_log ADD COLUMN basis TEXT CHECK (basis IS NULL OR basis IN (
    'TYP_CLIENTHOOD', 'OWN_RECORD', 'PROVIDER_PLACEMENT', 'BREAK_GLASS', 'SUPERVISION'
));
