//! Break-glass: an official opens a client outside their row scope for an urgent reason.
//! The grant is time-limited (setting, default 2 h), needs a reason, flags every access-log
//! row made under it, and is a review item until an AUDITOR closes it. It widens only the
//! row scope: the role's field mask and the consent rule apply as always. Nothing else
//! grants access outside the policy; the right to break glass is itself a policy object
//! (`EMERGENCY/access`), and so is reviewing (`REVIEW/break-glass`).

use chrono::{DateTime, Duration, Utc};
use entity::{break_glass, client, official};
use sea_orm::sea_query::{Asterisk, Expr, Order, Query, SelectStatement};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DeriveIden, EntityTrait, FromQueryResult,
    QueryFilter, QuerySelect,
};

use super::write::{self, Written};
use super::RequestContext;
use crate::authz::{FieldGroup, Managed};
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

/// The access-log rows made under a grant (written by the audit; no entity of its own).
#[derive(DeriveIden)]
enum BreakGlassAccess {
    Table,
    BreakGlassId,
}

/// The grants with their officials' names and the rows logged under each.
fn grants() -> SelectStatement {
    use break_glass::Column as G;
    use sea_orm::sea_query::ExprTrait;
    let rows_logged = Query::select()
        .expr(Expr::col(Asterisk).count())
        .from(BreakGlassAccess::Table)
        .and_where(
            Expr::col((BreakGlassAccess::Table, BreakGlassAccess::BreakGlassId))
                .equals((break_glass::Entity, G::Id)),
        )
        .to_owned();
    Query::select()
        .columns([G::Id, G::OfficialId].map(|c| (break_glass::Entity, c)))
        .expr_as(
            Expr::col((official::Entity, official::Column::Name)),
            "official_name",
        )
        .columns(
            [
                G::Agency,
                G::Roles,
                G::ClientId,
                G::Reason,
                G::OpenedAt,
                G::ExpiresAt,
                G::ReviewStatus,
                G::ReviewedBy,
                G::ReviewedAt,
                G::ReviewNote,
            ]
            .map(|c| (break_glass::Entity, c)),
        )
        .expr_as(rows_logged, "rows_logged")
        .from(break_glass::Entity)
        .inner_join(
            official::Entity,
            Expr::col((official::Entity, official::Column::Id))
                .equals((break_glass::Entity, G::OfficialId)),
        )
        .to_owned()
}

async fn one(conn: &impl ConnectionTrait, id: &str) -> AppResult<Grant> {
    let select = grants()
        .and_where(break_glass::Column::Id.eq(id))
        .to_owned();
    Grant::find_by_statement(conn.get_database_backend().build(&select))
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
        let living = client::Entity::find_by_id(client_id)
            .select_only()
            .column(client::Column::Id)
            .filter(client::Column::DateOfDeath.is_null())
            .into_tuple::<String>()
            .one(sp)
            .await?;
        if living.is_none() {
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
    let mut select = grants();
    let col = |c: break_glass::Column| Expr::col((break_glass::Entity, c));
    if open_only {
        select.and_where(break_glass::Column::ReviewStatus.eq("OPEN"));
    }
    select
        .order_by_expr(col(break_glass::Column::OpenedAt), Order::Asc)
        .order_by_expr(col(break_glass::Column::Id), Order::Asc);
    Ok(
        Grant::find_by_statement(rc.db().get_database_backend().build(&select))
            .all(rc.db())
            .await?,
    )
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
