//! Reports on KTT periods (rehabilitative work activity): clients in KTT per month,
//! allowances, period lengths and attendance per provider.

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, DbBackend};

use super::filters::{client_filters, filtered, placement_filters, push_filters};
use super::{guarded, money, suppress_row, Cell, Filter};
use crate::authz::scope::RowScope;
use crate::db::Sql;
use crate::error::AppResult;
use crate::services::report_rules::{self, authorize, publish, Report, ROUND_TO};
use crate::services::RequestContext;

/// One month of the rehabilitative work activity series.
#[derive(Debug, Clone)]
pub struct RehabMonth {
    pub month: String,
    /// Average clients in KTT per day of the month (a period in force that day).
    pub average: Option<f64>,
    /// Clients with a period in force on the month's last day.
    pub end_of_month: Cell,
    /// Activity days recorded as attended.
    pub attended_days: Cell,
}

/// Monthly KTT figures of the clients a report may count, from the monthly summaries.
#[derive(Debug, Default, Clone, Copy)]
struct KttMonth {
    person_days: i64,
    persons: i64,
    at_end: i64,
    attended_days: i64,
    attending_persons: i64,
    allowance_cents: i64,
    travel_cents: i64,
    paid_persons: i64,
}

/// Reads [`KttMonth`] figures per month. Without a provider filter the per-client summary
/// has one row per client and month; with one provider (a filter or a coach's own) the
/// per-provider summary has one row per client too; only a provider-kind filter, which can
/// match two providers of one client in a month, groups per client first.
async fn ktt_months(
    rc: &RequestContext,
    months: &[(NaiveDate, NaiveDate)],
    scope: Option<&RowScope>,
    f: &Filter,
) -> AppResult<std::collections::HashMap<String, KttMonth>> {
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return Ok(Default::default());
    };
    let measures = "days_in_force, in_force_at_end, attended_days, allowance_cents, travel_cents";
    let per_provider = f.provider_id.is_some()
        || f.provider_kind.is_some()
        || matches!(scope, Some(RowScope::Coach { .. }));
    let mut sql = Sql::new(
        "SELECT s.month AS month, CAST(SUM(s.days_in_force) AS BIGINT) AS person_days, \
         CAST(SUM(CASE WHEN s.days_in_force > 0 THEN 1 ELSE 0 END) AS BIGINT) AS persons, \
         CAST(SUM(s.in_force_at_end) AS BIGINT) AS at_end, \
         CAST(SUM(s.attended_days) AS BIGINT) AS attended, \
         CAST(SUM(CASE WHEN s.attended_days > 0 THEN 1 ELSE 0 END) AS BIGINT) AS attending, \
         CAST(SUM(s.allowance_cents) AS BIGINT) AS allowance, CAST(SUM(s.travel_cents) AS BIGINT) AS travel, \
         CAST(SUM(CASE WHEN s.allowance_cents + s.travel_cents > 0 THEN 1 ELSE 0 END) AS BIGINT) AS paid \
         FROM (",
    );
    if !per_provider {
        sql.push(&format!(
            "SELECT k.month AS month, {measures} FROM ktt_client_month k WHERE k.month >= "
        ));
    } else if f.provider_kind.is_none() {
        sql.push(&format!(
            "SELECT k.month AS month, {measures} FROM ktt_month k WHERE k.month >= "
        ));
    } else {
        sql.push(
            "SELECT k.month AS month, SUM(k.days_in_force) AS days_in_force, \
             MAX(k.in_force_at_end) AS in_force_at_end, SUM(k.attended_days) AS attended_days, \
             SUM(k.allowance_cents) AS allowance_cents, SUM(k.travel_cents) AS travel_cents \
             FROM ktt_month k WHERE k.month >= ",
        );
    }
    sql.bind(first.0.format("%Y-%m").to_string())
        .push(" AND k.month <= ")
        .bind(last.0.format("%Y-%m").to_string());
    if per_provider {
        push_filters(&mut sql, placement_filters(scope, f, "k"));
    } else {
        push_filters(&mut sql, client_filters(scope, f, "k"));
    }
    if f.provider_kind.is_some() {
        sql.push(" GROUP BY k.month, k.client_id");
    }
    sql.push(") s GROUP BY s.month");
    let db = rc.report_db().await?;
    let mut out = std::collections::HashMap::new();
    for row in db.query_all_raw(sql.build_for(db)).await? {
        out.insert(
            row.try_get::<String>("", "month")?,
            KttMonth {
                person_days: row.try_get("", "person_days")?,
                persons: row.try_get("", "persons")?,
                at_end: row.try_get("", "at_end")?,
                attended_days: row.try_get("", "attended")?,
                attending_persons: row.try_get("", "attending")?,
                allowance_cents: row.try_get("", "allowance")?,
                travel_cents: row.try_get("", "travel")?,
                paid_persons: row.try_get("", "paid")?,
            },
        );
    }
    Ok(out)
}

