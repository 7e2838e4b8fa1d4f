//! The TYP case: opening it, the responsible officer, closing and follow-up (the consents
//! it rests on are in [`super::consent`], its plans and agreed actions in
//! [`super::plan`]).

use chrono::{Datelike, Days, Months, NaiveDate};
use entity::{case_follow_up, consent, official, official_role, rehab_period, typ_case};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{Set, Unchanged},
    ColumnTrait, EntityTrait, QueryFilter,
};

use super::client::{self, ClientRecord};
use super::context::is_unique_violation;
use super::ktt_decision::{self, Decided};
use super::rehab::{self, PeriodOutcome};
use super::write::{self, Scoped, Written};
use super::{loads, RequestContext};
use crate::authz::{FieldGroup, ReadAccess};
use crate::domain::{personal_identity_code, Agency, Role};
use crate::error::{AppError, AppResult};

/// A visible client, or `NOT_FOUND` (missing and out of scope alike).
pub async fn visible_client(rc: &RequestContext, id: &str) -> AppResult<ClientRecord> {
    client::find(rc, id).await?.ok_or(AppError::NotFound)
}

/// A case whose client is a TYP client of the caller, with the client.
pub async fn visible_case(
    rc: &RequestContext,
    case_id: &str,
) -> AppResult<(typ_case::Model, ClientRecord)> {
    let case = loads::case_in_scope(rc.db(), &rc.scope, case_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let client = client::find(rc, &case.client_id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !client.scope.typ {
        return Err(AppError::NotFound);
    }
    Ok((case, client))
}

pub(super) fn not_future(
    rc: &RequestContext,
    field: &str,
    date: NaiveDate,
) -> AppResult<NaiveDate> {
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
pub(super) fn recent(rc: &RequestContext, field: &str, date: NaiveDate) -> AppResult<NaiveDate> {
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
    /// The service track the case is opened on.
    pub service_track: crate::domain::employment::ServiceTrack,
    /// The programme the case is tagged with for reporting, if any.
    pub programme_id: Option<String>,
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
pub async fn open_case(rc: &RequestContext, input: NewCase) -> AppResult<Scoped<typ_case::Model>> {
    write::scoped(rc, FieldGroup::Case, async |sp| {
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
            None if rc.principal().has_role(Role::TypOfficer) => rc.principal().official_id.clone(),
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
        let programme = match &input.programme_id {
            Some(id) => Some(
                super::registers::taggable(rc, "programmeId", id, opened_on, None)
                    .await?
                    .id,
            ),
            None => None,
        };
        let row = typ_case::ActiveModel {
            id: Set(uuid::Uuid::new_v4().to_string()),
            client_id: Set(client.row.id.clone()),
            phase: Set("MAPPING".to_owned()),
            criterion: Set(input.criterion.code().to_owned()),
            responsible_official_id: Set(officer.id.clone()),
            responsible_agency: Set(officer.agency.clone()),
            opened_on: Set(opened_on),
            mapping_deadline: Set(deadline),
            service_track: Set(Some(input.service_track.code().to_owned())),
            programme_id: Set(programme),
            created_at: Set(rc.now),
            ..Default::default()
        }
        .insert(sp)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                AppError::Conflict("the client already has an open TYP case".into())
            } else {
                e.into()
            }
        })?;
        consent::Entity::insert(consent::ActiveModel {
            id: Set(uuid::Uuid::new_v4().to_string()),
            client_id: Set(client.row.id.clone()),
            kind: Set("MULTI_AGENCY_SERVICE".to_owned()),
            recipient_agency: Set(None),
            given_on: Set(agreed_on),
            recorded_by: Set(rc.principal().official_id.clone()),
            recorded_by_agency: Set(rc.principal().agency.code().to_owned()),
            created_at: Set(rc.now),
            ..Default::default()
        })
        .exec_without_returning(sp)
        .await?;
        Ok(Written::rescoping(&client, row))
    })
    .await
}

/// Changes the responsible officer of an open case.
pub async fn assign_officer(
    rc: &RequestContext,
    case_id: &str,
    official_id: &str,
) -> AppResult<Scoped<typ_case::Model>> {
    write::scoped(rc, FieldGroup::Case, async |sp| {
        let (case, client) = visible_case(rc, case_id).await?;
        if case.ended_on.is_some() {
            return Err(AppError::Conflict("the case is closed".into()));
        }
        let officer = responsible_officer(rc, official_id).await?;
        let row = typ_case::ActiveModel {
            id: Unchanged(case.id),
            responsible_official_id: Set(officer.id),
            responsible_agency: Set(officer.agency),
            ..Default::default()
        }
        .update(sp)
        .await
        .map_err(write::gone_is_not_found)?;
        Ok(Written::of(&client, row))
    })
    .await
}

/// A KTT period ended by the same call that closes the case, by its terminating decision.
pub struct EndWithCase {
    pub period_id: String,
    /// Why it ends (the decision's reasons unless `decided` gives them); a standard text
    /// when `None`.
    pub reason: Option<String>,
    pub decided: Decided,
    pub outcome: PeriodOutcome,
}

/// Closes a case with its outcome. Only the responsible agency closes a case (the agency
/// of its responsible officer, which owns the case as its record); others who see the
/// case get `FORBIDDEN`. The closing date is at most `TYPGRAPH_MAX_BACKDATE_DAYS` back; the
/// day it was recorded and by whom are kept, and retention counts from the later of the
/// two. The responsible agency may close a case whose agreement the client withdrew.
///
/// A client's KTT period that runs after the closing date (or is decided to start after
/// it) stops the closure (`CONFLICT` listing the periods the caller reads) unless the same
/// call ends it (`end_periods`, with its outcome): ended early on the closing date (a
/// period not yet started on its first day) by its terminating decision, which only a
/// county decision maker makes ([`ktt_decision::terminated_in`]), its later days voided.
pub async fn close_case(
    rc: &RequestContext,
    case_id: &str,
    outcome: CaseOutcome,
    ended_on: NaiveDate,
    end_periods: Vec<EndWithCase>,
) -> AppResult<Scoped<typ_case::Model>> {
    write::scoped(rc, FieldGroup::Case, async |sp| {
        if !end_periods.is_empty() {
            rc.require_write(FieldGroup::Rehab)?;
        }
        let case = typ_case::Entity::find_by_id(case_id.to_owned())
            .one(rc.db())
            .await?
            .ok_or(AppError::NotFound)?;
        let client = client::find(rc, &case.client_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let responsible = case.responsible_agency == rc.principal().agency.code();
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
        let voided = end_running_periods(rc, sp, &client, ended_on, end_periods).await?;
        let done = typ_case::Entity::update_many()
            .col_expr(typ_case::Column::Phase, Expr::value("CLOSED"))
            .col_expr(typ_case::Column::EndedOn, Expr::value(ended_on))
            .col_expr(typ_case::Column::Outcome, Expr::value(outcome.code()))
            .col_expr(typ_case::Column::ClosureRecordedOn, Expr::value(rc.today))
            .col_expr(
                typ_case::Column::ClosedBy,
                Expr::value(rc.principal().official_id.clone()),
            )
            .filter(typ_case::Column::Id.eq(case.id.clone()))
            .filter(typ_case::Column::EndedOn.is_null())
            .exec(sp)
            .await?;
        if done.rows_affected == 0 {
            return Err(AppError::Conflict("the case is already closed".into()));
        }
        let row = typ_case::Entity::find_by_id(case.id)
            .one(sp)
            .await?
            .ok_or(AppError::NotFound)?;
        let written = match voided {
            None => Written::of(&client, row),
            Some(0) => Written::of(&client, row).also(FieldGroup::Rehab),
            Some(_) => Written::of(&client, row)
                .also(FieldGroup::Rehab)
                .also(FieldGroup::Attendance)
                .also(FieldGroup::Allowance),
        };
        Ok(written)
    })
    .await
}

/// Ends, with the case, the client's periods that run after `ended_on`; refuses when one
/// is left unnamed. `None` when no period was ended, else how many days were voided.
async fn end_running_periods(
    rc: &RequestContext,
    sp: &sea_orm::DatabaseTransaction,
    client: &ClientRecord,
    ended_on: NaiveDate,
    end_periods: Vec<EndWithCase>,
) -> AppResult<Option<usize>> {
    let running: Vec<rehab_period::Model> = rehab_period::Entity::find()
        .filter(rehab_period::Column::ClientId.eq(client.row.id.clone()))
        .all(rc.db())
        .await?
        .into_iter()
        .filter(|p| rehab::effective_end(p) > ended_on)
        .collect();
    let mut named: Vec<&str> = Vec::new();
    for (i, end) in end_periods.iter().enumerate() {
        let known = running.iter().any(|p| p.id == end.period_id);
        if !known || named.contains(&end.period_id.as_str()) {
            return Err(AppError::bad_input(
                &format!("endRehabPeriods[{i}].periodId"),
                "no KTT period of the client running after endedOn with this id (or named twice)",
            ));
        }
        named.push(&end.period_id);
    }
    let left: Vec<&rehab_period::Model> = running
        .iter()
        .filter(|p| !named.contains(&p.id.as_str()))
        .collect();
    if !left.is_empty() {
        // Listed as far as the caller reads them (ids and dates); otherwise not named.
        let reads = rc.principal().mask.group(FieldGroup::Rehab) == ReadAccess::Read;
        let readable: Vec<String> = if reads {
            loads::periods(rc.db(), &rc.scope, &[client.scope.key()])
                .await?
                .into_values()
                .flatten()
                .map(|p| p.id)
                .collect()
        } else {
            Vec::new()
        };
        let message = "KTT runs after endedOn (or is decided to start later): end the periods in the same call (endRehabPeriods) or first";
        if !left.iter().all(|p| readable.contains(&p.id)) {
            return Err(AppError::Conflict(message.into()));
        }
        rc.recorder.read(&client.row.id, FieldGroup::Rehab, None);
        let listed = left
            .iter()
            .map(|p| {
                vec![
                    ("id", p.id.clone()),
                    ("startsOn", p.starts_on.to_string()),
                    ("endsOn", rehab::effective_end(p).to_string()),
                ]
            })
            .collect();
        return Err(AppError::ConflictWithRecords(
            message.into(),
            "periods",
            listed,
        ));
    }
    if end_periods.is_empty() {
        return Ok(None);
    }
    let mut voided = 0;
    for (i, end) in end_periods.into_iter().enumerate() {
        let Some(period) = running.iter().find(|p| p.id == end.period_id) else {
            continue;
        };
        // A period decided to start after the closing date ends on its first day.
        let on = ended_on.max(period.starts_on);
        let mut decided = end.decided;
        decided.reasoning = decided
            .reasoning
            .or(end.reason)
            .or_else(|| Some("the TYP case was closed".to_owned()));
        let ended = ktt_decision::terminated_in(rc, sp, &period.id, on, &decided)
            .await
            .map_err(|e| prefixed(e, i))?;
        voided += ended.voided;
        let prefix = format!("endRehabPeriods[{i}].");
        rehab::outcome_recorded(rc, sp, &period.id, end.outcome, &prefix).await?;
    }
    Ok(Some(voided))
}

/// An error of ending the `i`th period, its input field named within `endRehabPeriods`.
fn prefixed(err: AppError, i: usize) -> AppError {
    match err {
        AppError::BadUserInput {
            field,
            message,
            figures,
        } => AppError::BadUserInput {
            field: format!("endRehabPeriods[{i}].{field}"),
            message,
            figures,
        },
        other => other,
    }
}

/// Records labour-market status 3, 6 or 12 months after a case closed.
pub async fn record_follow_up(
    rc: &RequestContext,
    case_id: &str,
    months_after: i32,
    status: FollowUpStatus,
    recorded_on: NaiveDate,
) -> AppResult<Scoped<typ_case::Model>> {
    write::scoped(rc, FieldGroup::Case, async |sp| {
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
        let follow_up = case_follow_up::ActiveModel {
            id: Set(uuid::Uuid::new_v4().to_string()),
            case_id: Set(case.id.clone()),
            months_after: Set(months_after),
            status: Set(status.code().to_owned()),
            recorded_on: Set(recorded_on),
            recorded_by: Set(rc.principal().official_id.clone()),
        };
        match case_follow_up::Entity::insert(follow_up)
            .exec_without_returning(sp)
            .await
        {
            Ok(_) => Ok(Written::of(&client, case)),
            Err(e) if is_unique_violation(&e) => Err(AppError::Conflict(format!(
                "the {months_after}-month follow-up is already recorded"
            ))),
            Err(e) => Err(e.into()),
        }
    })
    .await
}
