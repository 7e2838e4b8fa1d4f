//! A referral from one agency to another (group CASE).

use std::sync::Arc;

use async_graphql::{Context, Enum, Object, Result};
use chrono::NaiveDate;

use crate::domain::Agency;
use crate::graphql::engine::scalars::Date;
use crate::services::referral::Referral;
use crate::services::ClientScope;
use typgraph_macros::guarded;

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

client_row_node! {
    /// A referral (lähete) from one agency to another, for example to Kela vocational
    /// rehabilitation or a county service.
    ReferralNode(Referral), today: NaiveDate
}

impl ReferralNode {
    /// The client's referrals (all, or the open ones) for a shared-record field whose guard
    /// has passed: the case view's, or the brief's.
    pub async fn of_client(
        ctx: &Context<'_>,
        scope: &Arc<ClientScope>,
        open_only: bool,
        today: NaiveDate,
    ) -> Result<Vec<ReferralNode>> {
        let rc = ctx.data::<crate::services::RequestContext>()?;
        let rows =
            crate::services::referral::of_client(rc.db(), &scope.client_id, open_only).await?;
        Ok(ReferralNode::wrap(rows, scope, today))
    }
}

#[guarded(id = self.row.id)]
#[Object(name = "Referral")]
impl ReferralNode {
    /// The sending agency.
    #[field(ReferralFromAgency)]
    #[graphql(name = "fromAgency")]
    fn sending_agency(&self) -> Option<Agency> {
        self.row.from_agency.parse().ok()
    }
    /// The receiving agency.
    #[field(ReferralToAgency = self.row.to_agency.parse().ok())]
    fn to_agency(&self) -> Option<Agency>;
    /// What the referral is for (Kela's vocational rehabilitation, or another service).
    #[field(ReferralKind = self.row.kind.parse().ok())]
    fn kind(&self) -> Option<crate::domain::agency_work::ReferralKind>;
    /// The service referred to.
    #[field(ReferralService = &self.row.service)]
    fn service(&self) -> &str;
    /// Why: the service need.
    #[field(ReferralReason = &self.row.reason)]
    fn reason(&self) -> &str;
    /// Where it stands.
    #[field(ReferralStatus = ReferralStatus::of(&self.row.status))]
    fn status(&self) -> Option<ReferralStatus>;
    /// The day it was sent.
    #[field(ReferralSentOn = Date(self.row.sent_on))]
    fn sent_on(&self) -> Date;
    /// The day the receiving agency answered.
    #[field(ReferralAnsweredOn = self.row.answered_on.map(Date))]
    fn answered_on(&self) -> Option<Date>;
    /// The receiving side's due date (once accepted).
    #[field(ReferralDueOn = self.row.due_on.map(Date))]
    fn due_on(&self) -> Option<Date>;
    /// Accepted, not done, and past its due date.
    #[field(ReferralOverdue)]
    fn overdue(&self) -> bool {
        self.row.status == "ACCEPTED" && self.row.due_on.is_some_and(|d| d < self.today)
    }
    /// Why it was declined.
    #[field(ReferralDeclineReason = self.row.decline_reason.as_deref())]
    fn decline_reason(&self) -> Option<&str>;
    /// The outcome, returned to the sender when done.
    #[field(ReferralOutcome = self.row.outcome.as_deref())]
    fn outcome(&self) -> Option<&str>;
    /// The day it was done.
    #[field(ReferralDoneOn = self.row.done_on.map(Date))]
    fn done_on(&self) -> Option<Date>;
}
