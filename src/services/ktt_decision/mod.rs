//! KTT decisions (kuntouttavan työtoiminnan päätös): the wellbeing services county's
//! administrative decisions that grant, refuse, change or terminate a KTT period (act
//! 189/2001; Social Welfare Act 1301/2014 s. 45), made only by a county official with
//! delegated power, on the plan in force, with the hearing, reasons and appeal instructions
//! the Administrative Procedure Act (434/2003) asks for. A grant, change or termination
//! leaves a notice in the employment authority's work list ([`notice`]); every early end
//! of a period is a termination; each decision is a document ([`document`]).

use chrono::NaiveDate;
use entity::{employment_plan, ktt_decision, ktt_decision_maker, plan_ktt_item, typ_case};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
};

use super::client::ClientRecord;
use super::{input, RequestContext};
use crate::domain::ktt::Breach;
use crate::domain::ktt_decision::{check_terms, language_of, DecisionKind, Limits, Terms};
use crate::domain::Agency;
use crate::error::{AppError, AppResult};

pub mod document;
mod kinds;
pub mod notice;
mod plan_item;

pub(crate) use kinds::terminated_in;
pub use kinds::{
    change, end_early, grant, refuse, terminate, Change, EarlyEnd, Grant, Refusal, Termination,
};
pub use plan_item::{add_plan_item, NewPlanItem};

/// What every decision states besides its matter: its dates, the hearing, its reasons.
#[derive(Debug, Clone)]
pub struct Decided {
    pub decided_on: NaiveDate,
    pub served_on: NaiveDate,
    pub hearing_on: Option<NaiveDate>,
    pub hearing_omitted_reason: Option<String>,
    pub reasoning: Option<String>,
}

/// [`Decided`] checked: trimmed texts.
struct CheckedTerms {
    decided_on: NaiveDate,
    served_on: NaiveDate,
    hearing_on: Option<NaiveDate>,
    hearing_omitted_reason: Option<String>,
    reasoning: Option<String>,
}

fn bad_input(b: Breach) -> AppError {
    AppError::bad_input(b.field, b.message)
}

fn checked_terms(rc: &RequestContext, kind: DecisionKind, d: &Decided) -> AppResult<CheckedTerms> {
    let omitted = input::optional_text(
        "hearingOmittedReason",
        d.hearing_omitted_reason.as_deref(),
        1000,
    )?;
    let reasoning = input::optional_text("reasoning", d.reasoning.as_deref(), 4000)?;
    check_terms(
        kind,
        &Terms {
            decided_on: d.decided_on,
            served_on: d.served_on,
            hearing_on: d.hearing_on,
            hearing_omitted_reason: omitted.as_deref(),
            reasoning: reasoning.as_deref(),
        },
        Limits {
            today: rc.today,
            back_days: rc.settings.ktt_decision_back_days,
            service_days: rc.settings.ktt_presumed_service_days,
        },
    )
    .map_err(bad_input)?;
    Ok(CheckedTerms {
        decided_on: d.decided_on,
        served_on: d.served_on,
        hearing_on: d.hearing_on,
        hearing_omitted_reason: omitted,
        reasoning,
    })
}

/// The official who decides, as the decision names them.
struct Decider {
    id: String,
    name: String,
    title: String,
}

/// The caller, if they may decide on KTT: an official of the wellbeing services county
/// (the organiser of KTT, act 189/2001 s. 3) to whom the power to decide is delegated
/// (`ktt_decision_maker`, granted by administration). Anyone else is `FORBIDDEN`, whatever
/// their REHAB right (checked before, by the write path).
async fn decider(rc: &RequestContext) -> AppResult<Decider> {
    let p = rc.principal();
    if p.agency != Agency::Eksote {
        return Err(AppError::Forbidden(None));
    }
    let maker = ktt_decision_maker::Entity::find_by_id(p.official_id.clone())
        .one(rc.db())
        .await?
        .ok_or(AppError::Forbidden(None))?;
    Ok(Decider {
        id: p.official_id.clone(),
        name: p.name.clone(),
        title: maker.title,
    })
}

