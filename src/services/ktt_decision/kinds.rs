//! The four kinds of KTT decision: grant, refuse, change, terminate. Each runs on the
//! write path (REHAB write), then asks for the decider's delegation before anything else.

use chrono::NaiveDate;
use entity::{employment_plan, ktt_decision, provider, rehab_period, typ_case};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use super::{
    allowances, allowances_in_force, checked_terms, decider, notice, plan_in_force, record,
    Decided, Matter,
};
use crate::authz::FieldGroup;
use crate::domain::calendar;
use crate::domain::ktt::{self, Schedule};
use crate::domain::ktt_decision::DecisionKind;
use crate::error::{AppError, AppResult};
use crate::services::case::visible_client;
use crate::services::client::ClientRecord;
use crate::services::rehab::{self, NewPeriod, PeriodOutcome};
use crate::services::write::{self, Scoped, Written};
use crate::services::{loads, RequestContext};

/// A grant: the period, and what the decision states and grants besides.
pub struct Grant {
    pub period: NewPeriod,
    pub decided: Decided,
    /// The county pays toimintaraha (a client on social assistance).
    pub toimintaraha: bool,
}

/// Grants a KTT period (`decideRehabPeriod`): the period by the rules of act 189/2001, on
/// the plan in force, decided by a county decision maker; it leaves a start notice for the
/// employment authority.
pub async fn grant(rc: &RequestContext, g: Grant) -> AppResult<Scoped<rehab_period::Model>> {
    write::scoped(rc, FieldGroup::Rehab, async |sp| {
        let decider = decider(rc).await?;
        let client = visible_client(rc, &g.period.client_id).await?;
        let terms = checked_terms(rc, DecisionKind::Grant, &g.decided)?;
        // The period's own rules first (schedule, overlaps, the review after 24 months),
        // as for any period; the savepoint undoes it if the decision fails after.
        let (starts_on, toimintaraha_asked, travel_asked, distance) = (
            g.period.starts_on,
            g.toimintaraha,
            g.period.travel_fare_cents,
            g.period.travel_distance_km,
        );
        let written = rehab::decide_in(rc, sp, g.period).await?;
        let period = written
            .row()
            .cloned()
            .ok_or_else(|| AppError::internal("a granted period was not written"))?;
        if starts_on < terms.decided_on {
            return Err(AppError::bad_input(
                "startsOn",
                "a period starts on or after the day it is decided",
            ));
        }
        let (plan, item) = plan_in_force(rc, &client, starts_on).await?;
        let (toimintaraha, travel) = allowances(
            rc,
            &client,
            starts_on,
            toimintaraha_asked,
            travel_asked,
            distance,
        )
        .await?;
        rehab_period::Entity::update_many()
            .col_expr(
                rehab_period::Column::DecidedOn,
                Expr::value(terms.decided_on),
            )
            .filter(rehab_period::Column::Id.eq(period.id.clone()))
            .exec(sp)
            .await?;
        let decision = record(
            rc,
            sp,
            DecisionKind::Grant,
            &client,
            &decider,
            terms,
            Matter {
                number: Some(period.decision_number.clone()),
                case_id: Some(plan.case_id.clone()),
                period_id: Some(period.id.clone()),
                plan_id: Some(plan.id),
                plan_item_id: Some(item.id),
                provider_id: Some(period.provider_id.clone()),
                starts_on: Some(period.starts_on),
                ends_on: Some(period.ends_on),
                days_per_week: Some(period.days_per_week),
                hours_per_day: Some(period.hours_per_day),
                toimintaraha_cents_per_day: toimintaraha,
                travel_cents_per_day: travel,
                ..Matter::default()
            },
        )
        .await?;
        notice::leave(rc, sp, &decision, &period).await?;
        let row = rehab_period::Entity::find_by_id(period.id)
            .one(sp)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Written::of(&client, row))
    })
    .await
}

/// A refusal: whom, what was applied for (when known), and what the decision states.
pub struct Refusal {
    pub client_id: String,
    pub provider_id: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub decided: Decided,
}

