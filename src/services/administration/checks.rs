//! The checks on who still holds which role after a change of officials or of the policy:
//! the last administrator, the policy's last writer and the separation of duties, run one
//! after another under a lock so that two concurrent changes cannot both pass.

use entity::{official, official_role};
use sea_orm::sea_query::{
    Asterisk, Expr, ExprTrait, Func, JoinType, Order, Query, SelectStatement,
};
use sea_orm::{ConnectionTrait, DbBackend};
use std::collections::BTreeMap;
use std::sync::Arc;

use super::roles_text;
use crate::authz::store::{InForce, PolicyStore};
use crate::authz::{Managed, Policy};
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::services::RequestContext;

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
pub(super) async fn serialise_role_checks(rc: &RequestContext) -> AppResult<()> {
    if rc.db().get_database_backend() == DbBackend::Postgres {
        let lock = Query::select()
            .expr(Func::cust("pg_advisory_xact_lock").arg(OFFICIALS_LOCK))
            .to_owned();
        rc.db().execute(&lock).await?;
    }
    Ok(())
}

/// `FROM official o JOIN official_role r ON r.official_id = o.id WHERE o.active`: the role
/// grants of the active officials, to select from.
fn active_grants() -> SelectStatement {
    Query::select()
        .from_as(official::Entity, "o")
        .join_as(
            JoinType::InnerJoin,
            official_role::Entity,
            "r",
            Expr::col(("r", official_role::Column::OfficialId)).equals(("o", official::Column::Id)),
        )
        .and_where(Expr::col(("o", official::Column::Active)))
        .to_owned()
}

/// Runs a count `n` of [`active_grants`] (0 when no row).
async fn count(rc: &RequestContext, select: &SelectStatement) -> AppResult<i64> {
    Ok(match rc.db().query_one(select).await? {
        Some(row) => row.try_get::<i64>("", "n")?,
        None => 0,
    })
}

/// Refuses a change that would leave no active official able to administer officials
/// (nobody could undo it).
pub(super) async fn keeps_an_administrator(rc: &RequestContext, losing: &str) -> AppResult<()> {
    serialise_role_checks(rc).await?;
    let others = active_grants()
        .expr_as(Expr::col(Asterisk).count(), "n")
        .and_where(Expr::col(("r", official_role::Column::Role)).eq(Role::Admin.code()))
        .and_where(Expr::col(("o", official::Column::Id)).ne(losing))
        .to_owned();
    if count(rc, &others).await? == 0 {
        return Err(AppError::Conflict(
            "this would leave no active administrator".into(),
        ));
    }
    Ok(())
}

/// Takes the role-check lock, then reads the policy in force as this transaction sees it
/// (the replica's, unless a newer version was stored meanwhile, which the replica then
/// puts in force): the checks on roles run against the same policy a concurrent
/// `load_policy` checks its candidate against, one after the other.
pub(super) async fn policy_for_role_checks(
    rc: &RequestContext,
    policies: &PolicyStore,
) -> AppResult<Arc<InForce>> {
    serialise_role_checks(rc).await?;
    Ok(policies.newest_in(rc.db()).await?)
}

/// How many active officials, other than `except`, hold one of `roles`.
pub(super) async fn active_holders(
    rc: &RequestContext,
    roles: &[Role],
    except: Option<&str>,
) -> AppResult<i64> {
    if roles.is_empty() {
        return Ok(0);
    }
    let mut holders = active_grants()
        .expr_as(
            Func::count_distinct(Expr::col(("o", official::Column::Id))),
            "n",
        )
        .and_where(
            Expr::col(("r", official_role::Column::Role)).is_in(roles.iter().map(|r| r.code())),
        )
        .to_owned();
    if let Some(id) = except {
        holders.and_where(Expr::col(("o", official::Column::Id)).ne(id));
    }
    count(rc, &holders).await
}

/// Refuses a change that leaves official `id` holding `remaining` (nothing when
/// deactivated) if then no active official could change the policy under `policy`: the
/// policy's last writer is kept like the last administrator. Call with the role-check
/// lock held.
pub(super) async fn keeps_the_policy_writer(
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
pub(super) async fn keeps_duties_separated(
    rc: &RequestContext,
    candidate: &Policy,
) -> AppResult<()> {
    let grants = active_grants()
        .columns([
            ("r", official_role::Column::OfficialId),
            ("r", official_role::Column::Role),
        ])
        .order_by(("r", official_role::Column::OfficialId), Order::Asc)
        .order_by(("r", official_role::Column::Role), Order::Asc)
        .to_owned();
    let mut held: BTreeMap<String, Vec<Role>> = BTreeMap::new();
    for row in rc.db().query_all(&grants).await? {
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
pub(super) fn separated_duties(policy: &Policy, roles: &[Role]) -> AppResult<Vec<String>> {
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

/// Refuses a policy under which no active official could change the policy again: some
/// role that may write `MANAGE/policy` must be held by an active official (a role nobody
/// holds, or CLIENT, would lock every official out).
pub(super) async fn keeps_a_policy_writer(
    rc: &RequestContext,
    candidate: &Policy,
) -> AppResult<()> {
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
