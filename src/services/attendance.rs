//! Attendance of KTT periods and the allowances it produces: 9 € per attended day, at most
//! 5 paid days a week, to the payer of the client's benefit status on the day (Kela's or the
//! fund's kulukorvaus under the Unemployment Security Act 1290/2002 ch. 10, or the county's
//! toimintaraha under act 189/2001 s. 18), and the county's travel compensation at the
//! cheapest means over 3 km (the amounts are settings).
//!
//! The rules themselves are [`crate::domain::allowance`] and [`crate::domain::benefit`].

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, IsoWeek, NaiveDate};
use entity::{
    allowance_line, allowance_line_attendance, attendance_day, rehab_interruption, rehab_period,
    service_interruption,
};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter,
};

use super::case::visible_client;
use super::rehab::effective_end;
use super::write::{self, Written};
use super::{input, RequestContext};
use crate::authz::FieldGroup;
use crate::domain::allowance;
use crate::domain::calendar::{self, AttendanceException, Weekday};
use crate::domain::Role;
use crate::error::{AppError, AppResult};

/// At most this many days in one call.
pub const MAX_DAYS_PER_BATCH: usize = 100;

pub struct Day {
    pub date: NaiveDate,
    pub present: bool,
    pub absence_reason: Option<String>,
    /// Why a day outside the schedule or on a day off is recorded (the decision must
    /// allow it).
    pub exception: Option<AttendanceException>,
}

/// How many rows a batch changed and how many it found as they were.
pub struct Recorded {
    pub recorded: i32,
    pub unchanged: i32,
}

/// Records a batch of activity days; idempotent per (period, date).
pub async fn record(rc: &RequestContext, period_id: &str, days: Vec<Day>) -> AppResult<Recorded> {
    write::unscoped(rc, FieldGroup::Attendance, async |sp| {
        record_in(rc, sp, period_id, days).await
    })
    .await
}

