-- The meetings report counts the agreed actions opened and closed in its range and those
-- overdue at its end. It read every action up to the range's end (at 200,000 clients over
-- a second); with these it reads the actions opened in the range by their creation time,
-- those closed in it or after it by their completion day, and the open ones due before its
-- end by a partial index of the open actions (services/reports/meetings.rs). The due day
-- beside the completion day lets the index alone pick, of the actions closed after the
-- range, those due before its end.
CREATE INDEX agreed_action_created_idx ON agreed_action (created_at);
CREATE INDEX agreed_action_completed_idx ON agreed_action (completed_on, due_on);
CREATE INDEX agreed_action_open_due_idx ON agreed_action (due_on) WHERE completed_on IS NULL;
