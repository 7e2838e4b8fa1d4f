//! Administration (contract §4, ADMIN): officials, providers and policy versions. Not
//! client data, so no access-log rows; every change writes an `admin_log` row in the same
//! transaction instead. Rights come from the policy's `MANAGE/...` objects.
//!
//! Deactivating an official takes effect at that official's next request on every replica:
//! sign-in reads the official's row each time. A new policy version reaches the other
//! replicas through [`crate::authz::store`].

use chrono::{DateTime, Utc};
use entity::{official, official_role, provider};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, DeriveIden,
    EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
};

use super::input::required_text;
use super::write::{self, Written};
use super::RequestContext;
use std::collections::BTreeMap;
use std::sync::Arc;

use crate::authz::store::{insert_version, newest_in, InForce, NewVersion, StoreError};
use crate::authz::{Managed, Policy};
use crate::db::Sql;
use crate::domain::provider::ProviderKind;
use crate::domain::{Agency, Role};
use crate::error::{AppError, AppResult};

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

/// The administration log (a table without an entity: only appended to and listed).
#[derive(DeriveIden)]
enum AdminLog {
    Table,
    At,
    OfficialId,
    Action,
    Target,
    Detail,
}

async fn log(
    db: &impl ConnectionTrait,
    rc: &RequestContext,
    action: &str,
    target: &str,
    detail: &str,
) -> AppResult<()> {
    let insert = Query::insert()
        .into_table(AdminLog::Table)
        .columns([
            AdminLog::At,
            AdminLog::OfficialId,
            AdminLog::Action,
            AdminLog::Target,
            AdminLog::Detail,
        ])
        .values_panic([
            rc.now.into(),
            rc.principal().official_id.as_str().into(),
            action.into(),
            target.into(),
            detail.into(),
        ])
        .to_owned();
    db.execute(&insert).await?;
    Ok(())
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

/// Key of the PostgreSQL advisory lock that serialises the checks on who still holds
/// which role ("typgroff").
const OFFICIALS_LOCK: i64 = 0x7479_7067_726f_6666;

/// Serialises, across requests and replicas, the changes whose check counts the active
/// officials holding a role (the last administrator, the policy's last writer): without
/// it, two administrators deactivating each other at once on PostgreSQL (read committed)
/// each count the other as remaining, and both commit. The lock is held until the
/// request's transaction ends, so the count runs after the other change committed. On
/// SQLite the request's transaction holds the write lock from its start (IMMEDIATE), which
/// serialises such requests already.
async fn serialise_role_checks(rc: &RequestContext) -> AppResult<()> {
    if rc.db().get_database_backend() == DbBackend::Postgres {
        let mut sql = Sql::new("SELECT pg_advisory_xact_lock(");
        sql.bind(OFFICIALS_LOCK).push(")");
        rc.db().execute_raw(sql.build_for(rc.db())).await?;
    }
    Ok(())
}

/// Refuses a change that would leave no active official able to administer officials
/// (nobody could undo it).
async fn keeps_an_administrator(rc: &RequestContext, losing: &str) -> AppResult<()> {
    serialise_role_checks(rc).await?;
    let mut sql = Sql::new(
        "SELECT COUNT(*) AS n FROM official o JOIN official_role r ON r.official_id = o.id WHERE o.active AND r.role = 'ADMIN' AND o.id <> ",
    );
    sql.bind(losing);
    let others = match rc.db().query_one_raw(sql.build_for(rc.db())).await? {
        Some(row) => row.try_get::<i64>("", "n")?,
        None => 0,
    };
    if others == 0 {
        return Err(AppError::Conflict(
            "this would leave no active administrator".into(),
        ));
    }
    Ok(())
}

/// Takes the role-check lock, then reads the policy in force as this transaction sees it
/// (`known` unless a newer version was stored meanwhile): the checks on roles then run
/// against the same policy a concurrent `load_policy` checks its candidate against, one
/// after the other.
async fn policy_for_role_checks(
    rc: &RequestContext,
    known: &Arc<InForce>,
) -> AppResult<Arc<InForce>> {
    serialise_role_checks(rc).await?;
    newest_in(rc.db(), known).await.map_err(|e| match e {
        StoreError::Db(e) => AppError::from(e),
        StoreError::Policy(e) => AppError::internal(format!("stored policy version: {e}")),
    })
}

/// How many active officials, other than `except`, hold one of `roles`.
async fn active_holders(
    rc: &RequestContext,
    roles: &[Role],
    except: Option<&str>,
) -> AppResult<i64> {
    if roles.is_empty() {
        return Ok(0);
    }
    let mut sql = Sql::new(
        "SELECT COUNT(DISTINCT o.id) AS n FROM official o JOIN official_role r ON r.official_id = o.id WHERE o.active AND r.role IN (",
    );
    for (i, role) in roles.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(role.code());
    }
    sql.push(")");
    if let Some(id) = except {
        sql.push(" AND o.id <> ").bind(id);
    }
    Ok(match rc.db().query_one_raw(sql.build_for(rc.db())).await? {
        Some(row) => row.try_get::<i64>("", "n")?,
        None => 0,
    })
}

