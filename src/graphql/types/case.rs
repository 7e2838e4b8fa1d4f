//! TYP cases, consents, multi-sector plans and agreed actions.
//!
//! Generated shape, hand-kept: every client-data field resolves through the field guard.

use crate::graphql::scalars::Date;
use async_graphql::{Context, Object, Result, ID};
use chrono::NaiveDate;
use std::sync::Arc;

use super::super::directive::{fieldGroup, group_of};
use super::super::guard;
use crate::authz::fields::visible;
use crate::authz::FieldId;
use crate::services::ClientScope;
use entity::{agreed_action, employment_plan, typ_case};

use super::enums::{parse_code, CaseOutcome};
use crate::authz::FieldGroup;
use crate::domain::Agency;
use crate::graphql::loader::{ActionsOfPlan, FollowUpsOf, OfficialById};
use crate::graphql::request_loader;
use crate::services::records::ConsentRecord;

/// A TYP client relationship.
pub struct TypCaseNode {
    pub row: typ_case::Model,
    pub scope: Arc<ClientScope>,
}

impl TypCaseNode {
    pub fn wrap(rows: Vec<typ_case::Model>, scope: &Arc<ClientScope>) -> Vec<TypCaseNode> {
        rows.into_iter()
            .map(|row| TypCaseNode {
                row,
                scope: scope.clone(),
            })
            .collect()
    }
}

