//! Recording work-ability assessments and agency notes.

use chrono::{Months, NaiveDate};
use entity::{agency_note, work_ability_assessment};
use sea_orm::sea_query::Query;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseTransaction, DeriveIden, EntityTrait};

use super::case::visible_client;
use super::write::{self, Scoped, Written};
use super::{input, loads, RequestContext};
use crate::authz::FieldGroup;
use crate::domain::Agency;
use crate::error::{AppError, AppResult};

/// The duplicates avoided (a table without an entity: only appended to and counted).
#[derive(DeriveIden)]
enum AssessmentReuse {
    Table,
    Id,
    ClientId,
    AssessmentId,
    RequestedByAgency,
    RequestedOn,
}

pub struct NewAssessment {
    pub client_id: String,
    pub assessed_on: NaiveDate,
    pub conclusion: String,
    pub restrictions: Option<String>,
    pub details: Option<String>,
    pub override_reason: Option<String>,
    /// The outside expert (provider or person) of an assessment the employment authority
    /// bought (asiantuntija-arviointi): required for it, and only for it.
    pub expert_name: Option<String>,
}

/// Records a work-ability assessment: the county's or Kela's own, or one the employment
/// authority bought from an outside expert (named; it carries no health details, which the
/// employment authority does not hold). One made less than 12 months (setting) after another
/// the caller can see is a duplicate: `CONFLICT` with the existing one's summary, unless an
/// override reason says why a new one is needed.
pub async fn record_assessment(
    rc: &RequestContext,
    input: NewAssessment,
) -> AppResult<Scoped<work_ability_assessment::Model>> {
    write::scoped(rc, FieldGroup::WorkAbility, async |sp| {
        record_in(rc, sp, input).await
    })
    .await
}

