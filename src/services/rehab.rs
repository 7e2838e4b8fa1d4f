//! Rehabilitative work activity (KTT) periods: decisions and early endings, by the rules of
//! act 189/2001 on rehabilitative work activity ([`crate::domain::ktt`]).

use chrono::NaiveDate;
use entity::{employment_plan, provider, rehab_period, typ_case};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use super::attendance_correction::{self, Cause};
use super::case::visible_client;
use super::client::ClientRecord;
use super::write::{self, Scoped, Written};
use super::{input, loads, RequestContext};
use crate::authz::FieldGroup;
use crate::domain::calendar::{self, AttendanceException, RehabPeriodOutcome, Weekday};
use crate::domain::ktt;
use crate::error::{AppError, AppResult};

pub struct NewPeriod {
    pub client_id: String,
    pub provider_id: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub days_per_week: i32,
    pub hours_per_day: i32,
    pub goal: String,
    pub support_needs: Option<String>,
    pub travel_distance_km: Option<f64>,
    /// Fare of an attended day at the cheapest means, in cents (the default fare if none).
    pub travel_fare_cents: Option<i64>,
    /// Price of a monthly period ticket, in cents, when one serves.
    pub travel_ticket_cents_month: Option<i64>,
    /// The weekly schedule: as many weekdays as `days_per_week`; the first days from
    /// Monday when `None`.
    pub weekdays: Option<Vec<Weekday>>,
    /// The exceptions the decision allows (a day outside the schedule or on a day off).
    pub allowed_exceptions: Vec<AttendanceException>,
}

/// How a period ended and what followed it.
#[derive(Debug, Clone)]
pub struct PeriodOutcome {
    pub outcome: RehabPeriodOutcome,
    /// A new KTT period of the client that followed this one.
    pub followed_by_period_id: Option<String>,
    /// A work-ability assessment of the client that followed this one.
    pub followed_by_assessment_id: Option<String>,
}

/// The weekdays of a new period: as many as its days a week, none twice (act 189/2001
/// s. 5 as amended: 1-4 days a week, the decision holds the schedule).
pub fn checked_weekdays(p: &NewPeriod) -> AppResult<Vec<Weekday>> {
    let Some(days) = &p.weekdays else {
        return Ok(calendar::default_weekdays(p.days_per_week));
    };
    let mut sorted = days.clone();
    sorted.sort();
    sorted.dedup();
    if sorted.len() != days.len() {
        return Err(AppError::bad_input("weekdays", "a weekday is given twice"));
    }
    if sorted.len() != p.days_per_week.max(0) as usize {
        return Err(AppError::bad_input(
            "weekdays",
            format!("name {} weekdays, as many as daysPerWeek", p.days_per_week),
        ));
    }
    Ok(sorted)
}

fn bad_input(b: ktt::Breach) -> AppError {
    AppError::bad_input(b.field, b.message)
}

/// The day a period actually ends (an early end, or as decided).
pub fn effective_end(p: &rehab_period::Model) -> NaiveDate {
    ktt::effective_end(p.ends_on, p.ended_early_on)
}

/// Checks the schedule and length rules; each failure names its input field.
pub fn check_rules(p: &NewPeriod) -> AppResult<()> {
    ktt::check_schedule(&ktt::Schedule {
        starts_on: p.starts_on,
        ends_on: p.ends_on,
        days_per_week: p.days_per_week,
        hours_per_day: p.hours_per_day,
        travel_distance_km: p.travel_distance_km,
    })
    .map_err(bad_input)
}

/// Decides a KTT period for a client at a provider.
pub async fn decide(
    rc: &RequestContext,
    input: NewPeriod,
) -> AppResult<Scoped<rehab_period::Model>> {
    write::scoped(rc, FieldGroup::Rehab, async |sp| {
        decide_in(rc, sp, input).await
    })
    .await
}

