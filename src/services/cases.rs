//! The TYP path: consents, opening a case, the responsible officer, plans and agreed actions,
//! closing and follow-up (domain.md, "The client's path").

use chrono::{Datelike, Days, Months, NaiveDate};
use entity::{agreed_action, consent, employment_plan, official, official_role, typ_case};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, TransactionTrait,
};

use super::clients::{self, ClientRecord};
use super::context::{finish, is_unique_violation};
use super::{input, records, RequestContext};
use crate::authz::FieldGroup;
use crate::db::Sql;
use crate::domain::{personal_identity_code, Agency, Role};
use crate::error::{AppError, AppResult};

/// A visible client, or `NOT_FOUND` (missing and out of scope alike).
pub async fn visible_client(rc: &RequestContext, id: &str) -> AppResult<ClientRecord> {
    clients::find(rc, id).await?.ok_or(AppError::NotFound)
}

/// A case whose client is a TYP client of the caller, with the client.
pub async fn visible_case(
    rc: &RequestContext,
    case_id: &str,
) -> AppResult<(typ_case::Model, ClientRecord)> {
    let case = records::case_in_scope(rc.db(), &rc.scope, case_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let client = clients::find(rc, &case.client_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !client.scope.typ {
        return Err(AppError::NotFound);
    }
    Ok((case, client))
}

fn not_future(rc: &RequestContext, field: &str, date: NaiveDate) -> AppResult<NaiveDate> {
    if date > rc.today {
        Err(AppError::bad_input(
            field,
            format!("{field} cannot be in the future"),
        ))
    } else {
        Ok(date)
    }
}

/// A date of record a little in the past at most: not in the future, and at most
/// `TYPGRAPH_MAX_BACKDATE_DAYS` back, so that no one moves a client out of every agency's
/// scope, or towards erasure, by recording an old date.
fn recent(rc: &RequestContext, field: &str, date: NaiveDate) -> AppResult<NaiveDate> {
    let date = not_future(rc, field, date)?;
    let days = rc.settings.max_backdate_days;
    let earliest = rc
        .today
        .checked_sub_days(Days::new(u64::from(days)))
        .unwrap_or(NaiveDate::MIN);
    if date < earliest {
        return Err(AppError::bad_input(
            field,
            format!("{field} is at most {days} days back"),
        ));
    }
    Ok(date)
}

// ---------------------------------------------------------------- consents

pub struct NewConsent {
    pub client_id: String,
    pub recipient_agency: Agency,
    pub field_groups: Vec<FieldGroup>,
    pub given_on: NaiveDate,
    pub valid_until: Option<NaiveDate>,
}

/// Records a disclosure consent: the client allows `field_groups` to be disclosed to
/// `recipient_agency` from `given_on` (to `valid_until`).
pub async fn record_consent(rc: &RequestContext, input: NewConsent) -> AppResult<consent::Model> {
    rc.require_write(FieldGroup::Case)?;
    let client = visible_client(rc, &input.client_id).await?;
    let given_on = not_future(rc, "givenOn", input.given_on)?;
    if input.valid_until.is_some_and(|u| u < given_on) {
        return Err(AppError::bad_input(
            "validUntil",
            "validUntil is before givenOn",
        ));
    }
    let mut groups = input.field_groups.clone();
    groups.sort();
    groups.dedup();
    if groups.is_empty() {
        return Err(AppError::bad_input(
            "fieldGroups",
            "name at least one field group",
        ));
    }
    if groups.contains(&FieldGroup::Audit) {
        return Err(AppError::bad_input(
            "fieldGroups",
            "the access log is not disclosed by consent",
        ));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let sp = rc.db().begin().await?;
    let written = write_consent(&sp, rc, &id, &client.row.id, &input, given_on, &groups).await;
    finish(sp, written).await?;
    rc.recorder.write(&client.row.id, FieldGroup::Case);
    consent::Entity::find_by_id(id)
        .one(rc.db())
        .await?
        .ok_or(AppError::NotFound)
}

async fn write_consent(
    sp: &DatabaseTransaction,
    rc: &RequestContext,
    id: &str,
    client_id: &str,
    input: &NewConsent,
    given_on: NaiveDate,
    groups: &[FieldGroup],
) -> AppResult<()> {
    let mut sql = Sql::new("INSERT INTO consent (id, client_id, kind, recipient_agency, given_on, valid_until, withdrawn_on, recorded_by, recorded_by_agency, created_at) VALUES (");
    sql.bind(id.to_owned())
        .push(", ")
        .bind(client_id.to_owned())
        .push(", 'DISCLOSURE', ")
        .bind(input.recipient_agency.code())
        .push(", ")
        .bind(given_on)
        .push(", ")
        .bind(input.valid_until)
        .push(", NULL, ")
        .bind(rc.principal.official_id.clone())
        .push(", ")
        .bind(rc.principal.agency.code())
        .push(", ")
        .bind(rc.now)
        .push(")");
    sp.execute_raw(sql.build_for(sp)).await?;
    let mut sql = Sql::new("INSERT INTO consent_field_group (consent_id, field_group) VALUES ");
    for (i, g) in groups.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push("(")
            .bind(id.to_owned())
            .push(", ")
            .bind(g.code())
            .push(")");
    }
    sp.execute_raw(sql.build_for(sp)).await?;
    Ok(())
}

/// A consent with its groups, for answering a mutation.
pub async fn consent_record(
    rc: &RequestContext,
    row: consent::Model,
) -> AppResult<super::records::ConsentRecord> {
    let mut sql = Sql::new("SELECT field_group FROM consent_field_group WHERE consent_id = ");
    sql.bind(row.id.clone()).push(" ORDER BY field_group");
    let groups = rc
        .db()
        .query_all_raw(sql.build_for(rc.db()))
        .await?
        .into_iter()
        .map(|r| r.try_get::<String>("", "field_group"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(super::records::ConsentRecord { row, groups })
}

/// Withdraws a consent from today; it stops disclosing on the next read. History is kept.
pub async fn withdraw_consent(rc: &RequestContext, consent_id: &str) -> AppResult<consent::Model> {
    rc.require_write(FieldGroup::Case)?;
    let row = records::consent_in_scope(rc.db(), &rc.scope, consent_id)
        .await?
        .ok_or(AppError::NotFound)?;
    visible_client(rc, &row.client_id).await?;
    let row = mark_withdrawn(rc.db(), row, rc.today).await?;
    rc.recorder.write(&row.client_id, FieldGroup::Case);
    Ok(row)
}

/// The withdrawal itself, for the case team's `withdrawConsent` and the client's own
/// `withdrawMyConsent` alike: from `today`, or from the day the consent was given if that
/// is later (it never took effect; the table requires `withdrawn_on >= given_on`).
/// `CONFLICT` if it is withdrawn already, also when another request withdrew it first.
pub(crate) async fn mark_withdrawn(
    conn: &impl ConnectionTrait,
    row: consent::Model,
    today: NaiveDate,
) -> AppResult<consent::Model> {
    let conflict = || AppError::Conflict("the consent was already withdrawn".into());
    if row.withdrawn_on.is_some() {
        return Err(conflict());
    }
    let mut sql = Sql::new("UPDATE consent SET withdrawn_on = ");
    sql.bind(today.max(row.given_on))
        .push(" WHERE id = ")
        .bind(row.id.clone())
        .push(" AND client_id = ")
        .bind(row.client_id.clone())
        .push(" AND withdrawn_on IS NULL");
    if conn.execute_raw(sql.build_for(conn)).await?.rows_affected() == 0 {
        return Err(conflict());
    }
    if row.kind == "MULTI_AGENCY_SERVICE" {
        end_sharing(conn, &row, today.max(row.given_on)).await?;
    }
    consent::Entity::find_by_id(row.id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// The client withdrew the agreement to multi-agency work (`agreement`): the multi-agency
/// work ends, and with it the sharing of everything it built up to now. Every case of the
/// client (the open one and the closed ones still within retention) stops making the
/// client a TYP client at once (see [`crate::authz::scope::typ_client`]), and each shows
/// the day of the withdrawal to its responsible agency, whose record the case stays. A case
/// opened later, on a new agreement, shares afresh.
async fn end_sharing(
    conn: &impl ConnectionTrait,
    agreement: &consent::Model,
    on: NaiveDate,
) -> AppResult<()> {
    let mut sql = Sql::new("UPDATE typ_case SET agreement_withdrawn_on = ");
    sql.bind(on)
        .push(" WHERE client_id = ")
        .bind(agreement.client_id.clone())
        .push(" AND agreement_withdrawn_on IS NULL");
    conn.execute_raw(sql.build_for(conn)).await?;
    Ok(())
}

// ---------------------------------------------------------------- cases

pub use crate::domain::criterion::Criterion;
use crate::domain::outcome::{CaseOutcome, FollowUpStatus};

pub struct NewCase {
    pub client_id: String,
    pub criterion: Criterion,
    pub opened_on: NaiveDate,
    /// The client's agreement to multi-agency work (recorded as a consent).
    pub client_agreed_on: NaiveDate,
    pub responsible_official_id: Option<String>,
}

fn age_on(born: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - born.year();
    if (on.month(), on.day()) < (born.month(), born.day()) {
        age -= 1;
    }
    age
}

/// An active official holding TYP_OFFICER at TE, EKSOTE or Kela.
async fn responsible_officer(rc: &RequestContext, id: &str) -> AppResult<official::Model> {
    let bad = || AppError::bad_input("responsibleOfficialId", "not an active responsible officer");
    let o = official::Entity::find_by_id(id.to_owned())
        .one(rc.db())
        .await?
        .ok_or_else(bad)?;
    let holds = official_role::Entity::find()
        .filter(official_role::Column::OfficialId.eq(id.to_owned()))
        .filter(official_role::Column::Role.eq(Role::TypOfficer.code()))
        .one(rc.db())
        .await?
        .is_some();
    if !o.active || !holds || o.agency == Agency::Provider.code() {
        return Err(bad());
    }
    Ok(o)
}

/// Opens a TYP case: the mapping period starts (its length is a setting).
pub async fn open_case(rc: &RequestContext, input: NewCase) -> AppResult<typ_case::Model> {
    rc.require_write(FieldGroup::Case)?;
    let client = visible_client(rc, &input.client_id).await?;
    let opened_on = recent(rc, "openedOn", input.opened_on)?;
    let agreed_on = not_future(rc, "clientAgreedOn", input.client_agreed_on)?;
    if agreed_on > opened_on {
        return Err(AppError::bad_input(
            "clientAgreedOn",
            "the client's agreement comes before the case opens",
        ));
    }
    let born = personal_identity_code::parse(&client.row.personal_identity_code)
        .map(|p| p.1)
        .map_err(|_| AppError::internal("stored identity code does not parse"))?;
    let age = age_on(born, opened_on);
    match input.criterion {
        Criterion::Unemployed6MonthsUnder25 if age >= 25 => {
            return Err(AppError::bad_input(
                "criterion",
                "the 6-month criterion is for clients under 25 on the opening day",
            ))
        }
        Criterion::Unemployed12Months25Plus if age < 25 => {
            return Err(AppError::bad_input(
                "criterion",
                "the 12-month criterion is for clients 25 or over on the opening day",
            ))
        }
        _ => {}
    }
    let officer_id = match input.responsible_official_id {
        Some(id) => id,
        None if rc.principal.has_role(Role::TypOfficer) => rc.principal.official_id.clone(),
        None => {
            return Err(AppError::bad_input(
                "responsibleOfficialId",
                "name the responsible officer",
            ))
        }
    };
    let officer = responsible_officer(rc, &officer_id).await?;
    let open = typ_case::Entity::find()
        .filter(typ_case::Column::ClientId.eq(client.row.id.clone()))
        .filter(typ_case::Column::EndedOn.is_null())
        .one(rc.db())
        .await?;
    if open.is_some() {
        return Err(AppError::Conflict(
            "the client already has an open TYP case".into(),
        ));
    }
    let deadline = opened_on
        .checked_add_months(Months::new(rc.settings.mapping_period_months))
        .ok_or_else(|| AppError::bad_input("openedOn", "date out of range"))?;
    let id = uuid::Uuid::new_v4().to_string();
    let sp = rc.db().begin().await?;
    let written = async {
        let mut sql = Sql::new("INSERT INTO typ_case (id, client_id, phase, criterion, responsible_official_id, responsible_agency, opened_on, mapping_deadline, created_at) VALUES (");
        sql.bind(id.clone()).push(", ").bind(client.row.id.clone()).push(", 'MAPPING', ").bind(input.criterion.code())
            .push(", ").bind(officer.id.clone()).push(", ").bind(officer.agency.clone()).push(", ").bind(opened_on)
            .push(", ").bind(deadline).push(", ").bind(rc.now).push(")");
        if let Err(e) = sp.execute_raw(sql.build_for(&sp)).await {
            if is_unique_violation(&e) {
                return Err(AppError::Conflict("the client already has an open TYP case".into()));
            }
            return Err(e.into());
        }
        let mut sql = Sql::new("INSERT INTO consent (id, client_id, kind, recipient_agency, given_on, recorded_by, recorded_by_agency, created_at) VALUES (");
        sql.bind(uuid::Uuid::new_v4().to_string()).push(", ").bind(client.row.id.clone())
            .push(", 'MULTI_AGENCY_SERVICE', NULL, ").bind(agreed_on).push(", ").bind(rc.principal.official_id.clone())
            .push(", ").bind(rc.principal.agency.code()).push(", ").bind(rc.now).push(")");
        sp.execute_raw(sql.build_for(&sp)).await?;
        Ok(())
    }
    .await;
    finish(sp, written).await?;
    rc.recorder.write(&client.row.id, FieldGroup::Case);
    typ_case::Entity::find_by_id(id)
        .one(rc.db())
        .await?
        .ok_or(AppError::NotFound)
}

/// Changes the responsible officer of an open case.
pub async fn assign_officer(
    rc: &RequestContext,
    case_id: &str,
    official_id: &str,
) -> AppResult<typ_case::Model> {
    rc.require_write(FieldGroup::Case)?;
    let (case, client) = visible_case(rc, case_id).await?;
    if case.ended_on.is_some() {
        return Err(AppError::Conflict("the case is closed".into()));
    }
    let officer = responsible_officer(rc, official_id).await?;
    let mut sql = Sql::new("UPDATE typ_case SET responsible_official_id = ");
    sql.bind(officer.id)
        .push(", responsible_agency = ")
        .bind(officer.agency)
        .push(" WHERE id = ")
        .bind(case.id.clone());
    rc.db().execute_raw(sql.build_for(rc.db())).await?;
    rc.recorder.write(&client.row.id, FieldGroup::Case);
    typ_case::Entity::find_by_id(case.id)
        .one(rc.db())
        .await?
        .ok_or(AppError::NotFound)
}

/// Plan kinds are date-dependent: from 2026 the activation plan is only for clients on
/// social assistance; benefit clients reach KTT through the multi-sector plan.
pub const ACTIVATION_LIMITED_FROM: (i32, u32, u32) = (2026, 1, 1);

pub struct NewPlan {
    pub case_id: String,
    pub activation: bool,
    pub made_on: NaiveDate,
    pub goals: String,
    pub review_on: Option<NaiveDate>,
}

/// Makes the (next version of the) plan of an open case; the case moves to IMPLEMENTATION.
pub async fn create_plan(rc: &RequestContext, input: NewPlan) -> AppResult<employment_plan::Model> {
    rc.require_write(FieldGroup::Case)?;
    let (case, client) = visible_case(rc, &input.case_id).await?;
    if case.ended_on.is_some() {
        return Err(AppError::Conflict("the case is closed".into()));
    }
    let made_on = not_future(rc, "madeOn", input.made_on)?;
    if made_on < case.opened_on {
        return Err(AppError::bad_input(
            "madeOn",
            "the plan cannot predate the case",
        ));
    }
    let goals = input::required_text("goals", &input.goals, 4000)?;
    let (y, m, d) = ACTIVATION_LIMITED_FROM;
    let limited_from = NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN);
    if input.activation && made_on >= limited_from && !client.row.on_social_assistance {
        return Err(AppError::bad_input(
            "kind",
            "from 2026 an activation plan is only for clients on social assistance",
        ));
    }
    let review_on = match input.review_on {
        Some(r) if r <= made_on => {
            return Err(AppError::bad_input(
                "reviewOn",
                "reviewOn must follow madeOn",
            ))
        }
        Some(r) => r,
        None => made_on
            .checked_add_months(Months::new(rc.settings.plan_review_months))
            .ok_or_else(|| AppError::bad_input("madeOn", "date out of range"))?,
    };
    let id = uuid::Uuid::new_v4().to_string();
    let sp = rc.db().begin().await?;
    let written = async {
        let mut sql = Sql::new("INSERT INTO employment_plan (id, case_id, kind, made_on, goals, review_on, created_by, created_at) VALUES (");
        sql.bind(id.clone()).push(", ").bind(case.id.clone()).push(", ").bind(if input.activation { "ACTIVATION" } else { "MULTI_SECTOR" })
            .push(", ").bind(made_on).push(", ").bind(goals).push(", ").bind(review_on).push(", ")
            .bind(rc.principal.official_id.clone()).push(", ").bind(rc.now).push(")");
        sp.execute_raw(sql.build_for(&sp)).await?;
        let mut sql = Sql::new("UPDATE typ_case SET phase = 'IMPLEMENTATION' WHERE id = ");
        sql.bind(case.id.clone());
        sp.execute_raw(sql.build_for(&sp)).await?;
        Ok(())
    }
    .await;
    finish(sp, written).await?;
    rc.recorder.write(&client.row.id, FieldGroup::Case);
    employment_plan::Entity::find_by_id(id)
        .one(rc.db())
        .await?
        .ok_or(AppError::NotFound)
}

pub struct NewAction {
    pub plan_id: String,
    pub meeting_id: Option<String>,
    pub owner_agency: Agency,
    pub description: String,
    pub due_on: NaiveDate,
}

/// Adds an agreed action to a plan (optionally agreed in a meeting), owned by one agency.
pub async fn add_action(rc: &RequestContext, input: NewAction) -> AppResult<agreed_action::Model> {
    rc.require_write(FieldGroup::Case)?;
    let plan = records::plan_in_scope(rc.db(), &rc.scope, &input.plan_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (case, client) = visible_case(rc, &plan.case_id).await?;
    if case.ended_on.is_some() {
        return Err(AppError::Conflict("the case is closed".into()));
    }
    if input.owner_agency == Agency::Provider {
        return Err(AppError::bad_input(
            "ownerAgency",
            "an action is owned by TE, EKSOTE or KELA",
        ));
    }
    let description = input::required_text("description", &input.description, 2000)?;
    if let Some(meeting) = &input.meeting_id {
        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM network_meeting WHERE id = ");
        sql.bind(meeting.clone())
            .push(" AND case_id = ")
            .bind(case.id.clone());
        let n: i64 = rc
            .db()
            .query_one_raw(sql.build_for(rc.db()))
            .await?
            .map(|r| r.try_get("", "n"))
            .transpose()?
            .unwrap_or(0);
        if n == 0 {
            return Err(AppError::bad_input(
                "meetingId",
                "no such meeting of this case",
            ));
        }
    }
    let id = uuid::Uuid::new_v4().to_string();
    let mut sql = Sql::new("INSERT INTO agreed_action (id, case_id, plan_id, meeting_id, owner_agency, description, due_on, created_by, created_at) VALUES (");
    sql.bind(id.clone())
        .push(", ")
        .bind(case.id)
        .push(", ")
        .bind(plan.id)
        .push(", ")
        .bind(input.meeting_id)
        .push(", ")
        .bind(input.owner_agency.code())
        .push(", ")
        .bind(description)
        .push(", ")
        .bind(input.due_on)
        .push(", ")
        .bind(rc.principal.official_id.clone())
        .push(", ")
        .bind(rc.now)
        .push(")");
    rc.db().execute_raw(sql.build_for(rc.db())).await?;
    rc.recorder.write(&client.row.id, FieldGroup::Case);
    agreed_action::Entity::find_by_id(id)
        .one(rc.db())
        .await?
        .ok_or(AppError::NotFound)
}

/// Marks an agreed action done today.
pub async fn complete_action(rc: &RequestContext, id: &str) -> AppResult<agreed_action::Model> {
    rc.require_write(FieldGroup::Case)?;
    let action = records::action_in_scope(rc.db(), &rc.scope, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (_, client) = visible_case(rc, &action.case_id).await?;
    if action.completed_on.is_some() {
        return Err(AppError::Conflict("the action is already completed".into()));
    }
    let mut sql = Sql::new("UPDATE agreed_action SET completed_on = ");
    sql.bind(rc.today)
        .push(" WHERE id = ")
        .bind(action.id.clone())
        .push(" AND completed_on IS NULL");
    rc.db().execute_raw(sql.build_for(rc.db())).await?;
    rc.recorder.write(&client.row.id, FieldGroup::Case);
    agreed_action::Entity::find_by_id(action.id)
        .one(rc.db())
        .await?
        .ok_or(AppError::NotFound)
}

/// Closes a case with its outcome. Only the responsible agency closes a case (the agency
/// of its responsible officer, which owns the case as its record); others who see the
/// case get `FORBIDDEN`. The closing date is at most `TYPGRAPH_MAX_BACKDATE_DAYS` back; the
/// day it was recorded and by whom are kept, and retention counts from the later of the
/// two. The responsible agency may close a case whose agreement the client withdrew.
pub async fn close_case(
    rc: &RequestContext,
    case_id: &str,
    outcome: CaseOutcome,
    ended_on: NaiveDate,
) -> AppResult<typ_case::Model> {
    rc.require_write(FieldGroup::Case)?;
    let case = typ_case::Entity::find_by_id(case_id.to_owned())
        .one(rc.db())
        .await?
        .ok_or(AppError::NotFound)?;
    let client = clients::find(rc, &case.client_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let responsible = case.responsible_agency == rc.principal.agency.code();
    if !responsible {
        // Outside TYP a case is only its responsible agency's record: no trace of it.
        return Err(if client.scope.typ {
            AppError::Forbidden(None)
        } else {
            AppError::NotFound
        });
    }
    if case.ended_on.is_some() {
        return Err(AppError::Conflict("the case is already closed".into()));
    }
    let ended_on = recent(rc, "endedOn", ended_on)?;
    if ended_on < case.opened_on {
        return Err(AppError::bad_input(
            "endedOn",
            "endedOn is before the case opened",
        ));
    }
    let mut sql = Sql::new("UPDATE typ_case SET phase = 'CLOSED', ended_on = ");
    sql.bind(ended_on)
        .push(", outcome = ")
        .bind(outcome.code())
        .push(", closure_recorded_on = ")
        .bind(rc.today)
        .push(", closed_by = ")
        .bind(rc.principal.official_id.clone())
        .push(" WHERE id = ")
        .bind(case.id.clone())
        .push(" AND ended_on IS NULL");
    if rc
        .db()
        .execute_raw(sql.build_for(rc.db()))
        .await?
        .rows_affected()
        == 0
    {
        return Err(AppError::Conflict("the case is already closed".into()));
    }
    rc.recorder.write(&client.row.id, FieldGroup::Case);
    typ_case::Entity::find_by_id(case.id)
        .one(rc.db())
        .await?
        .ok_or(AppError::NotFound)
}

/// Records labour-market status 3, 6 or 12 months after a case closed.
pub async fn record_follow_up(
    rc: &RequestContext,
    case_id: &str,
    months_after: i32,
    status: FollowUpStatus,
    recorded_on: NaiveDate,
) -> AppResult<()> {
    rc.require_write(FieldGroup::Case)?;
    let (case, client) = visible_case(rc, case_id).await?;
    let Some(ended) = case.ended_on else {
        return Err(AppError::Conflict("follow-up is for closed cases".into()));
    };
    if ![3, 6, 12].contains(&months_after) {
        return Err(AppError::bad_input(
            "monthsAfter",
            "follow-up is at 3, 6 or 12 months",
        ));
    }
    let recorded_on = not_future(rc, "recordedOn", recorded_on)?;
    let due = ended
        .checked_add_months(Months::new(months_after as u32))
        .unwrap_or(NaiveDate::MAX);
    if recorded_on < due {
        return Err(AppError::bad_input(
            "recordedOn",
            format!("the {months_after}-month follow-up is recorded once that many months have passed since the case ended"),
        ));
    }
    let mut sql = Sql::new("INSERT INTO case_follow_up (id, case_id, months_after, status, recorded_on, recorded_by) VALUES (");
    sql.bind(uuid::Uuid::new_v4().to_string())
        .push(", ")
        .bind(case.id)
        .push(", ")
        .bind(months_after)
        .push(", ")
        .bind(status.code())
        .push(", ")
        .bind(recorded_on)
        .push(", ")
        .bind(rc.principal.official_id.clone())
        .push(")");
    let sp = rc.db().begin().await?;
    let written = match sp.execute_raw(sql.build_for(&sp)).await {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(AppError::Conflict(format!(
            "the {months_after}-month follow-up is already recorded"
        ))),
        Err(e) => Err(e.into()),
    };
    finish(sp, written).await?;
    rc.recorder.write(&client.row.id, FieldGroup::Case);
    Ok(())
}