/// Whether the client is on social assistance on `day`: the one place KTT decisions read
/// it (for the activation plan and toimintaraha).
async fn on_social_assistance(
    rc: &RequestContext,
    client: &ClientRecord,
    day: NaiveDate,
) -> AppResult<bool> {
    crate::services::benefit_status::social_assistance_on(rc.db(), &client.row.id, day).await
}

/// The plan a KTT period is granted on: the newest plan of the client's open case made on
/// or before the start, of a kind that takes the client to KTT, holding a KTT item with its
/// goal and support agreed on or before the start (act 189/2001 ss. 4-5 as amended: KTT is
/// arranged on the multi-sector employment plan, or on an activation plan, which from
/// 2026 is only for a client on social assistance). Otherwise `BAD_USER_INPUT` on
/// `planItem` saying what is missing.
async fn plan_in_force(
    rc: &RequestContext,
    client: &ClientRecord,
    starts_on: NaiveDate,
) -> AppResult<(employment_plan::Model, plan_ktt_item::Model)> {
    let missing = |m: &str| AppError::bad_input("planItem", m.to_owned());
    let case = typ_case::Entity::find()
        .filter(typ_case::Column::ClientId.eq(client.row.id.clone()))
        .filter(typ_case::Column::EndedOn.is_null())
        .one(rc.db())
        .await?
        .ok_or_else(|| {
            missing(
                "no plan in force: the client has no open TYP case with a plan holding a KTT item",
            )
        })?;
    let plan = employment_plan::Entity::find()
        .filter(employment_plan::Column::CaseId.eq(case.id))
        .filter(employment_plan::Column::MadeOn.lte(starts_on))
        .order_by_desc(employment_plan::Column::MadeOn)
        .order_by_desc(employment_plan::Column::CreatedAt)
        .order_by_desc(employment_plan::Column::Id)
        .one(rc.db())
        .await?
        .ok_or_else(|| {
            missing("no plan in force: no employment plan of the open case was made on or before startsOn")
        })?;
    let (y, m, d) = super::plan::ACTIVATION_LIMITED_FROM;
    let limited_from = NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN);
    if plan.kind == "ACTIVATION"
        && starts_on >= limited_from
        && !on_social_assistance(rc, client, starts_on).await?
    {
        return Err(missing(
            "the plan in force is an activation plan, which from 2026 takes only a client on social assistance to KTT: a multi-sector employment plan with a KTT item is missing",
        ));
    }
    let item = plan_ktt_item::Entity::find()
        .filter(plan_ktt_item::Column::PlanId.eq(plan.id.clone()))
        .filter(plan_ktt_item::Column::AgreedOn.lte(starts_on))
        .order_by_desc(plan_ktt_item::Column::AgreedOn)
        .order_by_desc(plan_ktt_item::Column::CreatedAt)
        .one(rc.db())
        .await?
        .ok_or_else(|| {
            missing("the plan in force holds no KTT item (goal and support) agreed on or before startsOn")
        })?;
    Ok((plan, item))
}