/// Refuses KTT (`refuseRehabPeriod`); the reasons are required (434/2003 s. 45).
pub async fn refuse(rc: &RequestContext, r: Refusal) -> AppResult<Scoped<ktt_decision::Model>> {
    write::scoped(rc, FieldGroup::Rehab, async |sp| {
        let decider = decider(rc).await?;
        let client = visible_client(rc, &r.client_id).await?;
        let terms = checked_terms(rc, DecisionKind::Refuse, &r.decided)?;
        if let (Some(s), Some(e)) = (r.starts_on, r.ends_on) {
            if e < s {
                return Err(AppError::bad_input("endsOn", "endsOn is before startsOn"));
            }
        }
        let provider_id = match &r.provider_id {
            None => None,
            Some(id) => Some(
                provider::Entity::find_by_id(id.clone())
                    .one(rc.db())
                    .await?
                    .ok_or_else(|| AppError::bad_input("providerId", "no provider with this id"))?
                    .id,
            ),
        };
        let decision = record(
            rc,
            sp,
            DecisionKind::Refuse,
            &client,
            &decider,
            terms,
            Matter {
                provider_id,
                starts_on: r.starts_on,
                ends_on: r.ends_on,
                ..Matter::default()
            },
        )
        .await?;
        Ok(Written::of(&client, decision))
    })
    .await
}

/// A change of a granted period: the new terms (those omitted stay).
pub struct Change {
    pub period_id: String,
    pub ends_on: Option<NaiveDate>,
    pub days_per_week: Option<i32>,
    pub hours_per_day: Option<i32>,
    pub toimintaraha: Option<bool>,
    pub travel_cents_per_day: Option<i64>,
    pub decided: Decided,
}

