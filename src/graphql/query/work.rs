//! The employer and programme registers (no client data).

use async_graphql::{Context, Object, Result};

use super::request;
use crate::graphql::types::admin::AdminLogNode;
use crate::graphql::types::work::{EmployerNode, ProgrammeNode};
use crate::services::registers;

#[derive(Default)]
pub struct WorkQueries;

#[Object]
impl WorkQueries {
    /// Employers whose name or business id contains `search`, by name; `first` at most
    /// 100 (`REGISTER/employers` read).
    #[graphql(visible = "super::reads_employers")]
    async fn employers(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        #[graphql(default = 50)] first: i32,
    ) -> Result<Vec<EmployerNode>> {
        let rc = request(ctx, "employers")?;
        let first = u64::try_from(first).unwrap_or(0);
        let rows = registers::employers(rc, search.as_deref(), first).await?;
        Ok(rows.into_iter().map(|row| EmployerNode { row }).collect())
    }

    /// Every programme cases and job coaching may be tagged with, by code (any signed-in
    /// official).
    async fn programmes(&self, ctx: &Context<'_>) -> Result<Vec<ProgrammeNode>> {
        let rc = request(ctx, "programmes")?;
        let rows = registers::programmes(rc).await?;
        Ok(rows.into_iter().map(|row| ProgrammeNode { row }).collect())
    }

    /// The newest changes of the employer and programme registers, newest first
    /// (`action`: CREATE_EMPLOYER, UPDATE_EMPLOYER, CREATE_PROGRAMME or UPDATE_PROGRAMME;
    /// `target`: the employer's or programme's id); `first` at most 100. For those who read
    /// the administration log.
    #[graphql(visible = "super::reads_policy")]
    async fn register_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: i32,
    ) -> Result<Vec<AdminLogNode>> {
        let rc = request(ctx, "registerLog")?;
        let first = u64::try_from(first)
            .ok()
            .filter(|f| (1..=100).contains(f))
            .ok_or_else(|| crate::error::AppError::bad_input("first", "first is 1 to 100"))?;
        let rows = registers::register_log(rc, first).await?;
        Ok(rows.into_iter().map(AdminLogNode::from).collect())
    }
}
