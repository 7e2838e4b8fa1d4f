//! Reading the access log (AUDITOR only).

use std::collections::HashMap;

use entity::{access_log, disclosure_log};
use sea_orm::sea_query::{Expr, ExprTrait, Order, Query};
use sea_orm::{ColumnTrait, EntityTrait, FromQueryResult, Iterable, QueryFilter, QueryOrder};

use super::cursor::{CursorKey, RowCursor, Sealer, Window};
use super::RequestContext;
use crate::authz::{FieldId, ReadAccess};
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

/// The access log as one row per client accessed (migration 038).
const ENTRIES: &str = "access_log_entry";

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
    // Every access to the client: the rows naming it and the rows listing it among others
    // (the view `access_log_entry`, one row per client). A row listing both a temporary
    // client and the one it was merged into is one access shown under each.
    use access_log::Column as A;
    let mut find = Query::select();
    find.columns(access_log::Column::iter())
        .from(ENTRIES)
        .and_where(Expr::col(A::ClientId).is_in(ids));
    if let Some(since) = since {
        find.and_where(Expr::col(A::At).gte(since));
    }
    // Newest first: "after" a row is an older (smaller) id.
    if let Some(after) = window.after {
        find.and_where(Expr::col(A::Id).lt(row_id(after)?));
    }
    if let Some(before) = window.before {
        find.and_where(Expr::col(A::Id).gt(row_id(before)?));
    }
    let order = if window.backward {
        Order::Asc
    } else {
        Order::Desc
    };
    find.order_by(A::Id, order).limit(window.size + 1);
    let rows = db
        .query_all(&find)
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
