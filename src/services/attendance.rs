//! Attendance of KTT periods and the allowances it produces (the rule is
//! [`crate::domain::allowance`]).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, IsoWeek, NaiveDate};
use entity::{attendance_day, rehab_interruption, rehab_period, service_interruption};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    TransactionTrait,
};

use super::cases::visible_client;
use super::context::finish;
use super::rehab::effective_end;
use super::{input, RequestContext};
use crate::authz::FieldGroup;
use crate::db::Sql;
use crate::domain::allowance;
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
    rc.require_write(FieldGroup::Attendance)?;
    let period = super::records::period_in_scope(rc.db(), &rc.scope, period_id)
        .await?
        .ok_or(AppError::NotFound)?;
    // Coaches record only for placements at their own provider; county workers for any.
    let coach_only =
        rc.principal.has_role(Role::ProviderCoach) && !rc.principal.has_role(Role::EksoteWorker);
    if coach_only && rc.principal.provider_id.as_deref() != Some(period.provider_id.as_str()) {
        return Err(AppError::NotFound);
    }
    if !coach_only && !rc.principal.has_role(Role::EksoteWorker) {
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
    let sp = rc.db().begin().await?;
    let result = write(&sp, rc, &period, &existing, clean).await;
    let outcome = finish(sp, result).await?;
    rc.recorder.write(&client.row.id, FieldGroup::Attendance);
    rc.recorder.write(&client.row.id, FieldGroup::Allowance);
    Ok(outcome)
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
                let mut sql = Sql::new("UPDATE attendance_day SET present = ");
                sql.bind(d.present)
                    .push(", absence_reason = ")
                    .bind(d.absence_reason)
                    .push(", recorded_by = ")
                    .bind(rc.principal.official_id.clone())
                    .push(", recorded_at = ")
                    .bind(rc.now)
                    .push(" WHERE id = ")
                    .bind(a.id.clone());
                sp.execute_raw(sql.build_for(sp)).await?;
                out.recorded += 1;
                months.insert((d.date.year(), d.date.month()));
            }
            None => {
                let mut sql = Sql::new("INSERT INTO attendance_day (id, period_id, day, present, absence_reason, recorded_by, recorded_at) VALUES (");
                sql.bind(uuid::Uuid::new_v4().to_string())
                    .push(", ")
                    .bind(period.id.clone())
                    .push(", ")
                    .bind(d.date)
                    .push(", ")
                    .bind(d.present)
                    .push(", ")
                    .bind(d.absence_reason)
                    .push(", ")
                    .bind(rc.principal.official_id.clone())
                    .push(", ")
                    .bind(rc.now)
                    .push(")");
                sp.execute_raw(sql.build_for(sp)).await?;
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
    let (paid, cents, travel) = allowance::for_month(
        &rc.settings,
        period.travel_distance_km,
        &present,
        year,
        month,
    );
    let mut sql = Sql::new("DELETE FROM allowance_line_attendance WHERE allowance_line_id IN (SELECT id FROM allowance_line WHERE period_id = ");
    sql.bind(period.id.clone())
        .push(" AND month = ")
        .bind(key.clone())
        .push(")");
    sp.execute_raw(sql.build_for(sp)).await?;
    let mut sql = Sql::new("DELETE FROM allowance_line WHERE period_id = ");
    sql.bind(period.id.clone())
        .push(" AND month = ")
        .bind(key.clone());
    sp.execute_raw(sql.build_for(sp)).await?;
    if paid.is_empty() {
        return Ok(());
    }
    let kind = allowance::kind(&period.payer);
    let version = rc.settings.allowance_rule_version();
    for (kind, amount) in [(kind, cents), (allowance::TRAVEL, travel)] {
        if amount == 0 {
            continue;
        }
        let line = uuid::Uuid::new_v4().to_string();
        let mut sql = Sql::new("INSERT INTO allowance_line (id, period_id, month, kind, payer, days, amount_cents, rule_version, created_at) VALUES (");
        sql.bind(line.clone())
            .push(", ")
            .bind(period.id.clone())
            .push(", ")
            .bind(key.clone())
            .push(", ")
            .bind(kind)
            .push(", ")
            .bind(period.payer.clone())
            .push(", ")
            .bind(paid.len() as i32)
            .push(", ")
            .bind(amount)
            .push(", ")
            .bind(version.clone())
            .push(", ")
            .bind(rc.now)
            .push(")");
        sp.execute_raw(sql.build_for(sp)).await?;
        let mut sql = Sql::new(
            "INSERT INTO allowance_line_attendance (allowance_line_id, attendance_day_id) VALUES ",
        );
        for (i, a) in paid.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .bind(line.clone())
                .push(", ")
                .bind(a.clone())
                .push(")");
        }
        sp.execute_raw(sql.build_for(sp)).await?;
    }
    Ok(())
}
