//! Aggregate reports for dashboards, computed in SQL. Each report first passes
//! [`report_rules::authorize`] (what it and its filters read, against the caller's field
//! mask) and publishes every figure through [`report_rules::publish`] (whole months, rounded,
//! small figures suppressed); complementary suppression keeps a suppressed cell from being
//! recovered from its total. Reports return counts only: no identifier, name or date of
//! birth. ANALYST sees all clients; agency roles only their row scope.

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbBackend};

use super::report_rules::{self, authorize, publish, Report, ROUND_TO};
use super::RequestContext;
use crate::authz::scope::RowScope;
use crate::db::Sql;
use crate::domain::outcome::CaseOutcome;
use crate::error::AppResult;

pub use super::report_rules::{MAX_MONTHS, MIN_CELL};

/// Optional filters of every report.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub provider_id: Option<String>,
    pub provider_kind: Option<String>,
    pub municipality: Option<String>,
    pub responsible_agency: Option<String>,
}

/// A published count: `None` when suppressed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    pub value: Option<i64>,
}

impl Cell {
    /// A count of persons, as [`publish`] lets it out.
    pub fn of(persons: i64) -> Cell {
        guarded(persons, persons)
    }
}

/// Suppresses small cells of a row that has a published total: if exactly one cell is
/// suppressed, the next smallest is suppressed too, so the total cannot reveal it.
pub fn suppress_row(counts: &[i64]) -> Vec<Cell> {
    let mut cells: Vec<Cell> = counts.iter().map(|c| Cell::of(*c)).collect();
    let hidden = counts.iter().filter(|c| **c > 0 && **c < MIN_CELL).count();
    if hidden == 1 {
        if let Some((i, _)) = counts
            .iter()
            .enumerate()
            .filter(|(i, c)| cells[*i].value.is_some() && **c > 0)
            .min_by_key(|(_, c)| **c)
        {
            cells[i].value = None;
        }
    }
    cells
}

/// Days between two date expressions, inclusive, per backend.
fn days_between(backend: DbBackend, from: &str, to: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("(({to}) - ({from}) + 1)"),
        _ => format!("(CAST(julianday({to}) - julianday({from}) AS INTEGER) + 1)"),
    }
}

/// Appends the filters and the row scope on period `p`.
fn push_period_filters(sql: &mut Sql, scope: Option<&RowScope>, f: &Filter) {
    push_placement_filters(sql, scope, f, "p");
}

/// Appends the filters and the row scope on a row `alias` with `provider_id` and `client_id`
/// (a KTT period or a job coaching); a coach counts its own provider's rows only.
fn push_placement_filters(sql: &mut Sql, scope: Option<&RowScope>, f: &Filter, alias: &str) {
    if let Some(id) = &f.provider_id {
        sql.push(&format!(" AND {alias}.provider_id = "))
            .bind(id.clone());
    }
    if let Some(kind) = &f.provider_kind {
        sql.push(&format!(
            " AND EXISTS (SELECT 1 FROM provider v WHERE v.id = {alias}.provider_id AND v.kind = "
        ))
        .bind(kind.clone())
        .push(")");
    }
    push_client_filters(sql, scope, f, &format!("{alias}.client_id"));
    if let Some(RowScope::Coach { provider_id }) = scope {
        sql.push(&format!(" AND {alias}.provider_id = "))
            .bind(provider_id.clone());
    }
}

