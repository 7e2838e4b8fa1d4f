//! The delegation of KTT decisions: which county officials may decide on KTT, under which
//! title (a decision of the wellbeing services county is made by whoever its rules of
//! procedure delegate the power to: Social Welfare Act 1301/2014 s. 45; act 189/2001 s. 3).
//! Granted and revoked by administration, each change written to the administration log.

use entity::{ktt_decision_maker, official};
use sea_orm::{ActiveValue::Set, DatabaseTransaction, EntityTrait, QueryOrder};

use super::log::log;
use super::{manage, require};
use crate::authz::Managed;
use crate::domain::Agency;
use crate::error::{AppError, AppResult};
use crate::services::input::required_text;
use crate::services::RequestContext;

/// The county officials who decide on KTT.
pub async fn decision_makers(rc: &RequestContext) -> AppResult<Vec<ktt_decision_maker::Model>> {
    require(rc, Managed::Officials, false)?;
    Ok(ktt_decision_maker::Entity::find()
        .order_by_asc(ktt_decision_maker::Column::OfficialId)
        .all(rc.db())
        .await?)
}

/// Delegates (or re-titles) the power to decide on KTT to an active official of the
/// county. Nobody delegates to themself (`FORBIDDEN`): a second person grants it.
pub async fn set_decision_maker(
    rc: &RequestContext,
    official_id: &str,
    title: &str,
) -> AppResult<ktt_decision_maker::Model> {
    manage(rc, Managed::Officials, async |db| {
        set_in(rc, db, official_id, title).await
    })
    .await
}

async fn set_in(
    rc: &RequestContext,
    db: &DatabaseTransaction,
    official_id: &str,
    title: &str,
) -> AppResult<ktt_decision_maker::Model> {
    if official_id == rc.principal().official_id {
        return Err(AppError::Forbidden(None));
    }
    let title = required_text("title", title, 200)?;
    let who = official::Entity::find_by_id(official_id.to_owned())
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    if who.agency != Agency::Eksote.code() {
        return Err(AppError::bad_input(
            "officialId",
            "KTT is decided by officials of the wellbeing services county (EKSOTE) only",
        ));
    }
    if !who.active {
        return Err(AppError::bad_input(
            "officialId",
            "the official is deactivated",
        ));
    }
    let before = ktt_decision_maker::Entity::find_by_id(official_id.to_owned())
        .one(db)
        .await?;
    if let Some(same) = before.as_ref().filter(|b| b.title == title) {
        return Ok(same.clone());
    }
    let row = ktt_decision_maker::ActiveModel {
        official_id: Set(official_id.to_owned()),
        title: Set(title.clone()),
        granted_by: Set(rc.principal().official_id.clone()),
        granted_at: Set(rc.now),
    };
    if before.is_some() {
        ktt_decision_maker::Entity::update(row).exec(db).await?;
    } else {
        ktt_decision_maker::Entity::insert(row)
            .exec_without_returning(db)
            .await?;
    }
    let detail = match before {
        Some(_) => "KTT decision maker: title changed".to_owned(),
        None => "KTT decision maker: granted".to_owned(),
    };
    log(db, rc, "UPDATE_OFFICIAL", official_id, &detail).await?;
    ktt_decision_maker::Entity::find_by_id(official_id.to_owned())
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Revokes an official's power to decide on KTT (their past decisions stand, with the name
/// and title they were made under). `NOT_FOUND` when the official holds none.
pub async fn revoke_decision_maker(
    rc: &RequestContext,
    official_id: &str,
) -> AppResult<ktt_decision_maker::Model> {
    manage(rc, Managed::Officials, async |db| {
        if official_id == rc.principal().official_id {
            return Err(AppError::Forbidden(None));
        }
        let before = ktt_decision_maker::Entity::find_by_id(official_id.to_owned())
            .one(db)
            .await?
            .ok_or(AppError::NotFound)?;
        ktt_decision_maker::Entity::delete_by_id(official_id.to_owned())
            .exec(db)
            .await?;
        log(
            db,
            rc,
            "UPDATE_OFFICIAL",
            official_id,
            "KTT decision maker: revoked",
        )
        .await?;
        Ok(before)
    })
    .await
}
