//! Officials (who signs in) and providers (not client data).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use entity::{official, official_role, provider};
use sea_orm::sea_query::{
    Asterisk, Expr, ExprTrait, JoinType, Order, Query, SelectStatement, SubQueryStatement,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder, Value,
};

use crate::authz::store::{newest_number_expr, PolicyStore};
use crate::authz::Principal;
use crate::db::{Rendered, Template};
use crate::domain::{Agency, Role};
use crate::error::AppError;

/// Why a token's subject cannot act.
#[derive(Debug, PartialEq, Eq)]
pub enum SignInRefusal {
    UnknownOrInactive,
    NoGrantedRole,
}

/// The sign-in statement, built once per backend: only the official and the time differ
/// from one request to the next.
static SIGN_IN: Rendered<DbBackend> = Rendered::new();

/// Stand for the official's id and the time in [`SIGN_IN`]: no id is text with a NUL in
/// it, and no request is made at the earliest time there is.
fn sign_in_marks() -> (Value, Value) {
    ("\0official".into(), DateTime::<Utc>::MIN_UTC.into())
}

/// The official `official_id`'s row, once for each role granted, with the number of
/// break-glass grants in force at `now`.
fn sign_in(official_id: Value, now: Value) -> SelectStatement {
    // `break_glass` is kept without an entity of its own (its rows are written by the audit).
    let grants = Query::select()
        .expr(Expr::col(Asterisk).count())
        .from_as("break_glass", "g")
        .and_where(Expr::col(("g", "official_id")).equals(("o", official::Column::Id)))
        .and_where(Expr::col(("g", "expires_at")).gt(now))
        .to_owned();
    Query::select()
        .columns([
            ("o", official::Column::Id),
            ("o", official::Column::Name),
            ("o", official::Column::Agency),
            ("o", official::Column::ProviderId),
            ("o", official::Column::Active),
        ])
        .column(("r", official_role::Column::Role))
        .expr_as(
            Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(grants))),
            "emergencies",
        )
        .expr_as(newest_number_expr(), "policy_version")
        .from_as(official::Entity, "o")
        .join_as(
            JoinType::LeftJoin,
            official_role::Entity,
            "r",
            Expr::col(("r", official_role::Column::OfficialId)).equals(("o", official::Column::Id)),
        )
        .and_where(Expr::col(("o", official::Column::Id)).eq(official_id))
        .to_owned()
}

/// Builds the caller from the official's row: agency and provider come from the database;
/// the effective roles are those in the token that the row also grants.
/// The roles' rights come from the policy in force as of this statement: a version stored
/// since this replica last compiled one is compiled first.
pub async fn principal(
    conn: &impl ConnectionTrait,
    policy: &PolicyStore,
    official_id: &str,
    token_roles: &[String],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Result<Principal, SignInRefusal>, AppError> {
    // The official, the roles granted, whether a break-glass grant is active and the newest
    // policy version, in one statement; the grants themselves only when there are any.
    let backend = conn.get_database_backend();
    let template = SIGN_IN.get(backend, || {
        let (official, at) = sign_in_marks();
        let statement = backend.build(&sign_in(official.clone(), at.clone()));
        Template::new(statement, &[official, at])
    })?;
    let rows = conn
        .query_all_raw(template.bind([official_id.into(), now.into()]))
        .await?;
    let Some(first) = rows.first() else {
        return Ok(Err(SignInRefusal::UnknownOrInactive));
    };
    if !first.try_get::<bool>("", "active")? {
        return Ok(Err(SignInRefusal::UnknownOrInactive));
    }
    let Ok(agency) = first.try_get::<String>("", "agency")?.parse::<Agency>() else {
        return Ok(Err(SignInRefusal::UnknownOrInactive));
    };
    let mut roles: Vec<Role> = Vec::new();
    for row in &rows {
        if let Some(role) = row
            .try_get::<Option<String>>("", "role")?
            .and_then(|r| r.parse::<Role>().ok())
        {
            if token_roles.iter().any(|t| t == role.code()) && role.allowed_for(agency) {
                roles.push(role);
            }
        }
    }
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        return Ok(Err(SignInRefusal::NoGrantedRole));
    }
    let in_force = policy
        .at_least(conn, first.try_get::<i64>("", "policy_version")?)
        .await?;
    let mask = in_force.policy.mask_for(&roles);
    let mut emergency = Vec::new();
    if first.try_get::<i64>("", "emergencies")? > 0 {
        let sql = Query::select()
            .columns(["client_id", "id"])
            .from("break_glass")
            .and_where(Expr::col("official_id").eq(official_id))
            .and_where(Expr::col("expires_at").gt(now))
            .order_by("opened_at", Order::Asc)
            .order_by("id", Order::Asc)
            .to_owned();
        for row in conn.query_all(&sql).await? {
            emergency.push((row.try_get("", "client_id")?, row.try_get("", "id")?));
        }
    }
    Ok(Ok(Principal {
        official_id: first.try_get("", "id")?,
        name: first.try_get("", "name")?,
        agency,
        provider_id: first.try_get("", "provider_id")?,
        roles,
        mask: Arc::clone(&mask),
        emergency,
    }))
}

/// All providers, by name.
pub async fn providers(conn: &impl ConnectionTrait) -> Result<Vec<provider::Model>, DbErr> {
    provider::Entity::find()
        .order_by_asc(provider::Column::Name)
        .all(conn)
        .await
}

/// Whether an active official with this id exists.
pub async fn exists(conn: &impl ConnectionTrait, id: &str) -> Result<bool, DbErr> {
    Ok(official::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
        .is_some_and(|o| o.active))
}

/// The first active official holding each role, in contract order (for the demo tokens).
pub async fn demo_officials(conn: &impl ConnectionTrait) -> Result<Vec<(Role, String)>, DbErr> {
    let officials = official::Entity::find()
        .filter(official::Column::Active.eq(true))
        .order_by_asc(official::Column::CreatedAt)
        .order_by_asc(official::Column::Name)
        .all(conn)
        .await?;
    let roles = official_role::Entity::find().all(conn).await?;
    let mut out = Vec::new();
    for role in Role::ALL {
        let holder = officials.iter().find(|o| {
            roles
                .iter()
                .any(|r| r.official_id == o.id && r.role == role.code())
                && o.agency
                    .parse::<Agency>()
                    .is_ok_and(|a| role.allowed_for(a))
                && (role != Role::TypOfficer || o.agency == Agency::Te.code())
        });
        if let Some(o) = holder {
            out.push((role, o.id.clone()));
        }
    }
    Ok(out)
}
