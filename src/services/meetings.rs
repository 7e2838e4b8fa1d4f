//! Network meetings and the meeting brief.

use chrono::{Days, NaiveDate};
use entity::network_meeting;
use sea_orm::EntityTrait;

use super::clients::{self, ClientRecord};
use super::RequestContext;
use crate::authz::scope::RowScope;
use crate::db::Sql;
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
    let mut sql = Sql::new("SELECT m.* FROM network_meeting m WHERE m.id = ");
    sql.bind(id.to_owned()).push(" AND ");
    rc.scope.client_visible(&mut sql, "m.client_id");
    sql.push(" AND ");
    if !rc.scope.typ_flag(&mut sql, "m.client_id") {
        return Ok(None);
    }
    let Some(row) = network_meeting::Entity::find()
        .from_raw_sql(sql.build_for(rc.db()))
        .one(rc.db())
        .await?
    else {
        return Ok(None);
    };
    let Some(client) = clients::find(rc, &row.client_id).await? else {
        return Ok(None);
    };
    // The statement above decided it; the client's record agrees.
    if !client.scope.typ {
        return Ok(None);
    }
    Ok(Some(MeetingRecord { row, client }))
}

/// The date of the last meeting of the same case held before this one.
pub async fn previous_meeting_on(
    rc: &RequestContext,
    meeting: &network_meeting::Model,
) -> AppResult<Option<NaiveDate>> {
    let mut sql =
        Sql::new("SELECT m.* FROM network_meeting m WHERE m.status = 'HELD' AND m.case_id = ");
    sql.bind(meeting.case_id.clone())
        .push(" AND m.id <> ")
        .bind(meeting.id.clone())
        .push(" AND m.scheduled_at < ")
        .bind(meeting.scheduled_at)
        .push(" ORDER BY m.scheduled_at DESC LIMIT 1");
    let prev = network_meeting::Entity::find()
        .from_raw_sql(sql.build_for(rc.db()))
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

// ---------------------------------------------------------------- scheduling and minutes

use chrono::{DateTime, Utc};
use entity::{consent_field_group, employment_plan, official, official_role};
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, TransactionTrait};

use super::cases::visible_case;
use super::context::finish;
use super::input;
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
pub async fn schedule(rc: &RequestContext, input: NewMeeting) -> AppResult<String> {
    rc.require_write(FieldGroup::Case)?;
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
        let c = crate::services::records::consent_in_scope(rc.db(), &rc.scope, consent_id).await?;
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
    let sp = rc.db().begin().await?;
    let written = async {
        let mut sql = Sql::new("INSERT INTO network_meeting (id, case_id, client_id, scheduled_at, location, status, created_by, created_at) VALUES (");
        sql.bind(id.clone()).push(", ").bind(case.id.clone()).push(", ").bind(client.row.id.clone()).push(", ")
            .bind(input.scheduled_at).push(", ").bind(location).push(", 'SCHEDULED', ")
            .bind(rc.principal.official_id.clone()).push(", ").bind(rc.now).push(")");
        sp.execute_raw(sql.build_for(&sp)).await?;
        for (official, kind, agency, consent) in &people {
            let mut sql = Sql::new("INSERT INTO meeting_participant (id, meeting_id, kind, official_id, agency, consent_id) VALUES (");
            sql.bind(uuid::Uuid::new_v4().to_string()).push(", ").bind(id.clone()).push(", ").bind(*kind).push(", ")
                .bind(official.clone()).push(", ").bind(agency.code()).push(", ").bind(consent.clone()).push(")");
            sp.execute_raw(sql.build_for(&sp)).await?;
        }
        if input.client_attends {
            let mut sql = Sql::new("INSERT INTO meeting_participant (id, meeting_id, kind) VALUES (");
            sql.bind(uuid::Uuid::new_v4().to_string()).push(", ").bind(id.clone()).push(", 'CLIENT')");
            sp.execute_raw(sql.build_for(&sp)).await?;
        }
        for (i, (agency, title)) in agenda.iter().enumerate() {
            let mut sql = Sql::new("INSERT INTO meeting_agenda_item (id, meeting_id, agency, position, title) VALUES (");
            sql.bind(uuid::Uuid::new_v4().to_string()).push(", ").bind(id.clone()).push(", ").bind(agency.code())
                .push(", ").bind(i as i32 + 1).push(", ").bind(title.clone()).push(")");
            sp.execute_raw(sql.build_for(&sp)).await?;
        }
        Ok(())
    }
    .await;
    finish(sp, written).await?;
    rc.recorder.write(&client.row.id, FieldGroup::Case);
    Ok(id)
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
) -> AppResult<()> {
    rc.require_write(FieldGroup::Case)?;
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
    let sp = rc.db().begin().await?;
    let written = async {
        let mut sql = Sql::new("UPDATE network_meeting SET status = 'HELD', held_on = ");
        sql.bind(held_on).push(", shared_record = ").bind(record).push(" WHERE id = ").bind(meeting.row.id.clone());
        sp.execute_raw(sql.build_for(&sp)).await?;
        for (agency, description, due) in &checked {
            let mut sql = Sql::new("INSERT INTO agreed_action (id, case_id, plan_id, meeting_id, owner_agency, description, due_on, created_by, created_at) VALUES (");
            sql.bind(uuid::Uuid::new_v4().to_string()).push(", ").bind(meeting.row.case_id.clone()).push(", ")
                .bind(plan.as_ref().map(|p| p.id.clone())).push(", ").bind(meeting.row.id.clone()).push(", ")
                .bind(agency.code()).push(", ").bind(description.clone()).push(", ").bind(*due).push(", ")
                .bind(rc.principal.official_id.clone()).push(", ").bind(rc.now).push(")");
            sp.execute_raw(sql.build_for(&sp)).await?;
        }
        Ok(())
    }
    .await;
    finish(sp, written).await?;
    rc.recorder.write(&meeting.client.row.id, FieldGroup::Case);
    Ok(())
}

/// Writes the caller agency's own section of a meeting record (its own group).
pub async fn record_section(rc: &RequestContext, meeting_id: &str, body: &str) -> AppResult<()> {
    let own = FieldGroup::own_group_of(rc.principal.agency).ok_or(AppError::Forbidden(None))?;
    rc.require_write(own)?;
    let meeting = find(rc, meeting_id).await?.ok_or(AppError::NotFound)?;
    let body = input::required_text("body", body, 20000)?;
    let mut sql = Sql::new("DELETE FROM meeting_agency_section WHERE meeting_id = ");
    sql.bind(meeting.row.id.clone())
        .push(" AND agency = ")
        .bind(rc.principal.agency.code());
    let sp = rc.db().begin().await?;
    let written = async {
        sp.execute_raw(sql.build_for(&sp)).await?;
        let mut sql = Sql::new(
            "INSERT INTO meeting_agency_section (id, meeting_id, agency, body, author_id) VALUES (",
        );
        sql.bind(uuid::Uuid::new_v4().to_string())
            .push(", ")
            .bind(meeting.row.id.clone())
            .push(", ")
            .bind(rc.principal.agency.code())
            .push(", ")
            .bind(body)
            .push(", ")
            .bind(rc.principal.official_id.clone())
            .push(")");
        sp.execute_raw(sql.build_for(&sp)).await?;
        Ok(())
    }
    .await;
    finish(sp, written).await?;
    rc.recorder.write(&meeting.client.row.id, own);
    Ok(())
}
