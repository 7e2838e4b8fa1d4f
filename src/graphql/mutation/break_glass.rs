//! Break-glass: open a client for an urgent reason; close its review.

use async_graphql::{Context, InputObject, Object, Result, ID};

use super::request;
use crate::graphql::types::break_glass::{BreakGlassGrant, BreakGlassReview};
use crate::services::break_glass;

/// An urgent opening of one client outside the caller's scope.
#[derive(InputObject)]
pub struct BreakGlassInput {
    pub client_id: ID,
    /// Why it is urgent (10–2000 characters); reviewed by the data-protection officer.
    pub reason: String,
}

/// The reviewer's conclusion on a break-glass grant.
#[derive(InputObject)]
pub struct CloseBreakGlassReviewInput {
    pub id: ID,
    /// What the review found (1–2000 characters).
    pub note: String,
}

#[derive(Default)]
pub struct BreakGlassMutations;

#[Object]
impl BreakGlassMutations {
    /// Opens a client outside the caller's scope for an urgent reason, for the configured
    /// time (default 2 h). Flagged in every log row; leaves a review item for an AUDITOR.
    #[graphql(visible = "super::visible::break_glass")]
    async fn break_glass(
        &self,
        ctx: &Context<'_>,
        input: BreakGlassInput,
    ) -> Result<BreakGlassGrant> {
        let rc = request(ctx, "breakGlass")?;
        let grant = break_glass::open(rc, &input.client_id, &input.reason).await?;
        Ok(BreakGlassGrant::from_grant(grant))
    }

    /// Closes the review item of an expired break-glass grant (AUDITOR).
    #[graphql(visible = "super::visible::reviews")]
    async fn close_break_glass_review(
        &self,
        ctx: &Context<'_>,
        input: CloseBreakGlassReviewInput,
    ) -> Result<BreakGlassReview> {
        let rc = request(ctx, "closeBreakGlassReview")?;
        let grant = break_glass::close(rc, &input.id, &input.note).await?;
        Ok(BreakGlassReview::from_grant(grant, rc.now))
    }
}
