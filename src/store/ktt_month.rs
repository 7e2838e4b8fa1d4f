//! The monthly KTT summaries the reports read instead of millions of attendance rows:
//! `ktt_month` per (client, provider, month) and `ktt_client_month` per (client, month), each
//! with days in force, in force at the month's end, recorded and attended days, allowance
//! and travel cents. One row per client (and provider) per month, so persons are counted
//! with COUNT(*) and never by sorting for COUNT(DISTINCT).
//!
//! [`rebuild`] derives them from `rehab_period`, `attendance_day` and `allowance_line`:
//! for one client after every write that touches those (in the same transaction), or for
//! everyone after a bulk load and when the migration creating the tables has run
//! ([`crate::db::migrate`]).

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};
use sea_orm::{ConnectionTrait, DbErr};

use crate::db::{month_of, Sql};

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

/// `head`, restricted to one client's rows (by `column`) when given, then `tail`.
fn scoped(head: &str, column: &str, client: Option<&str>, tail: &str) -> Sql {
    let mut sql = Sql::new(head);
    if let Some(id) = client {
        sql.push(&format!(" WHERE {column} = ")).bind(id.to_owned());
    }
    sql.push(tail);
    sql
}

/// Rebuilds the summaries of one client, or of everyone when `client` is `None`.
pub async fn rebuild(conn: &impl ConnectionTrait, client: Option<&str>) -> Result<(), DbErr> {
    let mut rows: BTreeMap<Key, Measures> = BTreeMap::new();
    let periods = scoped(
        "SELECT p.client_id AS c, p.provider_id AS v, p.starts_on AS s, \
         COALESCE(p.ended_early_on, p.ends_on) AS e FROM rehab_period p",
        "p.client_id",
        client,
        "",
    );
    let periods = conn.query_all_raw(periods.build_for(conn)).await?;
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
    let day_month = month_of(conn.get_database_backend(), "a.day");
    let sums = [
        scoped(
            &format!(
                "SELECT p.client_id AS c, p.provider_id AS v, {day_month} AS m, COUNT(*) AS x, \
                 CAST(SUM(CASE WHEN a.present THEN 1 ELSE 0 END) AS BIGINT) AS y \
                 FROM attendance_day a JOIN rehab_period p ON p.id = a.period_id"
            ),
            "p.client_id",
            client,
            &format!(" GROUP BY p.client_id, p.provider_id, {day_month}"),
        ),
        scoped(
            "SELECT p.client_id AS c, p.provider_id AS v, a.month AS m, \
             CAST(SUM(CASE WHEN a.kind = 'TRAVEL' THEN 0 ELSE a.amount_cents END) AS BIGINT) AS x, \
             CAST(SUM(CASE WHEN a.kind = 'TRAVEL' THEN a.amount_cents ELSE 0 END) AS BIGINT) AS y \
             FROM allowance_line a JOIN rehab_period p ON p.id = a.period_id",
            "p.client_id",
            client,
            " GROUP BY p.client_id, p.provider_id, a.month",
        ),
    ];
    for (i, sql) in sums.iter().enumerate() {
        for row in conn.query_all_raw(sql.build_for(conn)).await? {
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

    for table in ["ktt_client_month", "ktt_month"] {
        let delete = scoped(&format!("DELETE FROM {table}"), "client_id", client, "");
        conn.execute_raw(delete.build_for(conn)).await?;
    }
    let rows: Vec<(Key, Measures)> = rows.into_iter().collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut sql = Sql::new(
            "INSERT INTO ktt_month (client_id, provider_id, month, days_in_force, in_force_at_end, \
             recorded_days, attended_days, allowance_cents, travel_cents) VALUES ",
        );
        for (i, ((c, v, month), m)) in chunk.iter().enumerate() {
            sql.push(if i > 0 { ", (" } else { "(" })
                .bind(c.clone())
                .push(", ")
                .bind(v.clone())
                .push(", ")
                .bind(month.clone())
                .push(", ")
                .bind(m.days_in_force as i32)
                .push(", ")
                .bind(i32::from(m.in_force_at_end))
                .push(", ")
                .bind(m.recorded_days as i32)
                .push(", ")
                .bind(m.attended_days as i32)
                .push(", ")
                .bind(m.allowance_cents)
                .push(", ")
                .bind(m.travel_cents)
                .push(")");
        }
        conn.execute_raw(sql.build_for(conn)).await?;
    }
    let per_client = scoped(
        "INSERT INTO ktt_client_month (client_id, month, days_in_force, in_force_at_end, \
         recorded_days, attended_days, allowance_cents, travel_cents) \
         SELECT client_id, month, SUM(days_in_force), MAX(in_force_at_end), SUM(recorded_days), \
         SUM(attended_days), SUM(allowance_cents), SUM(travel_cents) FROM ktt_month",
        "client_id",
        client,
        " GROUP BY client_id, month",
    );
    conn.execute_raw(per_client.build_for(conn)).await?;
    Ok(())
}
