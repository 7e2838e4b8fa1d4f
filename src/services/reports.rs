//! Aggregate reports for dashboards, computed in SQL. Every cell counting fewer than
//! [`MIN_CELL`] persons is suppressed, and complementary suppression keeps a suppressed cell
//! from being recovered from its total. Reports return counts only: no identifier, name or
//! date of birth. ANALYST sees all clients; agency roles only their row scope.

use chrono::{Datelike, Days, Months, NaiveDate};
use sea_orm::{ConnectionTrait, DbBackend};

use super::RequestContext;
use crate::authz::scope::RowScope;
use crate::db::Sql;
use crate::domain::Role;
use crate::error::{AppError, AppResult};

/// The smallest number of persons a published cell may count.
pub const MIN_CELL: i64 = 5;
/// The longest range one report covers.
pub const MAX_MONTHS: usize = 120;

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
    pub fn of(persons: i64) -> Cell {
        Cell {
            value: (persons == 0 || persons >= MIN_CELL).then_some(persons),
        }
    }
}

/// Suppresses small cells of a row that has a published total: if exactly one cell is
/// suppressed, the next smallest is suppressed too, so the total cannot reveal it.
pub fn suppress_row(counts: &[i64]) -> Vec<Cell> {
    let mut cells: Vec<Cell> = counts.iter().map(|c| Cell::of(*c)).collect();
    let hidden = cells.iter().filter(|c| c.value.is_none()).count();
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

/// Who may read reports, and over which rows.
fn report_scope(rc: &RequestContext) -> AppResult<Option<&RowScope>> {
    if rc.principal.has_role(Role::Analyst) {
        return Ok(None);
    }
    match &rc.scope {
        RowScope::Nothing => Err(AppError::Forbidden(None)),
        scope => Ok(Some(scope)),
    }
}

fn months(from: NaiveDate, to: NaiveDate) -> AppResult<Vec<(NaiveDate, NaiveDate)>> {
    if to < from {
        return Err(AppError::bad_input("to", "to is before from"));
    }
    let mut out = Vec::new();
    let mut start = NaiveDate::from_ymd_opt(from.year(), from.month(), 1).unwrap_or(from);
    while start <= to {
        let next = start
            .checked_add_months(Months::new(1))
            .unwrap_or(NaiveDate::MAX);
        out.push((start, next.checked_sub_days(Days::new(1)).unwrap_or(start)));
        if out.len() > MAX_MONTHS {
            return Err(AppError::LimitExceeded(format!(
                "at most {MAX_MONTHS} months"
            )));
        }
        start = next;
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

fn greatest(backend: DbBackend, a: &str, b: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("GREATEST({a}, {b})"),
        _ => format!("MAX({a}, {b})"),
    }
}

fn least(backend: DbBackend, a: &str, b: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("LEAST({a}, {b})"),
        _ => format!("MIN({a}, {b})"),
    }
}

/// Binds a date; PostgreSQL needs the type spelt out inside a VALUES list.
fn bind_date(sql: &mut Sql, backend: DbBackend, d: NaiveDate) {
    match backend {
        DbBackend::Postgres => {
            sql.push("CAST(").bind(d).push(" AS DATE)");
        }
        _ => {
            sql.bind(d);
        }
    }
}

/// Appends the filters and the row scope on period `p` and client `c`.
fn push_period_filters(sql: &mut Sql, scope: Option<&RowScope>, f: &Filter) {
    if let Some(id) = &f.provider_id {
        sql.push(" AND p.provider_id = ").bind(id.clone());
    }
    if let Some(kind) = &f.provider_kind {
        sql.push(" AND EXISTS (SELECT 1 FROM provider v WHERE v.id = p.provider_id AND v.kind = ")
            .bind(kind.clone())
            .push(")");
    }
    push_client_filters(sql, scope, f, "p.client_id");
}

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
        if let RowScope::Coach { provider_id } = scope {
            sql.push(" AND p.provider_id = ").bind(provider_id.clone());
        }
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

/// Monthly average and end-of-month count of clients in KTT.
pub async fn rehab_activity(
    rc: &RequestContext,
    from: NaiveDate,
    to: NaiveDate,
    f: &Filter,
) -> AppResult<Vec<RehabMonth>> {
    let scope = report_scope(rc)?;
    let months = months(from, to)?;
    let db = rc.db();
    let b = db.get_database_backend();
    let end = "COALESCE(p.ended_early_on, p.ends_on)";
    let overlap = days_between(b, &greatest(b, "p.starts_on", "m.s"), &least(b, end, "m.e"));
    let mut sql = Sql::new("WITH months (m, s, e) AS (VALUES ");
    for (i, (s, e)) in months.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push("(").bind(s.format("%Y-%m").to_string()).push(", ");
        bind_date(&mut sql, b, *s);
        sql.push(", ");
        bind_date(&mut sql, b, *e);
        sql.push(")");
    }
    sql.push(&format!(
        ") SELECT m.m AS month, COALESCE(SUM({overlap}), 0) AS person_days, \
         COUNT(DISTINCT p.client_id) AS persons, \
         COUNT(DISTINCT CASE WHEN {end} >= m.e THEN p.client_id END) AS at_end \
         FROM months m LEFT JOIN rehab_period p ON p.starts_on <= m.e AND {end} >= m.s"
    ));
    push_period_filters(&mut sql, scope, f);
    sql.push(" GROUP BY m.m ORDER BY m.m");
    let rows = db.query_all_raw(sql.build_for(db)).await?;
    let mut attended = attended_days(rc, &months, scope, f).await?;
    let mut out = Vec::new();
    for (row, (s, e)) in rows.into_iter().zip(&months) {
        let month: String = row.try_get("", "month")?;
        let person_days: i64 = row.try_get("", "person_days")?;
        let persons: i64 = row.try_get("", "persons")?;
        let at_end: i64 = row.try_get("", "at_end")?;
        let days_in_month = (*e - *s).num_days() + 1;
        let average = (persons == 0 || persons >= MIN_CELL)
            .then(|| (person_days as f64 / days_in_month as f64 * 10.0).round() / 10.0);
        out.push(RehabMonth {
            end_of_month: Cell::of(at_end),
            attended_days: attended.remove(&month).unwrap_or(Cell { value: Some(0) }),
            month,
            average,
        });
    }
    Ok(out)
}

