//! Administration: officials, policy versions, the administrative logs, providers.

use std::sync::Arc;

use async_graphql::{Context, Object, Result};

use super::request;
use crate::authz::PolicyStore;
use crate::error::AppError;
use crate::graphql::types::admin::{AdminLogNode, OfficialNode, PolicyVersionNode};
use crate::graphql::types::provider::ProviderNode;
use crate::services;

#[derive(Default)]
pub struct AdminQueries;

#[Object]
impl AdminQueries {
    /// Officials, active first (administration).
    #[graphql(visible = "super::reads_officials")]
    async fn officials(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] include_inactive: bool,
    ) -> Result<Vec<OfficialNode>> {
        let rc = request(ctx, "officials")?;
        let rows = services::administration::officials(rc, include_inactive).await?;
        Ok(rows.into_iter().map(OfficialNode).collect())
    }

    /// Stored versions of the authorization policy, newest first; `inForce` marks the one
    /// this replica enforces.
    #[graphql(visible = "super::reads_policy")]
    async fn policy_versions(&self, ctx: &Context<'_>) -> Result<Vec<PolicyVersionNode>> {
        let rc = request(ctx, "policyVersions")?;
        let in_force = ctx.data::<Arc<PolicyStore>>()?.current().version;
        let rows = services::administration::policy_versions(rc).await?;
        Ok(rows
            .into_iter()
            .map(|v| PolicyVersionNode::new(v, in_force))
            .collect())
    }

    /// The newest administrative changes (officials, providers, policy), newest first;
    /// `first` is at most 100.
    #[graphql(visible = "super::reads_policy")]
    async fn admin_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: i32,
    ) -> Result<Vec<AdminLogNode>> {
        let rc = request(ctx, "adminLog")?;
        let first = log_page_size(first)?;
        let rows = services::administration::admin_log(rc, first).await?;
        Ok(rows.into_iter().map(AdminLogNode::from).collect())
    }

    /// The newest recordings, corrections and cancellations of service-wide interruptions,
    /// newest first (`target`: the interruption's id); `first` is at most 100.
    #[graphql(visible = "super::reads_interruption_log")]
    async fn service_interruption_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: i32,
    ) -> Result<Vec<AdminLogNode>> {
        let rc = request(ctx, "serviceInterruptionLog")?;
        let first = log_page_size(first)?;
        let rows = services::service_interruption::log_entries(rc, first).await?;
        Ok(rows.into_iter().map(AdminLogNode::from).collect())
    }

    /// All KTT and coaching providers (any signed-in official).
    async fn providers(&self, ctx: &Context<'_>) -> Result<Vec<ProviderNode>> {
        let rc = request(ctx, "providers")?;
        let rows = services::officials::providers(rc.db()).await?;
        Ok(rows.into_iter().map(|row| ProviderNode { row }).collect())
    }
}

/// The `first` of a log page: 1 to 100.
fn log_page_size(first: i32) -> Result<u64, AppError> {
    u64::try_from(first)
        .ok()
        .filter(|f| (1..=100).contains(f))
        .ok_or_else(|| AppError::bad_input("first", "first is 1 to 100"))
}
