-- When a case's closure was recorded and by whom: a closing date may lie a little in the
-- past, but retention counts from the later of that date and the day it was recorded, so a
-- backdated closure cannot hasten the end of anyone's access or the erasure of the records.
-- A case opened before this change has no recording day for its closure (NULL): its
-- closing date counts.
ALTER TABLE typ_case ADD COLUMN closure_recorded_on DATE;
ALTER TABLE typ_case ADD COLUMN closed_by TEXT REFERENCES official (id);
-- The day the client withdrew the agreement to multi-agency work (MULTI_AGENCY_SERVICE):
-- it ends the sharing of every case the client had by then. From then on the client is no
-- TYP client of anyone by those cases: each agency sees only its own records, and the case
-- shows the withdrawal to its responsible agency.
ALTER TABLE typ_case ADD COLUMN agreement_withdrawn_on DATE;
UPDATE typ_case SET agreement_withdrawn_on = (
    SELECT MIN(c.withdrawn_on) FROM consent c
    WHERE c.client_id = typ_case.client_id AND c.kind = 'MULTI_AGENCY_SERVICE'
      AND c.withdrawn_on >= typ_case.opened_on
);