/// A series of one figure per month of a range, made by `month` from the [`KttMonth`]
/// figures of that month (`YYYY-MM`, its first and last day).
async fn ktt_series<T>(
    rc: &RequestContext,
    report: Report,
    (from, to): (NaiveDate, NaiveDate),
    f: &Filter,
    month: impl Fn(String, (NaiveDate, NaiveDate), KttMonth) -> T,
) -> AppResult<Vec<T>> {
    let scope = authorize(rc, report, f)?;
    let months = report_rules::whole_months(from, to)?;
    let found = ktt_months(rc, &months, scope, f).await?;
    Ok(months
        .iter()
        .map(|&(s, e)| {
            let name = s.format("%Y-%m").to_string();
            let k = found.get(&name).copied().unwrap_or_default();
            month(name, (s, e), k)
        })
        .collect())
}

/// Monthly average and end-of-month count of clients in KTT.
pub async fn rehab_activity(
    rc: &RequestContext,
    from: NaiveDate,
    to: NaiveDate,
    f: &Filter,
) -> AppResult<Vec<RehabMonth>> {
    ktt_series(
        rc,
        Report::RehabActivity,
        (from, to),
        f,
        |month, (s, e), k| {
            let days_in_month = (e - s).num_days() + 1;
            // The average counts persons too: rounded like every count.
            let average = (k.person_days as f64 / days_in_month as f64).round() as i64;
            RehabMonth {
                average: publish(average, k.persons, ROUND_TO).map(|a| a as f64),
                end_of_month: Cell::of(k.at_end),
                attended_days: guarded(k.attended_days, k.attending_persons),
                month,
            }
        },
    )
    .await
}

/// Appends a derived table `(client_id, provider_id, month, recorded, attended)` of the
/// attendance of the whole months from `from` to `to`, from the `ktt_month` summary.
fn push_attendance_months(sql: &mut Sql, from: NaiveDate, to: NaiveDate) {
    sql.push("(SELECT client_id, provider_id, month, recorded_days AS recorded, attended_days AS attended FROM ktt_month WHERE recorded_days > 0 AND month >= ")
        .bind(from.format("%Y-%m").to_string())
        .push(" AND month <= ")
        .bind(to.format("%Y-%m").to_string())
        .push(")");
}

/// Allowances and travel compensation per month, in cents.
#[derive(Debug, Clone)]
pub struct AllowanceMonth {
    pub month: String,
    pub allowance_cents: Cell,
    pub travel_cents: Cell,
    pub persons: Cell,
}

pub async fn allowances(
    rc: &RequestContext,
    from: NaiveDate,
    to: NaiveDate,
    f: &Filter,
) -> AppResult<Vec<AllowanceMonth>> {
    ktt_series(rc, Report::Allowances, (from, to), f, |month, _, k| {
        AllowanceMonth {
            allowance_cents: money(k.allowance_cents, k.paid_persons),
            travel_cents: money(k.travel_cents, k.paid_persons),
            persons: Cell::of(k.paid_persons),
            month,
        }
    })
    .await
}

/// Buckets of period length in months.
pub const LENGTH_BUCKETS: [(&str, i64, i64); 6] = [
    ("0-2", 0, 2),
    ("3-5", 3, 5),
    ("6-8", 6, 8),
    ("9-11", 9, 11),
    ("12-17", 12, 17),
    ("18-24", 18, 24),
];

