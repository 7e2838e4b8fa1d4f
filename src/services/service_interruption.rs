//! Service-wide interruptions of KTT (such as the 2020 closure by government order): the
//! organiser's administrative act (policy object `ORGANISE/service-interruption`, held by
//! county management), for one provider or all. Attendance of every period it covers is
//! refused while it stands. Bounded in time, never deleted (a cancellation marks it), and
//! each recording, correction and cancellation writes a `service_interruption_log` row in
//! the same transaction. The interruption itself is no client data; but days already
//! recorded within it are voided (with who, when and why, never deleted) and their months'
//! allowances recomputed in the same transaction, and each client whose days were voided
//! gets an access-log WRITE row of ATTENDANCE and ALLOWANCE.

use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use entity::{provider, rehab_period, service_interruption};
use sea_orm::sea_query::{Expr, Order, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DeriveIden, EntityTrait,
    FromQueryResult, QueryFilter,
};

use super::administration::{require, AdminLogEntry};
use super::attendance_correction::{self, Cause};
use super::log_table;
use super::write::{self, Written};
use super::{input, RequestContext};
use crate::authz::{FieldGroup, Managed};
use crate::error::{AppError, AppResult};

/// What a recording or correction states.
pub struct InterruptionInput {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// The provider closed; every provider when `None`.
    pub provider_id: Option<String>,
    /// Why the service is interrupted.
    pub reason: String,
}

/// What a correction starts from: the standing range, and whether the corrected provider
/// widens it (one provider's interruption made another's, or every provider's).
#[derive(Debug, Clone, Copy)]
pub struct Standing {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub widens_provider: bool,
}

/// Checks a range: nothing further than `back_days` back is added (a new range starts
/// within it; a correction of `standing` may keep or shrink what lies further back, never
/// add a day or a provider there), start <= end, the end at most a year ahead, the length
/// at most a year. Each failure names its input field.
pub fn check_range(
    today: NaiveDate,
    back_days: u32,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    standing: Option<Standing>,
) -> AppResult<()> {
    let earliest = today
        .checked_sub_days(Days::new(u64::from(back_days)))
        .unwrap_or(NaiveDate::MIN);
    if starts_on < earliest {
        let within_standing =
            standing.is_some_and(|s| !s.widens_provider && starts_on >= s.starts_on);
        if !within_standing {
            return Err(AppError::bad_input(
                "startsOn",
                format!("an interruption starts at most {back_days} days back"),
            ));
        }
        // The days further back than `earliest` that the corrected range covers stay within
        // those the standing one covered.
        let last_past = earliest.pred_opt().unwrap_or(NaiveDate::MIN);
        if let Some(s) = standing {
            if ends_on.min(last_past) > s.ends_on {
                return Err(AppError::bad_input(
                    "endsOn",
                    format!("a correction adds no day more than {back_days} days back"),
                ));
            }
        }
    }
    if ends_on < starts_on {
        return Err(AppError::bad_input("endsOn", "endsOn is before startsOn"));
    }
    let latest = today
        .checked_add_months(Months::new(12))
        .unwrap_or(NaiveDate::MAX);
    if ends_on > latest {
        return Err(AppError::bad_input(
            "endsOn",
            "an interruption ends at most a year ahead",
        ));
    }
    let longest = starts_on
        .checked_add_months(Months::new(12))
        .and_then(|d| d.checked_sub_days(Days::new(1)))
        .unwrap_or(NaiveDate::MAX);
    if ends_on > longest {
        return Err(AppError::bad_input(
            "endsOn",
            "an interruption lasts at most a year",
        ));
    }
    Ok(())
}

async fn checked_provider(rc: &RequestContext, id: Option<&str>) -> AppResult<Option<String>> {
    let Some(id) = id else {
        return Ok(None);
    };
    provider::Entity::find_by_id(id.to_owned())
        .one(rc.db())
        .await?
        .map(|p| Some(p.id))
        .ok_or_else(|| AppError::bad_input("providerId", "no provider with this id"))
}

async fn find(conn: &impl ConnectionTrait, id: &str) -> AppResult<service_interruption::Model> {
    service_interruption::Entity::find_by_id(id.to_owned())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound)
}

/// What a log row says of a range (dates, provider id; never a person).
fn describe(i: &InterruptionInput) -> String {
    format!(
        "{}..{}; provider {}",
        i.starts_on,
        i.ends_on,
        i.provider_id.as_deref().unwrap_or("all")
    )
}

