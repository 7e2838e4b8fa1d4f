//! Network meetings and the meeting brief.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use entity::network_meeting;
use sea_orm::sea_query::Expr;
use sea_orm::EntityTrait;

use super::client::{self, ClientRecord};
use super::RequestContext;
use crate::authz::scope::RowScope;
use crate::error::{AppError, AppResult};

/// A meeting with the client it concerns.
pub struct MeetingRecord {
    pub row: network_meeting::Model,
    pub client: ClientRecord,
}

/// The meeting with `id`, if its client is a TYP client within the caller's scope.
/// Out-of-scope and missing meetings are the same `None`.
pub async fn find(rc: &RequestContext, id: &str) -> AppResult<Option<MeetingRecord>> {
    if !matches!(rc.scope, RowScope::Agency { .. }) {
        return Err(AppError::Forbidden(None));
    }
    // Meetings are shared records of TYP clients only, and whether the client is one is
    // decided in the same statement: a meeting the caller may not see costs what a missing
    // one does (one statement), whatever the reason it is hidden.
    let client = Expr::col((network_meeting::Entity, network_meeting::Column::ClientId));
    let Some(typ) = rc.scope.typ(client.clone()) else {
        return Ok(None);
    };
    let Some(row) = network_meeting::Entity::find()
        .filter(network_meeting::Column::Id.eq(id))
        .filter(rc.scope.visible(client))
        .filter(typ)
        .one(rc.db())
        .await?
    else {
        return Ok(None);
    };
    let Some(client) = client::find(rc, &row.client_id).await? else {
        return Ok(None);
    };
    // The statement above decided it; the client's record agrees.
    if !client.scope.typ {
        return Ok(None);
    }
    Ok(Some(MeetingRecord { row, client }))
}

/// Most meetings `upcoming` lists.
pub const UPCOMING_LIMIT: u64 = 50;

/// The caller's own scheduled meetings from today on, soonest first: those the caller takes
/// part in, of TYP clients within the caller's scope (the rule of `find`, in one statement).
pub async fn upcoming(rc: &RequestContext) -> AppResult<Vec<MeetingRecord>> {
    use network_meeting::Column as M;
    if !matches!(rc.scope, RowScope::Agency { .. }) {
        return Err(AppError::Forbidden(None));
    }
    let client = Expr::col((network_meeting::Entity, M::ClientId));
    let Some(typ) = rc.scope.typ(client.clone()) else {
        return Ok(Vec::new());
    };
    let mine = sea_orm::sea_query::Query::select()
        .column(meeting_participant::Column::MeetingId)
        .from(meeting_participant::Entity)
        .and_where(meeting_participant::Column::OfficialId.eq(rc.principal().official_id.clone()))
        .to_owned();
    let from = rc.today.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let rows = network_meeting::Entity::find()
        .filter(M::Status.eq("SCHEDULED"))
        .filter(M::ScheduledAt.gte(from))
        .filter(M::Id.in_subquery(mine))
        .filter(rc.scope.visible(client))
        .filter(typ)
        .order_by_asc(M::ScheduledAt)
        .order_by_asc(M::Id)
        .limit(UPCOMING_LIMIT)
        .all(rc.db())
        .await?;
    // The meetings' clients at once: a list of 50 meetings is not 50 lookups.
    let mut ids: Vec<String> = rows.iter().map(|r| r.client_id.clone()).collect();
    ids.sort();
    ids.dedup();
    let clients: HashMap<String, ClientRecord> = client::find_all(rc, &ids)
        .await?
        .into_iter()
        .filter(|c| c.scope.typ)
        .map(|c| (c.row.id.clone(), c))
        .collect();
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let client = clients.get(&row.client_id)?.clone();
            Some(MeetingRecord { row, client })
        })
        .collect())
}

/// The date of the last meeting of the same case held before this one.
pub async fn previous_meeting_on(
    rc: &RequestContext,
    meeting: &network_meeting::Model,
) -> AppResult<Option<NaiveDate>> {
    use network_meeting::Column as M;
    let prev = network_meeting::Entity::find()
        .filter(M::Status.eq("HELD"))
        .filter(M::CaseId.eq(meeting.case_id.clone()))
        .filter(M::Id.ne(meeting.id.clone()))
        .filter(M::ScheduledAt.lt(meeting.scheduled_at))
        .order_by_desc(M::ScheduledAt)
        .one(rc.db())
        .await?;
    Ok(prev.and_then(|m| m.held_on))
}

/// The window of "upcoming" for the brief: from today to the horizon setting.
pub fn horizon(rc: &RequestContext) -> (NaiveDate, NaiveDate) {
    let end = rc
        .today
        .checked_add_days(Days::new(u64::from(rc.settings.brief_horizon_days)))
        .unwrap_or(NaiveDate::MAX);
    (rc.today, end)
}

/// The window of pay subsidies ending that the brief lists: from today to the
/// `TYPGRAPH_SUBSIDY_ENDING_DAYS` setting, both days included.
pub fn subsidy_horizon(rc: &RequestContext) -> (NaiveDate, NaiveDate) {
    let end = rc
        .today
        .checked_add_days(Days::new(u64::from(rc.settings.subsidy_ending_days)))
        .unwrap_or(NaiveDate::MAX);
    (rc.today, end)
}