/// Attended days per month; a month where fewer than five persons attended is suppressed.
async fn attended_days(
    rc: &RequestContext,
    months: &[(NaiveDate, NaiveDate)],
    scope: Option<&RowScope>,
    f: &Filter,
) -> AppResult<std::collections::HashMap<String, Cell>> {
    let db = rc.db();
    let b = db.get_database_backend();
    let month_expr = match b {
        DbBackend::Postgres => "to_char(a.day, 'YYYY-MM')",
        _ => "strftime('%Y-%m', a.day)",
    };
    let (Some(first), Some(last)) = (months.first(), months.last()) else {
        return Ok(Default::default());
    };
    let mut sql = Sql::new(&format!(
        "SELECT {month_expr} AS month, COUNT(*) AS days, COUNT(DISTINCT p.client_id) AS persons \
         FROM attendance_day a JOIN rehab_period p ON p.id = a.period_id WHERE a.present AND a.day >= "
    ));
    sql.bind(first.0).push(" AND a.day <= ").bind(last.1);
    push_period_filters(&mut sql, scope, f);
    sql.push(&format!(" GROUP BY {month_expr}"));
    let mut out = std::collections::HashMap::new();
    for row in db.query_all_raw(sql.build_for(db)).await? {
        let persons: i64 = row.try_get("", "persons")?;
        let days: i64 = row.try_get("", "days")?;
        let cell = if persons >= MIN_CELL {
            Cell { value: Some(days) }
        } else {
            Cell { value: None }
        };
        out.insert(row.try_get::<String>("", "month")?, cell);
    }
    Ok(out)
}