pub(crate) async fn decide_in(
    rc: &RequestContext,
    sp: &DatabaseTransaction,
    input: NewPeriod,
) -> AppResult<Written<rehab_period::Model>> {
    let client = visible_client(rc, &input.client_id).await?;
    check_rules(&input)?;
    let weekdays = checked_weekdays(&input)?;
    let mut allowed = input.allowed_exceptions.clone();
    allowed.sort();
    allowed.dedup();
    for (field, cents) in [
        ("travelFareCents", input.travel_fare_cents),
        ("travelTicketCentsMonth", input.travel_ticket_cents_month),
    ] {
        if cents.is_some_and(|c| !(0..=100_000).contains(&c)) {
            return Err(AppError::bad_input(
                field,
                format!("{field} is 0 to 100000 cents"),
            ));
        }
    }
    let goal = input::required_text("goal", &input.goal, 2000)?;
    let support = input::optional_text("supportNeeds", input.support_needs.as_deref(), 2000)?;
    let provider = provider::Entity::find_by_id(input.provider_id.clone())
        .one(rc.db())
        .await?
        .filter(|p| p.active)
        .ok_or_else(|| AppError::bad_input("providerId", "no active provider with this id"))?;
    let existing = rehab_period::Entity::find()
        .filter(rehab_period::Column::ClientId.eq(client.row.id.clone()))
        .all(rc.db())
        .await?;
    // The rules weigh every period of the client; what an answer shows of one is only what
    // the caller's scope lets it read (outside TYP, another agency's period is not).
    let readable: Vec<String> = loads::periods(rc.db(), &rc.scope, &[client.scope.key()])
        .await?
        .into_values()
        .flatten()
        .map(|p| p.id)
        .collect();
    if let Some(clash) = existing.iter().find(|p| {
        ktt::overlaps(
            input.starts_on,
            input.ends_on,
            p.starts_on,
            effective_end(p),
        )
    }) {
        let message = "the new period overlaps an existing KTT period of the client";
        if !readable.contains(&clash.id) {
            return Err(AppError::Conflict(message.into()));
        }
        // Shown as read, and logged as read, as the assessment a caller should reuse is.
        rc.recorder.read(&client.row.id, FieldGroup::Rehab, None);
        rc.recorder.admitted(&client.row.id, client.scope.typ);
        return Err(AppError::ConflictWithExisting(
            message.into(),
            vec![
                ("id", clash.id.clone()),
                ("startsOn", clash.starts_on.to_string()),
                ("endsOn", effective_end(clash).to_string()),
            ],
        ));
    }
    // The plan must be reviewed after 24 months in KTT: over consecutive periods (gaps of
    // at most a month), a longer run needs a plan made in the 3 months before this one.
    let runs: Vec<(NaiveDate, NaiveDate)> = existing
        .iter()
        .map(|p| (p.starts_on, effective_end(p)))
        .collect();
    let review_months = rc.settings.rehab_review_months;
    if ktt::needs_review(input.starts_on, input.ends_on, &runs, review_months).map_err(bad_input)? {
        let (since, until) = ktt::review_window(input.starts_on);
        let cases: Vec<String> = typ_case::Entity::find()
            .filter(typ_case::Column::ClientId.eq(client.row.id.clone()))
            .all(rc.db())
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        let reviewed = employment_plan::Entity::find()
            .filter(employment_plan::Column::CaseId.is_in(cases))
            .filter(employment_plan::Column::MadeOn.between(since, until))
            .one(rc.db())
            .await?
            .is_some();
        if !reviewed {
            // Not the day the run began: it may be another agency's period the caller
            // cannot read.
            return Err(AppError::bad_input(
                "startsOn",
                format!(
                    "with the periods before it, over {} months in KTT in a row: review the plan first",
                    rc.settings.rehab_review_months
                ),
            ));
        }
    }
    let open_case = typ_case::Entity::find()
        .filter(typ_case::Column::ClientId.eq(client.row.id.clone()))
        .filter(typ_case::Column::EndedOn.is_null())
        .one(rc.db())
        .await?;
    let id = uuid::Uuid::new_v4().to_string();
    let number = format!(
        "KTT-{}-{}",
        rc.today.format("%Y"),
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    );
    let period = rehab_period::ActiveModel {
        id: Set(id.clone()),
        client_id: Set(client.row.id.clone()),
        case_id: Set(open_case.map(|c| c.id)),
        provider_id: Set(provider.id),
        decision_number: Set(number),
        decided_on: Set(rc.today),
        decided_by: Set(rc.principal().official_id.clone()),
        starts_on: Set(input.starts_on),
        ends_on: Set(input.ends_on),
        days_per_week: Set(input.days_per_week),
        hours_per_day: Set(input.hours_per_day),
        goal: Set(goal),
        support_needs: Set(support),
        travel_distance_km: Set(input.travel_distance_km),
        travel_fare_cents: Set(input.travel_fare_cents),
        travel_ticket_cents_month: Set(input.travel_ticket_cents_month),
        created_at: Set(rc.now),
        weekdays: Set(calendar::store_list(weekdays.iter().map(|d| d.code()))),
        allowed_exceptions: Set(calendar::store_list(allowed.iter().map(|e| e.code()))),
        ..Default::default()
    };
    rehab_period::Entity::insert(period)
        .exec_without_returning(sp)
        .await?;
    crate::store::ktt_month::rebuild(sp, Some(&client.row.id)).await?;
    let row = rehab_period::Entity::find_by_id(id)
        .one(sp)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Written::of(&client, row))
}

