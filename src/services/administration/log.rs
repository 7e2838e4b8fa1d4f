//! The administration log: one row per change of officials, providers or the policy,
//! written in the change's transaction, and listed newest first.

use sea_orm::sea_query::{Order, Query};
use sea_orm::{ConnectionTrait, DeriveIden, FromQueryResult};

use super::{require, AdminLogEntry};
use crate::authz::Managed;
use crate::error::AppResult;
use crate::services::RequestContext;

/// The administration log (a table without an entity: only appended to and listed).
#[derive(DeriveIden, Clone, Copy)]
enum AdminLog {
    Table,
    Id,
    At,
    OfficialId,
    Action,
    Target,
    Detail,
}

/// The columns of an [`AdminLogEntry`], written and listed.
const ENTRY: [AdminLog; 5] = [
    AdminLog::At,
    AdminLog::OfficialId,
    AdminLog::Action,
    AdminLog::Target,
    AdminLog::Detail,
];

/// Appends a row for a change `action` of `target` by the caller.
pub(super) async fn log(
    db: &impl ConnectionTrait,
    rc: &RequestContext,
    action: &str,
    target: &str,
    detail: &str,
) -> AppResult<()> {
    crate::services::log_table::append(db, rc, AdminLog::Table, ENTRY, action, target, detail).await
}

/// The newest administration log rows (officials, providers, policy), newest first.
pub async fn admin_log(rc: &RequestContext, first: u64) -> AppResult<Vec<AdminLogEntry>> {
    require(rc, Managed::Policy, false)?;
    let select = Query::select()
        .columns(ENTRY)
        .from(AdminLog::Table)
        .order_by(AdminLog::Id, Order::Desc)
        // Bound as a signed 64-bit integer on PostgreSQL.
        .limit(first.min(i64::MAX as u64))
        .to_owned();
    let db = rc.db();
    Ok(
        AdminLogEntry::find_by_statement(db.get_database_backend().build(&select))
            .all(db)
            .await?,
    )
}
