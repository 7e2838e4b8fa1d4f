-- Rate-limit buckets shared by all replicas (src/http/ratelimit.rs). A bucket holds one
-- minute's worth of its limit; `full_at_ms` is when it is full again (the theoretical
-- arrival time of the generic cell rate algorithm), in milliseconds since 1970 on the
-- database's own clock, so the replicas' clocks never have to agree. A missing row is a full
-- bucket, and rows of full buckets are deleted. `subject` is a client address, an
-- official's id, or `client:` and a client's id (a client's own budget on /graphql/own);
-- rows live for about a minute after their subject's last request.
CREATE TABLE rate_limit_bucket (
    kind TEXT NOT NULL CHECK (kind IN ('ADDRESS', 'OFFICIAL')),
    subject TEXT NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    full_at_ms BIGINT NOT NULL,
    PRIMARY KEY (kind, subject)
);

CREATE INDEX rate_limit_bucket_full_at ON rate_limit_bucket (full_at_ms);
