//! Recognition of skills (opinnollistaminen): the competence a KTT period showed, described
//! against a qualification or a unit of one and certified by an education provider. Written
//! by the coach of the period's provider (group COMPETENCE; the period's scope is the
//! coach's window), read by the three authorities and by the client.

use chrono::NaiveDate;
use entity::competence_record;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::case::not_future;
use super::write::{self, Scoped, Written};
use super::{client, input, loads, RequestContext};
use crate::authz::FieldGroup;
use crate::domain::Agency;
use crate::error::{AppError, AppResult};

/// What a new competence record says.
pub struct NewCompetence {
    pub period_id: String,
    pub qualification: String,
    pub qualification_unit: Option<String>,
    pub competence_areas: String,
    pub education_provider: String,
    pub certified_on: NaiveDate,
}

/// Records the competence a period showed. The period must be within the caller's scope
/// (a coach's own placement), the certificate dated within or after it and not in the
/// future; the same qualification unit once per period.
pub async fn record(
    rc: &RequestContext,
    input: NewCompetence,
) -> AppResult<Scoped<competence_record::Model>> {
    write::scoped(rc, FieldGroup::Competence, async |sp| {
        if rc.principal().agency != Agency::Provider {
            return Err(AppError::Forbidden(None));
        }
        let period = loads::period_in_scope(sp, &rc.scope, &input.period_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let client = client::find(rc, &period.client_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let qualification = input::required_text("qualification", &input.qualification, 200)?;
        let unit = input::optional_text(
            "qualificationUnit",
            input.qualification_unit.as_deref(),
            200,
        )?;
        let areas = input::required_text("competenceAreas", &input.competence_areas, 2000)?;
        let provider = input::required_text("educationProvider", &input.education_provider, 200)?;
        let certified_on = not_future(rc, "certifiedOn", input.certified_on)?;
        if certified_on < period.starts_on {
            return Err(AppError::bad_input(
                "certifiedOn",
                "certifiedOn is before the period began",
            ));
        }
        let same = competence_record::Entity::find()
            .filter(competence_record::Column::PeriodId.eq(period.id.clone()))
            .filter(competence_record::Column::Qualification.eq(qualification.clone()))
            .filter(match &unit {
                Some(u) => competence_record::Column::QualificationUnit.eq(u.clone()),
                None => competence_record::Column::QualificationUnit.is_null(),
            })
            .count(sp)
            .await?;
        if same > 0 {
            return Err(AppError::Conflict(
                "this qualification (unit) is recorded for the period already".into(),
            ));
        }
        let id = uuid::Uuid::new_v4().to_string();
        competence_record::Entity::insert(competence_record::ActiveModel {
            id: Set(id.clone()),
            client_id: Set(client.row.id.clone()),
            period_id: Set(period.id.clone()),
            provider_id: Set(period.provider_id.clone()),
            qualification: Set(qualification),
            qualification_unit: Set(unit),
            competence_areas: Set(areas),
            education_provider: Set(provider),
            certified_on: Set(certified_on),
            recorded_by: Set(rc.principal().official_id.clone()),
            created_at: Set(rc.now),
        })
        .exec_without_returning(sp)
        .await?;
        let row = competence_record::Entity::find_by_id(id)
            .one(sp)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Written::of(&client, row))
    })
    .await
}
