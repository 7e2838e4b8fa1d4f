//! Aggregate reports.

use async_graphql::{Context, Object, Result};

use crate::graphql::types::report::Reports;

#[derive(Default)]
pub struct ReportQueries;

#[Object]
impl ReportQueries {
    /// Aggregate reports for dashboards (ANALYST, and agency roles within their scope).
    #[graphql(visible = "super::reads_reports")]
    async fn reports(&self, ctx: &Context<'_>) -> Result<Reports> {
        if !super::reads_reports(ctx) {
            return Err(crate::error::AppError::Forbidden(None).into());
        }
        Ok(Reports::default())
    }
}
