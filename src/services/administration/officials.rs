//! Officials: the people who sign in, their agency, provider and roles. Roles are
//! changed only under the checks of [`super::checks`].

use entity::{official, official_role, provider};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder,
};

use super::checks::{
    keeps_an_administrator, keeps_the_policy_writer, policy_for_role_checks, separated_duties,
};
use super::log::log;
use super::{manage, require, roles_text, OfficialRecord};
use crate::authz::store::PolicyStore;
use crate::authz::Managed;
use crate::domain::{Agency, Role};
use crate::error::{AppError, AppResult};
use crate::services::input::required_text;
use crate::services::RequestContext;

async fn roles_of(conn: &impl ConnectionTrait, official_id: &str) -> AppResult<Vec<Role>> {
    let mut roles: Vec<Role> = official_role::Entity::find()
        .filter(official_role::Column::OfficialId.eq(official_id))
        .all(conn)
        .await?
        .iter()
        .filter_map(|r| r.role.parse().ok())
        .collect();
    roles.sort();
    Ok(roles)
}

/// All officials (active first, then by name), with their roles.
pub async fn officials(
    rc: &RequestContext,
    include_inactive: bool,
) -> AppResult<Vec<OfficialRecord>> {
    require(rc, Managed::Officials, false)?;
    let mut q = official::Entity::find()
        .order_by_desc(official::Column::Active)
        .order_by_asc(official::Column::Name)
        .order_by_asc(official::Column::Id);
    if !include_inactive {
        q = q.filter(official::Column::Active.eq(true));
    }
    let rows = q.all(rc.db()).await?;
    let grants = official_role::Entity::find().all(rc.db()).await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut roles: Vec<Role> = grants
                .iter()
                .filter(|g| g.official_id == row.id)
                .filter_map(|g| g.role.parse().ok())
                .collect();
            roles.sort();
            OfficialRecord { row, roles }
        })
        .collect())
}

async fn find_official(db: &impl ConnectionTrait, id: &str) -> AppResult<OfficialRecord> {
    let row = official::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let roles = roles_of(db, &row.id).await?;
    Ok(OfficialRecord { row, roles })
}

/// Checks a role set for an agency: at least one, each allowed for the agency.
fn checked_roles(agency: Agency, roles: &[Role]) -> AppResult<Vec<Role>> {
    let mut roles = roles.to_vec();
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        return Err(AppError::bad_input(
            "roles",
            "an official holds at least one role",
        ));
    }
    if let Some(r) = roles.iter().find(|r| !r.allowed_for(agency)) {
        return Err(AppError::bad_input(
            "roles",
            format!("{} is not a role of the agency {}", r.code(), agency.code()),
        ));
    }
    Ok(roles)
}

async fn write_roles(db: &DatabaseTransaction, official_id: &str, roles: &[Role]) -> AppResult<()> {
    official_role::Entity::delete_many()
        .filter(official_role::Column::OfficialId.eq(official_id))
        .exec(db)
        .await?;
    let grants = roles.iter().map(|role| official_role::ActiveModel {
        official_id: Set(official_id.to_owned()),
        role: Set(role.code().to_owned()),
    });
    official_role::Entity::insert_many(grants)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Input of [`create_official`].
pub struct NewOfficial {
    /// The subject of the official's tokens; a new UUID when absent.
    pub id: Option<String>,
    pub name: String,
    pub agency: Agency,
    pub provider_id: Option<String>,
    pub roles: Vec<Role>,
}

/// An official id: the `sub` of their tokens, 1-64 of `A-Z a-z 0-9 . _ -`.
fn official_id(value: Option<&str>) -> AppResult<String> {
    match value.map(str::trim) {
        None => Ok(uuid::Uuid::new_v4().to_string()),
        Some(v)
            if !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')) =>
        {
            Ok(v.to_owned())
        }
        Some(_) => Err(AppError::bad_input(
            "id",
            "an official id is 1-64 letters, digits, dots, underscores or hyphens",
        )),
    }
}

async fn active_provider(rc: &RequestContext, id: &str) -> AppResult<provider::Model> {
    provider::Entity::find_by_id(id.to_owned())
        .one(rc.db())
        .await?
        .filter(|p| p.active)
        .ok_or_else(|| AppError::bad_input("providerId", "no active provider with this id"))
}

/// Creates an official; the separation of duties is checked against the newest stored
/// policy version, read from `policies` under the role-check lock.
pub async fn create_official(
    rc: &RequestContext,
    policies: &PolicyStore,
    input: NewOfficial,
) -> AppResult<OfficialRecord> {
    manage(rc, Managed::Officials, async |db| {
        create_official_in(rc, db, policies, input).await
    })
    .await
}

async fn create_official_in(
    rc: &RequestContext,
    db: &DatabaseTransaction,
    policies: &PolicyStore,
    input: NewOfficial,
) -> AppResult<OfficialRecord> {
    let id = official_id(input.id.as_deref())?;
    let name = required_text("name", &input.name, 200)?;
    let roles = checked_roles(input.agency, &input.roles)?;
    let policy = policy_for_role_checks(rc, policies).await?;
    let waived = separated_duties(&policy.policy, &roles)?;
    let provider_id = match (input.agency, input.provider_id) {
        (Agency::Provider, Some(p)) => Some(active_provider(rc, &p).await?.id),
        (Agency::Provider, None) => {
            return Err(AppError::bad_input(
                "providerId",
                "a provider's official names the provider",
            ))
        }
        (_, Some(_)) => {
            return Err(AppError::bad_input(
                "providerId",
                "only officials of the agency PROVIDER belong to a provider",
            ))
        }
        (_, None) => None,
    };
    if official::Entity::find_by_id(id.clone())
        .one(rc.db())
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(
            "an official with this id exists already".into(),
        ));
    }
    let row = official::ActiveModel {
        id: Set(id.clone()),
        name: Set(name),
        agency: Set(input.agency.code().to_owned()),
        provider_id: Set(provider_id.clone()),
        active: Set(true),
        created_at: Set(rc.now),
    };
    official::Entity::insert(row)
        .exec_without_returning(db)
        .await?;
    write_roles(db, &id, &roles).await?;
    let mut detail = format!(
        "agency {}; roles {}; provider {}",
        input.agency.code(),
        roles_text(&roles),
        provider_id.as_deref().unwrap_or("-")
    );
    for line in waived {
        detail.push_str("; ");
        detail.push_str(&line);
    }
    log(db, rc, "CREATE_OFFICIAL", &id, &detail).await?;
    find_official(db, &id).await
}

