//! Reports on TYP cases and the clients served: outcomes, clients on a day and the
//! follow-up after closing.

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait, Func, JoinType, Query, SelectStatement};
use sea_orm::ConnectionTrait;

use super::filters::{case_filters, filtered};
use super::{count, count_cell, suppress_row, Cell, Filter};
use crate::domain::employment::ServiceTrack;
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

/// `SELECT COUNT(DISTINCT alias.client_id) AS n FROM table alias`: persons of the rows.
pub(super) fn persons_of(table: &'static str, alias: &'static str) -> SelectStatement {
    Query::select()
        .expr_as(Func::count_distinct(Expr::col((alias, "client_id"))), "n")
        .from_as(table, alias)
        .to_owned()
}

/// The condition that a nullable end date `column` of row `alias` is not before `on`.
pub(super) fn not_ended(alias: &'static str, column: &'static str, on: NaiveDate) -> Expr {
    Expr::col((alias, column))
        .is_null()
        .or(Expr::col((alias, column)).gte(on))
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
    let within = |column: &'static str| {
        let mut select = persons_of("typ_case", "t");
        select
            .and_where(Expr::col(("t", column)).gte(from))
            .and_where(Expr::col(("t", column)).lte(to));
        filtered(&mut select, case_filters(scope, f));
        select
    };
    let new_cases = count(rc, &within("opened_on")).await?;
    let closed = count(rc, &within("ended_on")).await?;
    let by_outcome = within("ended_on")
        .expr_as(Expr::col(("t", "outcome")), "outcome")
        .group_by_col(("t", "outcome"))
        .to_owned();
    let outcomes = CaseOutcome::ALL.map(CaseOutcome::code);
    let mut counts = vec![0i64; outcomes.len()];
    for row in db.query_all(&by_outcome).await? {
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
    let mut select = persons_of("typ_case", "t");
    select
        .and_where(Expr::col(("t", "opened_on")).lte(on))
        .and_where(not_ended("t", "ended_on", on));
    filtered(&mut select, case_filters(scope, f));
    count_cell(rc, &select).await
}

/// Individual-support clients on a day: a TYP case open that day whose recorded service
/// track is INDIVIDUAL_SUPPORT (`typ_case.service_track`, set when the case opens and changed
/// by the responsible agency). The count rests on what was recorded, not on the kinds of
/// job coaching a client happens to get; a case opened before the track was recorded counts
/// in neither track.
pub async fn individual_support_clients_on(
    rc: &RequestContext,
    on: NaiveDate,
    f: &Filter,
) -> AppResult<Cell> {
    let scope = authorize(rc, Report::IndividualSupportClientsOn, f)?;
    report_rules::first_of_month("on", on)?;
    let mut select = persons_of("typ_case", "t");
    select
        .and_where(Expr::col(("t", "service_track")).eq(ServiceTrack::IndividualSupport.code()))
        .and_where(Expr::col(("t", "opened_on")).lte(on))
        .and_where(not_ended("t", "ended_on", on));
    filtered(&mut select, case_filters(scope, f));
    count_cell(rc, &select).await
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
    let mut select = Query::select()
        .expr_as(Expr::col(("u", "months_after")), "months")
        .expr_as(Expr::col(("u", "status")), "status")
        .expr_as(Func::count_distinct(Expr::col(("t", "client_id"))), "n")
        .from_as("case_follow_up", "u")
        .join_as(
            JoinType::InnerJoin,
            "typ_case",
            "t",
            Expr::col(("t", "id")).equals(("u", "case_id")),
        )
        .and_where(Expr::col(("t", "ended_on")).gte(from))
        .and_where(Expr::col(("t", "ended_on")).lte(to))
        .to_owned();
    filtered(&mut select, case_filters(scope, f));
    select.group_by_columns([("u", "months_after"), ("u", "status")]);
    let db = rc.report_db().await?;
    let mut counts = [[0i64; FOLLOW_UP_STATUSES.len()]; 3];
    for row in db.query_all(&select).await? {
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
