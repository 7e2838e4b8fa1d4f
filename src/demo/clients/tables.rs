//! The buffers of the data set's tables, flushed in batches, parents before children.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

use super::Batch;

/// One buffer per table.
pub(super) struct Tables {
    pub(super) client: Batch,
    pub(super) consent: Batch,
    pub(super) consent_group: Batch,
    pub(super) case: Batch,
    pub(super) follow_up: Batch,
    pub(super) plan: Batch,
    pub(super) action: Batch,
    pub(super) period: Batch,
    pub(super) attendance: Batch,
    pub(super) allowance: Batch,
    pub(super) allowance_link: Batch,
    pub(super) assessment: Batch,
    pub(super) benefit: Batch,
    pub(super) benefit_status: Batch,
    pub(super) statement: Batch,
    pub(super) employment: Batch,
    pub(super) coaching: Batch,
    pub(super) meeting: Batch,
    pub(super) participant: Batch,
    pub(super) agenda: Batch,
    pub(super) section: Batch,
    pub(super) note: Batch,
    pub(super) interruption: Batch,
}

impl Tables {
    pub(super) fn new() -> Tables {
        Tables {
            client: Batch::new(
                "client",
                &[
                    "id",
                    "personal_identity_code",
                    "first_name",
                    "last_name",
                    "phone",
                    "email",
                    "street_address",
                    "postal_code",
                    "municipality",
                    "language",
                    "registered_by_agency",
                    "version",
                    "created_at",
                    "updated_at",
                ],
            ),
            consent: Batch::new(
                "consent",
                &[
                    "id",
                    "client_id",
                    "kind",
                    "recipient_agency",
                    "given_on",
                    "valid_until",
                    "withdrawn_on",
                    "recorded_by",
                    "recorded_by_agency",
                    "created_at",
                ],
            ),
            consent_group: Batch::new("consent_field_group", &["consent_id", "field_group"]),
            case: Batch::new(
                "typ_case",
                &[
                    "id",
                    "client_id",
                    "phase",
                    "criterion",
                    "responsible_official_id",
                    "responsible_agency",
                    "opened_on",
                    "mapping_deadline",
                    "special_arrangements",
                    "education_history",
                    "work_history",
                    "ended_on",
                    "outcome",
                    "created_at",
                    "service_track",
                ],
            ),
            follow_up: Batch::new(
                "case_follow_up",
                &[
                    "id",
                    "case_id",
                    "months_after",
                    "status",
                    "recorded_on",
                    "recorded_by",
                ],
            ),
            plan: Batch::new(
                "employment_plan",
                &[
                    "id",
                    "case_id",
                    "kind",
                    "made_on",
                    "goals",
                    "review_on",
                    "created_by",
                    "created_at",
                ],
            ),
            action: Batch::new(
                "agreed_action",
                &[
                    "id",
                    "case_id",
                    "plan_id",
                    "meeting_id",
                    "owner_agency",
                    "description",
                    "due_on",
                    "completed_on",
                    "created_by",
                    "created_at",
                ],
            ),
            period: Batch::new(
                "rehab_period",
                &[
                    "id",
                    "client_id",
                    "case_id",
                    "provider_id",
                    "decision_number",
                    "decided_on",
                    "decided_by",
                    "starts_on",
                    "ends_on",
                    "days_per_week",
                    "hours_per_day",
                    "goal",
                    "support_needs",
                    "travel_distance_km",
                    "created_at",
                    "ended_early_on",
                    "end_reason",
                    "outcome",
                    "outcome_recorded_by",
                    "outcome_recorded_at",
                ],
            ),
            attendance: Batch::new(
                "attendance_day",
                &[
                    "id",
                    "period_id",
                    "day",
                    "present",
                    "absence_reason",
                    "recorded_by",
                    "recorded_at",
                ],
            ),
            allowance: Batch::new(
                "allowance_line",
                &[
                    "id",
                    "period_id",
                    "month",
                    "kind",
                    "payer",
                    "days",
                    "amount_cents",
                    "rule_version",
                    "created_at",
                ],
            ),
            allowance_link: Batch::new(
                "allowance_line_attendance",
                &["allowance_line_id", "attendance_day_id"],
            ),
            assessment: Batch::new(
                "work_ability_assessment",
                &[
                    "id",
                    "client_id",
                    "assessed_on",
                    "assessor_agency",
                    "assessor_id",
                    "conclusion",
                    "restrictions",
                    "details",
                    "created_at",
                ],
            ),
            benefit: Batch::new(
                "benefit_decision",
                &[
                    "id",
                    "client_id",
                    "agency",
                    "benefit_kind",
                    "status",
                    "decided_on",
                    "valid_from",
                    "valid_until",
                    "decided_by",
                ],
            ),
            benefit_status: Batch::new(
                "benefit_status",
                &[
                    "id",
                    "client_id",
                    "kind",
                    "valid_from",
                    "recording_agency",
                    "recorded_by",
                    "recorded_at",
                ],
            ),
            statement: Batch::new(
                "labour_policy_statement",
                &[
                    "id",
                    "client_id",
                    "issued_on",
                    "issued_by",
                    "statement_kind",
                    "content",
                ],
            ),
            employment: Batch::new(
                "employment_item",
                &[
                    "id",
                    "client_id",
                    "kind",
                    "description",
                    "due_on",
                    "recorded_by",
                    "created_at",
                ],
            ),
            coaching: Batch::new(
                "job_coaching",
                &[
                    "id",
                    "client_id",
                    "provider_id",
                    "kind",
                    "ordered_by_agency",
                    "hours",
                    "starts_on",
                    "ends_on",
                    "ordered_by",
                    "hours_used",
                ],
            ),
            meeting: Batch::new(
                "network_meeting",
                &[
                    "id",
                    "case_id",
                    "client_id",
                    "scheduled_at",
                    "location",
                    "status",
                    "shared_record",
                    "held_on",
                    "created_by",
                    "created_at",
                ],
            ),
            participant: Batch::new(
                "meeting_participant",
                &[
                    "id",
                    "meeting_id",
                    "kind",
                    "official_id",
                    "agency",
                    "consent_id",
                ],
            ),
            agenda: Batch::new(
                "meeting_agenda_item",
                &["id", "meeting_id", "agency", "position", "title"],
            ),
            section: Batch::new(
                "meeting_agency_section",
                &["id", "meeting_id", "agency", "body", "author_id"],
            ),
            note: Batch::new(
                "agency_note",
                &[
                    "id",
                    "client_id",
                    "agency",
                    "author_id",
                    "body",
                    "shared_with_case_team",
                    "created_at",
                ],
            ),
            interruption: Batch::new(
                "service_interruption",
                &["id", "starts_on", "ends_on", "reason"],
            ),
        }
    }