/// A TYP client relationship (TYP-asiakkuus): from the mapping period to closing.
#[Object(name = "TypCase")]
impl TypCaseNode {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ID(self.row.id.clone())
    }
    /// Phase: MAPPING, PLANNING, IMPLEMENTATION or CLOSED.
    #[graphql(visible = "visible::typ_case_phase", directive = fieldGroup::apply(group_of(FieldId::TypCasePhase)))]
    async fn phase(&self, ctx: &Context<'_>) -> Result<&str> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::TypCasePhase,
            self.row.phase.as_str(),
        )
    }
    /// Which criterion opened the case (300 days of labour market subsidy, 12 or 6 months' unemployment, or joint assessment).
    #[graphql(visible = "visible::typ_case_criterion", directive = fieldGroup::apply(group_of(FieldId::TypCaseCriterion)))]
    async fn criterion(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::TypCaseCriterion,
            Some(self.row.criterion.as_str()),
        )
    }
    /// Date the case was opened.
    #[graphql(visible = "visible::typ_case_opened_on", directive = fieldGroup::apply(group_of(FieldId::TypCaseOpenedOn)))]
    async fn opened_on(&self, ctx: &Context<'_>) -> Result<Date> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::TypCaseOpenedOn,
            self.row.opened_on,
        )
        .map(Date)
    }
    /// End of the mapping period (kartoitusjakso).
    #[graphql(visible = "visible::typ_case_mapping_deadline", directive = fieldGroup::apply(group_of(FieldId::TypCaseMappingDeadline)))]
    async fn mapping_deadline(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::TypCaseMappingDeadline,
            Some(self.row.mapping_deadline),
        )
        .map(|d| d.map(Date))
    }
    /// Date the case was closed.
    #[graphql(visible = "visible::typ_case_ended_on", directive = fieldGroup::apply(group_of(FieldId::TypCaseEndedOn)))]
    async fn ended_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(ctx, &self.scope, FieldId::TypCaseEndedOn, self.row.ended_on)
            .map(|d| d.map(Date))
    }
    /// Outcome of a closed case.
    #[graphql(visible = "visible::typ_case_outcome", directive = fieldGroup::apply(group_of(FieldId::TypCaseOutcome)))]
    async fn outcome(&self, ctx: &Context<'_>) -> Result<Option<CaseOutcome>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::TypCaseOutcome,
            self.row
                .outcome
                .as_deref()
                .and_then(parse_code::<CaseOutcome>),
        )
    }
    /// Notice to the case team: the day the client withdrew the agreement to multi-agency
    /// work this case rests on. From that day the sharing has ended: each agency sees only
    /// its own records of the client, and the case is the responsible agency's record
    /// alone. `null` while the agreement stands.
    #[graphql(visible = "visible::typ_case_agreement_withdrawn_on", directive = fieldGroup::apply(group_of(FieldId::TypCaseAgreementWithdrawnOn)))]
    async fn agreement_withdrawn_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::TypCaseAgreementWithdrawnOn,
            self.row.agreement_withdrawn_on,
        )
        .map(|d| d.map(Date))
    }
    /// Agency of the responsible officer.
    #[graphql(visible = "visible::typ_case_responsible_agency", directive = fieldGroup::apply(group_of(FieldId::TypCaseResponsibleAgency)))]
    async fn responsible_agency(&self, ctx: &Context<'_>) -> Result<Option<Agency>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::TypCaseResponsibleAgency,
            self.row.responsible_agency.parse().ok(),
        )
    }
    /// Name of the responsible officer (vastuuvirkailija).
    #[graphql(visible = "visible::typ_case_responsible_officer", directive = fieldGroup::apply(group_of(FieldId::TypCaseResponsibleOfficer)))]
    async fn responsible_officer(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        guard::read(ctx, &self.scope, FieldId::TypCaseResponsibleOfficer, ())?;
        let official = request_loader(ctx)?
            .load_one(OfficialById(self.row.responsible_official_id.clone()))
            .await?;
        Ok(official.map(|o| o.name))
    }
    /// Special arrangements the client needs.
    #[graphql(visible = "visible::typ_case_special_arrangements", directive = fieldGroup::apply(group_of(FieldId::TypCaseSpecialArrangements)))]
    async fn special_arrangements(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::TypCaseSpecialArrangements,
            self.row.special_arrangements.as_deref(),
        )
    }
    /// Education and competence, as it affects employment.
    #[graphql(visible = "visible::typ_case_education_history", directive = fieldGroup::apply(group_of(FieldId::TypCaseEducationHistory)))]
    async fn education_history(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::TypCaseEducationHistory,
            self.row.education_history.as_deref(),
        )
    }
    /// Labour-market status followed up 3, 6 and 12 months after closing.
    #[graphql(visible = "visible::typ_case_follow_ups", directive = fieldGroup::apply(group_of(FieldId::TypCaseFollowUps)))]
    async fn follow_ups(&self, ctx: &Context<'_>) -> Result<Option<Vec<FollowUpNode>>> {
        guard::read(ctx, &self.scope, FieldId::TypCaseFollowUps, ())?;
        let rows = request_loader(ctx)?
            .load_one(FollowUpsOf(self.row.id.clone()))
            .await?
            .unwrap_or_default();
        Ok(Some(
            rows.into_iter()
                .map(|row| FollowUpNode {
                    row,
                    scope: self.scope.clone(),
                })
                .collect(),
        ))
    }

    /// Work history.
    #[graphql(visible = "visible::typ_case_work_history", directive = fieldGroup::apply(group_of(FieldId::TypCaseWorkHistory)))]
    async fn work_history(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::TypCaseWorkHistory,
            self.row.work_history.as_deref(),
        )
    }
}

/// A consent of the client (suostumus).
pub struct ConsentNode {
    pub row: ConsentRecord,
    pub scope: Arc<ClientScope>,
    pub today: NaiveDate,
}