/// Appends the client filters and the row scope on a client id column. Reports on data a
/// coach does not read refuse coaches before they get here.
fn push_client_filters(sql: &mut Sql, scope: Option<&RowScope>, f: &Filter, client: &str) {
    if let Some(m) = &f.municipality {
        sql.push(&format!(
            " AND EXISTS (SELECT 1 FROM client cm WHERE cm.id = {client} AND cm.municipality = "
        ))
        .bind(m.clone())
        .push(")");
    }
    if let Some(a) = &f.responsible_agency {
        sql.push(&format!(" AND EXISTS (SELECT 1 FROM typ_case ca WHERE ca.client_id = {client} AND ca.responsible_agency = ")).bind(a.clone()).push(")");
    }
    if let Some(scope) = scope {
        sql.push(" AND ");
        scope.client_visible(sql, client);
    }
}

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
        push_placement_filters(&mut sql, scope, f, "k");
    } else {
        push_client_filters(&mut sql, scope, f, "k.client_id");
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

/// Monthly average and end-of-month count of clients in KTT.
pub async fn rehab_activity(
    rc: &RequestContext,
    from: NaiveDate,
    to: NaiveDate,
    f: &Filter,
) -> AppResult<Vec<RehabMonth>> {
    let scope = authorize(rc, Report::RehabActivity, f)?;
    let months = report_rules::whole_months(from, to)?;
    let found = ktt_months(rc, &months, scope, f).await?;
    Ok(months
        .iter()
        .map(|(s, e)| {
            let month = s.format("%Y-%m").to_string();
            let k = found.get(&month).copied().unwrap_or_default();
            let days_in_month = (*e - *s).num_days() + 1;
            // The average counts persons too: rounded like every count.
            let average = (k.person_days as f64 / days_in_month as f64).round() as i64;
            RehabMonth {
                average: publish(average, k.persons, ROUND_TO).map(|a| a as f64),
                end_of_month: Cell::of(k.at_end),
                attended_days: guarded(k.attended_days, k.attending_persons),
                month,
            }
        })
        .collect())
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

/// Closed cases of a range by outcome, with the new and closed totals.
#[derive(Debug, Clone)]
pub struct Outcomes {
    pub new_cases: Cell,
    pub closed_cases: Cell,
    pub by_outcome: Vec<(String, Cell)>,
}

pub async fn case_outcomes(
    rc: &RequestContext,
    from: NaiveDate,
    to: NaiveDate,
    f: &Filter,
) -> AppResult<Outcomes> {
    let scope = authorize(rc, Report::CaseOutcomes, f)?;
    report_rules::whole_months(from, to)?;
    let db = rc.report_db().await?;
    let count = |column: &str| {
        let mut sql = Sql::new(&format!(
            "SELECT COUNT(DISTINCT t.client_id) AS n FROM typ_case t WHERE t.{column} >= "
        ));
        sql.bind(from)
            .push(&format!(" AND t.{column} <= "))
            .bind(to);
        sql
    };
    let mut new_sql = count("opened_on");
    push_case_filters(&mut new_sql, scope, f);
    let mut closed_sql = count("ended_on");
    push_case_filters(&mut closed_sql, scope, f);
    let one = |row: Option<sea_orm::QueryResult>| -> AppResult<i64> {
        Ok(row
            .map(|r| r.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or(0))
    };
    let new_cases = one(db.query_one_raw(new_sql.build_for(db)).await?)?;
    let closed = one(db.query_one_raw(closed_sql.build_for(db)).await?)?;
    let mut sql = Sql::new("SELECT t.outcome AS outcome, COUNT(DISTINCT t.client_id) AS n FROM typ_case t WHERE t.ended_on >= ");
    sql.bind(from).push(" AND t.ended_on <= ").bind(to);
    push_case_filters(&mut sql, scope, f);
    sql.push(" GROUP BY t.outcome");
    let outcomes = CaseOutcome::ALL.map(CaseOutcome::code);
    let mut counts = vec![0i64; outcomes.len()];
    for row in db.query_all_raw(sql.build_for(db)).await? {
        let outcome: String = row.try_get("", "outcome")?;
        if let Some(i) = outcomes.iter().position(|o| *o == outcome) {
            counts[i] = row.try_get("", "n")?;
        }
    }
    let cells = suppress_row(&counts);
    Ok(Outcomes {
        new_cases: Cell::of(new_cases),
        closed_cases: Cell::of(closed),
        by_outcome: outcomes.iter().map(|o| o.to_string()).zip(cells).collect(),
    })
}

fn push_case_filters(sql: &mut Sql, scope: Option<&RowScope>, f: &Filter) {
    if let Some(a) = &f.responsible_agency {
        sql.push(" AND t.responsible_agency = ").bind(a.clone());
    }
    let client_only = Filter {
        responsible_agency: None,
        ..f.clone()
    };
    if let Some(m) = &client_only.municipality {
        sql.push(
            " AND EXISTS (SELECT 1 FROM client cm WHERE cm.id = t.client_id AND cm.municipality = ",
        )
        .bind(m.clone())
        .push(")");
    }
    if let Some(scope) = scope {
        sql.push(" AND ");
        scope.client_visible(sql, "t.client_id");
    }
}

/// TYP clients on a day: a case open that day.
pub async fn typ_clients_on(rc: &RequestContext, on: NaiveDate, f: &Filter) -> AppResult<Cell> {
    let scope = authorize(rc, Report::TypClientsOn, f)?;
    report_rules::first_of_month("on", on)?;
    let mut sql =
        Sql::new("SELECT COUNT(DISTINCT t.client_id) AS n FROM typ_case t WHERE t.opened_on <= ");
    sql.bind(on)
        .push(" AND (t.ended_on IS NULL OR t.ended_on >= ")
        .bind(on)
        .push(")");
    push_case_filters(&mut sql, scope, f);
    count_cell(rc, &sql).await
}

/// Runs a query of one count `n` of persons as a published cell.
async fn count_cell(rc: &RequestContext, sql: &Sql) -> AppResult<Cell> {
    let db = rc.report_db().await?;
    let n: i64 = db
        .query_one_raw(sql.build_for(db))
        .await?
        .map(|r| r.try_get("", "n"))
        .transpose()?
        .unwrap_or(0);
    Ok(Cell::of(n))
}

/// Job coaching kinds that make a client an individual-support client (domain.md:
/// neuropsychiatric and individual coaching, walk-alongside models), as opposed to the
/// county's own or voucher providers' group coaching.
pub const INDIVIDUAL_SUPPORT_KINDS: [&str; 3] =
    ["INDIVIDUAL", "NEUROPSYCHIATRIC", "WALK_ALONGSIDE"];

/// Individual-support clients on a day: job coaching of an individual kind in force that day
/// (started, and not ended before it), whether or not the client has a TYP case open.
pub async fn individual_support_clients_on(
    rc: &RequestContext,
    on: NaiveDate,
    f: &Filter,
) -> AppResult<Cell> {
    let scope = authorize(rc, Report::IndividualSupportClientsOn, f)?;
    report_rules::first_of_month("on", on)?;
    let mut sql =
        Sql::new("SELECT COUNT(DISTINCT j.client_id) AS n FROM job_coaching j WHERE j.kind IN ");
    sql.bind_list(&INDIVIDUAL_SUPPORT_KINDS)
        .push(" AND j.starts_on <= ")
        .bind(on)
        .push(" AND (j.ends_on IS NULL OR j.ends_on >= ")
        .bind(on)
        .push(")");
    push_placement_filters(&mut sql, scope, f, "j");
    count_cell(rc, &sql).await
}

/// Service-wide interruptions overlapping a range (not client data). It takes no filter:
/// one given is refused by name like any filter a report cannot apply.
pub async fn interruptions(
    rc: &RequestContext,
    from: NaiveDate,
    to: NaiveDate,
    f: &Filter,
) -> AppResult<Vec<entity::service_interruption::Model>> {
    authorize(rc, Report::ServiceInterruptions, f)?;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    Ok(entity::service_interruption::Entity::find()
        .filter(entity::service_interruption::Column::CancelledAt.is_null())
        .filter(entity::service_interruption::Column::StartsOn.lte(to))
        .filter(entity::service_interruption::Column::EndsOn.gte(from))
        .order_by_asc(entity::service_interruption::Column::StartsOn)
        .all(rc.report_db().await?)
        .await?)
}

/// Runs a grouped count query and returns (key, count, persons) rows.
async fn grouped(rc: &RequestContext, sql: &Sql) -> AppResult<Vec<(String, i64, i64)>> {
    let db = rc.report_db().await?;
    let mut out = Vec::new();
    for row in db.query_all_raw(sql.build_for(db)).await? {
        out.push((
            row.try_get::<String>("", "k")?,
            row.try_get::<i64>("", "n")?,
            row.try_get::<i64>("", "persons")?,
        ));
    }
    Ok(out)
}

/// A count (of days, meetings, actions) published only when at least five persons stand
/// behind it, rounded.
fn guarded(value: i64, persons: i64) -> Cell {
    Cell {
        value: publish(value, persons, ROUND_TO),
    }
}

/// A sum of money, in cents, published like [`guarded`] but rounded to whole hundreds of
/// euros.
fn money(cents: i64, persons: i64) -> Cell {
    Cell {
        value: publish(cents, persons, report_rules::MONEY_ROUND_TO_CENTS),
    }
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
    let scope = authorize(rc, Report::Allowances, f)?;
    let months = report_rules::whole_months(from, to)?;
    let found = ktt_months(rc, &months, scope, f).await?;
    Ok(months
        .iter()
        .map(|(s, _)| {
            let month = s.format("%Y-%m").to_string();
            let k = found.get(&month).copied().unwrap_or_default();
            AllowanceMonth {
                allowance_cents: money(k.allowance_cents, k.paid_persons),
                travel_cents: money(k.travel_cents, k.paid_persons),
                persons: Cell::of(k.paid_persons),
                month,
            }
        })
        .collect())
}

/// Network meetings held and agreed actions opened, closed and overdue in a range.
#[derive(Debug, Clone)]
pub struct MeetingFigures {
    pub meetings_held: Cell,
    pub actions_opened: Cell,
    pub actions_closed: Cell,
    pub actions_overdue: Cell,
}

pub async fn meetings(
    rc: &RequestContext,
    from: NaiveDate,
    to: NaiveDate,
    f: &Filter,
) -> AppResult<MeetingFigures> {
    let scope = authorize(rc, Report::Meetings, f)?;
    report_rules::whole_months(from, to)?;
    let b = rc.report_db().await?.get_database_backend();
    let created = match b {
        DbBackend::Postgres => "CAST(x.created_at AS DATE)",
        _ => "date(x.created_at)",
    };
    let mut held = Sql::new("SELECT 'held' AS k, COUNT(*) AS n, COUNT(DISTINCT x.client_id) AS persons FROM network_meeting x WHERE x.status = 'HELD' AND x.held_on >= ");
    held.bind(from).push(" AND x.held_on <= ").bind(to);
    push_client_filters(&mut held, scope, f, "x.client_id");
    let (n, persons) = grouped(rc, &held)
        .await?
        .first()
        .map(|r| (r.1, r.2))
        .unwrap_or((0, 0));
    let mut cells = std::collections::HashMap::new();
    cells.insert("held", guarded(n, persons));
    // Actions opened, closed and overdue in one pass: per client first, so each figure's
    // persons are counted by grouping, not by three COUNT(DISTINCT) sorts.
    let flag = |cond: &str| format!("CASE WHEN {cond} THEN 1 ELSE 0 END");
    let opened = flag(&format!("{created} >= ? AND {created} <= ?"));
    let closed = flag("x.completed_on >= ? AND x.completed_on <= ?");
    let overdue = flag("x.due_on < ? AND (x.completed_on IS NULL OR x.completed_on > ?)");
    let mut actions = Sql::new(&format!(
        "SELECT CAST(COALESCE(SUM(c.opened), 0) AS BIGINT) AS opened, \
         CAST(COALESCE(SUM(CASE WHEN c.opened > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS opened_persons, \
         CAST(COALESCE(SUM(c.closed), 0) AS BIGINT) AS closed, \
         CAST(COALESCE(SUM(CASE WHEN c.closed > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS closed_persons, \
         CAST(COALESCE(SUM(c.overdue), 0) AS BIGINT) AS overdue, \
         CAST(COALESCE(SUM(CASE WHEN c.overdue > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue_persons \
         FROM (SELECT t.client_id AS client_id, SUM({opened}) AS opened, SUM({closed}) AS closed, \
         SUM({overdue}) AS overdue FROM agreed_action x JOIN typ_case t ON t.id = x.case_id \
         WHERE ({created} <= ? OR x.completed_on <= ? OR x.due_on < ?)"
    ));
    for d in [from, to, from, to, to, to, to, to, to] {
        actions.bind_value(d);
    }
    push_client_filters(&mut actions, scope, f, "t.client_id");
    actions.push(" GROUP BY t.client_id) c");
    let db = rc.report_db().await?;
    if let Some(row) = db.query_one_raw(actions.build_for(db)).await? {
        for name in ["opened", "closed", "overdue"] {
            let n: i64 = row.try_get("", name)?;
            let persons: i64 = row.try_get("", &format!("{name}_persons"))?;
            cells.insert(name, guarded(n, persons));
        }
    }
    let get = |k: &str| cells.get(k).copied().unwrap_or(Cell { value: None });
    Ok(MeetingFigures {
        meetings_held: get("held"),
        actions_opened: get("opened"),
        actions_closed: get("closed"),
        actions_overdue: get("overdue"),
    })
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
    let mut sql = Sql::new(&format!(
        "SELECT p.client_id AS client_id, {days} AS d FROM rehab_period p WHERE p.starts_on >= "
    ));
    sql.bind(from).push(" AND p.starts_on <= ").bind(to);
    push_period_filters(&mut sql, scope, f);
    // Periods per length, each published only when it stands for five persons at least:
    // one person's several periods must not fill a cell to the threshold.
    let mut periods = [0i64; LENGTH_BUCKETS.len()];
    let mut persons: [std::collections::HashSet<String>; LENGTH_BUCKETS.len()] = Default::default();
    for row in db.query_all_raw(sql.build_for(db)).await? {
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
    push_placement_filters(&mut sql, scope, f, "x");
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

/// Work-ability assessments made in a range, and duplicates avoided (a recent assessment
/// offered for reuse instead).
#[derive(Debug, Clone)]
pub struct AssessmentFigures {
    pub done: Cell,
    pub duplicates_avoided: Cell,
}

pub async fn assessments(
    rc: &RequestContext,
    from: NaiveDate,
    to: NaiveDate,
    f: &Filter,
) -> AppResult<AssessmentFigures> {
    let scope = authorize(rc, Report::Assessments, f)?;
    report_rules::whole_months(from, to)?;
    let mut done = Sql::new("SELECT 'done' AS k, COUNT(*) AS n, COUNT(DISTINCT x.client_id) AS persons FROM work_ability_assessment x WHERE x.assessed_on >= ");
    done.bind(from).push(" AND x.assessed_on <= ").bind(to);
    push_client_filters(&mut done, scope, f, "x.client_id");
    let mut reused = Sql::new("SELECT 'reused' AS k, COUNT(*) AS n, COUNT(DISTINCT x.client_id) AS persons FROM assessment_reuse x WHERE x.requested_on >= ");
    reused.bind(from).push(" AND x.requested_on <= ").bind(to);
    push_client_filters(&mut reused, scope, f, "x.client_id");
    let first = |rows: Vec<(String, i64, i64)>| {
        rows.first()
            .map(|r| guarded(r.1, r.2))
            .unwrap_or(Cell::of(0))
    };
    Ok(AssessmentFigures {
        done: first(grouped(rc, &done).await?),
        duplicates_avoided: first(grouped(rc, &reused).await?),
    })
}

/// Follow-up statuses of cases closed in a range: for 3 and 6 (and 12) months after closing,
/// persons by status, each row with complementary suppression.
pub const FOLLOW_UP_STATUSES: [&str; 8] = [
    "EMPLOYED",
    "PAY_SUBSIDISED_WORK",
    "STUDYING",
    "UNEMPLOYED",
    "REHABILITATION",
    "PENSION",
    "OUTSIDE_LABOUR_FORCE",
    "UNKNOWN",
];

pub async fn follow_ups(
    rc: &RequestContext,
    from: NaiveDate,
    to: NaiveDate,
    f: &Filter,
) -> AppResult<Vec<(i32, Vec<(String, Cell)>)>> {
    let scope = authorize(rc, Report::FollowUps, f)?;
    report_rules::whole_months(from, to)?;
    let mut sql = Sql::new(
        "SELECT u.months_after AS months, u.status AS status, COUNT(DISTINCT t.client_id) AS n \
         FROM case_follow_up u JOIN typ_case t ON t.id = u.case_id WHERE t.ended_on >= ",
    );
    sql.bind(from).push(" AND t.ended_on <= ").bind(to);
    push_case_filters(&mut sql, scope, f);
    sql.push(" GROUP BY u.months_after, u.status");
    let db = rc.report_db().await?;
    let mut counts = [[0i64; FOLLOW_UP_STATUSES.len()]; 3];
    for row in db.query_all_raw(sql.build_for(db)).await? {
        let months: i32 = row.try_get("", "months")?;
        let status: String = row.try_get("", "status")?;
        let n: i64 = row.try_get("", "n")?;
        let r = match months {
            3 => 0,
            6 => 1,
            _ => 2,
        };
        if let Some(c) = FOLLOW_UP_STATUSES.iter().position(|s| *s == status) {
            counts[r][c] = n;
        }
    }
    Ok([3, 6, 12]
        .into_iter()
        .zip(counts)
        .map(|(m, row)| {
            (
                m,
                FOLLOW_UP_STATUSES
                    .iter()
                    .map(|s| s.to_string())
                    .zip(suppress_row(&row))
                    .collect(),
            )
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_under_five_persons_are_suppressed() {
        assert_eq!(Cell::of(4).value, None);
        assert_eq!(Cell::of(5).value, Some(5));
        // None is fewer than five too: a zero would tell where the few are.
        assert_eq!(Cell::of(0).value, None);
        assert_eq!(Cell::of(8).value, Some(10));
    }

    #[test]
    fn one_suppressed_cell_in_a_row_takes_the_next_smallest_with_it() {
        let cells = suppress_row(&[4, 12, 7, 30]);
        let values: Vec<Option<i64>> = cells.iter().map(|c| c.value).collect();
        assert_eq!(values, vec![None, Some(10), None, Some(30)]);
        let two = suppress_row(&[3, 2, 9]);
        assert_eq!(
            two.iter().map(|c| c.value).collect::<Vec<_>>(),
            vec![None, None, Some(10)]
        );
        let none = suppress_row(&[5, 0, 9]);
        assert_eq!(
            none.iter().map(|c| c.value).collect::<Vec<_>>(),
            vec![Some(5), None, Some(10)],
            "the zero is suppressed as fewer than five, and hides nothing else"
        );
    }
}
