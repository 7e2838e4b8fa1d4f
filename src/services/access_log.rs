//! Reading the access log (AUDITOR only).

use std::collections::HashMap;

use entity::{access_log, disclosure_log};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder};

use super::cursor::{CursorKey, RowCursor, Sealer, Window};
use super::RequestContext;
use crate::authz::{FieldId, ReadAccess};
use crate::db::Sql;
use crate::error::{AppError, AppResult};

/// One row of the access log with its disclosures, the break-glass grant it was made under
/// and its cursor.
pub struct LogRow {
    pub row: access_log::Model,
    pub disclosures: Vec<disclosure_log::Model>,
    pub break_glass: Option<String>,
    pub cursor: RowCursor,
}

/// One page of a client's access log, newest first.
pub struct LogPage {
    pub rows: Vec<LogRow>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

/// The connection kind access-log cursors are sealed for.
const CURSOR_KIND: &str = "accessLog";

/// Who pages whose log: a cursor is valid only for the reader, the view and the client it
/// was made for.
pub struct LogCursors<'a> {
    pub key: &'a CursorKey,
    pub reader: &'a str,
    /// `audit` (an AUDITOR's view) or `own` (the client's own).
    pub view: &'static str,
}

/// The access log of one client. Only callers who may read the AUDIT group get here.
pub async fn page(rc: &RequestContext, client_id: &str, window: Window<'_>) -> AppResult<LogPage> {
    if rc.principal().field_access(FieldId::LogAt) != ReadAccess::Read {
        return Err(AppError::Forbidden(None));
    }
    let cursors = LogCursors {
        key: rc.cursor_key()?,
        reader: &rc.principal().official_id,
        view: "audit",
    };
    page_of(rc.db(), &cursors, client_id, None, window).await
}

/// The entries of a page of the log of the client known by `ids` (a client and the
/// temporary ones merged into it), newest first or (`backward`) oldest first, within the
/// cursors' bounds and at or after `since`: every access to the client, from the rows
/// naming it and the rows listing it among others (migration 038), each row once per
/// client of `ids` it names or lists, as `client_id`. Each arm walks its own index in id
/// order and stops at `limit` (a client listed on 50,000 pages reads `limit` of them, as
/// the view `access_log_entry` read whole would not); the page is taken from all arms.
fn entries(
    ids: &[String],
    since: Option<chrono::DateTime<chrono::Utc>>,
    after: Option<i64>,
    before: Option<i64>,
    backward: bool,
    limit: u64,
) -> Sql {
    let order = if backward { "ASC" } else { "DESC" };
    // Newest first: "after" a row is an older (smaller) id.
    let bounds = |sql: &mut Sql, id: &str| {
        if let Some(after) = after {
            sql.push(&format!(" AND {id} < ")).bind(after);
        }
        if let Some(before) = before {
            sql.push(&format!(" AND {id} > ")).bind(before);
        }
    };
    let mut sql = Sql::new(
        "SELECT a.id, a.at, a.official_id, a.agency, a.roles, m.client_id, a.action, \
         a.field_groups, a.operation, a.reason, a.basis FROM (",
    );
    // Two arms per client id, so that each is one ordered walk of its index (a list of a
    // merged client's ids in one arm is not: its rows would all be read and sorted).
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ALL ");
        }
        sql.push(
            "SELECT * FROM (SELECT id AS log_id, client_id FROM access_log WHERE client_id = ",
        )
        .bind(id.as_str());
        if let Some(since) = since {
            sql.push(" AND at >= ").bind(since);
        }
        bounds(&mut sql, "id");
        sql.push(&format!(
            " ORDER BY client_id {order}, id {order} LIMIT {limit}) named UNION ALL \
             SELECT * FROM (SELECT c.access_log_id AS log_id, c.client_id FROM access_log_client c"
        ));
        if since.is_some() {
            sql.push(" JOIN access_log s ON s.id = c.access_log_id");
        }
        sql.push(" WHERE c.client_id = ").bind(id.as_str());
        if let Some(since) = since {
            sql.push(" AND s.at >= ").bind(since);
        }
        bounds(&mut sql, "c.access_log_id");
        sql.push(&format!(
            " ORDER BY c.client_id {order}, c.access_log_id {order} LIMIT {limit}) listed"
        ));
    }
    sql.push(&format!(
        ") m JOIN access_log a ON a.id = m.log_id \
         ORDER BY a.id {order}, m.client_id {order} LIMIT {limit}"
    ));
    sql
}

/// One page of the access log of one client, newest first, optionally only rows at or after
/// `since`. The caller has decided the reader may see it.
pub async fn page_of(
    db: &impl sea_orm::ConnectionTrait,
    cursors: &LogCursors<'_>,
    client_id: &str,
    since: Option<chrono::DateTime<chrono::Utc>>,
    window: Window<'_>,
) -> AppResult<LogPage> {
    let binding = [cursors.reader, cursors.view, client_id];
    let row_id = |cursor| -> AppResult<i64> {
        let values = cursors.key.open(CURSOR_KIND, &binding, 1, cursor)?;
        values
            .first()
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| AppError::internal("a sealed log cursor is no row id"))
    };
    // A temporary client merged into this one: its rows are this client's too.
    let ids = super::client_merge::log_ids(db, client_id).await?;
    let after = window.after.map(row_id).transpose()?;
    let before = window.before.map(row_id).transpose()?;
    let read = entries(&ids, since, after, before, window.backward, window.size + 1);
    let rows = db
        .query_all_raw(read.build_for(db))
        .await?
        .iter()
        .map(|r| access_log::Model::from_query_result(r, ""))
        .collect::<Result<Vec<_>, _>>()?;
    let (rows, one_more) = window.take(rows);
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut disclosures: HashMap<i64, Vec<disclosure_log::Model>> = HashMap::new();
    let mut grants: HashMap<i64, String> = HashMap::new();
    if !ids.is_empty() {
        for d in disclosure_log::Entity::find()
            .filter(disclosure_log::Column::AccessLogId.is_in(ids.clone()))
            .order_by_asc(disclosure_log::Column::Id)
            .all(db)
            .await?
        {
            disclosures.entry(d.access_log_id).or_default().push(d);
        }
        // `break_glass_access` is an audit table without an entity of its own.
        let granted = Query::select()
            .columns(["access_log_id", "break_glass_id"])
            .from("break_glass_access")
            .and_where(Expr::col("access_log_id").is_in(ids))
            .to_owned();
        for r in db.query_all(&granted).await? {
            grants.insert(
                r.try_get("", "access_log_id")?,
                r.try_get("", "break_glass_id")?,
            );
        }
    }
    let sealer = Sealer::new(cursors.key, CURSOR_KIND, &binding);
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(LogRow {
            disclosures: disclosures.remove(&row.id).unwrap_or_default(),
            break_glass: grants.remove(&row.id),
            cursor: RowCursor::new(&sealer, &[&row.id.to_string()]),
            row,
        });
    }
    Ok(LogPage {
        rows: out,
        has_next_page: window.has_next_page(one_more),
        has_previous_page: window.has_previous_page(one_more),
    })
}
