//! The monthly KTT summaries the reports read instead of millions of attendance rows:
//! `ktt_month` per (client, provider, month) and `ktt_client_month` per (client, month), each
//! with days in force, in force at the month's end, recorded and attended days, allowance
//! and travel cents. One row per client (and provider) per month, so persons are counted
//! with COUNT(*) and never by sorting for COUNT(DISTINCT).
//!
//! [`rebuild`] derives them from `rehab_period`, `attendance_day` and `allowance_line`:
//! for one client after every write that touches those (in the same transaction), or for
//! everyone after a bulk load and when migration 009 creates the tables.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};
use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};

/// Rows per INSERT statement (10 columns each).
const ROWS_PER_INSERT: usize = 1_000;

#[derive(Default, Clone, Copy)]
struct Measures {
    days_in_force: i64,
    in_force_at_end: bool,
    recorded_days: i64,
    attended_days: i64,
    allowance_cents: i64,
    travel_cents: i64,
}

type Key = (String, String, String);

/// A statement with `?` placeholders rewritten for the backend.
fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    let sql = match backend {
        DbBackend::Postgres => {
            let mut out = String::with_capacity(sql.len() + 16);
            let mut n = 0;
            for c in sql.chars() {
                if c == '?' {
                    n += 1;
                    out.push_str(&format!("${n}"));
                } else {
                    out.push(c);
                }
            }
            out
        }
        _ => sql.to_owned(),
    };
    Statement::from_sql_and_values(backend, sql, values)
}

/// `YYYY-MM` of a date column, per backend.
fn month_of(backend: DbBackend, column: &str) -> String {
    match backend {
        DbBackend::Postgres => format!("to_char({column}, 'YYYY-MM')"),
        _ => format!("strftime('%Y-%m', {column})"),
    }
}

/// Rebuilds the summaries of one client, or of everyone when `client` is `None`.
pub async fn rebuild(conn: &impl ConnectionTrait, client: Option<&str>) -> Result<(), DbErr> {
    let b = conn.get_database_backend();
    let (only, args): (&str, Vec<Value>) = match client {
        Some(id) => (" WHERE p.client_id = ?", vec![id.into()]),
        None => ("", Vec::new()),
    };
    let mut rows: BTreeMap<Key, Measures> = BTreeMap::new();

    let periods = conn
        .query_all_raw(statement(
            b,
            &format!(
                "SELECT p.client_id AS c, p.provider_id AS v, p.starts_on AS s, \
                 COALESCE(p.ended_early_on, p.ends_on) AS e FROM rehab_period p{only}"
            ),
            args.clone(),
        ))
        .await?;
    for row in periods {
        let (c, v): (String, String) = (row.try_get("", "c")?, row.try_get("", "v")?);
        let (s, e): (NaiveDate, NaiveDate) = (row.try_get("", "s")?, row.try_get("", "e")?);
        let mut month = s.with_day(1).unwrap_or(s);
        while month <= e {
            let next = month
                .checked_add_months(Months::new(1))
                .unwrap_or(NaiveDate::MAX);
            let last = next.pred_opt().unwrap_or(month);
            let days = (e.min(last) - s.max(month)).num_days() + 1;
            let m = rows
                .entry((c.clone(), v.clone(), month.format("%Y-%m").to_string()))
                .or_default();
            m.days_in_force += days.max(0);
            m.in_force_at_end |= e >= last;
            if next == NaiveDate::MAX {
                break;
            }
            month = next;
        }
    }

    // Attendance and allowances per (client, provider, month), as columns x and y.
    let day_month = month_of(b, "a.day");
    let sums = [
        format!(
            "SELECT p.client_id AS c, p.provider_id AS v, {day_month} AS m, COUNT(*) AS x, \
             CAST(SUM(CASE WHEN a.present THEN 1 ELSE 0 END) AS BIGINT) AS y \
             FROM attendance_day a JOIN rehab_period p ON p.id = a.period_id{only} \
             GROUP BY p.client_id, p.provider_id, {day_month}"
        ),
        format!(
            "SELECT p.client_id AS c, p.provider_id AS v, a.month AS m, \
             CAST(SUM(CASE WHEN a.kind = 'TRAVEL' THEN 0 ELSE a.amount_cents END) AS BIGINT) AS x, \
             CAST(SUM(CASE WHEN a.kind = 'TRAVEL' THEN a.amount_cents ELSE 0 END) AS BIGINT) AS y \
             FROM allowance_line a JOIN rehab_period p ON p.id = a.period_id{only} \
             GROUP BY p.client_id, p.provider_id, a.month"
        ),
    ];
    for (i, sql) in sums.iter().enumerate() {
        for row in conn.query_all_raw(statement(b, sql, args.clone())).await? {
            let key = (
                row.try_get("", "c")?,
                row.try_get("", "v")?,
                row.try_get("", "m")?,
            );
            let (x, y): (i64, i64) = (row.try_get("", "x")?, row.try_get("", "y")?);
            let m = rows.entry(key).or_default();
            if i == 0 {
                m.recorded_days += x;
                m.attended_days += y;
            } else {
                m.allowance_cents += x;
                m.travel_cents += y;
            }
        }
    }

    let (delete, delete_args) = match client {
        Some(id) => (" WHERE client_id = ?", vec![Value::from(id)]),
        None => ("", Vec::new()),
    };
    for table in ["ktt_client_month", "ktt_month"] {
        conn.execute_raw(statement(
            b,
            &format!("DELETE FROM {table}{delete}"),
            delete_args.clone(),
        ))
        .await?;
    }
    let rows: Vec<(Key, Measures)> = rows.into_iter().collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO ktt_month (client_id, provider_id, month, days_in_force, in_force_at_end, \
             recorded_days, attended_days, allowance_cents, travel_cents) VALUES ",
        );
        let mut values = Vec::with_capacity(chunk.len() * 9);
        for (i, ((c, v, month), m)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str("(?, ?, ?, ?, ?, ?, ?, ?, ?)");
            values.extend([
                Value::from(c.clone()),
                Value::from(v.clone()),
                Value::from(month.clone()),
                Value::from(m.days_in_force as i32),
                Value::from(i32::from(m.in_force_at_end)),
                Value::from(m.recorded_days as i32),
                Value::from(m.attended_days as i32),
                Value::from(m.allowance_cents),
                Value::from(m.travel_cents),
            ]);
        }
        conn.execute_raw(statement(b, &sql, values)).await?;
    }
    conn.execute_raw(statement(
        b,
        &format!(
            "INSERT INTO ktt_client_month (client_id, month, days_in_force, in_force_at_end, \
             recorded_days, attended_days, allowance_cents, travel_cents) \
             SELECT client_id, month, SUM(days_in_force), MAX(in_force_at_end), SUM(recorded_days), \
             SUM(attended_days), SUM(allowance_cents), SUM(travel_cents) FROM ktt_month{delete} \
             GROUP BY client_id, month"
        ),
        delete_args,
    ))
    .await?;
    Ok(())
}
