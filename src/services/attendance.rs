//! Attendance of KTT periods and the allowances it produces: 9 € per attended day, at most
//! 5 paid days a week, travel at the cheapest means over 3 km (the amounts are settings; the
//! allowances are those of the Unemployment Security Act 1290/2002, chapter 10, or the
//! municipality's expense compensation under act 189/2001).

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

use super::cases::visible_client;
use super::rehab::effective_end;
use super::write::{self, Written};
use super::{input, RequestContext};
use crate::authz::FieldGroup;
use crate::domain::settings::Settings;
use crate::domain::Role;
use crate::error::{AppError, AppResult};

/// At most this many days in one call.
pub const MAX_DAYS_PER_BATCH: usize = 100;

pub struct Day {
    pub date: NaiveDate,
    pub present: bool,
    pub absence_reason: Option<String>,
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
    let period = super::records::period_in_scope(rc.db(), &rc.scope, period_id)
        .await?
        .ok_or(AppError::NotFound)?;
    // Coaches record only for placements at their own provider; county workers for any.
    let coach_only =
        rc.principal().has_role(Role::ProviderCoach) && !rc.principal().has_role(Role::EksoteWorker);
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
        });
    }
    let existing: BTreeMap<NaiveDate, attendance_day::Model> = attendance_day::Entity::find()
        .filter(attendance_day::Column::PeriodId.eq(period.id.clone()))
        .all(rc.db())
        .await?
        .into_iter()
        .map(|a| (a.day, a))
        .collect();
    // No more recorded days in a week than the schedule has.
    let mut per_week: BTreeMap<IsoWeek, BTreeSet<NaiveDate>> = BTreeMap::new();
    for day in existing.keys().chain(seen.iter()) {
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
            Some(a) if a.present == d.present && a.absence_reason == d.absence_reason => {
                out.unchanged += 1
            }
            Some(a) => {
                attendance_day::Entity::update_many()
                    .col_expr(attendance_day::Column::Present, Expr::value(d.present))
                    .col_expr(
                        attendance_day::Column::AbsenceReason,
                        Expr::value(d.absence_reason),
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
        migration::ktt_month::rebuild(sp, Some(&period.client_id)).await?;
    }
    Ok(out)
}

/// A month's allowance as the rules give it: (paid attendance days, allowance, travel).
pub fn allowance_for_month(
    settings: &Settings,
    period: &rehab_period::Model,
    present_days: &[(String, NaiveDate)],
    year: i32,
    month: u32,
) -> (Vec<String>, i64, i64) {
    // Pay at most N days of each ISO week, earliest first, then keep this month's.
    let mut by_week: BTreeMap<IsoWeek, Vec<&(String, NaiveDate)>> = BTreeMap::new();
    let mut sorted: Vec<&(String, NaiveDate)> = present_days.iter().collect();
    sorted.sort_by_key(|d| d.1);
    for d in sorted {
        by_week.entry(d.1.iso_week()).or_default().push(d);
    }
    let mut paid = Vec::new();
    let mut cents = 0;
    for days in by_week.values() {
        for (id, day) in days.iter().take(settings.paid_days_per_week as usize) {
            if day.year() == year && day.month() == month {
                paid.push(id.clone());
                cents += settings.allowance_on(*day);
            }
        }
    }
    let far = period
        .travel_distance_km
        .is_some_and(|km| km > settings.travel_threshold_km);
    let travel = if far {
        paid.len() as i64 * settings.travel_cents_per_day
    } else {
        0
    };
    (paid, cents, travel)
}

/// Rewrites the allowance lines of one month of a period from its attendance.
async fn recompute_month(
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
        .filter(attendance_day::Column::Day.between(from, to))
        .all(sp)
        .await?
        .into_iter()
        .map(|a| (a.id, a.day))
        .collect();
    let (paid, cents, travel) = allowance_for_month(&rc.settings, period, &present, year, month);
    let lines = Query::select()
        .column(allowance_line::Column::Id)
        .from(allowance_line::Entity)
        .and_where(allowance_line::Column::PeriodId.eq(period.id.clone()))
        .and_where(allowance_line::Column::Month.eq(key.clone()))
        .to_owned();
    allowance_line_attendance::Entity::delete_many()
        .filter(allowance_line_attendance::Column::AllowanceLineId.in_subquery(lines))
        .exec(sp)
        .await?;
    allowance_line::Entity::delete_many()
        .filter(allowance_line::Column::PeriodId.eq(period.id.clone()))
        .filter(allowance_line::Column::Month.eq(key.clone()))
        .exec(sp)
        .await?;
    if paid.is_empty() {
        return Ok(());
    }
    let kind = if period.payer == "EKSOTE" {
        "TOIMINTARAHA"
    } else {
        "EXPENSE_ALLOWANCE"
    };
    let version = rc.settings.allowance_rule_version();
    for (kind, amount) in [(kind, cents), ("TRAVEL", travel)] {
        if amount == 0 {
            continue;
        }
        let line = uuid::Uuid::new_v4().to_string();
        let row = allowance_line::ActiveModel {
            id: Set(line.clone()),
            period_id: Set(period.id.clone()),
            month: Set(key.clone()),
            kind: Set(kind.to_owned()),
            payer: Set(period.payer.clone()),
            days: Set(paid.len() as i32),
            amount_cents: Set(amount),
            rule_version: Set(version.clone()),
            created_at: Set(rc.now),
        };
        allowance_line::Entity::insert(row)
            .exec_without_returning(sp)
            .await?;
        let paid_days = paid.iter().map(|a| allowance_line_attendance::ActiveModel {
            allowance_line_id: Set(line.clone()),
            attendance_day_id: Set(a.clone()),
        });
        allowance_line_attendance::Entity::insert_many(paid_days)
            .exec_without_returning(sp)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(km: Option<f64>) -> rehab_period::Model {
        rehab_period::Model {
            id: "p".into(),
            client_id: "c".into(),
            case_id: None,
            provider_id: "v".into(),
            decision_number: "n".into(),
            decided_on: NaiveDate::MIN,
            decided_by: "o".into(),
            starts_on: NaiveDate::MIN,
            ends_on: NaiveDate::MAX,
            days_per_week: 5,
            hours_per_day: 6,
            goal: "g".into(),
            support_needs: None,
            travel_distance_km: km,
            payer: "KELA".into(),
            ended_early_on: None,
            end_reason: None,
            created_at: chrono::Utc::now(),
        }
    }

    fn days(list: &[&str]) -> Vec<(String, NaiveDate)> {
        list.iter()
            .map(|d| (d.to_string(), d.parse().unwrap()))
            .collect()
    }

    #[test]
    fn at_most_five_days_a_week_are_paid() {
        let s = Settings::default();
        // Mon 2015-06-01 to Sat 2015-06-06: six days in one ISO week.
        let present = days(&[
            "2015-06-01",
            "2015-06-02",
            "2015-06-03",
            "2015-06-04",
            "2015-06-05",
            "2015-06-06",
        ]);
        let (paid, cents, travel) = allowance_for_month(&s, &period(None), &present, 2015, 6);
        assert_eq!(paid.len(), 5);
        assert_eq!(cents, 4500);
        assert_eq!(travel, 0);
    }

    #[test]
    fn travel_is_paid_only_beyond_the_threshold() {
        let s = Settings::default();
        let present = days(&["2026-03-02", "2026-03-03"]);
        assert_eq!(
            allowance_for_month(&s, &period(Some(3.0)), &present, 2026, 3).2,
            0
        );
        assert_eq!(
            allowance_for_month(&s, &period(Some(3.1)), &present, 2026, 3).2,
            1280
        );
    }

    #[test]
    fn a_week_across_months_counts_each_day_in_its_own_month() {
        let s = Settings::default();
        // Mon 2026-03-30 .. Thu 2026-04-02.
        let present = days(&["2026-03-30", "2026-03-31", "2026-04-01", "2026-04-02"]);
        assert_eq!(
            allowance_for_month(&s, &period(None), &present, 2026, 3).1,
            1800
        );
        assert_eq!(
            allowance_for_month(&s, &period(None), &present, 2026, 4).1,
            1800
        );
    }

    #[test]
    fn the_rate_in_force_on_the_day_applies() {
        let mut s = Settings::default();
        s.allowance_cents
            .push(("2026-03-03".parse().unwrap(), 1000));
        let present = days(&["2026-03-02", "2026-03-03"]);
        assert_eq!(
            allowance_for_month(&s, &period(None), &present, 2026, 3).1,
            1900
        );
    }
}