/// A consent: the client's agreement to multi-agency service, or a disclosure of named field groups to a named agency.
#[Object(name = "Consent")]
impl ConsentNode {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ID(self.row.row.id.clone())
    }
    /// MULTI_AGENCY_SERVICE (agreement to multi-agency work) or DISCLOSURE.
    #[graphql(visible = "visible::consent_kind", directive = fieldGroup::apply(group_of(FieldId::ConsentKind)))]
    async fn kind(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::ConsentKind,
            Some(self.row.row.kind.as_str()),
        )
    }
    /// The agency a disclosure consent names.
    #[graphql(visible = "visible::consent_recipient_agency", directive = fieldGroup::apply(group_of(FieldId::ConsentRecipientAgency)))]
    async fn recipient_agency(&self, ctx: &Context<'_>) -> Result<Option<Agency>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::ConsentRecipientAgency,
            self.row
                .row
                .recipient_agency
                .as_deref()
                .and_then(|a| a.parse().ok()),
        )
    }
    /// The field groups a disclosure consent covers.
    #[graphql(visible = "visible::consent_field_groups", directive = fieldGroup::apply(group_of(FieldId::ConsentFieldGroups)))]
    async fn field_groups(&self, ctx: &Context<'_>) -> Result<Option<Vec<FieldGroup>>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::ConsentFieldGroups,
            Some(
                self.row
                    .groups
                    .iter()
                    .filter_map(|g| FieldGroup::from_code(g))
                    .collect(),
            ),
        )
    }
    /// Date the consent was given.
    #[graphql(visible = "visible::consent_given_on", directive = fieldGroup::apply(group_of(FieldId::ConsentGivenOn)))]
    async fn given_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::ConsentGivenOn,
            Some(self.row.row.given_on),
        )
        .map(|d| d.map(Date))
    }
    /// Last day of validity, if limited.
    #[graphql(visible = "visible::consent_valid_until", directive = fieldGroup::apply(group_of(FieldId::ConsentValidUntil)))]
    async fn valid_until(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::ConsentValidUntil,
            self.row.row.valid_until,
        )
        .map(|d| d.map(Date))
    }
    /// Date of withdrawal.
    #[graphql(visible = "visible::consent_withdrawn_on", directive = fieldGroup::apply(group_of(FieldId::ConsentWithdrawnOn)))]
    async fn withdrawn_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::ConsentWithdrawnOn,
            self.row.row.withdrawn_on,
        )
        .map(|d| d.map(Date))
    }
    /// Whether the consent is in force today.
    #[graphql(visible = "visible::consent_in_force", directive = fieldGroup::apply(group_of(FieldId::ConsentInForce)))]
    async fn in_force(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::ConsentInForce,
            Some(crate::domain::consent::in_force(&self.row.row, self.today)),
        )
    }
}

/// A multi-sector employment plan.
pub struct PlanNode {
    pub row: employment_plan::Model,
    pub scope: Arc<ClientScope>,
    pub today: NaiveDate,
}

/// A multi-sector employment plan (monialainen työllistymissuunnitelma) or an activation plan (aktivointisuunnitelma).
#[Object(name = "EmploymentPlan")]
impl PlanNode {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ID(self.row.id.clone())
    }
    /// MULTI_SECTOR or ACTIVATION.
    #[graphql(visible = "visible::plan_kind", directive = fieldGroup::apply(group_of(FieldId::PlanKind)))]
    async fn kind(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::PlanKind,
            Some(self.row.kind.as_str()),
        )
    }
    /// Date the plan was made.
    #[graphql(visible = "visible::plan_made_on", directive = fieldGroup::apply(group_of(FieldId::PlanMadeOn)))]
    async fn made_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::PlanMadeOn,
            Some(self.row.made_on),
        )
        .map(|d| d.map(Date))
    }
    /// Goals agreed with the client.
    #[graphql(visible = "visible::plan_goals", directive = fieldGroup::apply(group_of(FieldId::PlanGoals)))]
    async fn goals(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::PlanGoals,
            Some(self.row.goals.as_str()),
        )
    }
    /// Date the plan is to be reviewed.
    #[graphql(visible = "visible::plan_review_on", directive = fieldGroup::apply(group_of(FieldId::PlanReviewOn)))]
    async fn review_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::PlanReviewOn,
            Some(self.row.review_on),
        )
        .map(|d| d.map(Date))
    }
    /// Whether the review date has passed.
    #[graphql(visible = "visible::plan_review_overdue", directive = fieldGroup::apply(group_of(FieldId::PlanReviewOverdue)))]
    async fn review_overdue(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::PlanReviewOverdue,
            Some(self.row.review_on < self.today),
        )
    }
    /// Agreed actions of the plan, by due date.
    #[graphql(visible = "visible::plan_actions", directive = fieldGroup::apply(group_of(FieldId::PlanActions)))]
    async fn agreed_actions(&self, ctx: &Context<'_>) -> Result<Option<Vec<ActionNode>>> {
        guard::read(ctx, &self.scope, FieldId::PlanActions, ())?;
        let rows = request_loader(ctx)?
            .load_one(ActionsOfPlan(self.row.id.clone()))
            .await?
            .unwrap_or_default();
        Ok(Some(ActionNode::wrap(rows, &self.scope, self.today)))
    }
}