/// Closed cases of a range by outcome, with the new and closed totals.
#[derive(Debug, Clone)]
pub struct Outcomes {
    pub new_cases: Cell,
    pub closed_cases: Cell,
    pub by_outcome: Vec<(String, Cell)>,
}

pub const OUTCOMES: [&str; 8] = [
    "STUDIES",
    "PAY_SUBSIDISED_WORK",
    "OPEN_LABOUR_MARKET",
    "WORK_ABILITY_ASSESSMENT",
    "NEW_REHAB_PERIOD",
    "PENSION",
    "MOVED",
    "OTHER",
];

pub async fn case_outcomes(
    rc: &RequestContext,
    from: NaiveDate,
    to: NaiveDate,
    f: &Filter,
) -> AppResult<Outcomes> {
    let scope = report_scope(rc)?;
    if to < from {
        return Err(AppError::bad_input("to", "to is before from"));
    }
    let db = rc.db();
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
    let mut counts = vec![0i64; OUTCOMES.len()];
    for row in db.query_all_raw(sql.build_for(db)).await? {
        let outcome: String = row.try_get("", "outcome")?;
        if let Some(i) = OUTCOMES.iter().position(|o| *o == outcome) {
            counts[i] = row.try_get("", "n")?;
        }
    }
    let cells = suppress_row(&counts);
    Ok(Outcomes {
        new_cases: Cell::of(new_cases),
        closed_cases: Cell::of(closed),
        by_outcome: OUTCOMES.iter().map(|o| o.to_string()).zip(cells).collect(),
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
    let scope = report_scope(rc)?;
    let db = rc.db();
    let mut sql =
        Sql::new("SELECT COUNT(DISTINCT t.client_id) AS n FROM typ_case t WHERE t.opened_on <= ");
    sql.bind(on)
        .push(" AND (t.ended_on IS NULL OR t.ended_on >= ")
        .bind(on)
        .push(")");
    push_case_filters(&mut sql, scope, f);
    let n: i64 = db
        .query_one_raw(sql.build_for(db))
        .await?
        .map(|r| r.try_get("", "n"))
        .transpose()?
        .unwrap_or(0);
    Ok(Cell::of(n))
}

/// Service-wide interruptions overlapping a range (not client data).
pub async fn interruptions(
    rc: &RequestContext,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<Vec<entity::service_interruption::Model>> {
    report_scope(rc)?;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    Ok(entity::service_interruption::Entity::find()
        .filter(entity::service_interruption::Column::StartsOn.lte(to))
        .filter(entity::service_interruption::Column::EndsOn.gte(from))
        .order_by_asc(entity::service_interruption::Column::StartsOn)
        .all(rc.db())
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_under_five_persons_are_suppressed() {
        assert_eq!(Cell::of(4).value, None);
        assert_eq!(Cell::of(5).value, Some(5));
        assert_eq!(Cell::of(0).value, Some(0));
    }

    #[test]
    fn one_suppressed_cell_in_a_row_takes_the_next_smallest_with_it() {
        let cells = suppress_row(&[4, 12, 7, 30]);
        let values: Vec<Option<i64>> = cells.iter().map(|c| c.value).collect();
        assert_eq!(values, vec![None, Some(12), None, Some(30)]);
        let two = suppress_row(&[3, 2, 9]);
        assert_eq!(
            two.iter().map(|c| c.value).collect::<Vec<_>>(),
            vec![None, None, Some(9)]
        );
        let none = suppress_row(&[5, 0, 9]);
        assert_eq!(
            none.iter().map(|c| c.value).collect::<Vec<_>>(),
            vec![Some(5), Some(0), Some(9)]
        );
    }
}