/// Changes a running period's end, schedule or allowances (`changeRehabPeriod`). The new
/// end is not before today (ending a period is a termination) and the period stays within
/// the rules of act 189/2001 and clear of the client's other periods. The employment
/// authority gets a notice of the changed terms.
pub async fn change(rc: &RequestContext, c: Change) -> AppResult<Scoped<ktt_decision::Model>> {
    write::scoped(rc, FieldGroup::Rehab, async |sp| {
        let decider = decider(rc).await?;
        let period = loads::period_in_scope(rc.db(), &rc.scope, &c.period_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let client = visible_client(rc, &period.client_id).await?;
        let terms = checked_terms(rc, DecisionKind::Change, &c.decided)?;
        if period.ended_early_on.is_some() {
            return Err(AppError::Conflict("the period has already ended".into()));
        }
        let schedule = Schedule {
            starts_on: period.starts_on,
            ends_on: c.ends_on.unwrap_or(period.ends_on),
            days_per_week: c.days_per_week.unwrap_or(period.days_per_week),
            hours_per_day: c.hours_per_day.unwrap_or(period.hours_per_day),
            travel_distance_km: period.travel_distance_km,
        };
        ktt::check_schedule(&schedule).map_err(super::bad_input)?;
        if c.ends_on.is_some_and(|e| e != period.ends_on && e < rc.today.max(terms.decided_on)) {
            return Err(AppError::bad_input(
                "endsOn",
                "a change does not end a period before today: terminate it instead",
            ));
        }
        if schedule.ends_on > period.ends_on {
            let others = rehab_period::Entity::find()
                .filter(rehab_period::Column::ClientId.eq(client.row.id.clone()))
                .filter(rehab_period::Column::Id.ne(period.id.clone()))
                .all(rc.db())
                .await?;
            if others.iter().any(|p| {
                ktt::overlaps(
                    schedule.starts_on,
                    schedule.ends_on,
                    p.starts_on,
                    rehab::effective_end(p),
                )
            }) {
                return Err(AppError::Conflict(
                    "the longer period would overlap another KTT period of the client".into(),
                ));
            }
            // Longer than the review interval in KTT in a row (with the periods before it):
            // the plan is reviewed first, within the 3 months before this decision.
            let runs: Vec<(NaiveDate, NaiveDate)> = others
                .iter()
                .map(|p| (p.starts_on, rehab::effective_end(p)))
                .collect();
            let months = rc.settings.rehab_review_months;
            if ktt::needs_review(schedule.starts_on, schedule.ends_on, &runs, months)
                .map_err(super::bad_input)?
                && !reviewed_since(rc, &client.row.id, terms.decided_on).await?
            {
                return Err(AppError::bad_input(
                    "endsOn",
                    format!(
                        "with the periods before it, over {months} months in KTT in a row: review the plan first"
                    ),
                ));
            }
        }
        let before = allowances_in_force(rc, &period.id).await?;
        let had_toimintaraha = before
            .as_ref()
            .is_some_and(|d| d.toimintaraha_cents_per_day > 0);
        let (toimintaraha, travel) = allowances(
            rc,
            &client,
            rc.today.max(period.starts_on),
            c.toimintaraha.unwrap_or(had_toimintaraha),
            c.travel_cents_per_day
                .or(before.as_ref().map(|d| d.travel_cents_per_day)),
            period.travel_distance_km,
        )
        .await?;
        let unchanged = schedule.ends_on == period.ends_on
            && schedule.days_per_week == period.days_per_week
            && schedule.hours_per_day == period.hours_per_day
            && before.as_ref().is_some_and(|d| {
                d.toimintaraha_cents_per_day == toimintaraha && d.travel_cents_per_day == travel
            });
        if unchanged {
            return Err(AppError::bad_input(
                "periodId",
                "the change changes nothing: give a new endsOn, daysPerWeek, hoursPerDay, toimintaraha or travelCentsPerDay",
            ));
        }
        let weekdays = if schedule.days_per_week == period.days_per_week {
            period.weekdays.clone()
        } else {
            calendar::store_list(
                calendar::default_weekdays(schedule.days_per_week)
                    .iter()
                    .map(|d| d.code()),
            )
        };
        rehab_period::Entity::update_many()
            .col_expr(rehab_period::Column::EndsOn, Expr::value(schedule.ends_on))
            .col_expr(
                rehab_period::Column::DaysPerWeek,
                Expr::value(schedule.days_per_week),
            )
            .col_expr(
                rehab_period::Column::HoursPerDay,
                Expr::value(schedule.hours_per_day),
            )
            // The weekly schedule follows a new number of days (the first days from Monday,
            // as for a period granted without named weekdays).
            .col_expr(rehab_period::Column::Weekdays, Expr::value(weekdays))
            // The travel fare decided is the one the allowance lines are paid at.
            .col_expr(
                rehab_period::Column::TravelFareCents,
                Expr::value(c.travel_cents_per_day.or(period.travel_fare_cents)),
            )
            .filter(rehab_period::Column::Id.eq(period.id.clone()))
            .exec(sp)
            .await?;
        crate::store::ktt_month::rebuild(sp, Some(&client.row.id)).await?;
        let decision = record(
            rc,
            sp,
            DecisionKind::Change,
            &client,
            &decider,
            terms,
            Matter {
                case_id: period.case_id.clone(),
                period_id: Some(period.id.clone()),
                provider_id: Some(period.provider_id.clone()),
                starts_on: Some(period.starts_on),
                ends_on: Some(schedule.ends_on),
                days_per_week: Some(schedule.days_per_week),
                hours_per_day: Some(schedule.hours_per_day),
                toimintaraha_cents_per_day: toimintaraha,
                travel_cents_per_day: travel,
                ..Matter::default()
            },
        )
        .await?;
        let changed = rehab_period::Entity::find_by_id(period.id.clone())
            .one(sp)
            .await?
            .ok_or(AppError::NotFound)?;
        notice::leave(rc, sp, &decision, &changed).await?;
        Ok(Written::of(&client, decision))
    })
    .await
}

/// Whether a plan of the client was made in the 3 months up to `day` (the review of
/// act 189/2001 after 24 months in KTT).
async fn reviewed_since(rc: &RequestContext, client_id: &str, day: NaiveDate) -> AppResult<bool> {
    let (since, until) = ktt::review_window(day);
    let cases: Vec<String> = typ_case::Entity::find()
        .filter(typ_case::Column::ClientId.eq(client_id))
        .all(rc.db())
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    Ok(employment_plan::Entity::find()
        .filter(employment_plan::Column::CaseId.is_in(cases))
        .filter(employment_plan::Column::MadeOn.between(since, until))
        .one(rc.db())
        .await?
        .is_some())
}

/// A termination: the period, its last day, and what the decision states.
pub struct Termination {
    pub period_id: String,
    pub ended_on: NaiveDate,
    pub decided: Decided,
}

/// Terminates a period (`terminateRehabPeriod`): it ends on `ended_on`, not before the
/// decision (a decision is not made to the client's detriment backwards), by the same
/// early end every other way of ending a period takes; the reasons are required (434/2003
/// s. 45).
pub async fn terminate(
    rc: &RequestContext,
    t: Termination,
) -> AppResult<Scoped<ktt_decision::Model>> {
    write::scoped(rc, FieldGroup::Rehab, async |sp| {
        let ended = terminated_in(rc, sp, &t.period_id, t.ended_on, &t.decided).await?;
        Ok(rehab::voided_also(
            Written::of(&ended.client, ended.decision),
            ended.voided,
        ))
    })
    .await
}

/// A period ended by its terminating decision, within the change that ends it.
pub(crate) struct Terminated {
    pub client: ClientRecord,
    pub decision: ktt_decision::Model,
    /// How many recorded days after the end were voided.
    pub voided: usize,
}

/// Ends a period by a terminating decision within a larger change (`terminateRehabPeriod`,
/// an early end with its outcome, a case closed with its periods): ending a KTT period is
/// the county's administrative decision (act 189/2001 s. 9 as we read it; 434/2003
/// ss. 34 and 45), so whoever ends one must hold the power to decide, and every early end
/// leaves a decision, with its hearing and reasons, and a notice to the employment
/// authority. The days after the end are voided and their allowances recomputed.
pub(crate) async fn terminated_in(
    rc: &RequestContext,
    sp: &DatabaseTransaction,
    period_id: &str,
    ended_on: NaiveDate,
    decided: &Decided,
) -> AppResult<Terminated> {
    let decider = decider(rc).await?;
    let period = loads::period_in_scope(rc.db(), &rc.scope, period_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let client = visible_client(rc, &period.client_id).await?;
    let terms = checked_terms(rc, DecisionKind::Terminate, decided)?;
    if ended_on < terms.decided_on {
        return Err(AppError::bad_input(
            "endedOn",
            "a termination takes effect on or after the day it is decided",
        ));
    }
    let reason = terms.reasoning.clone().unwrap_or_default();
    let before = allowances_in_force(rc, &period.id).await?;
    let (ended, voided) = rehab::ended_early(rc, sp, &client, &period, ended_on, &reason).await?;
    let decision = record(
        rc,
        sp,
        DecisionKind::Terminate,
        &client,
        &decider,
        terms,
        Matter {
            case_id: period.case_id.clone(),
            period_id: Some(period.id.clone()),
            provider_id: Some(period.provider_id.clone()),
            starts_on: Some(period.starts_on),
            ends_on: Some(period.ends_on),
            days_per_week: Some(period.days_per_week),
            hours_per_day: Some(period.hours_per_day),
            terminated_on: Some(ended_on),
            toimintaraha_cents_per_day: before.as_ref().map_or(0, |d| d.toimintaraha_cents_per_day),
            travel_cents_per_day: before.as_ref().map_or(0, |d| d.travel_cents_per_day),
            ..Matter::default()
        },
    )
    .await?;
    notice::leave(rc, sp, &decision, &ended).await?;
    Ok(Terminated {
        client,
        decision,
        voided,
    })
}

/// An early end: the period, its last day, the terminating decision and, when known, how
/// the period ended.
pub struct EarlyEnd {
    pub period_id: String,
    pub ended_on: NaiveDate,
    pub decided: Decided,
    pub outcome: Option<PeriodOutcome>,
}

/// Ends a period early (`endRehabPeriodEarly`): the terminating decision
/// ([`terminated_in`]) and, when given, the period's outcome, in one change; the period is
/// returned as ended.
pub async fn end_early(rc: &RequestContext, e: EarlyEnd) -> AppResult<Scoped<rehab_period::Model>> {
    write::scoped(rc, FieldGroup::Rehab, async |sp| {
        let ended = terminated_in(rc, sp, &e.period_id, e.ended_on, &e.decided).await?;
        let row = match e.outcome {
            Some(outcome) => {
                rehab::outcome_recorded(rc, sp, &e.period_id, outcome, "")
                    .await?
                    .1
            }
            None => rehab_period::Entity::find_by_id(e.period_id.clone())
                .one(sp)
                .await?
                .ok_or(AppError::NotFound)?,
        };
        Ok(rehab::voided_also(
            Written::of(&ended.client, row),
            ended.voided,
        ))
    })
    .await
}
