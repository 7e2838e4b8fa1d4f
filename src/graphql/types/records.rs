//! Work-ability assessments, benefits, statements, employment items and job coaching.
//!
//! Generated shape, hand-kept: every client-data field resolves through the field guard.

use crate::graphql::scalars::Date;
use async_graphql::{Context, Object, Result, ID};
use std::sync::Arc;

use super::super::directive::{fieldGroup, group_of};
use super::super::guard;
use crate::authz::fields::visible;
use crate::authz::FieldId;
use crate::services::ClientScope;
use entity::{
    benefit_decision, employment_item, job_coaching, labour_policy_statement,
    work_ability_assessment,
};

use crate::domain::Agency;

/// A work-ability assessment.
pub struct AssessmentNode {
    pub row: work_ability_assessment::Model,
    pub scope: Arc<ClientScope>,
}

impl AssessmentNode {
    pub fn wrap(
        rows: Vec<work_ability_assessment::Model>,
        scope: &Arc<ClientScope>,
    ) -> Vec<AssessmentNode> {
        rows.into_iter()
            .map(|row| AssessmentNode {
                row,
                scope: scope.clone(),
            })
            .collect()
    }
}

/// A work-ability assessment (työkykyarvio). The date, assessor and employment-relevant conclusion are WORK_ABILITY; the details are HEALTH.
#[Object(name = "WorkAbilityAssessment")]
impl AssessmentNode {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ID(self.row.id.clone())
    }
    /// Date of the assessment.
    #[graphql(visible = "visible::assessment_assessed_on", directive = fieldGroup::apply(group_of(FieldId::AssessmentAssessedOn)))]
    async fn assessed_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::AssessmentAssessedOn,
            Some(self.row.assessed_on),
        )
        .map(|d| d.map(Date))
    }
    /// Agency that made the assessment.
    #[graphql(visible = "visible::assessment_assessor_agency", directive = fieldGroup::apply(group_of(FieldId::AssessmentAssessorAgency)))]
    async fn assessor_agency(&self, ctx: &Context<'_>) -> Result<Option<Agency>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::AssessmentAssessorAgency,
            self.row.assessor_agency.parse().ok(),
        )
    }
    /// Employment-relevant conclusion.
    #[graphql(visible = "visible::assessment_conclusion", directive = fieldGroup::apply(group_of(FieldId::AssessmentConclusion)))]
    async fn conclusion(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::AssessmentConclusion,
            Some(self.row.conclusion.as_str()),
        )
    }
    /// Restrictions that affect work.
    #[graphql(visible = "visible::assessment_restrictions", directive = fieldGroup::apply(group_of(FieldId::AssessmentRestrictions)))]
    async fn restrictions(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::AssessmentRestrictions,
            self.row.restrictions.as_deref(),
        )
    }
    /// Health details (HEALTH): disclosed only under a consent.
    #[graphql(visible = "visible::assessment_details", directive = fieldGroup::apply(group_of(FieldId::AssessmentDetails)))]
    async fn details(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::AssessmentDetails,
            self.row.details.as_deref(),
        )
    }
}

/// A benefit decision.
pub struct BenefitNode {
    pub row: benefit_decision::Model,
    pub scope: Arc<ClientScope>,
}

impl BenefitNode {
    pub fn wrap(rows: Vec<benefit_decision::Model>, scope: &Arc<ClientScope>) -> Vec<BenefitNode> {
        rows.into_iter()
            .map(|row| BenefitNode {
                row,
                scope: scope.clone(),
            })
            .collect()
    }
}

/// A benefit decision (etuuspäätös).
#[Object(name = "BenefitDecision")]
impl BenefitNode {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ID(self.row.id.clone())
    }
    /// Deciding agency.
    #[graphql(visible = "visible::benefit_agency", directive = fieldGroup::apply(group_of(FieldId::BenefitAgency)))]
    async fn agency(&self, ctx: &Context<'_>) -> Result<Option<Agency>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::BenefitAgency,
            self.row.agency.parse().ok(),
        )
    }
    /// Kind of benefit.
    #[graphql(visible = "visible::benefit_kind", directive = fieldGroup::apply(group_of(FieldId::BenefitKind)))]
    async fn benefit_kind(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::BenefitKind,
            Some(self.row.benefit_kind.as_str()),
        )
    }
    /// PENDING, GRANTED, REJECTED or ENDED.
    #[graphql(visible = "visible::benefit_status", directive = fieldGroup::apply(group_of(FieldId::BenefitStatus)))]
    async fn status(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::BenefitStatus,
            Some(self.row.status.as_str()),
        )
    }
    /// Date of the decision.
    #[graphql(visible = "visible::benefit_decided_on", directive = fieldGroup::apply(group_of(FieldId::BenefitDecidedOn)))]
    async fn decided_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::BenefitDecidedOn,
            Some(self.row.decided_on),
        )
        .map(|d| d.map(Date))
    }
    /// First day in force.
    #[graphql(visible = "visible::benefit_valid_from", directive = fieldGroup::apply(group_of(FieldId::BenefitValidFrom)))]
    async fn valid_from(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::BenefitValidFrom,
            self.row.valid_from,
        )
        .map(|d| d.map(Date))
    }
    /// Last day in force.
    #[graphql(visible = "visible::benefit_valid_until", directive = fieldGroup::apply(group_of(FieldId::BenefitValidUntil)))]
    async fn valid_until(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::BenefitValidUntil,
            self.row.valid_until,
        )
        .map(|d| d.map(Date))
    }
}