/// Records how a period ended and what followed it: when it ends early, or once it has
/// ended as decided. A recorded outcome may be corrected (the access log keeps who wrote
/// it).
pub async fn record_outcome(
    rc: &RequestContext,
    period_id: &str,
    outcome: PeriodOutcome,
) -> AppResult<Scoped<rehab_period::Model>> {
    write::scoped(rc, FieldGroup::Rehab, async |sp| {
        let (client, row) = outcome_recorded(rc, sp, period_id, outcome, "").await?;
        Ok(Written::of(&client, row))
    })
    .await
}

/// Records the outcome of a period that has ended (early, or as decided by `rc.today`);
/// `prefix` is put before the names of the input fields in errors (`endRehabPeriods[0].`).
pub(crate) async fn outcome_recorded(
    rc: &RequestContext,
    sp: &DatabaseTransaction,
    period_id: &str,
    outcome: PeriodOutcome,
    prefix: &str,
) -> AppResult<(ClientRecord, rehab_period::Model)> {
    let period = loads::period_in_scope(sp, &rc.scope, period_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let client = visible_client(rc, &period.client_id).await?;
    let end = effective_end(&period);
    if period.ended_early_on.is_none() && end >= rc.today {
        return Err(AppError::Conflict(
            "the period runs: end it early with its outcome, or record the outcome once it has ended".into(),
        ));
    }
    let followed_field = |f: &str| format!("{prefix}{f}");
    if let Some(next) = &outcome.followed_by_period_id {
        let name = followed_field("followedByPeriodId");
        let bad = || AppError::bad_input(&name, "no later KTT period of the client with this id");
        let next = loads::period_in_scope(sp, &rc.scope, next)
            .await?
            .ok_or_else(bad)?;
        if next.client_id != period.client_id || next.id == period.id || next.starts_on <= end {
            return Err(bad());
        }
    }
    if let Some(assessment) = &outcome.followed_by_assessment_id {
        let name = followed_field("followedByAssessmentId");
        let found = loads::assessments(sp, &rc.scope, &[client.scope.key()])
            .await?
            .into_values()
            .flatten()
            .any(|a| &a.id == assessment);
        if !found {
            return Err(AppError::bad_input(
                &name,
                "no work-ability assessment of the client with this id",
            ));
        }
    }
    rehab_period::Entity::update_many()
        .col_expr(
            rehab_period::Column::Outcome,
            Expr::value(outcome.outcome.code()),
        )
        .col_expr(
            rehab_period::Column::FollowedByPeriodId,
            Expr::value(outcome.followed_by_period_id),
        )
        .col_expr(
            rehab_period::Column::FollowedByAssessmentId,
            Expr::value(outcome.followed_by_assessment_id),
        )
        .col_expr(
            rehab_period::Column::OutcomeRecordedBy,
            Expr::value(rc.principal().official_id.clone()),
        )
        .col_expr(rehab_period::Column::OutcomeRecordedAt, Expr::value(rc.now))
        .filter(rehab_period::Column::Id.eq(period.id.clone()))
        .exec(sp)
        .await?;
    let row = rehab_period::Entity::find_by_id(period.id)
        .one(sp)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((client, row))
}

/// The early end itself, of a period the caller has loaded within its scope for the
/// visible `client`: the period as ended and how many days it voided.
pub(crate) async fn ended_early(
    rc: &RequestContext,
    sp: &DatabaseTransaction,
    client: &ClientRecord,
    period: &rehab_period::Model,
    ended_on: NaiveDate,
    reason: &str,
) -> AppResult<(rehab_period::Model, usize)> {
    if period.ended_early_on.is_some() {
        return Err(AppError::Conflict("the period has already ended".into()));
    }
    if ended_on < period.starts_on || ended_on > period.ends_on {
        return Err(AppError::bad_input(
            "endedOn",
            "endedOn is within the period",
        ));
    }
    let reason = input::required_text("reason", reason, 1000)?;
    rehab_period::Entity::update_many()
        .col_expr(rehab_period::Column::EndedEarlyOn, Expr::value(ended_on))
        .col_expr(rehab_period::Column::EndReason, Expr::value(reason.clone()))
        .filter(rehab_period::Column::Id.eq(period.id.clone()))
        .exec(sp)
        .await?;
    // Days recorded after the end no longer belong to the period: voided, never deleted.
    let voided = match ended_on.succ_opt() {
        Some(after) => {
            let why = format!("the period ended early on {ended_on}: {reason}");
            attendance_correction::void_days(sp, rc, period, after, None, Cause::EarlyEnd, &why)
                .await?
        }
        None => 0,
    };
    crate::store::ktt_month::rebuild(sp, Some(&client.row.id)).await?;
    let row = rehab_period::Entity::find_by_id(period.id.clone())
        .one(sp)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((row, voided))
}

/// A change that voided days also wrote the client's attendance and allowances.
pub(crate) fn voided_also<T>(written: Written<T>, voided: usize) -> Written<T> {
    if voided == 0 {
        written
    } else {
        written
            .also(FieldGroup::Attendance)
            .also(FieldGroup::Allowance)
    }
}

/// Interrupts a period for a while (illness, a work trial); attendance is refused meanwhile.
pub async fn interrupt(
    rc: &RequestContext,
    period_id: &str,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    reason: &str,
) -> AppResult<Scoped<rehab_period::Model>> {
    write::scoped(rc, FieldGroup::Rehab, async |sp| {
        interrupt_in(rc, sp, period_id, starts_on, ends_on, reason).await
    })
    .await
}

async fn interrupt_in(
    rc: &RequestContext,
    sp: &DatabaseTransaction,
    period_id: &str,
    starts_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    reason: &str,
) -> AppResult<Written<rehab_period::Model>> {
    let period = loads::period_in_scope(rc.db(), &rc.scope, period_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let client = visible_client(rc, &period.client_id).await?;
    if starts_on < period.starts_on || starts_on > effective_end(&period) {
        return Err(AppError::bad_input(
            "startsOn",
            "startsOn is within the period",
        ));
    }
    if ends_on.is_some_and(|e| e < starts_on) {
        return Err(AppError::bad_input("endsOn", "endsOn is before startsOn"));
    }
    let reason = input::required_text("reason", reason, 1000)?;
    let others = entity::rehab_interruption::Entity::find()
        .filter(entity::rehab_interruption::Column::PeriodId.eq(period.id.clone()))
        .all(rc.db())
        .await?;
    let end = ends_on.unwrap_or(NaiveDate::MAX);
    if others
        .iter()
        .any(|i| i.starts_on <= end && i.ends_on.unwrap_or(NaiveDate::MAX) >= starts_on)
    {
        return Err(AppError::Conflict(
            "the period is already interrupted then".into(),
        ));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let interruption = entity::rehab_interruption::ActiveModel {
        id: Set(id.clone()),
        period_id: Set(period.id.clone()),
        starts_on: Set(starts_on),
        ends_on: Set(ends_on),
        reason: Set(reason.clone()),
    };
    entity::rehab_interruption::Entity::insert(interruption)
        .exec_without_returning(sp)
        .await?;
    // Days already recorded within the interruption are voided, never deleted.
    let why = format!("the period was interrupted: {reason}");
    let cause = Cause::Interruption(&id);
    let voided =
        attendance_correction::void_days(sp, rc, &period, starts_on, ends_on, cause, &why).await?;
    Ok(voided_also(Written::of(&client, period), voided))
}
