//! The meeting brief: what each participating agency needs before a network meeting.

use std::sync::Arc;

use crate::graphql::engine::scalars::Date;
use async_graphql::{Context, Object, Result};
use chrono::NaiveDate;

use super::agency_records::{AssessmentNode, BenefitNode};
use super::case::{ActionNode, PlanNode};
use super::meeting::MeetingNode;
use super::referral::ReferralNode;
use super::rehab::RehabPeriodNode;
use super::rows;
use super::work::PaySubsidyNode;
use crate::domain::Agency;
use crate::graphql::engine::loader::{
    ActionsOfCase, AssessmentsOf, BenefitsOf, CasesOf, ParticipantsOf, PaySubsidiesOf, PeriodsOf,
    PlansOfCase,
};
use crate::services::ClientScope;
use typgraph_macros::guarded;

/// The brief of one meeting.
pub struct BriefNode {
    pub meeting: MeetingNode,
    pub previous_meeting_on: Option<NaiveDate>,
    pub horizon: (NaiveDate, NaiveDate),
    /// The window of pay subsidies ending ([`crate::services::meeting::subsidy_horizon`]).
    pub subsidy_horizon: (NaiveDate, NaiveDate),
}

/// Meeting preparation view (verkostopalaverin valmistelu): per participating agency, open
/// and overdue agreed actions, what changed since the last meeting and what is coming up,
/// all within the caller's field mask.
#[guarded(scope = self.meeting.scope)]
#[Object(name = "MeetingBrief")]
impl BriefNode {
    /// The meeting being prepared.
    #[unguarded]
    async fn meeting(&self) -> &MeetingNode {
        &self.meeting
    }

    /// When the previous meeting of the same case was held; changes are counted from then.
    #[field(BriefPreviousMeetingOn = self.previous_meeting_on.map(Date))]
    fn previous_meeting_on(&self) -> Option<Date>;

    /// Referrals still open (sent, or accepted and not done), newest first.
    #[field(BriefOpenReferrals, shared)]
    async fn open_referrals(&self, ctx: &Context<'_>) -> Result<Vec<ReferralNode>> {
        ReferralNode::of_client(ctx, &self.meeting.scope, true, self.meeting.today).await
    }