async fn record_in(
    rc: &RequestContext,
    sp: &DatabaseTransaction,
    period_id: &str,
    days: Vec<Day>,
) -> AppResult<Written<Recorded>> {
    let period = super::loads::period_in_scope(rc.db(), &rc.scope, period_id)
        .await?
        .ok_or(AppError::NotFound)?;
    // Coaches record only for placements at their own provider; county workers for any.
    let coach_only = rc.principal().has_role(Role::ProviderCoach)
        && !rc.principal().has_role(Role::EksoteWorker);
    if coach_only && rc.principal().provider_id.as_deref() != Some(period.provider_id.as_str()) {
        return Err(AppError::NotFound);
    }
    if !coach_only && !rc.principal().has_role(Role::EksoteWorker) {
        return Err(AppError::Forbidden(None));
    }
    let client = visible_client(rc, &period.client_id).await?;
    if days.is_empty() {
        return Err(AppError::bad_input("days", "no days given"));
    }
    if days.len() > MAX_DAYS_PER_BATCH {
        return Err(AppError::LimitExceeded(format!(
            "at most {MAX_DAYS_PER_BATCH} days per call"
        )));
    }
    // Service-wide interruptions that stand (not cancelled), of all providers or this one.
    let closed: Vec<(NaiveDate, NaiveDate)> = service_interruption::Entity::find()
        .filter(service_interruption::Column::CancelledAt.is_null())
        .filter(
            Condition::any()
                .add(service_interruption::Column::ProviderId.is_null())
                .add(service_interruption::Column::ProviderId.eq(period.provider_id.clone())),
        )
        .all(rc.db())
        .await?
        .into_iter()
        .map(|s| (s.starts_on, s.ends_on))
        .chain(
            rehab_interruption::Entity::find()
                .filter(rehab_interruption::Column::PeriodId.eq(period.id.clone()))
                .all(rc.db())
                .await?
                .into_iter()
                .map(|i| (i.starts_on, i.ends_on.unwrap_or(NaiveDate::MAX))),
        )
        .collect();
    let last = effective_end(&period).min(rc.today);
    // The decision's weekly schedule and the exceptions it allows (act 189/2001 s. 5).
    let weekdays = calendar::weekdays_of(period.weekdays.as_deref(), period.days_per_week);
    let allowed: Vec<AttendanceException> =
        calendar::parse_list(period.allowed_exceptions.as_deref());
    let mut seen = BTreeSet::new();
    let mut clean = Vec::with_capacity(days.len());
    for (i, d) in days.into_iter().enumerate() {
        let field = format!("days[{i}].date");
        if d.date < period.starts_on || d.date > effective_end(&period) {
            return Err(AppError::bad_input(
                &field,
                format!("{} is outside the period", d.date),
            ));
        }
        if d.date > last {
            return Err(AppError::bad_input(
                &field,
                format!("{} is in the future", d.date),
            ));
        }
        if closed.iter().any(|(a, b)| d.date >= *a && d.date <= *b) {
            return Err(AppError::bad_input(
                &field,
                format!("the service was interrupted on {}", d.date),
            ));
        }
        // Only on the period's weekdays and never on a public holiday or a closure day,
        // unless recorded with an exception the decision allows.
        let off = calendar::day_off(d.date, &rc.settings.extra_closure_days)
            .map(|name| format!("{} is a day off ({name})", d.date))
            .or_else(|| {
                (!weekdays.contains(&Weekday::of(d.date)))
                    .then(|| format!("{} is not one of the period's weekdays", d.date))
            });
        match (d.exception, off) {
            (None, Some(why)) => {
                return Err(AppError::bad_input(
                    &field,
                    format!("{why}: record it with an exception the decision allows"),
                ))
            }
            (Some(e), _) if !allowed.contains(&e) => {
                return Err(AppError::bad_input(
                    &format!("days[{i}].exceptionReason"),
                    format!("the decision does not allow {} days", e.code()),
                ))
            }
            _ => {}
        }
        if !seen.insert(d.date) {
            return Err(AppError::bad_input(
                &field,
                format!("{} is given twice", d.date),
            ));
        }
        let reason = input::optional_text(
            &format!("days[{i}].absenceReason"),
            d.absence_reason.as_deref(),
            200,
        )?;
        if !d.present && reason.is_none() {
            return Err(AppError::bad_input(
                &format!("days[{i}].absenceReason"),
                "an absence needs a reason",
            ));
        }
        clean.push(Day {
            date: d.date,
            present: d.present,
            absence_reason: if d.present { None } else { reason },
            exception: d.exception,
        });
    }
    let existing: BTreeMap<NaiveDate, attendance_day::Model> = attendance_day::Entity::find()
        .filter(attendance_day::Column::PeriodId.eq(period.id.clone()))
        .all(rc.db())
        .await?
        .into_iter()
        .map(|a| (a.day, a))
        .collect();
    // No more recorded days in a week than the schedule has (voided days do not count).
    let mut per_week: BTreeMap<IsoWeek, BTreeSet<NaiveDate>> = BTreeMap::new();
    let standing = existing
        .values()
        .filter(|a| a.voided_at.is_none())
        .map(|a| &a.day);
    for day in standing.chain(seen.iter()) {
        per_week.entry(day.iso_week()).or_default().insert(*day);
    }
    for (i, d) in clean.iter().enumerate() {
        let n = per_week.get(&d.date.iso_week()).map_or(0, BTreeSet::len);
        if n > period.days_per_week as usize {
            return Err(AppError::bad_input(
                &format!("days[{i}].date"),
                format!(
                    "week {} would have {n} days; the schedule has {}",
                    d.date.iso_week().week(),
                    period.days_per_week
                ),
            ));
        }
    }
    let outcome = write(sp, rc, &period, &existing, clean).await?;
    rc.recorder.admitted(&client.row.id, client.scope.typ);
    Ok(Written::for_client_id(&client.row.id, outcome).also(FieldGroup::Allowance))
}

async fn write(
    sp: &DatabaseTransaction,
    rc: &RequestContext,
    period: &rehab_period::Model,
    existing: &BTreeMap<NaiveDate, attendance_day::Model>,
    days: Vec<Day>,
) -> AppResult<Recorded> {
    let mut out = Recorded {
        recorded: 0,
        unchanged: 0,
    };
    let mut months = BTreeSet::new();
    for d in days {
        match existing.get(&d.date) {
            Some(a)
                if a.voided_at.is_none()
                    && a.present == d.present
                    && a.absence_reason == d.absence_reason
                    && a.exception_reason.as_deref() == d.exception.map(|e| e.code()) =>
            {
                out.unchanged += 1
            }
            // Changed, or a voided day recorded again where the period allows it now: the
            // row stands again (its voiding stays in `attendance_correction`).
            Some(a) => {
                attendance_day::Entity::update_many()
                    .col_expr(attendance_day::Column::Present, Expr::value(d.present))
                    .col_expr(
                        attendance_day::Column::AbsenceReason,
                        Expr::value(d.absence_reason),
                    )
                    .col_expr(
                        attendance_day::Column::ExceptionReason,
                        Expr::value(d.exception.map(|e| e.code())),
                    )
                    .col_expr(
                        attendance_day::Column::VoidedAt,
                        Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
                    )
                    .col_expr(
                        attendance_day::Column::VoidedBy,
                        Expr::value(Option::<String>::None),
                    )
                    .col_expr(
                        attendance_day::Column::VoidReason,
                        Expr::value(Option::<String>::None),
                    )
                    .col_expr(
                        attendance_day::Column::RecordedBy,
                        Expr::value(rc.principal().official_id.clone()),
                    )
                    .col_expr(attendance_day::Column::RecordedAt, Expr::value(rc.now))
                    .filter(attendance_day::Column::Id.eq(a.id.clone()))
                    .exec(sp)
                    .await?;
                out.recorded += 1;
                months.insert((d.date.year(), d.date.month()));
            }
            None => {
                let day = attendance_day::ActiveModel {
                    id: Set(uuid::Uuid::new_v4().to_string()),
                    period_id: Set(period.id.clone()),
                    day: Set(d.date),
                    present: Set(d.present),
                    absence_reason: Set(d.absence_reason),
                    recorded_by: Set(rc.principal().official_id.clone()),
                    recorded_at: Set(rc.now),
                    exception_reason: Set(d.exception.map(|e| e.code().to_owned())),
                    ..Default::default()
                };
                attendance_day::Entity::insert(day)
                    .exec_without_returning(sp)
                    .await?;
                out.recorded += 1;
                months.insert((d.date.year(), d.date.month()));
            }
        }
    }
    let changed = !months.is_empty();
    for (y, m) in months {
        recompute_month(sp, rc, period, y, m).await?;
    }
    if changed {
        crate::store::ktt_month::rebuild(sp, Some(&period.client_id)).await?;
    }
    Ok(out)
}

