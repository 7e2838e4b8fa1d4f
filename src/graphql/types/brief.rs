//! The meeting brief: what each participating agency needs before a network meeting.

use std::sync::Arc;

use crate::graphql::scalars::Date;
use async_graphql::{Context, Object, Result};
use chrono::NaiveDate;

use super::super::directive::{fieldGroup, group_of};
use super::super::guard;
use super::case::{ActionNode, PlanNode};
use super::meeting::MeetingNode;
use super::records::{AssessmentNode, BenefitNode};
use super::rehab::RehabPeriodNode;
use crate::authz::fields::visible;
use crate::authz::FieldId;
use crate::domain::Agency;
use crate::graphql::loader::{
    ActionsOfCase, AssessmentsOf, BenefitsOf, ParticipantsOf, PeriodsOf, PlansOfCase,
};
use crate::graphql::request_loader;
use crate::services::ClientScope;

/// The brief of one meeting.
pub struct BriefNode {
    pub meeting: MeetingNode,
    pub previous_meeting_on: Option<NaiveDate>,
    pub horizon: (NaiveDate, NaiveDate),
}

/// Meeting preparation view (verkostopalaverin valmistelu): per participating agency, open
/// and overdue agreed actions, what changed since the last meeting and what is coming up,
/// all within the caller's field mask.
#[Object(name = "MeetingBrief")]
impl BriefNode {
    /// The meeting being prepared.
    async fn meeting(&self) -> &MeetingNode {
        &self.meeting
    }

    /// When the previous meeting of the same case was held; changes are counted from then.
    #[graphql(visible = "visible::brief_previous_meeting_on", directive = fieldGroup::apply(group_of(FieldId::BriefPreviousMeetingOn)))]
    async fn previous_meeting_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        guard::read(
            ctx,
            &self.meeting.scope,
            FieldId::BriefPreviousMeetingOn,
            self.previous_meeting_on,
        )
        .map(|d| d.map(Date))
    }

    /// Referrals still open (sent, or accepted and not done), newest first.
    #[graphql(visible = "visible::brief_open_referrals", directive = fieldGroup::apply(group_of(FieldId::BriefOpenReferrals)))]
    async fn open_referrals(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<Vec<super::referral::ReferralNode>>> {
        super::referral::ReferralNode::of_client(
            ctx,
            &self.meeting.scope,
            FieldId::BriefOpenReferrals,
            true,
            self.meeting.today,
        )
        .await
    }

    /// One section per participating agency, in code order.
    async fn agencies(&self, ctx: &Context<'_>) -> Result<Vec<AgencyBriefNode>> {
        let participants = request_loader(ctx)?
            .load_one(ParticipantsOf(self.meeting.row.id.clone()))
            .await?
            .unwrap_or_default();
        let mut agencies: Vec<Agency> = participants
            .iter()
            .filter_map(|p| p.agency.as_deref().and_then(|a| a.parse().ok()))
            .collect();
        agencies.sort();
        agencies.dedup();
        Ok(agencies
            .into_iter()
            .map(|agency| AgencyBriefNode {
                agency,
                case_id: self.meeting.row.case_id.clone(),
                scope: self.meeting.scope.clone(),
                since: self.previous_meeting_on,
                today: self.meeting.today,
                horizon: self.horizon,
            })
            .collect())
    }
}

/// One agency's part of a meeting brief.
pub struct AgencyBriefNode {
    agency: Agency,
    case_id: String,
    scope: Arc<ClientScope>,
    since: Option<NaiveDate>,
    today: NaiveDate,
    horizon: (NaiveDate, NaiveDate),
}

impl AgencyBriefNode {
    async fn own_actions(&self, ctx: &Context<'_>) -> Result<Vec<ActionNode>> {
        let rows = request_loader(ctx)?
            .load_one(ActionsOfCase(self.case_id.clone()))
            .await?
            .unwrap_or_default();
        let own = rows
            .into_iter()
            .filter(|a| a.owner_agency == self.agency.code())
            .collect();
        Ok(ActionNode::wrap(own, &self.scope, self.today))
    }

    fn is_since(&self, date: NaiveDate) -> bool {
        self.since.is_none_or(|since| date > since)
    }
}

/// What one participating agency needs before the meeting.
#[Object(name = "AgencyBrief")]
impl AgencyBriefNode {
    /// The participating agency.
    async fn agency(&self) -> Agency {
        self.agency
    }

    /// The agency's open agreed actions of the case.
    #[graphql(visible = "visible::brief_open_actions", directive = fieldGroup::apply(group_of(FieldId::BriefOpenActions)))]
    async fn open_actions(&self, ctx: &Context<'_>) -> Result<Option<Vec<ActionNode>>> {
        guard::read(ctx, &self.scope, FieldId::BriefOpenActions, ())?;
        let actions = self.own_actions(ctx).await?;
        Ok(Some(
            actions
                .into_iter()
                .filter(|a| a.row.completed_on.is_none())
                .collect(),
        ))
    }