// ---------------------------------------------------------------- scheduling and minutes

use chrono::{DateTime, Utc};
use entity::{
    agreed_action, consent_field_group, employment_plan, meeting_agency_section,
    meeting_agenda_item, meeting_participant, official, official_role,
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{Set, Unchanged},
    ColumnTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::case::visible_case;
use super::input;
use super::write::{self, Scoped, Written};
use crate::authz::FieldGroup;
use crate::domain::{Agency, Role};

pub struct AgendaItem {
    pub agency: Agency,
    pub title: String,
}

pub struct NewMeeting {
    pub case_id: String,
    pub scheduled_at: DateTime<Utc>,
    pub location: Option<String>,
    pub officials: Vec<String>,
    pub client_attends: bool,
    /// A provider coach takes part only with the client's consent (official id, consent id).
    pub coach: Option<(String, String)>,
    pub agenda: Vec<AgendaItem>,
}

/// Schedules a network meeting of a TYP case (CASE write).
pub async fn schedule(
    rc: &RequestContext,
    input: NewMeeting,
) -> AppResult<Scoped<network_meeting::Model>> {
    write::scoped(rc, FieldGroup::Case, async |sp| {
        let (case, client) = visible_case(rc, &input.case_id).await?;
        if case.ended_on.is_some() {
            return Err(AppError::Conflict("the case is closed".into()));
        }
        let location = input::optional_text("location", input.location.as_deref(), 200)?;
        let mut people: Vec<(String, &str, Agency, Option<String>)> = Vec::new();
        let mut ids = input.officials.clone();
        ids.sort();
        ids.dedup();
        if ids.is_empty() {
            return Err(AppError::bad_input(
                "participantOfficialIds",
                "name the officials taking part",
            ));
        }
        for id in ids {
            let o = official::Entity::find_by_id(id.clone())
                .one(rc.db())
                .await?
                .filter(|o| o.active);
            let agency = o.and_then(|o| o.agency.parse::<Agency>().ok());
            match agency {
                Some(a) if a != Agency::Provider => people.push((id, "OFFICIAL", a, None)),
                _ => {
                    return Err(AppError::bad_input(
                        "participantOfficialIds",
                        "an active official of TE, EKSOTE or KELA",
                    ))
                }
            }
        }
        if let Some((coach_id, consent_id)) = &input.coach {
            let is_coach = official_role::Entity::find()
                .filter(official_role::Column::OfficialId.eq(coach_id.clone()))
                .filter(official_role::Column::Role.eq(Role::ProviderCoach.code()))
                .one(rc.db())
                .await?
                .is_some();
            if !is_coach {
                return Err(AppError::bad_input(
                    "coach.officialId",
                    "not a provider coach",
                ));
            }
            // Read through the caller's scope like every row named by id.
            let c =
                crate::services::loads::consent_in_scope(rc.db(), &rc.scope, consent_id).await?;
            let covers = consent_field_group::Entity::find()
                .filter(consent_field_group::Column::ConsentId.eq(consent_id.clone()))
                .filter(consent_field_group::Column::FieldGroup.eq(FieldGroup::Case.code()))
                .one(rc.db())
                .await?
                .is_some();
            let in_force = c.is_some_and(|c| {
                c.client_id == client.row.id
                    && c.recipient_agency.as_deref() == Some(Agency::Provider.code())
                    && crate::domain::consent::in_force(&c, rc.today)
            });
            if !(in_force && covers) {
                return Err(AppError::bad_input(
                    "coach.consentId",
                    "the client's consent to the provider (CASE) is needed",
                ));
            }
            people.push((
                coach_id.clone(),
                "PROVIDER_COACH",
                Agency::Provider,
                Some(consent_id.clone()),
            ));
        }
        let mut agenda = Vec::new();
        for (i, item) in input.agenda.iter().enumerate() {
            agenda.push((
                item.agency,
                input::required_text(&format!("agenda[{i}].title"), &item.title, 500)?,
            ));
        }
        let id = uuid::Uuid::new_v4().to_string();
        let row = network_meeting::ActiveModel {
            id: Set(id.clone()),
            case_id: Set(case.id.clone()),
            client_id: Set(client.row.id.clone()),
            scheduled_at: Set(input.scheduled_at),
            location: Set(location),
            status: Set("SCHEDULED".to_owned()),
            created_by: Set(rc.principal().official_id.clone()),
            created_at: Set(rc.now),
            ..Default::default()
        }
        .insert(sp)
        .await?;
        for (official, kind, agency, consent) in people {
            meeting_participant::Entity::insert(meeting_participant::ActiveModel {
                id: Set(uuid::Uuid::new_v4().to_string()),
                meeting_id: Set(id.clone()),
                kind: Set(kind.to_owned()),
                official_id: Set(Some(official)),
                agency: Set(Some(agency.code().to_owned())),
                consent_id: Set(consent),
            })
            .exec_without_returning(sp)
            .await?;
        }
        if input.client_attends {
            meeting_participant::Entity::insert(meeting_participant::ActiveModel {
                id: Set(uuid::Uuid::new_v4().to_string()),
                meeting_id: Set(id.clone()),
                kind: Set("CLIENT".to_owned()),
                ..Default::default()
            })
            .exec_without_returning(sp)
            .await?;
        }
        for (i, (agency, title)) in agenda.into_iter().enumerate() {
            meeting_agenda_item::Entity::insert(meeting_agenda_item::ActiveModel {
                id: Set(uuid::Uuid::new_v4().to_string()),
                meeting_id: Set(id.clone()),
                agency: Set(agency.code().to_owned()),
                position: Set(i as i32 + 1),
                title: Set(title),
            })
            .exec_without_returning(sp)
            .await?;
        }
        Ok(Written::of(&client, row))
    })
    .await
}

pub struct NewAction {
    pub owner_agency: Agency,
    pub description: String,
    pub due_on: NaiveDate,
}

/// Records the shared record of a held meeting and the actions agreed, linked to the plan.
pub async fn record_minutes(
    rc: &RequestContext,
    meeting_id: &str,
    held_on: NaiveDate,
    shared_record: &str,
    actions: Vec<NewAction>,
) -> AppResult<Scoped<network_meeting::Model>> {
    write::scoped(rc, FieldGroup::Case, async |sp| {
        let meeting = find(rc, meeting_id).await?.ok_or(AppError::NotFound)?;
        if meeting.row.status == "CANCELLED" {
            return Err(AppError::Conflict("the meeting was cancelled".into()));
        }
        if held_on > rc.today {
            return Err(AppError::bad_input(
                "heldOn",
                "heldOn cannot be in the future",
            ));
        }
        let record = input::required_text("sharedRecord", shared_record, 20000)?;
        let plan = employment_plan::Entity::find()
            .filter(employment_plan::Column::CaseId.eq(meeting.row.case_id.clone()))
            .order_by_desc(employment_plan::Column::MadeOn)
            .one(rc.db())
            .await?;
        if !actions.is_empty() && plan.is_none() {
            return Err(AppError::bad_input(
                "agreedActions",
                "the case has no plan to link the actions to",
            ));
        }
        let mut checked = Vec::new();
        for (i, a) in actions.into_iter().enumerate() {
            if a.owner_agency == Agency::Provider {
                return Err(AppError::bad_input(
                    &format!("agreedActions[{i}].ownerAgency"),
                    "an action is owned by TE, EKSOTE or KELA",
                ));
            }
            checked.push((
                a.owner_agency,
                input::required_text(
                    &format!("agreedActions[{i}].description"),
                    &a.description,
                    2000,
                )?,
                a.due_on,
            ));
        }
        let row = network_meeting::ActiveModel {
            id: Unchanged(meeting.row.id.clone()),
            status: Set("HELD".to_owned()),
            held_on: Set(Some(held_on)),
            shared_record: Set(Some(record)),
            ..Default::default()
        }
        .update(sp)
        .await
        .map_err(write::gone_is_not_found)?;
        for (agency, description, due) in checked {
            agreed_action::Entity::insert(agreed_action::ActiveModel {
                id: Set(uuid::Uuid::new_v4().to_string()),
                case_id: Set(meeting.row.case_id.clone()),
                plan_id: Set(plan.as_ref().map(|p| p.id.clone())),
                meeting_id: Set(Some(meeting.row.id.clone())),
                owner_agency: Set(agency.code().to_owned()),
                description: Set(description),
                due_on: Set(due),
                created_by: Set(rc.principal().official_id.clone()),
                created_at: Set(rc.now),
                ..Default::default()
            })
            .exec_without_returning(sp)
            .await?;
        }
        Ok(Written::of(&meeting.client, row))
    })
    .await
}

/// Writes the caller agency's own section of a meeting record (its own group).
pub async fn record_section(
    rc: &RequestContext,
    meeting_id: &str,
    body: &str,
) -> AppResult<Scoped<network_meeting::Model>> {
    let own = FieldGroup::own_group_of(rc.principal().agency).ok_or(AppError::Forbidden(None))?;
    write::scoped(rc, own, async |sp| {
        let meeting = find(rc, meeting_id).await?.ok_or(AppError::NotFound)?;
        let body = input::required_text("body", body, 20000)?;
        let agency = rc.principal().agency.code();
        meeting_agency_section::Entity::delete_many()
            .filter(meeting_agency_section::Column::MeetingId.eq(meeting.row.id.clone()))
            .filter(meeting_agency_section::Column::Agency.eq(agency))
            .exec(sp)
            .await?;
        meeting_agency_section::Entity::insert(meeting_agency_section::ActiveModel {
            id: Set(uuid::Uuid::new_v4().to_string()),
            meeting_id: Set(meeting.row.id.clone()),
            agency: Set(agency.to_owned()),
            body: Set(body),
            author_id: Set(rc.principal().official_id.clone()),
        })
        .exec_without_returning(sp)
        .await?;
        Ok(Written::of(&meeting.client, meeting.row))
    })
    .await
}