/// The interruptions' log (a table without an entity: only appended to and listed).
#[derive(DeriveIden)]
enum ServiceInterruptionLog {
    Table,
    Id,
    At,
    OfficialId,
    Action,
    InterruptionId,
    Detail,
}

async fn log(
    conn: &impl ConnectionTrait,
    rc: &RequestContext,
    action: &str,
    interruption_id: &str,
    detail: &str,
) -> AppResult<()> {
    use ServiceInterruptionLog as L;
    let columns = [
        L::At,
        L::OfficialId,
        L::Action,
        L::InterruptionId,
        L::Detail,
    ];
    log_table::append(conn, rc, L::Table, columns, action, interruption_id, detail).await
}

/// Voids the days recorded within an interruption's range in every period it covers (its
/// provider's, or every provider's), recomputing their allowances; returns the clients
/// whose days were voided.
async fn void_covered(
    sp: &DatabaseTransaction,
    rc: &RequestContext,
    row: &service_interruption::Model,
) -> AppResult<Vec<String>> {
    let mut select = rehab_period::Entity::find()
        .filter(rehab_period::Column::StartsOn.lte(row.ends_on))
        .filter(rehab_period::Column::EndsOn.gte(row.starts_on));
    if let Some(provider) = &row.provider_id {
        select = select.filter(rehab_period::Column::ProviderId.eq(provider.clone()));
    }
    let why = format!(
        "service interrupted {}..{}: {}",
        row.starts_on, row.ends_on, row.reason
    );
    let mut clients = Vec::new();
    for period in select.all(sp).await? {
        let cause = Cause::ServiceInterruption(&row.id);
        let n = attendance_correction::void_days(
            sp,
            rc,
            &period,
            row.starts_on,
            Some(row.ends_on),
            cause,
            &why,
        )
        .await?;
        if n > 0 && !clients.contains(&period.client_id) {
            clients.push(period.client_id.clone());
        }
    }
    Ok(clients)
}

/// Logs the WRITE of the attendance and allowances of each client whose days were voided.
fn log_voided(rc: &RequestContext, clients: &[String]) {
    for client in clients {
        rc.recorder.write(client, FieldGroup::Attendance);
        rc.recorder.write(client, FieldGroup::Allowance);
    }
}

/// Records an interruption; who and why stay on the row and in the log. Days already
/// recorded within it are voided.
pub async fn record(
    rc: &RequestContext,
    input: InterruptionInput,
) -> AppResult<service_interruption::Model> {
    let (row, clients) = write::unscoped(rc, Managed::ServiceInterruptions, async |sp| {
        record_voiding(rc, sp, input).await.map(Written::unlogged)
    })
    .await?;
    log_voided(rc, &clients);
    Ok(row)
}

/// Records an interruption and voids the days already recorded within it, in `sp`; answers
/// the clients whose days were voided (for their access-log rows).
pub(crate) async fn record_voiding(
    rc: &RequestContext,
    sp: &DatabaseTransaction,
    input: InterruptionInput,
) -> AppResult<(service_interruption::Model, Vec<String>)> {
    let row = record_in(rc, sp, input).await?;
    let clients = void_covered(sp, rc, &row).await?;
    Ok((row, clients))
}

async fn record_in(
    rc: &RequestContext,
    sp: &DatabaseTransaction,
    input: InterruptionInput,
) -> AppResult<service_interruption::Model> {
    check_range(
        rc.today,
        rc.settings.service_interruption_back_days,
        input.starts_on,
        input.ends_on,
        None,
    )?;
    let reason = input::required_text("reason", &input.reason, 500)?;
    let provider_id = checked_provider(rc, input.provider_id.as_deref()).await?;
    let id = uuid::Uuid::new_v4().to_string();
    let detail = format!(
        "{}; reason: {reason}",
        describe(&InterruptionInput {
            provider_id: provider_id.clone(),
            reason: String::new(),
            ..input
        })
    );
    let row = service_interruption::ActiveModel {
        id: Set(id.clone()),
        starts_on: Set(input.starts_on),
        ends_on: Set(input.ends_on),
        reason: Set(reason),
        provider_id: Set(provider_id),
        recorded_by: Set(Some(rc.principal().official_id.clone())),
        recorded_at: Set(Some(rc.now)),
        ..Default::default()
    };
    service_interruption::Entity::insert(row)
        .exec_without_returning(sp)
        .await?;
    log(sp, rc, "RECORD_SERVICE_INTERRUPTION", &id, &detail).await?;
    find(sp, &id).await
}

