//! Reading the access log (AUDITOR only).

use std::collections::HashMap;

use base64::Engine;
use entity::{access_log, disclosure_log};
use sea_orm::EntityTrait;

use super::RequestContext;
use crate::authz::{FieldId, ReadAccess};
use crate::db::Sql;
use crate::error::{AppError, AppResult};

/// One page of a client's access log, newest first.
pub struct LogPage {
    /// Each row with its disclosures and the break-glass grant it was made under.
    pub rows: Vec<(
        access_log::Model,
        Vec<disclosure_log::Model>,
        Option<String>,
    )>,
    pub has_next_page: bool,
}

pub fn encode_cursor(id: i64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("log:{id}"))
}

fn decode_cursor(cursor: &str) -> AppResult<i64> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("log:").and_then(|n| n.parse().ok()))
        .ok_or_else(|| AppError::bad_input("after", "not a cursor of this connection"))
}

/// The access log of one client. Only callers who may read the AUDIT group get here.
pub async fn page(
    rc: &RequestContext,
    client_id: &str,
    first: Option<i32>,
    after: Option<&str>,
) -> AppResult<LogPage> {
    if rc.principal.field_access(FieldId::LogAt) != ReadAccess::Read {
        return Err(AppError::Forbidden(None));
    }
    page_of(rc.db(), client_id, None, first, after).await
}

/// One page of the access log of one client, newest first, optionally only rows at or after
/// `since`. The caller has decided the reader may see it.
pub async fn page_of(
    db: &impl sea_orm::ConnectionTrait,
    client_id: &str,
    since: Option<chrono::DateTime<chrono::Utc>>,
    first: Option<i32>,
    after: Option<&str>,
) -> AppResult<LogPage> {
    let first = super::clients::page_size(first)?;
    let mut sql = Sql::new("SELECT t.* FROM access_log t WHERE t.client_id = ");
    sql.bind(client_id.to_owned());
    if let Some(since) = since {
        sql.push(" AND t.at >= ").bind(since);
    }
    if let Some(after) = after {
        sql.push(" AND t.id < ").bind(decode_cursor(after)?);
    }
    sql.push(" ORDER BY t.id DESC LIMIT ")
        .bind(i64::from(first) + 1);
    let mut rows = access_log::Entity::find()
        .from_raw_sql(sql.build_for(db))
        .all(db)
        .await?;
    let has_next_page = rows.len() > first as usize;
    rows.truncate(first as usize);
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut disclosures: HashMap<i64, Vec<disclosure_log::Model>> = HashMap::new();
    if !ids.is_empty() {
        let mut sql = Sql::new("SELECT t.* FROM disclosure_log t WHERE t.access_log_id IN ");
        sql.bind_list(&ids).push(" ORDER BY t.id");
        for d in disclosure_log::Entity::find()
            .from_raw_sql(sql.build_for(db))
            .all(db)
            .await?
        {
            disclosures.entry(d.access_log_id).or_default().push(d);
        }
    }
    let mut grants: HashMap<i64, String> = HashMap::new();
    if !ids.is_empty() {
        let mut sql = Sql::new(
            "SELECT b.access_log_id, b.break_glass_id FROM break_glass_access b WHERE b.access_log_id IN ",
        );
        sql.bind_list(&ids);
        for r in db.query_all_raw(sql.build_for(db)).await? {
            grants.insert(
                r.try_get("", "access_log_id")?,
                r.try_get("", "break_glass_id")?,
            );
        }
    }
    Ok(LogPage {
        rows: rows
            .into_iter()
            .map(|r| {
                let d = disclosures.remove(&r.id).unwrap_or_default();
                let g = grants.remove(&r.id);
                (r, d, g)
            })
            .collect(),
        has_next_page,
    })
}
