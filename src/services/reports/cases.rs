//! Reports on TYP cases and the clients served: outcomes, clients on a day and the
//! follow-up after closing.

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;

use super::filters::{push_case_filters, push_placement_filters};
use super::{count_cell, suppress_row, Cell, Filter};
use crate::db::Sql;
use crate::domain::outcome::CaseOutcome;
use crate::error::AppResult;
use crate::services::report_rules::{self, authorize, Report};
use crate::services::RequestContext;

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

/// Job coaching kinds that make a client an individual-support client
/// (neuropsychiatric and individual coaching, walk-alongside models), as opposed to the
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
