//! Break-glass grants awaiting review.

use async_graphql::{Context, Object, Result};

use super::request;
use crate::authz::FieldGroup;
use crate::graphql::types::break_glass::BreakGlassReview;
use crate::services;

#[derive(Default)]
pub struct BreakGlassQueries;

#[Object]
impl BreakGlassQueries {
    /// Break-glass grants to review, oldest first (AUDITOR): who opened which client, why,
    /// for how long, and how many log rows were made under it.
    #[graphql(visible = "super::reviews_break_glass")]
    async fn break_glass_reviews(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = true)] open_only: bool,
    ) -> Result<Vec<BreakGlassReview>> {
        let rc = request(ctx, "breakGlassReviews")?;
        let grants = services::break_glass::reviews(rc, open_only).await?;
        Ok(grants
            .into_iter()
            .map(|g| {
                rc.recorder.read(&g.client_id, FieldGroup::Audit, None);
                BreakGlassReview::from_grant(g, rc.now)
            })
            .collect())
    }
}
