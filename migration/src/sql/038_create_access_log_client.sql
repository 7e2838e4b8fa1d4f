-- The clients of an access-log row that records one request's same access to many clients
-- (a list page, a report's rows): the row itself names no client (`client_id` NULL) and
-- its clients are listed here, one narrow row each, so a page of 100 writes one log row,
-- one seal and 100 of these in place of 100 log rows and 100 seals. The seal of the log
-- row covers its clients (`typgraph audit verify`), so a client removed from or added to a
-- sealed row breaks the chain. No foreign key: a key is checked row by row with a lock on
-- what it names (see migration 034); the log row is written in the same transaction
-- and client rows are never deleted.
CREATE TABLE access_log_client (
    access_log_id BIGINT NOT NULL,
    client_id TEXT NOT NULL,
    PRIMARY KEY (access_log_id, client_id)
);
-- A client's own log and the auditor's view of one client read by client, newest first.
CREATE INDEX access_log_client_client_idx ON access_log_client (client_id, access_log_id);
-- Every access to a client as one row (act 703/2023 § 11: the client learns who processed
-- their data): the log rows that name their client, and one row per listed client of the
-- rows that list them. Readers of the log by client read this view.
CREATE VIEW access_log_entry AS
    SELECT id, at, official_id, agency, roles, client_id, action, field_groups, operation,
           reason, basis
    FROM access_log
    WHERE client_id IS NOT NULL
    UNION ALL
    SELECT a.id, a.at, a.official_id, a.agency, a.roles, c.client_id, a.action,
           a.field_groups, a.operation, a.reason, a.basis
    FROM access_log_client c
    JOIN access_log a ON a.id = c.access_log_id;
