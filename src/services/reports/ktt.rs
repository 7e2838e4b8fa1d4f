//! Reports on KTT periods (rehabilitative work activity): clients in KTT per month,
//! allowances, period lengths and attendance per provider.

use chrono::NaiveDate;
use entity::provider;
use sea_orm::sea_query::{
    Asterisk, Expr, ExprTrait, Func, FunctionCall, JoinType, Order, Query, SelectStatement, Value,
};
use sea_orm::{ConnectionTrait, DbBackend};

use super::filters::{
    client_filters_with, filtered, placement_filters, placement_filters_with, Facts,
};
use super::{guarded, money, suppress_row, Cell, Filter};
use crate::authz::scope::RowScope;
use crate::error::AppResult;
use crate::services::report_rules::{self, authorize, publish, Report, ROUND_TO};
use crate::services::RequestContext;
use crate::store::ktt_month::{KttClientMonth, KttMonth as Summary};

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
    /// Persons who attended at least one activity day in the month (beside the average of
    /// those with a period in force: the difference is those placed who did not attend).
    pub attending: Cell,
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
    /// By payer and kind: (cents, persons paid) of Kela's and the funds' kulukorvaus and
    /// the county's toimintaraha; travel persons.
    kela: (i64, i64),
    fund: (i64, i64),
    toimintaraha: (i64, i64),
    travel_persons: i64,
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
    let measures = [
        Summary::DaysInForce,
        Summary::InForceAtEnd,
        Summary::AttendedDays,
        Summary::AllowanceCents,
        Summary::TravelCents,
        Summary::KelaCents,
        Summary::FundCents,
        Summary::ToimintarahaCents,
    ];
    let per_provider = f.provider_id.is_some()
        || f.provider_kind.is_some()
        || matches!(scope, Some(RowScope::Coach { .. }));
    let k = |c: Summary| Expr::col(("k", c));
    let mut per_client = Query::select()
        .expr_as(k(Summary::Month), "month")
        .and_where(k(Summary::Month).gte(first.0.format("%Y-%m").to_string()))
        .and_where(k(Summary::Month).lte(last.0.format("%Y-%m").to_string()))
        .to_owned();
    if !per_provider {
        per_client.from_as(KttClientMonth::Table, "k");
    } else {
        per_client.from_as(Summary::Table, "k");
    }
    if f.provider_kind.is_none() {
        per_client.columns(measures);
    } else {
        for measure in measures {
            let figure = match measure {
                Summary::InForceAtEnd => Func::max(k(measure)),
                _ => Func::sum(k(measure)),
            };
            per_client.expr_as(figure, measure);
        }
        per_client.add_group_by([k(Summary::Month), k(Summary::ClientId)]);
    }
    // The summaries carry their clients' facts: the month's rows are filtered as read.
    if per_provider {
        filtered(
            &mut per_client,
            placement_filters_with(scope, f, "k", Facts::Copied),
        );
    } else {
        filtered(
            &mut per_client,
            client_filters_with(scope, f, "k", Facts::Copied),
        );
    }
    let s = |c: Summary| Expr::col(("s", c));
    let positive = |e: Expr| counted(e.gt(0));
    let select = Query::select()
        .expr_as(s(Summary::Month), "month")
        .expr_as(total(s(Summary::DaysInForce)), "person_days")
        .expr_as(positive(s(Summary::DaysInForce)), "persons")
        .expr_as(total(s(Summary::InForceAtEnd)), "at_end")
        .expr_as(total(s(Summary::AttendedDays)), "attended")
        .expr_as(positive(s(Summary::AttendedDays)), "attending")
        .expr_as(total(s(Summary::AllowanceCents)), "allowance")
        .expr_as(total(s(Summary::TravelCents)), "travel")
        .expr_as(
            positive(s(Summary::AllowanceCents).add(s(Summary::TravelCents))),
            "paid",
        )
        .expr_as(total(s(Summary::KelaCents)), "kela")
        .expr_as(positive(s(Summary::KelaCents)), "kela_persons")
        .expr_as(total(s(Summary::FundCents)), "fund")
        .expr_as(positive(s(Summary::FundCents)), "fund_persons")
        .expr_as(total(s(Summary::ToimintarahaCents)), "toimintaraha")
        .expr_as(
            positive(s(Summary::ToimintarahaCents)),
            "toimintaraha_persons",
        )
        .expr_as(positive(s(Summary::TravelCents)), "travel_persons")
        .from_subquery(per_client, "s")
        .group_by_col(("s", Summary::Month))
        .to_owned();
    let db = rc.report_db().await?;
    let mut out = std::collections::HashMap::new();
    for row in db.query_all(&select).await? {
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
                kela: (row.try_get("", "kela")?, row.try_get("", "kela_persons")?),
                fund: (row.try_get("", "fund")?, row.try_get("", "fund_persons")?),
                toimintaraha: (
                    row.try_get("", "toimintaraha")?,
                    row.try_get("", "toimintaraha_persons")?,
                ),
                travel_persons: row.try_get("", "travel_persons")?,
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
                attending: Cell::of(k.attending_persons),
                month,
            }
        },
    )
    .await
}