/// A new decision number, `KTT-YEAR-…`.
fn decision_number(rc: &RequestContext) -> String {
    format!(
        "KTT-{}-{}",
        rc.today.format("%Y"),
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}

/// The matter of a decision: its period as decided (or as applied for, for a refusal).
#[derive(Default)]
struct Matter {
    number: Option<String>,
    case_id: Option<String>,
    period_id: Option<String>,
    plan_id: Option<String>,
    plan_item_id: Option<String>,
    provider_id: Option<String>,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    days_per_week: Option<i32>,
    hours_per_day: Option<i32>,
    terminated_on: Option<NaiveDate>,
    toimintaraha_cents_per_day: i64,
    travel_cents_per_day: i64,
}

/// Writes the decision row (decisions are never changed or deleted).
async fn record(
    rc: &RequestContext,
    sp: &DatabaseTransaction,
    kind: DecisionKind,
    client: &ClientRecord,
    decider: &Decider,
    terms: CheckedTerms,
    matter: Matter,
) -> AppResult<ktt_decision::Model> {
    let id = uuid::Uuid::new_v4().to_string();
    let row = ktt_decision::ActiveModel {
        id: Set(id.clone()),
        decision_number: Set(matter.number.unwrap_or_else(|| decision_number(rc))),
        kind: Set(kind.code().to_owned()),
        client_id: Set(client.row.id.clone()),
        case_id: Set(matter.case_id),
        period_id: Set(matter.period_id),
        plan_id: Set(matter.plan_id),
        plan_item_id: Set(matter.plan_item_id),
        legal_basis: Set(kind.legal_basis()),
        decided_by: Set(decider.id.clone()),
        decider_name: Set(decider.name.clone()),
        decider_title: Set(decider.title.clone()),
        hearing_on: Set(terms.hearing_on),
        hearing_omitted_reason: Set(terms.hearing_omitted_reason),
        provider_id: Set(matter.provider_id),
        starts_on: Set(matter.starts_on),
        ends_on: Set(matter.ends_on),
        days_per_week: Set(matter.days_per_week),
        hours_per_day: Set(matter.hours_per_day),
        terminated_on: Set(matter.terminated_on),
        toimintaraha_cents_per_day: Set(matter.toimintaraha_cents_per_day),
        travel_cents_per_day: Set(matter.travel_cents_per_day),
        language: Set(language_of(client.row.language.as_deref()).to_owned()),
        decided_on: Set(terms.decided_on),
        served_on: Set(terms.served_on),
        reasoning: Set(terms.reasoning),
        created_at: Set(rc.now),
    };
    ktt_decision::Entity::insert(row)
        .exec_without_returning(sp)
        .await?;
    ktt_decision::Entity::find_by_id(id)
        .one(sp)
        .await?
        .ok_or(AppError::NotFound)
}

/// The newest decision of a period that set its allowances (a grant or a change).
async fn allowances_in_force(
    rc: &RequestContext,
    period_id: &str,
) -> AppResult<Option<ktt_decision::Model>> {
    Ok(ktt_decision::Entity::find()
        .filter(ktt_decision::Column::PeriodId.eq(period_id))
        .filter(ktt_decision::Column::Kind.is_in(["GRANT", "CHANGE"]))
        .order_by_desc(ktt_decision::Column::CreatedAt)
        .order_by_desc(ktt_decision::Column::Id)
        .one(rc.db())
        .await?)
}

/// The toimintaraha and travel compensation a decision grants, in cents per attended day.
/// Toimintaraha is the county's for a client on social assistance, of the expense
/// allowance's amount (the setting in force on `day`), and never beside Kela's expense
/// allowance (act 189/2001 s. 18 as amended by 1025/2022). Travel compensation at the
/// cheapest means is every participant's (the same section); when not given, the setting's
/// daily fare where the placement is farther than the threshold, none otherwise.
async fn allowances(
    rc: &RequestContext,
    client: &ClientRecord,
    day: NaiveDate,
    toimintaraha: bool,
    travel_cents_per_day: Option<i64>,
    travel_distance_km: Option<f64>,
) -> AppResult<(i64, i64)> {
    if toimintaraha && !on_social_assistance(rc, client, day).await? {
        return Err(AppError::bad_input(
            "toimintaraha",
            "toimintaraha is for a client on social assistance; others get Kela's expense allowance (act 189/2001 s. 18)",
        ));
    }
    let toimintaraha = if toimintaraha {
        rc.settings.allowance_on(day)
    } else {
        0
    };
    let travel = match travel_cents_per_day {
        Some(c) if !(0..=100_000).contains(&c) => {
            return Err(AppError::bad_input(
                "travelCentsPerDay",
                "travelCentsPerDay is 0 to 100000",
            ))
        }
        Some(c) => c,
        None if travel_distance_km.is_some_and(|d| d > rc.settings.travel_threshold_km) => {
            rc.settings.travel_cents_per_day
        }
        None => 0,
    };
    Ok((toimintaraha, travel))
}
