-- Hash chain over the access log (act 906/2019 § 17 logs must be tamper-evident).
-- A background sealer appends one seal per committed access-log row, in the order it finds
-- them: the seal's hash covers the previous seal's hash and the row with its disclosure
-- rows, so a changed or removed row, or a removed seal, breaks the chain
-- (`typgraph audit verify`). The log rows themselves are never updated.
CREATE TABLE access_log_seal (
    seq BIGINT PRIMARY KEY,
    access_log_id BIGINT NOT NULL UNIQUE,
    hash TEXT NOT NULL,
    sealed_at {ts} NOT NULL
);