/// Refuses a change that leaves official `id` holding `remaining` (nothing when
/// deactivated) if then no active official could change the policy under `policy`: the
/// policy's last writer is kept like the last administrator. Call with the role-check
/// lock held.
async fn keeps_the_policy_writer(
    rc: &RequestContext,
    policy: &Policy,
    id: &str,
    remaining: &[Role],
) -> AppResult<()> {
    let writers = policy.policy_writers();
    if remaining.iter().any(|r| writers.contains(r)) {
        return Ok(());
    }
    if active_holders(rc, &writers, Some(id)).await? == 0 {
        return Err(AppError::Conflict(
            "this would leave no active official who may change the policy".into(),
        ));
    }
    Ok(())
}

/// Refuses a policy under which an active official would hold an overseer role together
/// with roles that handle client data without the policy's waiver: the separation of
/// duties checked when roles are granted must hold under every policy loaded later too.
/// Names the role combination only, not the official. Call with the role-check lock held.
async fn keeps_duties_separated(rc: &RequestContext, candidate: &Policy) -> AppResult<()> {
    let sql = Sql::new(
        "SELECT r.official_id, r.role FROM official o JOIN official_role r ON r.official_id = o.id WHERE o.active ORDER BY r.official_id, r.role",
    );
    let mut held: BTreeMap<String, Vec<Role>> = BTreeMap::new();
    for row in rc.db().query_all_raw(sql.build_for(rc.db())).await? {
        let official: String = row.try_get("", "official_id")?;
        let role: String = row.try_get("", "role")?;
        if let Ok(role) = role.parse() {
            held.entry(official).or_default().push(role);
        }
    }
    for roles in held.values() {
        if let Some(c) = candidate
            .combined_duties(roles)
            .into_iter()
            .find(|c| !c.waived)
        {
            return Err(AppError::bad_input(
                "policy",
                format!(
                    "separation of duties: under this policy an active official would hold {} together with roles that handle client data ({}); change their roles first or allow it (DUTIES/combine)",
                    c.overseer.code(),
                    roles_text(&c.with)
                ),
            ));
        }
    }
    Ok(())
}