/// Corrects the range, provider or reason of a standing interruption; `why` is logged.
pub async fn correct(
    rc: &RequestContext,
    id: &str,
    input: InterruptionInput,
    why: &str,
) -> AppResult<service_interruption::Model> {
    let (row, clients) = write::unscoped(rc, Managed::ServiceInterruptions, async |sp| {
        let row = correct_in(rc, sp, id, input, why).await?;
        // Days the corrected range adds are voided; those it gives back stay voided and
        // may be recorded again.
        let clients = void_covered(sp, rc, &row).await?;
        Ok(Written::unlogged((row, clients)))
    })
    .await?;
    log_voided(rc, &clients);
    Ok(row)
}

async fn correct_in(
    rc: &RequestContext,
    sp: &DatabaseTransaction,
    id: &str,
    input: InterruptionInput,
    why: &str,
) -> AppResult<service_interruption::Model> {
    let current = find(sp, id).await?;
    if current.cancelled_at.is_some() {
        return Err(AppError::Conflict("the interruption was cancelled".into()));
    }
    let reason = input::required_text("reason", &input.reason, 500)?;
    let why = input::required_text("correctionReason", why, 500)?;
    let provider_id = checked_provider(rc, input.provider_id.as_deref()).await?;
    // Every provider's, or another one's, covers providers the standing one did not.
    let widens_provider = match (&current.provider_id, &provider_id) {
        (Some(was), Some(now)) => was != now,
        (Some(_), None) => true,
        (None, _) => false,
    };
    check_range(
        rc.today,
        rc.settings.service_interruption_back_days,
        input.starts_on,
        input.ends_on,
        Some(Standing {
            starts_on: current.starts_on,
            ends_on: current.ends_on,
            widens_provider,
        }),
    )?;
    let before = describe(&InterruptionInput {
        starts_on: current.starts_on,
        ends_on: current.ends_on,
        provider_id: current.provider_id.clone(),
        reason: String::new(),
    });
    let after = describe(&InterruptionInput {
        provider_id: provider_id.clone(),
        reason: String::new(),
        ..input
    });
    let mut detail = format!("{before} -> {after}");
    if reason != current.reason {
        detail.push_str(&format!("; reason now: {reason}"));
    }
    detail.push_str(&format!("; why: {why}"));
    let corrected = service_interruption::Entity::update_many()
        .col_expr(
            service_interruption::Column::StartsOn,
            Expr::value(input.starts_on),
        )
        .col_expr(
            service_interruption::Column::EndsOn,
            Expr::value(input.ends_on),
        )
        .col_expr(
            service_interruption::Column::ProviderId,
            Expr::value(provider_id),
        )
        .col_expr(service_interruption::Column::Reason, Expr::value(reason))
        .filter(service_interruption::Column::Id.eq(current.id.clone()))
        .filter(service_interruption::Column::CancelledAt.is_null())
        .exec(sp)
        .await?;
    if corrected.rows_affected == 0 {
        return Err(AppError::Conflict("the interruption was cancelled".into()));
    }
    log(sp, rc, "CORRECT_SERVICE_INTERRUPTION", &current.id, &detail).await?;
    find(sp, id).await
}

/// Cancels an interruption: it stays on record, marked with who and why, and attendance
/// rules ignore it from now on.
pub async fn cancel(
    rc: &RequestContext,
    id: &str,
    why: &str,
) -> AppResult<service_interruption::Model> {
    write::unscoped(rc, Managed::ServiceInterruptions, async |sp| {
        cancel_in(rc, sp, id, why).await.map(Written::unlogged)
    })
    .await
}