    fn all(&mut self) -> [&mut Batch; 23] {
        [
            &mut self.client,
            &mut self.consent,
            &mut self.consent_group,
            &mut self.case,
            &mut self.follow_up,
            &mut self.plan,
            &mut self.meeting,
            &mut self.action,
            &mut self.period,
            &mut self.attendance,
            &mut self.allowance,
            &mut self.allowance_link,
            &mut self.assessment,
            &mut self.benefit,
            &mut self.benefit_status,
            &mut self.statement,
            &mut self.employment,
            &mut self.coaching,
            &mut self.participant,
            &mut self.agenda,
            &mut self.section,
            &mut self.note,
            &mut self.interruption,
        ]
    }

    /// The tables written.
    pub(super) fn names(&mut self) -> Vec<&'static str> {
        self.all().iter().map(|b| b.table()).collect()
    }

    pub(super) fn any_full(&mut self, backend: DbBackend) -> bool {
        self.all().iter().any(|b| b.is_full(backend))
    }

    /// On PostgreSQL, reads every table's column types.
    pub(super) async fn prepare(&mut self, conn: &impl ConnectionTrait) -> Result<(), DbErr> {
        for b in self.all() {
            b.prepare(conn).await?;
        }
        Ok(())
    }

    /// Every table's rows as INSERT statements, parents before children, so foreign keys
    /// hold when they run in order.
    pub(super) fn take(&mut self, backend: DbBackend) -> Result<Vec<Statement>, DbErr> {
        let mut out = Vec::new();
        for b in self.all() {
            out.extend(b.take(backend)?);
        }
        Ok(out)
    }
}
