//! Append-only log tables without an entity (the administration log, the service
//! interruptions' log): each row says when, who, what was done, to what, and the detail.

use sea_orm::sea_query::{Iden, Query};
use sea_orm::ConnectionTrait;

use super::RequestContext;
use crate::error::AppResult;

/// Appends a row to the log `table` at this request's time and by its official. `columns`
/// name the time, official, action, target and detail columns, in that order.
pub async fn append<I: Iden + 'static>(
    conn: &impl ConnectionTrait,
    rc: &RequestContext,
    table: I,
    columns: [I; 5],
    action: &str,
    target: &str,
    detail: &str,
) -> AppResult<()> {
    let insert = Query::insert()
        .into_table(table)
        .columns(columns)
        .values_panic([
            rc.now.into(),
            rc.principal().official_id.as_str().into(),
            action.into(),
            target.into(),
            detail.into(),
        ])
        .to_owned();
    conn.execute(&insert).await?;
    Ok(())
}