/// A labour-policy statement.
pub struct StatementNode {
    pub row: labour_policy_statement::Model,
    pub scope: Arc<ClientScope>,
}

impl StatementNode {
    pub fn wrap(
        rows: Vec<labour_policy_statement::Model>,
        scope: &Arc<ClientScope>,
    ) -> Vec<StatementNode> {
        rows.into_iter()
            .map(|row| StatementNode {
                row,
                scope: scope.clone(),
            })
            .collect()
    }
}

/// A labour-policy statement (työvoimapoliittinen lausunto) from the employment authority to Kela.
#[Object(name = "LabourPolicyStatement")]
impl StatementNode {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ID(self.row.id.clone())
    }
    /// Date issued.
    #[graphql(visible = "visible::statement_issued_on", directive = fieldGroup::apply(group_of(FieldId::StatementIssuedOn)))]
    async fn issued_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::StatementIssuedOn,
            Some(self.row.issued_on),
        )
        .map(|d| d.map(Date))
    }
    /// Kind of statement.
    #[graphql(visible = "visible::statement_kind", directive = fieldGroup::apply(group_of(FieldId::StatementKind)))]
    async fn kind(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::StatementKind,
            Some(self.row.statement_kind.as_str()),
        )
    }
    /// The statement.
    #[graphql(visible = "visible::statement_content", directive = fieldGroup::apply(group_of(FieldId::StatementContent)))]
    async fn content(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::StatementContent,
            Some(self.row.content.as_str()),
        )
    }
}

/// An employment plan item.
pub struct EmploymentItemNode {
    pub row: employment_item::Model,
    pub scope: Arc<ClientScope>,
}

impl EmploymentItemNode {
    pub fn wrap(
        rows: Vec<employment_item::Model>,
        scope: &Arc<ClientScope>,
    ) -> Vec<EmploymentItemNode> {
        rows.into_iter()
            .map(|row| EmploymentItemNode {
                row,
                scope: scope.clone(),
            })
            .collect()
    }
}

/// The employment authority's own plan item or job-search obligation.
#[Object(name = "EmploymentItem")]
impl EmploymentItemNode {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ID(self.row.id.clone())
    }
    /// JOB_SEARCH_OBLIGATION, PLAN_ITEM or TRAINING.
    #[graphql(visible = "visible::employment_item_kind", directive = fieldGroup::apply(group_of(FieldId::EmploymentItemKind)))]
    async fn kind(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::EmploymentItemKind,
            Some(self.row.kind.as_str()),
        )
    }
    /// What is to be done.
    #[graphql(visible = "visible::employment_item_description", directive = fieldGroup::apply(group_of(FieldId::EmploymentItemDescription)))]
    async fn description(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::EmploymentItemDescription,
            Some(self.row.description.as_str()),
        )
    }
    /// Due date.
    #[graphql(visible = "visible::employment_item_due_on", directive = fieldGroup::apply(group_of(FieldId::EmploymentItemDueOn)))]
    async fn due_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::EmploymentItemDueOn,
            self.row.due_on,
        )
        .map(|d| d.map(Date))
    }
}

/// Job coaching.
pub struct CoachingNode {
    pub row: job_coaching::Model,
    pub scope: Arc<ClientScope>,
}

impl CoachingNode {
    pub fn wrap(rows: Vec<job_coaching::Model>, scope: &Arc<ClientScope>) -> Vec<CoachingNode> {
        rows.into_iter()
            .map(|row| CoachingNode {
                row,
                scope: scope.clone(),
            })
            .collect()
    }
}

/// Job coaching (työhönvalmennus) bought or given for the client.
#[Object(name = "JobCoaching")]
impl CoachingNode {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ID(self.row.id.clone())
    }
    /// COUNTY, VOUCHER, NEUROPSYCHIATRIC, INDIVIDUAL or WALK_ALONGSIDE.
    #[graphql(visible = "visible::coaching_kind", directive = fieldGroup::apply(group_of(FieldId::CoachingKind)))]
    async fn kind(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::CoachingKind,
            Some(self.row.kind.as_str()),
        )
    }
    /// Hours bought.
    #[graphql(visible = "visible::coaching_hours", directive = fieldGroup::apply(group_of(FieldId::CoachingHours)))]
    async fn hours(&self, ctx: &Context<'_>) -> Result<Option<i32>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::CoachingHours,
            Some(self.row.hours),
        )
    }
    /// Start date.
    #[graphql(visible = "visible::coaching_starts_on", directive = fieldGroup::apply(group_of(FieldId::CoachingStartsOn)))]
    async fn starts_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(
            ctx,
            &self.scope,
            FieldId::CoachingStartsOn,
            Some(self.row.starts_on),
        )
        .map(|d| d.map(Date))
    }
    /// End date.
    #[graphql(visible = "visible::coaching_ends_on", directive = fieldGroup::apply(group_of(FieldId::CoachingEndsOn)))]
    async fn ends_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(ctx, &self.scope, FieldId::CoachingEndsOn, self.row.ends_on)
            .map(|d| d.map(Date))
    }
}