    /// The agency's open actions past their due date.
    #[graphql(visible = "visible::brief_overdue_actions", directive = fieldGroup::apply(group_of(FieldId::BriefOverdueActions)))]
    async fn overdue_actions(&self, ctx: &Context<'_>) -> Result<Option<Vec<ActionNode>>> {
        guard::read(ctx, &self.scope, FieldId::BriefOverdueActions, ())?;
        let actions = self.own_actions(ctx).await?;
        Ok(Some(
            actions.into_iter().filter(ActionNode::is_overdue).collect(),
        ))
    }

    /// Actions the agency completed since the previous meeting.
    #[graphql(visible = "visible::brief_completed_actions", directive = fieldGroup::apply(group_of(FieldId::BriefCompletedActions)))]
    async fn actions_completed_since_last_meeting(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<Vec<ActionNode>>> {
        guard::read(ctx, &self.scope, FieldId::BriefCompletedActions, ())?;
        let actions = self.own_actions(ctx).await?;
        Ok(Some(
            actions
                .into_iter()
                .filter(|a| a.row.completed_on.is_some_and(|d| self.is_since(d)))
                .collect(),
        ))
    }

    /// Work-ability assessments the agency made since the previous meeting: reuse them
    /// instead of ordering a new one.
    #[graphql(visible = "visible::brief_new_assessments", directive = fieldGroup::apply(group_of(FieldId::BriefNewAssessments)))]
    async fn assessments_since_last_meeting(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<Vec<AssessmentNode>>> {
        guard::read(ctx, &self.scope, FieldId::BriefNewAssessments, ())?;
        let rows = request_loader(ctx)?
            .load_one(AssessmentsOf(self.scope.key()))
            .await?
            .unwrap_or_default();
        let rows = rows
            .into_iter()
            .filter(|a| a.assessor_agency == self.agency.code() && self.is_since(a.assessed_on))
            .collect();
        Ok(Some(AssessmentNode::wrap(rows, &self.scope)))
    }

    /// Benefit decisions the agency made since the previous meeting.
    #[graphql(visible = "visible::brief_new_benefits", directive = fieldGroup::apply(group_of(FieldId::BriefNewBenefits)))]
    async fn benefit_decisions_since_last_meeting(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<Vec<BenefitNode>>> {
        guard::read(ctx, &self.scope, FieldId::BriefNewBenefits, ())?;
        let rows = request_loader(ctx)?
            .load_one(BenefitsOf(self.scope.key()))
            .await?
            .unwrap_or_default();
        let rows = rows
            .into_iter()
            .filter(|b| b.agency == self.agency.code() && self.is_since(b.decided_on))
            .collect();
        Ok(Some(BenefitNode::wrap(rows, &self.scope)))
    }

    /// KTT periods ending within the horizon (the county's decisions).
    #[graphql(visible = "visible::brief_upcoming_period_ends", directive = fieldGroup::apply(group_of(FieldId::BriefUpcomingPeriodEnds)))]
    async fn upcoming_period_ends(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<Vec<RehabPeriodNode>>> {
        guard::read(ctx, &self.scope, FieldId::BriefUpcomingPeriodEnds, ())?;
        if self.agency != Agency::Eksote {
            return Ok(Some(Vec::new()));
        }
        let rows = request_loader(ctx)?
            .load_one(PeriodsOf(self.scope.key()))
            .await?
            .unwrap_or_default();
        let (from, to) = self.horizon;
        let rows = rows
            .into_iter()
            .filter(|p| {
                let end = p.ended_early_on.unwrap_or(p.ends_on);
                end >= from && end <= to
            })
            .collect();
        Ok(Some(RehabPeriodNode::wrap(rows, &self.scope)))
    }

    /// Plan reviews due within the horizon, or overdue (the responsible agency's task).
    #[graphql(visible = "visible::brief_upcoming_reviews", directive = fieldGroup::apply(group_of(FieldId::BriefUpcomingReviews)))]
    async fn upcoming_plan_reviews(&self, ctx: &Context<'_>) -> Result<Option<Vec<PlanNode>>> {
        guard::read(ctx, &self.scope, FieldId::BriefUpcomingReviews, ())?;
        let loader = request_loader(ctx)?;
        let case = loader
            .load_one(crate::graphql::loader::CasesOf(self.scope.key()))
            .await?
            .unwrap_or_default()
            .into_iter()
            .find(|c| c.id == self.case_id);
        let Some(case) = case else {
            return Ok(Some(Vec::new()));
        };
        if case.responsible_agency != self.agency.code() {
            return Ok(Some(Vec::new()));
        }
        let plans = loader
            .load_one(PlansOfCase(self.case_id.clone()))
            .await?
            .unwrap_or_default();
        Ok(Some(
            plans
                .into_iter()
                .take(1)
                .filter(|p| p.review_on <= self.horizon.1)
                .map(|row| PlanNode {
                    row,
                    scope: self.scope.clone(),
                    today: self.today,
                })
                .collect(),
        ))
    }
}
