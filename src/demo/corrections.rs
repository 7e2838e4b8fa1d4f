//! The demo's corrections of the KTT calendar (docs/ktt-calendar.md): a period ended early
//! after days past its end were recorded (those days voided, their month recomputed), a
//! provider's closure recorded after the days it covers (voided likewise), and the outcomes
//! of the periods that have ended, with the new period that followed where one did. Written
//! by the same code the API runs, as the county's officials, on the day the data set is
//! drawn around.

use std::sync::Arc;

use chrono::{Days, NaiveDate};
use entity::rehab_period;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder, TransactionTrait,
};

use super::{anchor, SeedOfficial, SeedProvider};
use crate::authz::{FieldMask, Principal};
use crate::domain::calendar::RehabPeriodOutcome;
use crate::domain::settings::Settings;
use crate::domain::Role;
use crate::error::AppError;
use crate::services::attendance_correction::{self, Cause};
use crate::services::service_interruption::{self, InterruptionInput};
use crate::services::RequestContext;

fn db_err(e: AppError) -> DbErr {
    DbErr::Custom(format!("demo corrections: {}", e.message()))
}

fn days_before(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(n)).unwrap_or(d)
}

/// A request context acting for `official` on the anchor day, in `tx`.
fn acting(official: &SeedOfficial, tx: Arc<DatabaseTransaction>) -> RequestContext {
    let principal = Principal {
        official_id: official.id.clone(),
        name: official.name.clone(),
        agency: official.agency,
        provider_id: official.provider_id.clone(),
        roles: official.roles.clone(),
        mask: Arc::new(FieldMask::empty()),
        emergency: Vec::new(),
    };
    let now = anchor().and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
    RequestContext::new(principal, Arc::new(Settings::default()), tx, now)
}

/// Writes the corrections into `tx` (the demo's load, before its summaries are rebuilt).
pub(super) async fn write(
    tx: &DatabaseTransaction,
    officials: &[SeedOfficial],
    providers: &[SeedProvider],
) -> Result<(), DbErr> {
    let holding = |role: Role| {
        officials
            .iter()
            .find(|o| o.active && o.roles.contains(&role))
    };
    let (Some(worker), Some(manager), Some(workshop)) = (
        holding(Role::EksoteWorker),
        holding(Role::CountyManager),
        providers.first(),
    ) else {
        return Ok(());
    };
    let inner = Arc::new(tx.begin().await?);
    let today = anchor();
    {
        let rc = acting(worker, inner.clone());
        let sp: &DatabaseTransaction = &inner;
        // A running period ended three weeks back (the client started studies) after the
        // coach had recorded the days since: they are voided, the month recomputed.
        let ended_on = days_before(today, 21);
        let running = rehab_period::Entity::find()
            .filter(rehab_period::Column::StartsOn.lte(days_before(today, 60)))
            .filter(rehab_period::Column::EndsOn.gt(today))
            .filter(rehab_period::Column::EndedEarlyOn.is_null())
            .order_by_asc(rehab_period::Column::DecisionNumber)
            .one(sp)
            .await?;
        if let Some(period) = running {
            let reason = "Started vocational studies";
            rehab_period::Entity::update_many()
                .col_expr(rehab_period::Column::EndedEarlyOn, Expr::value(ended_on))
                .col_expr(rehab_period::Column::EndReason, Expr::value(reason))
                .col_expr(
                    rehab_period::Column::Outcome,
                    Expr::value(RehabPeriodOutcome::Studies.code()),
                )
                .col_expr(
                    rehab_period::Column::OutcomeRecordedBy,
                    Expr::value(worker.id.clone()),
                )
                .col_expr(rehab_period::Column::OutcomeRecordedAt, Expr::value(rc.now))
                .filter(rehab_period::Column::Id.eq(period.id.clone()))
                .exec(sp)
                .await?;
            let why = format!("the period ended early on {ended_on}: {reason}");
            let after = ended_on.succ_opt().unwrap_or(ended_on);
            attendance_correction::void_days(sp, &rc, &period, after, None, Cause::EarlyEnd, &why)
                .await
                .map_err(db_err)?;
        }
        outcomes(sp, worker, today).await?;
    }
    {
        // The first workshop was closed for three days by water damage two weeks back;
        // county management recorded it once the days had been recorded.
        let rc = acting(manager, inner.clone());
        let closure = InterruptionInput {
            starts_on: days_before(today, 14),
            ends_on: days_before(today, 12),
            provider_id: Some(workshop.id.clone()),
            reason: "Water damage at the workshop".to_owned(),
        };
        service_interruption::record_voiding(&rc, &inner, closure)
            .await
            .map_err(db_err)?;
    }
    Arc::try_unwrap(inner)
        .map_err(|_| DbErr::Custom("demo corrections: the transaction is still shared".into()))?
        .commit()
        .await
}

/// The outcomes of the periods that ended before `today`: a new period where the client has
/// a later one, otherwise one of the usual paths in turn.
async fn outcomes(
    sp: &DatabaseTransaction,
    worker: &SeedOfficial,
    today: NaiveDate,
) -> Result<(), DbErr> {
    const PATHS: [RehabPeriodOutcome; 6] = [
        RehabPeriodOutcome::OpenLabourMarket,
        RehabPeriodOutcome::PaySubsidisedWork,
        RehabPeriodOutcome::WorkAbilityAssessment,
        RehabPeriodOutcome::Studies,
        RehabPeriodOutcome::EndedByIllness,
        RehabPeriodOutcome::Other,
    ];
    let periods = rehab_period::Entity::find()
        .order_by_asc(rehab_period::Column::ClientId)
        .order_by_asc(rehab_period::Column::StartsOn)
        .all(sp)
        .await?;
    for (i, p) in periods.iter().enumerate() {
        let end = p.ended_early_on.unwrap_or(p.ends_on);
        if end >= today || p.outcome.is_some() {
            continue;
        }
        let next = periods
            .get(i + 1)
            .filter(|n| n.client_id == p.client_id && n.starts_on > end);
        let outcome = match next {
            Some(_) => RehabPeriodOutcome::NewRehabPeriod,
            None => PATHS[i % PATHS.len()],
        };
        let recorded = end.succ_opt().unwrap_or(end);
        rehab_period::Entity::update_many()
            .col_expr(rehab_period::Column::Outcome, Expr::value(outcome.code()))
            .col_expr(
                rehab_period::Column::FollowedByPeriodId,
                Expr::value(next.map(|n| n.id.clone())),
            )
            .col_expr(
                rehab_period::Column::OutcomeRecordedBy,
                Expr::value(worker.id.clone()),
            )
            .col_expr(
                rehab_period::Column::OutcomeRecordedAt,
                Expr::value(recorded.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc()),
            )
            .filter(rehab_period::Column::Id.eq(p.id.clone()))
            .exec(sp)
            .await?;
    }
    Ok(())
}