/// Changes an official's name and/or roles (the agency and provider stay: they are what
/// the official's past records were made under). Nobody changes their own roles: an
/// administrator who could would grant themself client-data roles unseen by a second
/// person. A change of roles is checked (separation of duties, last administrator, the
/// policy's last writer) against the newest stored version, read from `policies` under the
/// role-check lock.
pub async fn update_official(
    rc: &RequestContext,
    policies: &PolicyStore,
    id: &str,
    name: Option<String>,
    roles: Option<Vec<Role>>,
) -> AppResult<OfficialRecord> {
    manage(rc, Managed::Officials, async |db| {
        update_official_in(rc, db, policies, id, name, roles).await
    })
    .await
}

async fn update_official_in(
    rc: &RequestContext,
    db: &DatabaseTransaction,
    policies: &PolicyStore,
    id: &str,
    name: Option<String>,
    roles: Option<Vec<Role>>,
) -> AppResult<OfficialRecord> {
    let current = find_official(db, id).await?;
    let agency: Agency = current
        .row
        .agency
        .parse()
        .map_err(|_| AppError::internal("stored agency code unknown"))?;
    let name = name
        .map(|n| required_text("name", &n, 200))
        .transpose()?
        .filter(|n| *n != current.row.name);
    let roles = match roles {
        None => None,
        Some(roles) => Some(checked_roles(agency, &roles)?).filter(|r| *r != current.roles),
    };
    let mut waived = Vec::new();
    if let Some(roles) = &roles {
        if current.row.id == rc.principal().official_id {
            return Err(AppError::Forbidden(None));
        }
        let policy = policy_for_role_checks(rc, policies).await?;
        waived = separated_duties(&policy.policy, roles)?;
        if current.row.active {
            keeps_the_policy_writer(rc, &policy.policy, id, roles).await?;
        }
    }
    let mut changed = Vec::new();
    if let Some(name) = name {
        official::Entity::update_many()
            .col_expr(official::Column::Name, Expr::value(name))
            .filter(official::Column::Id.eq(id))
            .exec(db)
            .await?;
        changed.push("name".to_owned());
    }
    if let Some(roles) = roles {
        if current.roles.contains(&Role::Admin) && !roles.contains(&Role::Admin) {
            keeps_an_administrator(rc, id).await?;
        }
        write_roles(db, id, &roles).await?;
        changed.push(format!(
            "roles {} -> {}",
            roles_text(&current.roles),
            roles_text(&roles)
        ));
        changed.extend(waived);
    }
    if !changed.is_empty() {
        log(db, rc, "UPDATE_OFFICIAL", id, &changed.join("; ")).await?;
    }
    find_official(db, id).await
}

/// Deactivates an official: their tokens stop working at the next request, everywhere.
/// Refused when it would leave no active administrator or nobody who may change the
/// policy in force (the newest stored version, read from `policies` under the role-check
/// lock).
pub async fn deactivate_official(
    rc: &RequestContext,
    policies: &PolicyStore,
    id: &str,
) -> AppResult<OfficialRecord> {
    manage(rc, Managed::Officials, async |db| {
        deactivate_official_in(rc, db, policies, id).await
    })
    .await
}

async fn deactivate_official_in(
    rc: &RequestContext,
    db: &DatabaseTransaction,
    policies: &PolicyStore,
    id: &str,
) -> AppResult<OfficialRecord> {
    let current = find_official(db, id).await?;
    if current.row.active {
        let policy = policy_for_role_checks(rc, policies).await?;
        if current.roles.contains(&Role::Admin) {
            keeps_an_administrator(rc, id).await?;
        }
        keeps_the_policy_writer(rc, &policy.policy, id, &[]).await?;
        official::Entity::update_many()
            .col_expr(official::Column::Active, Expr::value(false))
            .filter(official::Column::Id.eq(id))
            .exec(db)
            .await?;
        log(db, rc, "DEACTIVATE_OFFICIAL", id, "active -> inactive").await?;
    }
    find_official(db, id).await
}