async fn cancel_in(
    rc: &RequestContext,
    sp: &DatabaseTransaction,
    id: &str,
    why: &str,
) -> AppResult<service_interruption::Model> {
    let current = find(sp, id).await?;
    let why = input::required_text("reason", why, 500)?;
    let conflict = || AppError::Conflict("the interruption was already cancelled".into());
    if current.cancelled_at.is_some() {
        return Err(conflict());
    }
    let detail = format!(
        "{}; why: {why}",
        describe(&InterruptionInput {
            starts_on: current.starts_on,
            ends_on: current.ends_on,
            provider_id: current.provider_id.clone(),
            reason: String::new(),
        })
    );
    let cancelled = service_interruption::Entity::update_many()
        .col_expr(
            service_interruption::Column::CancelledAt,
            Expr::value(rc.now),
        )
        .col_expr(
            service_interruption::Column::CancelledBy,
            Expr::value(rc.principal().official_id.clone()),
        )
        .col_expr(service_interruption::Column::CancelReason, Expr::value(why))
        .filter(service_interruption::Column::Id.eq(current.id.clone()))
        .filter(service_interruption::Column::CancelledAt.is_null())
        .exec(sp)
        .await?;
    if cancelled.rows_affected == 0 {
        return Err(conflict());
    }
    log(sp, rc, "CANCEL_SERVICE_INTERRUPTION", &current.id, &detail).await?;
    find(sp, id).await
}

#[derive(FromQueryResult)]
struct LogRow {
    at: DateTime<Utc>,
    official_id: String,
    action: String,
    interruption_id: String,
    detail: String,
}

/// The newest rows of the interruptions' log, newest first (county management and the
/// data-protection officer).
pub async fn log_entries(rc: &RequestContext, first: u64) -> AppResult<Vec<AdminLogEntry>> {
    require(rc, Managed::ServiceInterruptions, false)?;
    use ServiceInterruptionLog as L;
    let select = Query::select()
        .columns([
            L::At,
            L::OfficialId,
            L::Action,
            L::InterruptionId,
            L::Detail,
        ])
        .from(L::Table)
        .order_by(L::Id, Order::Desc)
        .limit(first)
        .to_owned();
    Ok(
        LogRow::find_by_statement(rc.db().get_database_backend().build(&select))
            .all(rc.db())
            .await?
            .into_iter()
            .map(|r| AdminLogEntry {
                at: r.at,
                official_id: Some(r.official_id),
                action: r.action,
                target: r.interruption_id,
                detail: r.detail,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(r: AppResult<()>) -> Option<String> {
        match r {
            Err(AppError::BadUserInput { field, .. }) => Some(field),
            _ => None,
        }
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_range_is_bounded_back_ahead_and_in_length() {
        let today = d("2026-12-06");
        let check = |a: &str, b: &str| field(check_range(today, 30, d(a), d(b), None));
        assert_eq!(check("2026-11-06", "2026-11-30"), None);
        assert_eq!(
            check("2026-11-05", "2026-11-30").as_deref(),
            Some("startsOn")
        );
        assert_eq!(check("2026-12-10", "2026-12-09").as_deref(), Some("endsOn"));
        assert_eq!(check("2026-12-10", "2027-12-06"), None);
        assert_eq!(check("2027-01-01", "2027-12-06"), None);
        assert_eq!(check("2027-01-01", "2027-12-07").as_deref(), Some("endsOn"));
        assert_eq!(check("2090-01-01", "2099-12-31").as_deref(), Some("endsOn"));
        // A year at most: from 2026-11-10, through 2027-11-09.
        assert_eq!(check("2026-11-10", "2027-11-09"), None);
        assert_eq!(check("2026-11-10", "2027-11-10").as_deref(), Some("endsOn"));
    }

    #[test]
    fn a_correction_only_shrinks_what_lies_further_back() {
        let today = d("2026-12-06"); // 30 days back: 2026-11-06
        let standing = |widens_provider| Standing {
            starts_on: d("2026-10-01"),
            ends_on: d("2026-10-10"),
            widens_provider,
        };
        let check = |a: &str, b: &str, widens| {
            field(check_range(today, 30, d(a), d(b), Some(standing(widens))))
        };
        // Kept, shrunk at either end, or moved into the look-back: allowed.
        assert_eq!(check("2026-10-01", "2026-10-10", false), None);
        assert_eq!(check("2026-10-02", "2026-10-09", false), None);
        assert_eq!(check("2026-11-10", "2026-11-20", true), None);
        // Earlier, later, or for more providers further back than 30 days: refused.
        assert_eq!(
            check("2026-09-30", "2026-10-10", false).as_deref(),
            Some("startsOn")
        );
        assert_eq!(
            check("2026-10-01", "2026-10-11", false).as_deref(),
            Some("endsOn")
        );
        assert_eq!(
            check("2026-10-01", "2026-12-20", false).as_deref(),
            Some("endsOn")
        );
        assert_eq!(
            check("2026-10-01", "2026-10-10", true).as_deref(),
            Some("startsOn")
        );
    }
}