/// How the period's travel is compensated, as decided.
pub fn travel_of(period: &rehab_period::Model) -> allowance::Travel {
    allowance::Travel {
        distance_km: period.travel_distance_km,
        fare_cents_per_day: period.travel_fare_cents,
        ticket_cents_month: period.travel_ticket_cents_month,
    }
}

/// Rewrites the allowance lines of one month of a period from its attendance and the
/// client's benefit status on each attended day
/// (voided days count nowhere).
pub(crate) async fn recompute_month(
    sp: &DatabaseTransaction,
    rc: &RequestContext,
    period: &rehab_period::Model,
    year: i32,
    month: u32,
) -> AppResult<()> {
    let key = format!("{year:04}-{month:02}");
    let first =
        NaiveDate::from_ymd_opt(year, month, 1).ok_or_else(|| AppError::internal("bad month"))?;
    // Weeks reach into the neighbouring months: read a week either side.
    let from = first - chrono::Days::new(7);
    let to = first + chrono::Months::new(1) + chrono::Days::new(7);
    let present: Vec<(String, NaiveDate)> = attendance_day::Entity::find()
        .filter(attendance_day::Column::PeriodId.eq(period.id.clone()))
        .filter(attendance_day::Column::Present.eq(true))
        .filter(attendance_day::Column::VoidedAt.is_null())
        .filter(attendance_day::Column::Day.between(from, to))
        .all(sp)
        .await?
        .into_iter()
        .map(|a| (a.id, a.day))
        .collect();
    let statuses = super::benefit_status::Statuses::of_client(sp, &period.client_id).await?;
    let lines = allowance::for_month(
        &rc.settings,
        travel_of(period),
        &present,
        |day| statuses.on(day),
        year,
        month,
    );
    let existing = Query::select()
        .column(allowance_line::Column::Id)
        .from(allowance_line::Entity)
        .and_where(allowance_line::Column::PeriodId.eq(period.id.clone()))
        .and_where(allowance_line::Column::Month.eq(key.clone()))
        .to_owned();
    allowance_line_attendance::Entity::delete_many()
        .filter(allowance_line_attendance::Column::AllowanceLineId.in_subquery(existing))
        .exec(sp)
        .await?;
    allowance_line::Entity::delete_many()
        .filter(allowance_line::Column::PeriodId.eq(period.id.clone()))
        .filter(allowance_line::Column::Month.eq(key.clone()))
        .exec(sp)
        .await?;
    let version = rc.settings.allowance_rule_version();
    for line in lines {
        if line.cents == 0 {
            continue;
        }
        let id = uuid::Uuid::new_v4().to_string();
        let row = allowance_line::ActiveModel {
            id: Set(id.clone()),
            period_id: Set(period.id.clone()),
            month: Set(key.clone()),
            kind: Set(line.payee.kind.to_owned()),
            payer: Set(line.payee.payer.to_owned()),
            fund_name: Set(line.payee.fund.clone()),
            days: Set(line.days.len() as i32),
            amount_cents: Set(line.cents),
            rule_version: Set(version.clone()),
            created_at: Set(rc.now),
        };
        allowance_line::Entity::insert(row)
            .exec_without_returning(sp)
            .await?;
        let paid_days = line
            .days
            .iter()
            .map(|a| allowance_line_attendance::ActiveModel {
                allowance_line_id: Set(id.clone()),
                attendance_day_id: Set(a.clone()),
            });
        allowance_line_attendance::Entity::insert_many(paid_days)
            .exec_without_returning(sp)
            .await?;
    }
    Ok(())
}
