-- A disclosure rests on the client's consent or on a statute (act 906/2019 § 17 requires
-- both to be logged; act 703/2023 § 11 gives the client the right to learn the basis). It
-- goes to an agency or to a named outside body (an unemployment fund, which has no agency
-- code), and the disclosing agency is recorded with it.
--
-- SQLite cannot drop a NOT NULL in place: the table is rebuilt. Its rows keep their order
-- (the chain hashes a log row's disclosures in id order); nothing references their ids.
-- Rows made before this change are consent-based, named an agency, and did not record the
-- disclosing agency (NULL): the chain hashes such a row as it always has.
CREATE TABLE disclosure_log_next (
    id {serial},
    access_log_id BIGINT NOT NULL REFERENCES access_log (id),
    client_id TEXT NOT NULL REFERENCES client (id),
    basis TEXT NOT NULL CHECK (basis IN ('CONSENT', 'STATUTORY')),
    recipient_agency TEXT REFERENCES agency (code),
    recipient_name TEXT CHECK (recipient_name IS NULL OR length(recipient_name) BETWEEN 1 AND 200),
    disclosing_agency TEXT REFERENCES agency (code),
    field_group TEXT NOT NULL,
    consent_id TEXT REFERENCES consent (id),
    legal_section TEXT CHECK (legal_section IS NULL OR length(legal_section) BETWEEN 1 AND 200),
    CHECK ((recipient_agency IS NULL) <> (recipient_name IS NULL)),
    CHECK ((basis = 'CONSENT') = (consent_id IS NOT NULL)),
    CHECK ((basis = 'STATUTORY') = (legal_section IS NOT NULL)),
    CHECK (basis = 'CONSENT' OR disclosing_agency IS NOT NULL)
);
INSERT INTO disclosure_log_next (access_log_id, client_id, basis, recipient_agency, field_group, consent_id)
    SELECT access_log_id, client_id, 'CONSENT', recipient_agency, field_group, consent_id
    FROM disclosure_log ORDER BY id;
DROP TABLE disclosure_log;
ALTER TABLE disclosure_log_next RENAME TO disclosure_log;
CREATE INDEX disclosure_log_client_idx ON disclosure_log (client_id);
CREATE INDEX disclosure_log_access_log_idx ON disclosure_log (access_log_id);