/// Lengths of the KTT periods that started in a range (months, as decided): periods per
/// length, a length published only when its periods belong to five persons at least.
pub async fn period_lengths(
    rc: &RequestContext,
    from: NaiveDate,
    to: NaiveDate,
    f: &Filter,
) -> AppResult<Vec<(String, Cell)>> {
    let scope = authorize(rc, Report::PeriodLengths, f)?;
    report_rules::whole_months(from, to)?;
    let db = rc.report_db().await?;
    let b = db.get_database_backend();
    let days = days_between(b, "p.starts_on", "COALESCE(p.ended_early_on, p.ends_on)");
    let mut select = Query::select()
        .column(("p", "client_id"))
        // The day arithmetic differs per backend: a custom expression.
        .expr_as(Expr::cust(days), "d")
        .from_as("rehab_period", "p")
        .and_where(Expr::col(("p", "starts_on")).gte(from))
        .and_where(Expr::col(("p", "starts_on")).lte(to))
        .to_owned();
    filtered(&mut select, placement_filters(scope, f, "p"));
    // Periods per length, each published only when it stands for five persons at least:
    // one person's several periods must not fill a cell to the threshold.
    let mut periods = [0i64; LENGTH_BUCKETS.len()];
    let mut persons: [std::collections::HashSet<String>; LENGTH_BUCKETS.len()] = Default::default();
    for row in db.query_all(&select).await? {
        let client: String = row.try_get("", "client_id")?;
        let d: i64 = row
            .try_get::<i64>("", "d")
            .or_else(|_| row.try_get::<i32>("", "d").map(i64::from))?;
        // Whole months, rounding to the nearest (30.44 days a month).
        let months = ((d as f64) / 30.44).round() as i64;
        if let Some(i) = LENGTH_BUCKETS
            .iter()
            .position(|(_, lo, hi)| months >= *lo && months <= *hi)
        {
            periods[i] += 1;
            persons[i].insert(client);
        }
    }
    let by_persons = suppress_row(&persons.map(|p| p.len() as i64));
    Ok(LENGTH_BUCKETS
        .iter()
        .zip(by_persons)
        .zip(periods)
        .map(|((b, shown), n)| {
            let cell = if shown.value.is_some() {
                Cell::of(n)
            } else {
                shown
            };
            (b.0.to_owned(), cell)
        })
        .collect())
}

/// Activity days and attendance rate per provider in a range.
#[derive(Debug, Clone)]
pub struct ProviderFigures {
    pub provider_id: String,
    pub provider_name: String,
    pub attended_days: Cell,
    pub recorded_days: Cell,
    /// Attended / recorded, in per mille; null when suppressed.
    pub attendance_rate_permille: Option<i64>,
}

pub async fn provider_activity(
    rc: &RequestContext,
    from: NaiveDate,
    to: NaiveDate,
    f: &Filter,
) -> AppResult<Vec<ProviderFigures>> {
    let scope = authorize(rc, Report::ProviderActivity, f)?;
    report_rules::whole_months(from, to)?;
    let db = rc.report_db().await?;
    let mut sql = Sql::new(
        "SELECT v.id AS id, v.name AS name, CAST(SUM(s.recorded) AS BIGINT) AS recorded, \
         CAST(SUM(s.attended) AS BIGINT) AS attended, COUNT(*) AS persons \
         FROM (SELECT x.provider_id AS provider_id, x.client_id AS client_id, \
         SUM(x.recorded) AS recorded, SUM(x.attended) AS attended FROM ",
    );
    push_attendance_months(&mut sql, from, to);
    sql.push(" x WHERE x.recorded > 0");
    push_filters(&mut sql, placement_filters(scope, f, "x"));
    sql.push(
        " GROUP BY x.provider_id, x.client_id) s JOIN provider v ON v.id = s.provider_id \
         GROUP BY v.id, v.name ORDER BY v.name",
    );
    let mut out = Vec::new();
    for row in db.query_all_raw(sql.build_for(db)).await? {
        let persons: i64 = row.try_get("", "persons")?;
        let recorded: i64 = row.try_get("", "recorded")?;
        let attended: i64 = row.try_get("", "attended")?;
        let (attended, recorded) = (guarded(attended, persons), guarded(recorded, persons));
        // A provider listed with suppressed figures would say it had one to four persons;
        // unlisted, it is one of those with none to four.
        if recorded.value.is_none() && attended.value.is_none() {
            continue;
        }
        // The rate of the published (rounded) figures: it tells nothing they do not.
        let rate = match (attended.value, recorded.value) {
            (Some(a), Some(r)) if r > 0 => Some(a * 1000 / r),
            _ => None,
        };
        out.push(ProviderFigures {
            provider_id: row.try_get("", "id")?,
            provider_name: row.try_get("", "name")?,
            attended_days: attended,
            recorded_days: recorded,
            attendance_rate_permille: rate,
        });
    }
    Ok(out)
}

/// Days between two date expressions, inclusive, per backend.
fn days_between(backend: DbBackend, from: &str, to: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("(({to}) - ({from}) + 1)"),
        _ => format!("(CAST(julianday({to}) - julianday({from}) AS INTEGER) + 1)"),
    }
}
