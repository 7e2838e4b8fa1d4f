//! The employment authority's work list of KTT start notices, and the county officials
//! holding the power to decide on KTT (administration).

use async_graphql::{Context, Object, Result};

use super::request;
use crate::graphql::mutation::ktt_decision::KttDecisionMaker;
use crate::graphql::types::ktt_decision::KttStartNoticeNode;
use crate::services::administration as admin;
use crate::services::ktt_decision::notice;

#[derive(Default)]
pub struct KttDecisionQueries;

#[Object]
impl KttDecisionQueries {
    /// KTT start notices of the employment authority's work list, oldest first: `open:
    /// true` those waiting for the labour-policy statement, `false` those handled, all
    /// when omitted (the employment authority's BENEFIT writers).
    #[graphql(visible = "crate::graphql::mutation::ktt_decision::issues_statements")]
    async fn ktt_start_notices(
        &self,
        ctx: &Context<'_>,
        open: Option<bool>,
    ) -> Result<Vec<KttStartNoticeNode>> {
        let rc = request(ctx, "kttStartNotices")?;
        let notices = notice::start_notices(rc, open).await?;
        Ok(notices
            .into_iter()
            .map(|notice| KttStartNoticeNode { notice })
            .collect())
    }

    /// County officials holding the power to decide on KTT (administration).
    #[graphql(visible = "super::reads_officials")]
    async fn ktt_decision_makers(&self, ctx: &Context<'_>) -> Result<Vec<KttDecisionMaker>> {
        let rc = request(ctx, "kttDecisionMakers")?;
        Ok(admin::decision_makers(rc)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}
