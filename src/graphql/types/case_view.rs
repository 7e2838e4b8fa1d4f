//! The single case view: one client's shared case, within the caller's mask.
//!
//! Generated shape, hand-kept: every client-data field resolves through the field guard.

use async_graphql::{Context, Object, Result};
use chrono::NaiveDate;

use super::super::directive::{fieldGroup, group_of};
use super::super::guard;
use super::case::{ConsentNode, PlanNode, TypCaseNode};
use super::client::ClientNode;
use super::meeting::{MeetingNode, NoteNode};
use super::records::{
    AssessmentNode, BenefitNode, CoachingNode, EmploymentItemNode, StatementNode,
};
use super::rehab::RehabPeriodNode;
use crate::authz::fields::visible;
use crate::authz::FieldGroup;
use crate::authz::FieldId;
use crate::graphql::loader::*;
use crate::graphql::request_loader;
use crate::services::clients::ClientRecord;

/// The case view of one client.
pub struct CaseViewNode {
    pub client: ClientRecord,
    pub today: NaiveDate,
}

/// The single case view (asiakkuuden kokonaiskuva): everything the caller's role may see of one client's case, in one place.
#[Object(name = "CaseView")]
impl CaseViewNode {
    /// The client.
    async fn client(&self, ctx: &Context<'_>) -> ClientNode {
        ClientNode::new(ctx, self.client.clone())
    }

    /// The current TYP case: the open one, or the most recently closed one.
    #[graphql(visible = "visible::case_view_typ_case", directive = fieldGroup::apply(group_of(FieldId::CaseViewTypCase)))]
    async fn typ_case(&self, ctx: &Context<'_>) -> Result<Option<TypCaseNode>> {
        let rows = request_loader(ctx)?
            .load_one(CasesOf(self.client.scope.key()))
            .await?
            .unwrap_or_default();
        if self.client.scope.typ || rows.is_empty() {
            guard::read_shared(ctx, &self.client.scope, FieldId::CaseViewTypCase, || ())?;
        } else {
            // Outside TYP (the agreement withdrawn, retention over) the loader leaves only
            // the cases the caller's agency is responsible for: its own record, which it
            // still reads (with the notice of the withdrawal), as it reads its other own
            // records.
            guard::read(ctx, &self.client.scope, FieldId::CaseViewTypCase, ())?;
        }
        Ok(TypCaseNode::wrap(rows, &self.client.scope)
            .into_iter()
            .next())
    }

    /// The plan of the current case, if one has been made.
    #[graphql(visible = "visible::case_view_plan", directive = fieldGroup::apply(group_of(FieldId::CaseViewPlan)))]
    async fn plan(&self, ctx: &Context<'_>) -> Result<Option<PlanNode>> {
        guard::read_shared(ctx, &self.client.scope, FieldId::CaseViewPlan, || ())?;
        let loader = request_loader(ctx)?;
        let cases = loader
            .load_one(CasesOf(self.client.scope.key()))
            .await?
            .unwrap_or_default();
        let Some(case) = cases.into_iter().next() else {
            return Ok(None);
        };
        let plans = loader
            .load_one(PlansOfCase(case.id))
            .await?
            .unwrap_or_default();
        Ok(plans.into_iter().next().map(|row| PlanNode {
            row,
            scope: self.client.scope.clone(),
            today: self.today,
        }))
    }

