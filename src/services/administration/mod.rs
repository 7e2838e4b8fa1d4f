//! Administration: officials, providers and policy versions. Not client data, so no
//! access-log rows; every change writes an `admin_log` row in the same transaction instead.
//! Rights come from the policy's `MANAGE/...` objects.
//!
//! Deactivating an official takes effect at that official's next request on every replica:
//! sign-in reads the official's row each time. A new policy version reaches the other
//! replicas through [`crate::authz::store`].

use chrono::{DateTime, Utc};
use entity::official;
use sea_orm::{DatabaseTransaction, FromQueryResult};

use super::write::{self, Written};
use super::RequestContext;
use crate::authz::Managed;
use crate::domain::Role;
use crate::error::{AppError, AppResult};

mod checks;
mod decision_makers;
mod log;
mod officials;
mod policy;
mod providers;

pub use decision_makers::{decision_makers, revoke_decision_maker, set_decision_maker};
pub use log::admin_log;
pub use officials::{
    create_official, deactivate_official, officials, update_official, NewOfficial,
};
pub use policy::{load_policy, policy_versions, NewPolicy};
pub use providers::{create_provider, deactivate_provider, update_provider};

/// Refuses the caller unless the policy lets their roles read or change `what`.
pub fn require(rc: &RequestContext, what: Managed, write: bool) -> AppResult<()> {
    if rc.principal().mask.may_manage(what, write) {
        Ok(())
    } else {
        Err(AppError::Forbidden(None))
    }
}

/// An official with the roles granted by its rows.
#[derive(Debug, Clone)]
pub struct OfficialRecord {
    pub row: official::Model,
    pub roles: Vec<Role>,
}

/// A stored policy version (without its text).
#[derive(Debug, Clone, FromQueryResult)]
pub struct PolicyVersion {
    pub version: i64,
    pub source: String,
    pub comment: String,
    pub beyond_contract: bool,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// One row of the administration log.
#[derive(Debug, Clone, FromQueryResult)]
pub struct AdminLogEntry {
    pub at: DateTime<Utc>,
    pub official_id: Option<String>,
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// Runs a change of officials, providers or the policy on the write path (the right to
/// manage `what` checked first, the change whole or not at all).
async fn manage<T>(
    rc: &RequestContext,
    what: Managed,
    change: impl AsyncFnOnce(&DatabaseTransaction) -> AppResult<T>,
) -> AppResult<T> {
    write::unscoped(rc, what, async |db| change(db).await.map(Written::unlogged)).await
}

fn roles_text(roles: &[Role]) -> String {
    roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",")
}
