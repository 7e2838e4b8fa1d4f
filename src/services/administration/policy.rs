//! Policy versions: a new casbin policy checked against the contract and against who
//! holds which role, then stored as the version in force.

use sea_orm::sea_query::{Order, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DeriveIden, FromQueryResult};

use super::checks::{keeps_a_policy_writer, keeps_duties_separated};
use super::log::log;
use super::{manage, require, PolicyVersion};
use crate::authz::store::{insert_version, NewVersion};
use crate::authz::{Managed, Policy};
use crate::error::{AppError, AppResult};
use crate::services::input::required_text;
use crate::services::RequestContext;

/// Input of [`load_policy`].
pub struct NewPolicy {
    /// The casbin model; the one in force when absent.
    pub model: Option<String>,
    pub policy: String,
    pub comment: String,
    pub allow_beyond_contract: bool,
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

/// The stored policy versions (a table without an entity here: written and read through
/// [`crate::authz::store`], listed below).
#[derive(DeriveIden)]
enum PolicyVersionTable {
    #[sea_orm(iden = "policy_version")]
    Table,
    Version,
    Source,
    Comment,
    BeyondContract,
    CreatedBy,
    CreatedAt,
}

/// Stored policy versions, newest first.
pub async fn policy_versions(rc: &RequestContext) -> AppResult<Vec<PolicyVersion>> {
    require(rc, Managed::Policy, false)?;
    let select = Query::select()
        .columns([
            PolicyVersionTable::Version,
            PolicyVersionTable::Source,
            PolicyVersionTable::Comment,
            PolicyVersionTable::BeyondContract,
            PolicyVersionTable::CreatedBy,
            PolicyVersionTable::CreatedAt,
        ])
        .from(PolicyVersionTable::Table)
        .order_by(PolicyVersionTable::Version, Order::Desc)
        .to_owned();
    let db = rc.db();
    Ok(
        PolicyVersion::find_by_statement(db.get_database_backend().build(&select))
            .all(db)
            .await?,
    )
}