    /// Consents of the client, newest first.
    #[graphql(visible = "visible::case_view_consents", directive = fieldGroup::apply(group_of(FieldId::CaseViewConsents)))]
    async fn consents(&self, ctx: &Context<'_>) -> Result<Option<Vec<ConsentNode>>> {
        guard::read(ctx, &self.client.scope, FieldId::CaseViewConsents, ())?;
        let rows = request_loader(ctx)?
            .load_one(ConsentsOf(self.client.scope.key()))
            .await?
            .unwrap_or_default();
        Ok(Some(
            rows.into_iter()
                .map(|row| ConsentNode {
                    row,
                    scope: self.client.scope.clone(),
                    today: self.today,
                })
                .collect(),
        ))
    }
    /// KTT periods, newest first.
    #[graphql(visible = "visible::case_view_rehab_periods", directive = fieldGroup::apply(group_of(FieldId::CaseViewRehabPeriods)))]
    async fn rehab_periods(&self, ctx: &Context<'_>) -> Result<Option<Vec<RehabPeriodNode>>> {
        guard::read(ctx, &self.client.scope, FieldId::CaseViewRehabPeriods, ())?;
        let rows = request_loader(ctx)?
            .load_one(PeriodsOf(self.client.scope.key()))
            .await?
            .unwrap_or_default();
        Ok(Some(RehabPeriodNode::wrap(rows, &self.client.scope)))
    }
    /// Work-ability assessments, newest first: check here before ordering a new one.
    #[graphql(visible = "visible::case_view_assessments", directive = fieldGroup::apply(group_of(FieldId::CaseViewAssessments)))]
    async fn work_ability_assessments(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<Vec<AssessmentNode>>> {
        guard::read(ctx, &self.client.scope, FieldId::CaseViewAssessments, ())?;
        let rows = request_loader(ctx)?
            .load_one(AssessmentsOf(self.client.scope.key()))
            .await?
            .unwrap_or_default();
        Ok(Some(AssessmentNode::wrap(rows, &self.client.scope)))
    }
    /// Benefit decisions, newest first.
    #[graphql(visible = "visible::case_view_benefits", directive = fieldGroup::apply(group_of(FieldId::CaseViewBenefits)))]
    async fn benefits(&self, ctx: &Context<'_>) -> Result<Option<Vec<BenefitNode>>> {
        guard::read(ctx, &self.client.scope, FieldId::CaseViewBenefits, ())?;
        let rows = request_loader(ctx)?
            .load_one(BenefitsOf(self.client.scope.key()))
            .await?
            .unwrap_or_default();
        Ok(Some(BenefitNode::wrap(rows, &self.client.scope)))
    }
    /// Labour-policy statements to Kela, newest first.
    #[graphql(visible = "visible::case_view_statements", directive = fieldGroup::apply(group_of(FieldId::CaseViewStatements)))]
    async fn labour_policy_statements(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<Vec<StatementNode>>> {
        guard::read(ctx, &self.client.scope, FieldId::CaseViewStatements, ())?;
        let rows = request_loader(ctx)?
            .load_one(StatementsOf(self.client.scope.key()))
            .await?
            .unwrap_or_default();
        Ok(Some(StatementNode::wrap(rows, &self.client.scope)))
    }
    /// The employment authority's plan items and obligations.
    #[graphql(visible = "visible::case_view_employment_items", directive = fieldGroup::apply(group_of(FieldId::CaseViewEmploymentItems)))]
    async fn employment_items(&self, ctx: &Context<'_>) -> Result<Option<Vec<EmploymentItemNode>>> {
        guard::read(
            ctx,
            &self.client.scope,
            FieldId::CaseViewEmploymentItems,
            (),
        )?;
        let rows = request_loader(ctx)?
            .load_one(EmploymentItemsOf(self.client.scope.key()))
            .await?
            .unwrap_or_default();
        Ok(Some(EmploymentItemNode::wrap(rows, &self.client.scope)))
    }
    /// Job coaching.
    #[graphql(visible = "visible::case_view_job_coachings", directive = fieldGroup::apply(group_of(FieldId::CaseViewJobCoachings)))]
    async fn job_coachings(&self, ctx: &Context<'_>) -> Result<Option<Vec<CoachingNode>>> {
        guard::read(ctx, &self.client.scope, FieldId::CaseViewJobCoachings, ())?;
        let rows = request_loader(ctx)?
            .load_one(CoachingsOf(self.client.scope.key()))
            .await?
            .unwrap_or_default();
        Ok(Some(CoachingNode::wrap(rows, &self.client.scope)))
    }
    /// Network meetings, newest first.
    #[graphql(visible = "visible::case_view_meetings", directive = fieldGroup::apply(group_of(FieldId::CaseViewMeetings)))]
    async fn meetings(&self, ctx: &Context<'_>) -> Result<Option<Vec<MeetingNode>>> {
        guard::read_shared(ctx, &self.client.scope, FieldId::CaseViewMeetings, || ())?;
        let rows = request_loader(ctx)?
            .load_one(MeetingsOf(self.client.scope.key()))
            .await?
            .unwrap_or_default();
        Ok(Some(MeetingNode::wrap(
            rows,
            &self.client.scope,
            self.today,
        )))
    }
    /// Referrals between the agencies, newest first: sent, accepted with the receiving
    /// side's due date, declined, or done with the outcome returned to the sender.
    #[graphql(visible = "visible::case_view_referrals", directive = fieldGroup::apply(group_of(FieldId::CaseViewReferrals)))]
    async fn referrals(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<Vec<super::referral::ReferralNode>>> {
        super::referral::ReferralNode::of_client(
            ctx,
            &self.client.scope,
            FieldId::CaseViewReferrals,
            false,
            self.today,
        )
        .await
    }
    /// Agency notes the caller may read: its agency's own, and those shared with the case team.
    #[graphql(visible = "visible::case_view_notes", directive = fieldGroup::apply(group_of(FieldId::CaseViewNotes)))]
    async fn notes(&self, ctx: &Context<'_>) -> Result<Option<Vec<NoteNode>>> {
        let rc = ctx.data::<crate::services::RequestContext>()?;
        if rc.principal().field_access(FieldId::CaseViewNotes) == crate::authz::ReadAccess::Never {
            return Err(crate::error::AppError::Forbidden(None).into());
        }
        let social = self.client.scope.consent_for(FieldGroup::Social).is_some();
        let rows = request_loader(ctx)?
            .load_one(NotesOf(self.client.scope.key(), social))
            .await?
            .unwrap_or_default();
        Ok(Some(NoteNode::wrap(rows, &self.client.scope)))
    }
}
