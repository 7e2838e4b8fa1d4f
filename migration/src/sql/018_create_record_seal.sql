-- Hash chain over the other append-only records that accountability rests on: the
-- administration log, policy versions, break-glass grants and their reviews, and the
-- clients' own access log. One seal per record, in one chain (seq 1, 2, 3…); its hash
-- covers the previous seal's hash and the record. Checkpoint seals (kind ACCESS_CHAIN) carry
-- the access-log chain's head (access_log_seal.seq in row_id, its hash in the link), so the
-- head of this chain commits to both: published outside the database (log line, /metrics),
-- it shows a cut tail of either (`typgraph audit verify --head SEQ:HASH`).
-- Integer-keyed records are named by row_id, break-glass grants (text ids) by row_key.
CREATE TABLE record_seal (
    seq BIGINT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN (
        'ACCESS_CHAIN', 'ADMIN_LOG', 'POLICY_VERSION', 'CLIENT_ACCESS_LOG',
        'BREAK_GLASS', 'BREAK_GLASS_REVIEW'
    )),
    row_id BIGINT,
    row_key TEXT,
    hash TEXT NOT NULL,
    sealed_at {ts} NOT NULL,
    CHECK ((row_id IS NULL) <> (row_key IS NULL))
);
CREATE UNIQUE INDEX record_seal_row_id_idx ON record_seal (kind, row_id);
CREATE UNIQUE INDEX record_seal_row_key_idx ON record_seal (kind, row_key);