/// An agreed action.
pub struct ActionNode {
    pub row: agreed_action::Model,
    pub scope: Arc<ClientScope>,
    pub today: NaiveDate,
}

impl ActionNode {
    pub fn wrap(
        rows: Vec<agreed_action::Model>,
        scope: &Arc<ClientScope>,
        today: NaiveDate,
    ) -> Vec<ActionNode> {
        rows.into_iter()
            .map(|row| ActionNode {
                row,
                scope: scope.clone(),
                today,
            })
            .collect()
    }

    pub fn is_overdue(&self) -> bool {
        self.row.completed_on.is_none() && self.row.due_on < self.today
    }
}

/// An agreed action (sovittu toimenpide) of a plan or a network meeting, owned by one agency.
#[Object(name = "AgreedAction")]
impl ActionNode {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ID(self.row.id.clone())
    }
    /// The agency that owns the action.
    #[graphql(visible = "visible::action_owner_agency", directive = fieldGroup::apply(group_of(FieldId::ActionOwnerAgency)))]
    async fn owner_agency(&self, ctx: &Context<'_>) -> Result<Option<Agency>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::ActionOwnerAgency,
            self.row.owner_agency.parse().ok(),
        )
    }
    /// What was agreed.
    #[graphql(visible = "visible::action_description", directive = fieldGroup::apply(group_of(FieldId::ActionDescription)))]
    async fn description(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::ActionDescription,
            Some(self.row.description.as_str()),
        )
    }
    /// Due date.
    #[graphql(visible = "visible::action_due_on", directive = fieldGroup::apply(group_of(FieldId::ActionDueOn)))]
    async fn due_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::ActionDueOn,
            Some(self.row.due_on),
        )
        .map(|d| d.map(Date))
    }
    /// Date the action was completed.
    #[graphql(visible = "visible::action_completed_on", directive = fieldGroup::apply(group_of(FieldId::ActionCompletedOn)))]
    async fn completed_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::ActionCompletedOn,
            self.row.completed_on,
        )
        .map(|d| d.map(Date))
    }
    /// Open and past its due date.
    #[graphql(visible = "visible::action_overdue", directive = fieldGroup::apply(group_of(FieldId::ActionOverdue)))]
    async fn overdue(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::ActionOverdue,
            Some(self.is_overdue()),
        )
    }
}

/// A follow-up of a closed case.
pub struct FollowUpNode {
    pub row: entity::case_follow_up::Model,
    pub scope: Arc<ClientScope>,
}

/// Labour-market status after a TYP case closed (national statistics: 3 and 6 months; 12 is ours).
#[Object(name = "CaseFollowUp")]
impl FollowUpNode {
    /// 3, 6 or 12.
    #[graphql(visible = "visible::follow_up_months_after", directive = fieldGroup::apply(group_of(FieldId::FollowUpMonthsAfter)))]
    async fn months_after(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::FollowUpMonthsAfter,
            Some(self.row.months_after),
        )
    }

    /// EMPLOYED, PAY_SUBSIDISED_WORK, STUDYING, UNEMPLOYED, REHABILITATION, PENSION,
    /// OUTSIDE_LABOUR_FORCE or UNKNOWN.
    #[graphql(visible = "visible::follow_up_status", directive = fieldGroup::apply(group_of(FieldId::FollowUpStatus)))]
    async fn status(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::FollowUpStatus,
            Some(self.row.status.as_str()),
        )
    }

    /// When it was recorded.
    #[graphql(visible = "visible::follow_up_recorded_on", directive = fieldGroup::apply(group_of(FieldId::FollowUpRecordedOn)))]
    async fn recorded_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::FollowUpRecordedOn,
            Some(self.row.recorded_on),
        )
        .map(|d| d.map(Date))
    }
}
