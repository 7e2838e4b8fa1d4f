//! A referral from one agency to another (group CASE).

use std::sync::Arc;

use async_graphql::{Context, Enum, Object, Result, ID};
use chrono::NaiveDate;

use super::super::directive::{fieldGroup, group_of};
use super::super::guard;
use super::super::scalars::Date;
use crate::authz::fields::visible;
use crate::authz::FieldId;
use crate::domain::Agency;
use crate::services::referrals::Referral;
use crate::services::ClientScope;

/// Where a referral stands.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum ReferralStatus {
    /// Sent, not yet answered by the receiving agency.
    Sent,
    /// Accepted, with the receiving side's due date.
    Accepted,
    /// Declined, with the reason.
    Declined,
    /// Done: the outcome is returned to the sender.
    Done,
}

impl ReferralStatus {
    fn of(code: &str) -> Option<ReferralStatus> {
        Some(match code {
            "SENT" => ReferralStatus::Sent,
            "ACCEPTED" => ReferralStatus::Accepted,
            "DECLINED" => ReferralStatus::Declined,
            "DONE" => ReferralStatus::Done,
            _ => return None,
        })
    }
}

/// A referral (lähete) from one agency to another, for example to Kela vocational
/// rehabilitation or a county service.
pub struct ReferralNode {
    pub row: Referral,
    pub scope: Arc<ClientScope>,
    pub today: NaiveDate,
}

impl ReferralNode {
    pub fn wrap(
        rows: Vec<Referral>,
        scope: &Arc<ClientScope>,
        today: NaiveDate,
    ) -> Vec<ReferralNode> {
        rows.into_iter()
            .map(|row| ReferralNode {
                row,
                scope: scope.clone(),
                today,
            })
            .collect()
    }

    /// The referrals of a shared-record field (`field`): the case view's, or the brief's
    /// open ones.
    pub async fn of_client(
        ctx: &Context<'_>,
        scope: &Arc<ClientScope>,
        field: FieldId,
        open_only: bool,
        today: NaiveDate,
    ) -> Result<Option<Vec<ReferralNode>>> {
        guard::read_shared(ctx, scope, field, || ())?;
        let rc = ctx.data::<crate::services::RequestContext>()?;
        let rows =
            crate::services::referrals::of_client(rc.db(), &scope.client_id, open_only).await?;
        Ok(Some(ReferralNode::wrap(rows, scope, today)))
    }

    fn read<T>(&self, ctx: &Context<'_>, field: FieldId, value: T) -> Result<T> {
        guard::read(ctx, &self.scope, field, value)
    }
}

#[Object(name = "Referral")]
impl ReferralNode {
    /// Opaque identifier.
    async fn id(&self) -> ID {
        ID(self.row.id.clone())
    }
    /// The sending agency.
    #[graphql(name = "fromAgency", visible = "visible::referral_from_agency", directive = fieldGroup::apply(group_of(FieldId::ReferralFromAgency)))]
    async fn sending_agency(&self, ctx: &Context<'_>) -> Result<Option<Agency>> {
        self.read(
            ctx,
            FieldId::ReferralFromAgency,
            self.row.from_agency.parse().ok(),
        )
    }
    /// The receiving agency.
    #[graphql(visible = "visible::referral_to_agency", directive = fieldGroup::apply(group_of(FieldId::ReferralToAgency)))]
    async fn to_agency(&self, ctx: &Context<'_>) -> Result<Option<Agency>> {
        self.read(
            ctx,
            FieldId::ReferralToAgency,
            self.row.to_agency.parse().ok(),
        )
    }
    /// The service referred to.
    #[graphql(visible = "visible::referral_service", directive = fieldGroup::apply(group_of(FieldId::ReferralService)))]
    async fn service(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        self.read(
            ctx,
            FieldId::ReferralService,
            Some(self.row.service.as_str()),
        )
    }
    /// Why: the service need.
    #[graphql(visible = "visible::referral_reason", directive = fieldGroup::apply(group_of(FieldId::ReferralReason)))]
    async fn reason(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        self.read(ctx, FieldId::ReferralReason, Some(self.row.reason.as_str()))
    }
    /// Where it stands.
    #[graphql(visible = "visible::referral_status", directive = fieldGroup::apply(group_of(FieldId::ReferralStatus)))]
    async fn status(&self, ctx: &Context<'_>) -> Result<Option<ReferralStatus>> {
        self.read(
            ctx,
            FieldId::ReferralStatus,
            ReferralStatus::of(&self.row.status),
        )
    }
    /// The day it was sent.
    #[graphql(visible = "visible::referral_sent_on", directive = fieldGroup::apply(group_of(FieldId::ReferralSentOn)))]
    async fn sent_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        self.read(ctx, FieldId::ReferralSentOn, Some(Date(self.row.sent_on)))
    }
    /// The day the receiving agency answered.
    #[graphql(visible = "visible::referral_answered_on", directive = fieldGroup::apply(group_of(FieldId::ReferralAnsweredOn)))]
    async fn answered_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        self.read(
            ctx,
            FieldId::ReferralAnsweredOn,
            self.row.answered_on.map(Date),
        )
    }
    /// The receiving side's due date (once accepted).
    #[graphql(visible = "visible::referral_due_on", directive = fieldGroup::apply(group_of(FieldId::ReferralDueOn)))]
    async fn due_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        self.read(ctx, FieldId::ReferralDueOn, self.row.due_on.map(Date))
    }
    /// Accepted, not done, and past its due date.
    #[graphql(visible = "visible::referral_overdue", directive = fieldGroup::apply(group_of(FieldId::ReferralOverdue)))]
    async fn overdue(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        let overdue =
            self.row.status == "ACCEPTED" && self.row.due_on.is_some_and(|d| d < self.today);
        self.read(ctx, FieldId::ReferralOverdue, Some(overdue))
    }
    /// Why it was declined.
    #[graphql(visible = "visible::referral_decline_reason", directive = fieldGroup::apply(group_of(FieldId::ReferralDeclineReason)))]
    async fn decline_reason(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        self.read(
            ctx,
            FieldId::ReferralDeclineReason,
            self.row.decline_reason.as_deref(),
        )
    }
    /// The outcome, returned to the sender when done.
    #[graphql(visible = "visible::referral_outcome", directive = fieldGroup::apply(group_of(FieldId::ReferralOutcome)))]
    async fn outcome(&self, ctx: &Context<'_>) -> Result<Option<&str>> {
        self.read(ctx, FieldId::ReferralOutcome, self.row.outcome.as_deref())
    }
    /// The day it was done.
    #[graphql(visible = "visible::referral_done_on", directive = fieldGroup::apply(group_of(FieldId::ReferralDoneOn)))]
    async fn done_on(&self, ctx: &Context<'_>) -> Result<Option<Date>> {
        self.read(ctx, FieldId::ReferralDoneOn, self.row.done_on.map(Date))
    }
}