/// The separation of duties on a role set: an overseer role (ADMIN, AUDITOR) is not held
/// together with roles that handle client data, unless the policy waives it for that
/// overseer role (`DUTIES/combine`). Answers the waived combinations, each to be written
/// into the change's administration-log row.
fn separated_duties(policy: &Policy, roles: &[Role]) -> AppResult<Vec<String>> {
    let mut waived = Vec::new();
    for c in policy.combined_duties(roles) {
        if !c.waived {
            return Err(AppError::bad_input(
                "roles",
                format!(
                    "separation of duties: an official holding {} holds no role that handles client data ({}), unless the policy allows it (DUTIES/combine)",
                    c.overseer.code(),
                    roles_text(&c.with)
                ),
            ));
        }
        waived.push(format!(
            "combines {} with {} (allowed by p, {}, {}, write)",
            c.overseer.code(),
            roles_text(&c.with),
            c.overseer.code(),
            Managed::CombineDuties.object()
        ));
    }
    Ok(waived)
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

/// Creates an official; `in_force` is the policy this replica has in force (the separation
/// of duties is checked against the newest stored version, under the role-check lock).
pub async fn create_official(
    rc: &RequestContext,
    in_force: &Arc<InForce>,
    input: NewOfficial,
) -> AppResult<OfficialRecord> {
    manage(rc, Managed::Officials, async |db| {
        create_official_in(rc, db, in_force, input).await
    })
    .await
}

async fn create_official_in(
    rc: &RequestContext,
    db: &DatabaseTransaction,
    in_force: &Arc<InForce>,
    input: NewOfficial,
) -> AppResult<OfficialRecord> {
    let id = official_id(input.id.as_deref())?;
    let name = required_text("name", &input.name, 200)?;
    let roles = checked_roles(input.agency, &input.roles)?;
    let policy = policy_for_role_checks(rc, in_force).await?;
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
/// person. `in_force` is the policy this replica has in force; a change of roles is checked
/// (separation of duties, last administrator, the policy's last writer) against the newest
/// stored version, under the role-check lock.
pub async fn update_official(
    rc: &RequestContext,
    in_force: &Arc<InForce>,
    id: &str,
    name: Option<String>,
    roles: Option<Vec<Role>>,
) -> AppResult<OfficialRecord> {
    manage(rc, Managed::Officials, async |db| {
        update_official_in(rc, db, in_force, id, name, roles).await
    })
    .await
}

async fn update_official_in(
    rc: &RequestContext,
    db: &DatabaseTransaction,
    in_force: &Arc<InForce>,
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
        let policy = policy_for_role_checks(rc, in_force).await?;
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
/// policy in force (`in_force`, or the newest stored version under the role-check lock).
pub async fn deactivate_official(
    rc: &RequestContext,
    in_force: &Arc<InForce>,
    id: &str,
) -> AppResult<OfficialRecord> {
    manage(rc, Managed::Officials, async |db| {
        deactivate_official_in(rc, db, in_force, id).await
    })
    .await
}

async fn deactivate_official_in(
    rc: &RequestContext,
    db: &DatabaseTransaction,
    in_force: &Arc<InForce>,
    id: &str,
) -> AppResult<OfficialRecord> {
    let current = find_official(db, id).await?;
    if current.row.active {
        let policy = policy_for_role_checks(rc, in_force).await?;
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

async fn provider_named(
    db: &impl ConnectionTrait,
    name: &str,
    except: Option<&str>,
) -> AppResult<()> {
    let clash = provider::Entity::find()
        .filter(provider::Column::Name.eq(name))
        .one(db)
        .await?
        .filter(|p| Some(p.id.as_str()) != except);
    match clash {
        Some(_) => Err(AppError::Conflict(
            "a provider with this name exists already".into(),
        )),
        None => Ok(()),
    }
}

async fn find_provider(db: &impl ConnectionTrait, id: &str) -> AppResult<provider::Model> {
    provider::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Adds a provider.
pub async fn create_provider(
    rc: &RequestContext,
    name: &str,
    kind: ProviderKind,
    municipality: &str,
) -> AppResult<provider::Model> {
    manage(rc, Managed::Providers, async |db| {
        let name = required_text("name", name, 200)?;
        let municipality = required_text("municipality", municipality, 100)?;
        provider_named(db, &name, None).await?;
        let id = uuid::Uuid::new_v4().to_string();
        let row = provider::ActiveModel {
            id: Set(id.clone()),
            name: Set(name),
            kind: Set(kind.code().to_owned()),
            municipality: Set(municipality),
            active: Set(true),
            created_at: Set(rc.now),
        };
        provider::Entity::insert(row)
            .exec_without_returning(db)
            .await?;
        log(
            db,
            rc,
            "CREATE_PROVIDER",
            &id,
            &format!("kind {}", kind.code()),
        )
        .await?;
        find_provider(db, &id).await
    })
    .await
}

/// Renames a provider or changes its municipality.
pub async fn update_provider(
    rc: &RequestContext,
    id: &str,
    name: Option<String>,
    municipality: Option<String>,
) -> AppResult<provider::Model> {
    manage(rc, Managed::Providers, async |db| {
        let current = find_provider(db, id).await?;
        let mut update = provider::Entity::update_many().filter(provider::Column::Id.eq(id));
        let mut changed = Vec::new();
        if let Some(name) = name {
            let name = required_text("name", &name, 200)?;
            if name != current.name {
                provider_named(db, &name, Some(id)).await?;
                update = update.col_expr(provider::Column::Name, Expr::value(name));
                changed.push("name");
            }
        }
        if let Some(m) = municipality {
            let m = required_text("municipality", &m, 100)?;
            if m != current.municipality {
                update = update.col_expr(provider::Column::Municipality, Expr::value(m));
                changed.push("municipality");
            }
        }
        if !changed.is_empty() {
            update.exec(db).await?;
            log(db, rc, "UPDATE_PROVIDER", id, &changed.join(", ")).await?;
        }
        find_provider(db, id).await
    })
    .await
}

/// Deactivates a provider: it takes no new KTT periods. Refused while active officials
/// belong to it (deactivate them first, so no coach keeps access by accident).
pub async fn deactivate_provider(rc: &RequestContext, id: &str) -> AppResult<provider::Model> {
    manage(rc, Managed::Providers, async |db| {
        let current = find_provider(db, id).await?;
        if current.active {
            let staff = official::Entity::find()
                .filter(official::Column::ProviderId.eq(id))
                .filter(official::Column::Active.eq(true))
                .all(db)
                .await?;
            if !staff.is_empty() {
                return Err(AppError::Conflict(format!(
                    "{} active officials belong to this provider; deactivate them first",
                    staff.len()
                )));
            }
            provider::Entity::update_many()
                .col_expr(provider::Column::Active, Expr::value(false))
                .filter(provider::Column::Id.eq(id))
                .exec(db)
                .await?;
            log(db, rc, "DEACTIVATE_PROVIDER", id, "active -> inactive").await?;
        }
        find_provider(db, id).await
    })
    .await
}

/// Input of [`load_policy`].
pub struct NewPolicy {
    /// The casbin model; the one in force when absent.
    pub model: Option<String>,
    pub policy: String,
    pub comment: String,
    pub allow_beyond_contract: bool,
}

/// Refuses a policy under which no active official could change the policy again: some
/// role that may write `MANAGE/policy` must be held by an active official (a role nobody
/// holds, or CLIENT, would lock every official out).
async fn keeps_a_policy_writer(rc: &RequestContext, candidate: &Policy) -> AppResult<()> {
    let writers = candidate.policy_writers();
    serialise_role_checks(rc).await?;
    let holders = active_holders(rc, &writers, None).await?;
    if holders == 0 {
        return Err(AppError::bad_input(
            "policy",
            format!(
                "no active official holds a role that may write MANAGE/policy ({}): the policy could never be changed again",
                if writers.is_empty() {
                    "none".to_owned()
                } else {
                    roles_text(&writers)
                }
            ),
        ));
    }
    Ok(())
}

/// Largest policy or model text accepted.
const MAX_POLICY_BYTES: usize = 64 * 1024;

/// Validates and stores a new policy version; it is in force on every replica once the
/// request commits (this one at once, the others on the notification).
pub async fn load_policy(
    rc: &RequestContext,
    in_force_model: &str,
    input: NewPolicy,
) -> AppResult<PolicyVersion> {
    manage(rc, Managed::Policy, async |db| {
        load_policy_in(rc, db, in_force_model, input).await
    })
    .await
}

async fn load_policy_in(
    rc: &RequestContext,
    db: &DatabaseTransaction,
    in_force_model: &str,
    input: NewPolicy,
) -> AppResult<PolicyVersion> {
    let comment = required_text("comment", &input.comment, 500)?;
    let model = input.model.unwrap_or_else(|| in_force_model.to_owned());
    for (field, text) in [("model", &model), ("policy", &input.policy)] {
        if text.len() > MAX_POLICY_BYTES {
            return Err(AppError::bad_input(
                field,
                format!("{field} is at most 64 KiB"),
            ));
        }
    }
    let candidate = Policy::compile(&model, &input.policy)
        .await
        .map_err(|e| AppError::bad_input("policy", e.0))?;
    let contract = Policy::contract().await.map_err(AppError::internal)?;
    let gains = candidate
        .check_candidate(&contract, input.allow_beyond_contract)
        .map_err(|e| AppError::bad_input("policy", e.0))?;
    keeps_a_policy_writer(rc, &candidate).await?;
    keeps_duties_separated(rc, &candidate).await?;
    let version = insert_version(
        db,
        &NewVersion {
            model: &model,
            policy: &input.policy,
            source: "ADMIN",
            comment: &comment,
            beyond_contract: !gains.is_empty(),
            created_by: Some(&rc.principal().official_id),
            at: rc.now,
        },
    )
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Unavailable => AppError::Unavailable,
        _ => AppError::Conflict("another policy version was loaded at the same moment".into()),
    })?;
    let detail = if gains.is_empty() {
        format!("version {version}")
    } else {
        format!(
            "version {version}; beyond the contract: {}",
            gains.join("; ")
        )
    };
    log(db, rc, "LOAD_POLICY", &version.to_string(), &detail).await?;
    rc.policy_changed
        .store(true, std::sync::atomic::Ordering::Relaxed);
    Ok(PolicyVersion {
        version,
        source: "ADMIN".into(),
        comment,
        beyond_contract: !gains.is_empty(),
        created_by: Some(rc.principal().official_id.clone()),
        created_at: rc.now,
    })
}

/// Stored policy versions, newest first.
pub async fn policy_versions(rc: &RequestContext) -> AppResult<Vec<PolicyVersion>> {
    require(rc, Managed::Policy, false)?;
    let sql = Sql::new("SELECT version, source, comment, beyond_contract, created_by, created_at FROM policy_version ORDER BY version DESC");
    Ok(PolicyVersion::find_by_statement(sql.build_for(rc.db()))
        .all(rc.db())
        .await?)
}

/// The newest administration log rows (officials, providers, policy), newest first.
pub async fn admin_log(rc: &RequestContext, first: u64) -> AppResult<Vec<AdminLogEntry>> {
    require(rc, Managed::Policy, false)?;
    let mut sql = Sql::new(
        "SELECT at, official_id, action, target, detail FROM admin_log ORDER BY id DESC LIMIT ",
    );
    sql.bind(i64::try_from(first).unwrap_or(i64::MAX));
    Ok(AdminLogEntry::find_by_statement(sql.build_for(rc.db()))
        .all(rc.db())
        .await?)
}