/// `CAST(SUM(e) AS BIGINT)`: a sum read as `i64` on both backends.
fn total(e: Expr) -> FunctionCall {
    Func::cast_as(Func::sum(e), "BIGINT")
}

/// The rows for which `cond` holds, as a [`total`].
fn counted(cond: Expr) -> FunctionCall {
    let constant = |n: i32| Expr::Constant(Value::from(n));
    total(Expr::case(cond, constant(1)).finally(constant(0)).into())
}

/// A derived table `(client_id, provider_id, month, recorded, attended)` of the attendance
/// of the whole months from `from` to `to`, from the `ktt_month` summary, with the
/// client's facts the filters read (`migration::summary_facts::FACTS`).
fn attendance_months(from: NaiveDate, to: NaiveDate) -> SelectStatement {
    let mut select = Query::select()
        .columns([Summary::ClientId, Summary::ProviderId, Summary::Month])
        .expr_as(Expr::col(Summary::RecordedDays), "recorded")
        .expr_as(Expr::col(Summary::AttendedDays), "attended")
        .from(Summary::Table)
        .and_where(Expr::col(Summary::RecordedDays).gt(0))
        .and_where(Expr::col(Summary::Month).gte(from.format("%Y-%m").to_string()))
        .and_where(Expr::col(Summary::Month).lte(to.format("%Y-%m").to_string()))
        .to_owned();
    for (column, _) in migration::summary_facts::FACTS {
        select.column(sea_orm::sea_query::Alias::new(column));
    }
    select
}

/// Allowances and travel compensation per month, in cents.
#[derive(Debug, Clone)]
pub struct AllowanceMonth {
    pub month: String,
    pub allowance_cents: Cell,
    pub travel_cents: Cell,
    pub persons: Cell,
    /// By payer and kind, each suppressed by the persons it pays: Kela's kulukorvaus, the
    /// funds' kulukorvaus, the county's toimintaraha (and `travel_cents`, the county's).
    pub kela_expense_cents: Cell,
    pub fund_expense_cents: Cell,
    pub toimintaraha_cents: Cell,
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
            travel_cents: money(k.travel_cents, k.travel_persons),
            persons: Cell::of(k.paid_persons),
            kela_expense_cents: money(k.kela.0, k.kela.1),
            fund_expense_cents: money(k.fund.0, k.fund.1),
            toimintaraha_cents: money(k.toimintaraha.0, k.toimintaraha.1),
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
    let x = |c: &'static str| Expr::col(("x", c));
    let mut per_client = Query::select()
        .expr_as(x("provider_id"), "provider_id")
        .expr_as(x("client_id"), "client_id")
        .expr_as(Func::sum(x("recorded")), "recorded")
        .expr_as(Func::sum(x("attended")), "attended")
        .from_subquery(attendance_months(from, to), "x")
        .and_where(x("recorded").gt(0))
        .add_group_by([x("provider_id"), x("client_id")])
        .to_owned();
    filtered(
        &mut per_client,
        placement_filters_with(scope, f, "x", Facts::Copied),
    );
    let v = |c: provider::Column| Expr::col(("v", c));
    let select = Query::select()
        .expr_as(v(provider::Column::Id), "id")
        .expr_as(v(provider::Column::Name), "name")
        .expr_as(total(Expr::col(("s", "recorded"))), "recorded")
        .expr_as(total(Expr::col(("s", "attended"))), "attended")
        .expr_as(Expr::col(Asterisk).count(), "persons")
        .from_subquery(per_client, "s")
        .join_as(
            JoinType::InnerJoin,
            provider::Entity,
            "v",
            v(provider::Column::Id).equals(("s", "provider_id")),
        )
        .add_group_by([v(provider::Column::Id), v(provider::Column::Name)])
        .order_by(("v", provider::Column::Name), Order::Asc)
        .to_owned();
    let mut out = Vec::new();
    for row in db.query_all(&select).await? {
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
