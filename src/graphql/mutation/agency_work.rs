//! The agencies' own records: the employment authority's plan items and their follow-up,
//! Kela's benefit decisions.

use async_graphql::{InputObject, ID};

use crate::domain::agency_work::{
    BenefitDecisionKind, BenefitDecisionStatus, EmploymentItemKind, FollowUpOutcome,
};
use crate::graphql::engine::scalars::Date;
use crate::graphql::types::agency_records::{BenefitNode, EmploymentItemNode};
use crate::graphql::types::competence::CompetenceRecordNode;
use crate::services::benefit_decision::{self, NewDecision, StatusChange};
use crate::services::competence::{self, NewCompetence};
use crate::services::employment_item::{self, FollowUp, NewItem};

#[derive(Default)]
pub struct AgencyWorkMutations;

/// Input of `addEmploymentItem`.
#[derive(InputObject)]
pub struct AddEmploymentItemInput {
    pub client_id: ID,
    pub kind: EmploymentItemKind,
    /// What is to be done (1–2000 characters).
    pub description: String,
    /// Due date; not more than the backdating limit in the past (a setting, 14 days by
    /// default).
    pub due_on: Option<Date>,
}

/// Input of `recordEmploymentItemFollowUp`.
#[derive(InputObject)]
pub struct RecordEmploymentItemFollowUpInput {
    pub item_id: ID,
    pub outcome: FollowUpOutcome,
    /// Day of the follow-up: not in the future, not before the item was recorded, and
    /// within the backdating limit.
    pub followed_up_on: Date,
    /// What was noted (at most 2000 characters).
    pub note: Option<String>,
    /// Required for POSTPONED, refused otherwise: after the item's due date, not in the past.
    pub new_due_on: Option<Date>,
    /// Replaces the follow-up recorded before; without it a second follow-up is `CONFLICT`.
    #[graphql(default)]
    pub correction: bool,
}

/// Input of `recordBenefitDecision`.
#[derive(InputObject)]
pub struct RecordBenefitDecisionInput {
    pub client_id: ID,
    pub benefit_kind: BenefitDecisionKind,
    /// PENDING, GRANTED or REJECTED (a granted benefit ends by `updateBenefitDecisionStatus`).
    pub status: BenefitDecisionStatus,
    /// Day of the decision (of the application, for a pending one); not in the future.
    pub decided_on: Date,
    /// First day in force: required for GRANTED, refused otherwise.
    pub valid_from: Option<Date>,
    /// Last day in force, for a benefit granted for a fixed period.
    pub valid_until: Option<Date>,
}

/// Input of `updateBenefitDecisionStatus`.
#[derive(InputObject)]
pub struct UpdateBenefitDecisionStatusInput {
    pub decision_id: ID,
    /// GRANTED or REJECTED from PENDING; ENDED from GRANTED. Anything else is `CONFLICT`.
    pub status: BenefitDecisionStatus,
    /// Day of the change; not in the future, not before the decision.
    pub changed_on: Date,
    /// First day in force when granting a pending decision.
    pub valid_from: Option<Date>,
    /// Last day in force: for a fixed-period grant, and required when ending (not later than
    /// a fixed period granted).
    pub valid_until: Option<Date>,
}

/// Input of `recordCompetence`.
#[derive(InputObject)]
pub struct RecordCompetenceInput {
    /// The KTT period the competence was shown in (a placement of the coach's provider).
    pub period_id: ID,
    /// The qualification (tutkinto), 1–200 characters.
    pub qualification: String,
    /// The unit of the qualification (tutkinnon osa), when only part of it.
    pub qualification_unit: Option<String>,
    /// The competence areas shown (1–2000 characters).
    pub competence_areas: String,
    /// The education provider that certified it (1–200 characters).
    pub education_provider: String,
    /// Date of the certificate: not in the future, not before the period began.
    pub certified_on: Date,
}

written_mutations! {
    AgencyWorkMutations;

    /// Adds the employment authority's plan item or job-search obligation (EMPLOYMENT
    /// write; the employment authority only).
    #[graphql(visible = "super::visible::employment")]
    add_employment_item(input: AddEmploymentItemInput) -> EmploymentItemNode =
        "addEmploymentItem",
        |rc| employment_item::add(rc, NewItem {
            client_id: input.client_id.to_string(),
            kind: input.kind,
            description: input.description,
            due_on: input.due_on.map(Into::into),
        });

    /// Records the follow-up of a plan item: done, not done, or postponed to a new due date.
    /// Once per item; later only with `correction: true`.
    #[graphql(visible = "super::visible::employment")]
    record_employment_item_follow_up(input: RecordEmploymentItemFollowUpInput) -> EmploymentItemNode =
        "recordEmploymentItemFollowUp",
        |rc| employment_item::follow_up(rc, FollowUp {
            item_id: input.item_id.to_string(),
            outcome: input.outcome,
            followed_up_on: input.followed_up_on.into(),
            note: input.note,
            new_due_on: input.new_due_on.map(Into::into),
            correction: input.correction,
        });

    /// Records the competence a KTT period showed (opinnollistaminen; COMPETENCE write: the
    /// coach of the period's provider). The same qualification unit once per period.
    #[graphql(visible = "super::visible::competence")]
    record_competence(input: RecordCompetenceInput) -> CompetenceRecordNode =
        "recordCompetence",
        |rc| competence::record(rc, NewCompetence {
            period_id: input.period_id.to_string(),
            qualification: input.qualification,
            qualification_unit: input.qualification_unit,
            competence_areas: input.competence_areas,
            education_provider: input.education_provider,
            certified_on: input.certified_on.into(),
        });

    /// Records a benefit decision of Kela's (BENEFIT write; Kela only).
    #[graphql(visible = "super::visible::kela_benefit")]
    record_benefit_decision(input: RecordBenefitDecisionInput) -> BenefitNode =
        "recordBenefitDecision",
        |rc| benefit_decision::record(rc, NewDecision {
            client_id: input.client_id.to_string(),
            kind: input.benefit_kind,
            status: input.status,
            decided_on: input.decided_on.into(),
            valid_from: input.valid_from.map(Into::into),
            valid_until: input.valid_until.map(Into::into),
        });

    /// Moves a benefit decision of Kela's on: a pending one is granted or rejected, a
    /// granted one ends.
    #[graphql(visible = "super::visible::kela_benefit")]
    update_benefit_decision_status(input: UpdateBenefitDecisionStatusInput) -> BenefitNode =
        "updateBenefitDecisionStatus",
        |rc| benefit_decision::change_status(rc, StatusChange {
            decision_id: input.decision_id.to_string(),
            status: input.status,
            changed_on: input.changed_on.into(),
            valid_from: input.valid_from.map(Into::into),
            valid_until: input.valid_until.map(Into::into),
        });
}
