//! What a case and a job coaching are counted as in the reports: the case's service track
//! (recorded, not derived from the services the client gets) and the programme a case or a
//! coaching is tagged with.

use entity::{job_coaching, typ_case};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::case::{visible_case, visible_client};
use super::registers::taggable;
use super::write::{self, Scoped, Written};
use super::{loads, RequestContext};
use crate::authz::FieldGroup;
use crate::domain::employment::ServiceTrack;
use crate::error::{AppError, AppResult};

/// The case, if the caller's agency is its responsible agency (the case is its record):
/// `FORBIDDEN` for another agency that sees the case.
async fn responsible_case(
    rc: &RequestContext,
    case_id: &str,
) -> AppResult<(typ_case::Model, super::client::ClientRecord)> {
    let (case, client) = visible_case(rc, case_id).await?;
    if case.responsible_agency != rc.principal().agency.code() {
        return Err(AppError::Forbidden(None));
    }
    Ok((case, client))
}

async fn reread_case(sp: &sea_orm::DatabaseTransaction, id: String) -> AppResult<typ_case::Model> {
    typ_case::Entity::find_by_id(id)
        .one(sp)
        .await?
        .ok_or(AppError::NotFound)
}

/// Changes the service track of an open case (the responsible agency only).
pub async fn set_service_track(
    rc: &RequestContext,
    case_id: &str,
    track: ServiceTrack,
) -> AppResult<Scoped<typ_case::Model>> {
    write::scoped(rc, FieldGroup::Case, async |sp| {
        let (case, client) = responsible_case(rc, case_id).await?;
        if case.ended_on.is_some() {
            return Err(AppError::Conflict("the case is closed".into()));
        }
        typ_case::Entity::update_many()
            .col_expr(typ_case::Column::ServiceTrack, Expr::value(track.code()))
            .filter(typ_case::Column::Id.eq(case.id.clone()))
            .exec(sp)
            .await?;
        Ok(Written::of(&client, reread_case(sp, case.id).await?))
    })
    .await
}

/// Tags a case with a programme whose validity overlaps the case's time, or clears the tag
/// (`None`); the responsible agency only.
pub async fn set_case_programme(
    rc: &RequestContext,
    case_id: &str,
    programme_id: Option<&str>,
) -> AppResult<Scoped<typ_case::Model>> {
    write::scoped(rc, FieldGroup::Case, async |sp| {
        let (case, client) = responsible_case(rc, case_id).await?;
        let programme = match programme_id {
            Some(id) => Some(
                taggable(rc, "programmeId", id, case.opened_on, case.ended_on)
                    .await?
                    .id,
            ),
            None => None,
        };
        typ_case::Entity::update_many()
            .col_expr(typ_case::Column::ProgrammeId, Expr::value(programme))
            .filter(typ_case::Column::Id.eq(case.id.clone()))
            .exec(sp)
            .await?;
        Ok(Written::of(&client, reread_case(sp, case.id).await?))
    })
    .await
}

/// Tags a job coaching with a programme whose validity overlaps the coaching's time, or
/// clears the tag (`None`). COACHING write, a coaching within the caller's scope.
pub async fn tag_job_coaching(
    rc: &RequestContext,
    coaching_id: &str,
    programme_id: Option<&str>,
) -> AppResult<Scoped<job_coaching::Model>> {
    write::scoped(rc, FieldGroup::Coaching, async |sp| {
        let coaching = loads::job_coaching_in_scope(rc.db(), &rc.scope, coaching_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let client = visible_client(rc, &coaching.client_id).await?;
        let programme = match programme_id {
            Some(id) => Some(
                taggable(rc, "programmeId", id, coaching.starts_on, coaching.ends_on)
                    .await?
                    .id,
            ),
            None => None,
        };
        job_coaching::Entity::update_many()
            .col_expr(job_coaching::Column::ProgrammeId, Expr::value(programme))
            .filter(job_coaching::Column::Id.eq(coaching.id.clone()))
            .exec(sp)
            .await?;
        let row = job_coaching::Entity::find_by_id(coaching.id)
            .one(sp)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Written::of(&client, row))
    })
    .await
}