    /// Competence recognised from the client's KTT periods (opinnollistaminen), newest
    /// certificate first: a path to studies to take up in the meeting.
    #[field(BriefCompetenceRecords)]
    async fn competence_records(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::competence::CompetenceRecordNode>> {
        super::competence::CompetenceRecordNode::of_client(ctx, &self.meeting.scope).await
    }

    /// One section per participating agency, in code order.
    #[unguarded]
    async fn agencies(&self, ctx: &Context<'_>) -> Result<Vec<AgencyBriefNode>> {
        let participants = rows(ctx, ParticipantsOf(self.meeting.row.id.clone())).await?;
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
                subsidy_horizon: self.subsidy_horizon,
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
    subsidy_horizon: (NaiveDate, NaiveDate),
}

impl AgencyBriefNode {
    /// The agency's agreed actions of the case that `keep` keeps.
    async fn own_actions(
        &self,
        ctx: &Context<'_>,
        keep: impl Fn(&ActionNode) -> bool,
    ) -> Result<Vec<ActionNode>> {
        let own = rows(ctx, ActionsOfCase(self.case_id.clone()))
            .await?
            .into_iter()
            .filter(|a| a.owner_agency == self.agency.code())
            .collect();
        let actions = ActionNode::wrap(own, &self.scope, self.today);
        Ok(actions.into_iter().filter(keep).collect())
    }

    fn is_since(&self, date: NaiveDate) -> bool {
        self.since.is_none_or(|since| date > since)
    }

    /// The rows the agency made since the previous meeting; `made` gives a row's agency
    /// code and date.
    fn made_since<M>(&self, rows: Vec<M>, made: impl Fn(&M) -> (&String, NaiveDate)) -> Vec<M> {
        rows.into_iter()
            .filter(|row| {
                let (agency, on) = made(row);
                agency == self.agency.code() && self.is_since(on)
            })
            .collect()
    }
}

/// What one participating agency needs before the meeting.
#[guarded]
#[Object(name = "AgencyBrief")]
impl AgencyBriefNode {
    /// The participating agency.
    #[unguarded]
    async fn agency(&self) -> Agency {
        self.agency
    }

    /// The agency's open agreed actions of the case.
    #[field(BriefOpenActions)]
    async fn open_actions(&self, ctx: &Context<'_>) -> Result<Vec<ActionNode>> {
        self.own_actions(ctx, |a| a.row.completed_on.is_none())
            .await
    }

    /// The agency's open actions past their due date.
    #[field(BriefOverdueActions)]
    async fn overdue_actions(&self, ctx: &Context<'_>) -> Result<Vec<ActionNode>> {
        self.own_actions(ctx, ActionNode::is_overdue).await
    }

    /// Actions the agency completed since the previous meeting.
    #[field(BriefCompletedActions)]
    async fn actions_completed_since_last_meeting(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<ActionNode>> {
        self.own_actions(ctx, |a| {
            a.row.completed_on.is_some_and(|d| self.is_since(d))
        })
        .await
    }

    /// Work-ability assessments the agency made since the previous meeting: reuse them
    /// instead of ordering a new one.
    #[field(BriefNewAssessments)]
    async fn assessments_since_last_meeting(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<AssessmentNode>> {
        let rows = rows(ctx, AssessmentsOf(self.scope.key())).await?;
        let made = self.made_since(rows, |a| (&a.assessor_agency, a.assessed_on));
        Ok(AssessmentNode::wrap(made, &self.scope))
    }

    /// Benefit decisions the agency made since the previous meeting.
    #[field(BriefNewBenefits)]
    async fn benefit_decisions_since_last_meeting(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<BenefitNode>> {
        let rows = rows(ctx, BenefitsOf(self.scope.key())).await?;
        let made = self.made_since(rows, |b| (&b.agency, b.decided_on));
        Ok(BenefitNode::wrap(made, &self.scope))
    }

    /// KTT periods ending within the horizon (the county's decisions).
    #[field(BriefUpcomingPeriodEnds)]
    async fn upcoming_period_ends(&self, ctx: &Context<'_>) -> Result<Vec<RehabPeriodNode>> {
        if self.agency != Agency::Eksote {
            return Ok(Vec::new());
        }
        let (from, to) = self.horizon;
        let rows = rows(ctx, PeriodsOf(self.scope.key()))
            .await?
            .into_iter()
            .filter(|p| {
                let end = p.ended_early_on.unwrap_or(p.ends_on);
                end >= from && end <= to
            })
            .collect();
        Ok(RehabPeriodNode::wrap(rows, &self.scope))
    }

    /// Pay subsidies of the client that end within `TYPGRAPH_SUBSIDY_ENDING_DAYS` days
    /// (90 by default; today and the last day included) and whose employment has not ended:
    /// the team plans the step to the open labour market. Listed in the employment
    /// authority's section, which records them.
    #[field(BriefSubsidiesEnding)]
    async fn pay_subsidies_ending(&self, ctx: &Context<'_>) -> Result<Vec<PaySubsidyNode>> {
        if self.agency != Agency::Te {
            return Ok(Vec::new());
        }
        let (from, to) = self.subsidy_horizon;
        let rows = rows(ctx, PaySubsidiesOf(self.scope.key())).await?;
        let ending = crate::services::pay_subsidy::ending_within(rows, from, to);
        Ok(PaySubsidyNode::wrap(ending, &self.scope))
    }

    /// Plan reviews due within the horizon, or overdue (the responsible agency's task).
    #[field(BriefUpcomingReviews)]
    async fn upcoming_plan_reviews(&self, ctx: &Context<'_>) -> Result<Vec<PlanNode>> {
        let case = rows(ctx, CasesOf(self.scope.key()))
            .await?
            .into_iter()
            .find(|c| c.id == self.case_id);
        let Some(case) = case else {
            return Ok(Vec::new());
        };
        if case.responsible_agency != self.agency.code() {
            return Ok(Vec::new());
        }
        let due = rows(ctx, PlansOfCase(self.case_id.clone()))
            .await?
            .into_iter()
            .take(1)
            .filter(|p| p.review_on <= self.horizon.1)
            .collect();
        Ok(PlanNode::wrap(due, &self.scope, self.today))
    }
}
