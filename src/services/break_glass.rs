//! Break-glass: an official opens a client outside their row scope for an urgent reason.
//! The grant is time-limited (setting, default 2 h), needs a reason, flags every access-log
//! row made under it, and is a review item until an AUDITOR closes it. It widens only the
//! row scope: the role's field mask and the consent rule apply as always. Nothing else
//! grants access outside the policy; the right to break glass is itself a policy object
//! (`EMERGENCY/access`), and so is reviewing (`REVIEW/break-glass`).

use chrono::{DateTime, Duration, Utc};
use entity::break_glass;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter,
};

use super::write::{self, Written};
use super::RequestContext;
use crate::authz::{FieldGroup, Managed};
use crate::db::Sql;
use crate::error::{AppError, AppResult};

/// One grant, with what the review needs.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Grant {
    pub id: String,
    pub official_id: String,
    pub official_name: String,
    pub agency: String,
    pub roles: String,
    pub client_id: String,
    pub reason: String,
    pub opened_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub review_status: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub review_note: Option<String>,
    /// Access-log rows made under the grant.
    pub rows_logged: i64,
}

const SELECT: &str = "SELECT g.id, g.official_id, o.name AS official_name, g.agency, g.roles, g.client_id, g.reason, g.opened_at, g.expires_at, g.review_status, g.reviewed_by, g.reviewed_at, g.review_note, (SELECT COUNT(*) FROM break_glass_access b WHERE b.break_glass_id = g.id) AS rows_logged FROM break_glass g JOIN official o ON o.id = g.official_id";

async fn one(conn: &impl ConnectionTrait, id: &str) -> AppResult<Grant> {
    let mut sql = Sql::new(&format!("{SELECT} WHERE g.id = "));
    sql.bind(id.to_owned());
    Grant::find_by_statement(sql.build_for(conn))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// Opens `client_id` to the caller for the configured time. From the next request on, the
/// client is in the caller's scope as a TYP client would be.
pub async fn open(rc: &RequestContext, client_id: &str, reason: &str) -> AppResult<Grant> {
    let hours = i64::from(rc.settings.break_glass_hours.max(1));
    let grant = write::unscoped(rc, Managed::BreakGlass, async |sp| {
        let reason = reason.trim();
        if reason.chars().count() < 10 || reason.chars().count() > 2000 {
            return Err(AppError::bad_input(
                "reason",
                "say why it is urgent: 10 to 2000 characters",
            ));
        }
        let mut sql =
            Sql::new("SELECT c.id FROM client c WHERE c.date_of_death IS NULL AND c.id = ");
        sql.bind(client_id.to_owned());
        if sp.query_one_raw(sql.build_for(sp)).await?.is_none() {
            return Err(AppError::NotFound);
        }
        if rc.principal().emergency_grant(client_id).is_some() {
            return Err(AppError::Conflict(
                "a break-glass grant for this client is already active".into(),
            ));
        }
        if super::client::find(rc, client_id)
            .await?
            .is_some_and(|c| c.scope.typ)
        {
            return Err(AppError::bad_input(
                "clientId",
                "the client is already in your scope: no break-glass needed",
            ));
        }
        let id = uuid::Uuid::new_v4().to_string();
        break_glass::Entity::insert(break_glass::ActiveModel {
            id: Set(id.clone()),
            official_id: Set(rc.principal().official_id.clone()),
            agency: Set(rc.principal().agency.code().to_owned()),
            roles: Set(rc.principal().roles_text()),
            client_id: Set(client_id.to_owned()),
            reason: Set(reason.to_owned()),
            opened_at: Set(rc.now),
            expires_at: Set(rc.now + Duration::hours(hours)),
            review_status: Set("OPEN".to_owned()),
            ..Default::default()
        })
        .exec_without_returning(sp)
        .await?;
        let grant = one(sp, &id).await?;
        Ok(Written::for_client_id(client_id, grant).also(FieldGroup::Audit))
    })
    .await?;
    tracing::warn!(grant = %grant.id, hours, "break-glass grant opened");
    Ok(grant)
}

/// Review items, oldest first; `open_only`: those not yet closed.
pub async fn reviews(rc: &RequestContext, open_only: bool) -> AppResult<Vec<Grant>> {
    if !rc
        .principal()
        .mask
        .may_manage(Managed::BreakGlassReviews, false)
    {
        return Err(AppError::Forbidden(None));
    }
    let mut sql = Sql::new(SELECT);
    if open_only {
        sql.push(" WHERE g.review_status = 'OPEN'");
    }
    sql.push(" ORDER BY g.opened_at, g.id");
    Ok(Grant::find_by_statement(sql.build_for(rc.db()))
        .all(rc.db())
        .await?)
}

/// Closes a review item with the reviewer's note. A grant still running cannot be closed:
/// what it will still read would go unreviewed. Nobody closes the review of a grant they
/// opened themself (FORBIDDEN).
pub async fn close(rc: &RequestContext, id: &str, note: &str) -> AppResult<Grant> {
    write::unscoped(rc, Managed::BreakGlassReviews, async |sp| {
        let note = note.trim();
        if note.is_empty() || note.chars().count() > 2000 {
            return Err(AppError::bad_input("note", "1 to 2000 characters"));
        }
        let grant = one(sp, id).await?;
        if grant.official_id == rc.principal().official_id {
            // A second person reviews: an official holding an agency role and AUDITOR
            // (where the policy combines them) never closes the review of their own grant.
            return Err(AppError::Forbidden(None));
        }
        if grant.review_status != "OPEN" {
            return Err(AppError::Conflict(
                "the review item is already closed".into(),
            ));
        }
        if grant.expires_at > rc.now {
            return Err(AppError::Conflict(
                "the grant is still running; close its review after it expires".into(),
            ));
        }
        let done = break_glass::Entity::update_many()
            .col_expr(break_glass::Column::ReviewStatus, Expr::value("CLOSED"))
            .col_expr(
                break_glass::Column::ReviewedBy,
                Expr::value(rc.principal().official_id.clone()),
            )
            .col_expr(break_glass::Column::ReviewedAt, Expr::value(rc.now))
            .col_expr(break_glass::Column::ReviewNote, Expr::value(note))
            .filter(break_glass::Column::Id.eq(grant.id.clone()))
            .filter(break_glass::Column::ReviewStatus.eq("OPEN"))
            .exec(sp)
            .await?;
        if done.rows_affected != 1 {
            return Err(AppError::Conflict(
                "the review item changed meanwhile".into(),
            ));
        }
        let grant = one(sp, &grant.id).await?;
        Ok(Written::for_client_id(&grant.client_id.clone(), grant).also(FieldGroup::Audit))
    })
    .await
}
