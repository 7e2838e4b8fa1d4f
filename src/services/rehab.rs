//! Rehabilitative work activity (KTT) periods: decisions and early endings, by the rules of
//! act 189/2001 on rehabilitative work activity ([`crate::domain::ktt`]).

use chrono::NaiveDate;
use entity::{employment_plan, provider, rehab_period, typ_case};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use super::case::visible_client;
use super::write::{self, Scoped, Written};
use super::{input, loads, RequestContext};
use crate::authz::FieldGroup;
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

async fn decide_in(
    rc: &RequestContext,
    sp: &DatabaseTransaction,
    input: NewPeriod,
) -> AppResult<Written<rehab_period::Model>> {
    let client = visible_client(rc, &input.client_id).await?;
    check_rules(&input)?;
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
    let payer = if client.row.on_social_assistance {
        "EKSOTE"
    } else {
        "KELA"
    };
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
        payer: Set(payer.to_owned()),
        created_at: Set(rc.now),
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

/// Ends a period early with a reason (an interruption that does not resume).
pub async fn end_early(
    rc: &RequestContext,
    period_id: &str,
    ended_on: NaiveDate,
    reason: &str,
) -> AppResult<Scoped<rehab_period::Model>> {
    write::scoped(rc, FieldGroup::Rehab, async |sp| {
        end_early_in(rc, sp, period_id, ended_on, reason).await
    })
    .await
}

async fn end_early_in(
    rc: &RequestContext,
    sp: &DatabaseTransaction,
    period_id: &str,
    ended_on: NaiveDate,
    reason: &str,
) -> AppResult<Written<rehab_period::Model>> {
    let period = loads::period_in_scope(rc.db(), &rc.scope, period_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let client = visible_client(rc, &period.client_id).await?;
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
        .col_expr(rehab_period::Column::EndReason, Expr::value(reason))
        .filter(rehab_period::Column::Id.eq(period.id.clone()))
        .exec(sp)
        .await?;
    crate::store::ktt_month::rebuild(sp, Some(&client.row.id)).await?;
    let row = rehab_period::Entity::find_by_id(period.id)
        .one(sp)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Written::of(&client, row))
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
    let interruption = entity::rehab_interruption::ActiveModel {
        id: Set(uuid::Uuid::new_v4().to_string()),
        period_id: Set(period.id.clone()),
        starts_on: Set(starts_on),
        ends_on: Set(ends_on),
        reason: Set(reason),
    };
    entity::rehab_interruption::Entity::insert(interruption)
        .exec_without_returning(sp)
        .await?;
    Ok(Written::of(&client, period))
}
