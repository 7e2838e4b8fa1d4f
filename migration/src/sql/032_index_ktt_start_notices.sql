-- The employment authority's work list of KTT notices is a connection, oldest first
-- (created_at, id): a page walks the notices in that order from its cursor and stops when
-- it is full, so its cost follows the page and not the register. The open list (those
-- waiting for a statement) walks its own, smaller index; the index on handled_at alone,
-- which nothing reads in that order, goes.
CREATE INDEX ktt_start_notice_created_idx ON ktt_start_notice (created_at, id);
CREATE INDEX ktt_start_notice_waiting_idx ON ktt_start_notice (created_at, id) WHERE handled_at IS NULL;
DROP INDEX IF EXISTS ktt_start_notice_open_idx;