async fn record_in(
    rc: &RequestContext,
    sp: &DatabaseTransaction,
    input: NewAssessment,
) -> AppResult<Written<work_ability_assessment::Model>> {
    let details = input::optional_text("details", input.details.as_deref(), 8000)?;
    if details.is_some() {
        rc.require_write(FieldGroup::Health)?;
    }
    let agency = rc.principal().agency;
    if !matches!(agency, Agency::Eksote | Agency::Kela | Agency::Te) {
        return Err(AppError::Forbidden(None));
    }
    let expert_name = input::optional_text("expertName", input.expert_name.as_deref(), 200)?;
    match (agency, &expert_name) {
        (Agency::Te, None) => {
            return Err(AppError::bad_input(
                "expertName",
                "an assessment the employment authority bought names the expert who made it",
            ))
        }
        (Agency::Eksote | Agency::Kela, Some(_)) => {
            return Err(AppError::bad_input(
                "expertName",
                "only an assessment the employment authority bought names an outside expert",
            ))
        }
        _ => {}
    }
    let client = visible_client(rc, &input.client_id).await?;
    if input.assessed_on > rc.today {
        return Err(AppError::bad_input(
            "assessedOn",
            "assessedOn cannot be in the future",
        ));
    }
    let conclusion = input::required_text("conclusion", &input.conclusion, 4000)?;
    let restrictions = input::optional_text("restrictions", input.restrictions.as_deref(), 4000)?;
    let override_reason =
        input::optional_text("overrideReason", input.override_reason.as_deref(), 1000)?;
    let window_start = input
        .assessed_on
        .checked_sub_months(Months::new(rc.settings.assessment_reuse_months))
        .unwrap_or(NaiveDate::MIN);
    let visible = loads::assessments(rc.db(), &rc.scope, &[client.scope.key()]).await?;
    let recent = visible
        .into_values()
        .flatten()
        .filter(|a| a.assessed_on > window_start)
        .max_by_key(|a| a.assessed_on);
    if let (Some(existing), None) = (&recent, &override_reason) {
        // Counted in the reports as a duplicate avoided; the caller reuses the existing one.
        // Kept although the mutation is refused: the refusal is what is counted.
        let reuse = Query::insert()
            .into_table(AssessmentReuse::Table)
            .columns([
                AssessmentReuse::Id,
                AssessmentReuse::ClientId,
                AssessmentReuse::AssessmentId,
                AssessmentReuse::RequestedByAgency,
                AssessmentReuse::RequestedOn,
            ])
            .values_panic([
                uuid::Uuid::new_v4().to_string().into(),
                client.row.id.clone().into(),
                existing.id.clone().into(),
                rc.principal().agency.code().into(),
                rc.today.into(),
            ])
            .to_owned();
        sp.execute(&reuse).await?;
        // The summary below is WORK_ABILITY data read by the caller: it is logged like any read.
        rc.recorder
            .read(&client.row.id, FieldGroup::WorkAbility, None);
        return Ok(Written::refused(AppError::ConflictWithExisting(
            format!(
                "a work-ability assessment less than {} months old exists (see extensions.existing): reuse it, or give overrideReason",
                rc.settings.assessment_reuse_months
            ),
            vec![
                ("id", existing.id.clone()),
                ("assessedOn", existing.assessed_on.to_string()),
                ("assessorAgency", existing.assessor_agency.clone()),
                ("conclusion", existing.conclusion.clone()),
            ],
        )));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let row = work_ability_assessment::ActiveModel {
        id: Set(id.clone()),
        client_id: Set(client.row.id.clone()),
        assessed_on: Set(input.assessed_on),
        assessor_agency: Set(rc.principal().agency.code().to_owned()),
        assessor_id: Set(rc.principal().official_id.clone()),
        conclusion: Set(conclusion),
        restrictions: Set(restrictions),
        details: Set(details.clone()),
        override_reason: Set(if recent.is_some() {
            override_reason
        } else {
            None
        }),
        created_at: Set(rc.now),
        expert_name: Set(expert_name),
    };
    work_ability_assessment::Entity::insert(row)
        .exec_without_returning(sp)
        .await?;
    let row = work_ability_assessment::Entity::find_by_id(id)
        .one(sp)
        .await?
        .ok_or(AppError::NotFound)?;
    let written = Written::of(&client, row);
    Ok(if details.is_some() {
        written.also(FieldGroup::Health)
    } else {
        written
    })
}

/// Adds an agency note: the author agency's own record (its group: SOCIAL, EMPLOYMENT or
/// BENEFIT), or shared with the case team (CASE) when the author says so.
pub async fn add_note(
    rc: &RequestContext,
    client_id: &str,
    body: &str,
    shared: bool,
) -> AppResult<Scoped<agency_note::Model>> {
    let own = FieldGroup::own_group_of(rc.principal().agency).ok_or(AppError::Forbidden(None))?;
    write::scoped(rc, own, async |sp| {
        let client = visible_client(rc, client_id).await?;
        if shared && !client.scope.typ {
            return Err(AppError::bad_input(
                "sharedWithCaseTeam",
                "only a TYP client has a case team",
            ));
        }
        let body = input::required_text("body", body, 20000)?;
        let id = uuid::Uuid::new_v4().to_string();
        let note = agency_note::ActiveModel {
            id: Set(id.clone()),
            client_id: Set(client.row.id.clone()),
            agency: Set(rc.principal().agency.code().to_owned()),
            author_id: Set(rc.principal().official_id.clone()),
            body: Set(body),
            shared_with_case_team: Set(shared),
            created_at: Set(rc.now),
        };
        agency_note::Entity::insert(note)
            .exec_without_returning(sp)
            .await?;
        let row = agency_note::Entity::find_by_id(id)
            .one(sp)
            .await?
            .ok_or(AppError::NotFound)?;
        // A shared note is the case team's record: logged as CASE, not the agency's group.
        let written = Written::of(&client, row);
        Ok(if shared {
            written.logged_as(FieldGroup::Case)
        } else {
            written
        })
    })
    .await
}
