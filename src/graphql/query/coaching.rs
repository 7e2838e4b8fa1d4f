//! The provider's own vouchers and job coaching, and the providers approved for vouchers.

use async_graphql::{Context, Object, Result};

use super::request;
use crate::graphql::types::agency_records::CoachingNode;
use crate::graphql::types::coaching::{VoucherApprovalNode, VoucherKind, VoucherNode};
use crate::services::{coaching, voucher};

#[derive(Default)]
pub struct CoachingQueries;

#[Object]
impl CoachingQueries {
    /// The service vouchers chosen for the caller's own provider (a coach's; empty for
    /// others), newest first, with their use: the provider sees its own vouchers only.
    #[graphql(visible = "super::reads_coaching")]
    async fn provider_vouchers(&self, ctx: &Context<'_>) -> Result<Vec<VoucherNode>> {
        let rc = request(ctx, "providerVouchers")?;
        let rows = voucher::of_provider(rc).await?;
        Ok(rows
            .into_iter()
            .map(|row| {
                let scope = voucher::row_scope(&row);
                VoucherNode { row, scope }
            })
            .collect())
    }

    /// The job coaching given at the caller's own provider (a coach's; empty for others),
    /// newest first: where the coach records the hours used.
    #[graphql(visible = "super::reads_coaching")]
    async fn provider_job_coachings(&self, ctx: &Context<'_>) -> Result<Vec<CoachingNode>> {
        let rc = request(ctx, "providerJobCoachings")?;
        Ok(coaching::of_provider(rc)
            .await?
            .into_iter()
            .map(|(row, scope)| CoachingNode { row, scope })
            .collect())
    }

    /// The providers approved today for service vouchers (of a kind, or all): the client
    /// chooses among these. Not client data; shown to the roles that work with vouchers.
    #[graphql(visible = "super::reads_coaching")]
    async fn voucher_approvals(
        &self,
        ctx: &Context<'_>,
        kind: Option<VoucherKind>,
    ) -> Result<Vec<VoucherApprovalNode>> {
        let rc = request(ctx, "voucherApprovals")?;
        let rows = voucher::approvals(rc, kind.map(|k| k.code())).await?;
        Ok(rows
            .into_iter()
            .map(|row| VoucherApprovalNode { row })
            .collect())
    }
}
