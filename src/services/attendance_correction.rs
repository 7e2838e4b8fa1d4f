//! Corrections of recorded activity days: when a period ends early, is interrupted, or a
//! service-wide closure is recorded after days were recorded, the days it takes away are
//! voided (never deleted: who, when and why stay on the day, and each voiding is a row of
//! `attendance_correction` with what the day said), and the allowance lines of their months
//! are recomputed in the same transaction. The correction of an administrative act's error
//! follows the Administrative Procedure Act 434/2003 ss. 50-51 (docs/ktt-calendar.md).

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use entity::{attendance_correction, attendance_day, rehab_period};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use super::attendance::recompute_month;
use super::RequestContext;
use crate::error::AppResult;

/// What voids the days.
#[derive(Debug, Clone, Copy)]
pub enum Cause<'a> {
    /// The period ended early.
    EarlyEnd,
    /// An interruption of the period (its id).
    Interruption(&'a str),
    /// A service-wide interruption (its id).
    ServiceInterruption(&'a str),
}

impl Cause<'_> {
    fn code(self) -> &'static str {
        match self {
            Cause::EarlyEnd => "EARLY_END",
            Cause::Interruption(_) => "INTERRUPTION",
            Cause::ServiceInterruption(_) => "SERVICE_INTERRUPTION",
        }
    }

    fn id(self) -> Option<String> {
        match self {
            Cause::EarlyEnd => None,
            Cause::Interruption(id) | Cause::ServiceInterruption(id) => Some(id.to_owned()),
        }
    }
}

/// Voids the standing days of `period` from `from` through `to` (on, when `None`), records
/// each voiding, recomputes the allowance lines of their months and the client's monthly
/// summaries, all in `sp`; returns how many days it voided. The caller logs the WRITE of
/// the client's ATTENDANCE and ALLOWANCE when any was.
pub async fn void_days(
    sp: &DatabaseTransaction,
    rc: &RequestContext,
    period: &rehab_period::Model,
    from: NaiveDate,
    to: Option<NaiveDate>,
    cause: Cause<'_>,
    reason: &str,
) -> AppResult<usize> {
    let mut select = attendance_day::Entity::find()
        .filter(attendance_day::Column::PeriodId.eq(period.id.clone()))
        .filter(attendance_day::Column::VoidedAt.is_null())
        .filter(attendance_day::Column::Day.gte(from));
    if let Some(to) = to {
        select = select.filter(attendance_day::Column::Day.lte(to));
    }
    let days = select.all(sp).await?;
    if days.is_empty() {
        return Ok(0);
    }
    let by = rc.principal().official_id.clone();
    let mut months = BTreeSet::new();
    let corrections = days.iter().map(|d| {
        months.insert((d.day.year(), d.day.month()));
        attendance_correction::ActiveModel {
            id: Set(uuid::Uuid::new_v4().to_string()),
            attendance_day_id: Set(d.id.clone()),
            period_id: Set(period.id.clone()),
            day: Set(d.day),
            cause: Set(cause.code().to_owned()),
            cause_id: Set(cause.id()),
            was_present: Set(d.present),
            was_absence_reason: Set(d.absence_reason.clone()),
            reason: Set(reason.to_owned()),
            corrected_by: Set(by.clone()),
            corrected_at: Set(rc.now),
        }
    });
    let corrections: Vec<_> = corrections.collect();
    attendance_correction::Entity::insert_many(corrections)
        .exec_without_returning(sp)
        .await?;
    attendance_day::Entity::update_many()
        .col_expr(attendance_day::Column::VoidedAt, Expr::value(rc.now))
        .col_expr(attendance_day::Column::VoidedBy, Expr::value(by))
        .col_expr(attendance_day::Column::VoidReason, Expr::value(reason))
        .filter(attendance_day::Column::Id.is_in(days.iter().map(|d| d.id.clone())))
        .exec(sp)
        .await?;
    for (year, month) in months {
        recompute_month(sp, rc, period, year, month).await?;
    }
    crate::store::ktt_month::rebuild(sp, Some(&period.client_id)).await?;
    Ok(days.len())
}
