//! Reports on the multi-agency work: network meetings, agreed actions and work-ability
//! assessments.

use chrono::NaiveDate;
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, Func, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbBackend};

use super::filters::{client_filters, filtered, push_filters};
use super::{guarded, Cell, Filter};
use crate::db::Sql;
use crate::error::AppResult;
use crate::services::report_rules::{self, authorize, Report};
use crate::services::RequestContext;

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
    let mut held = dated("network_meeting", "held_on", from, to);
    held.and_where(Expr::col(("x", "status")).eq("HELD"));
    filtered(&mut held, client_filters(scope, f, "x"));
    let mut cells = std::collections::HashMap::new();
    cells.insert("held", counted(rc, &held).await?);
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
    push_filters(&mut actions, client_filters(scope, f, "t"));
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
    let mut done = dated("work_ability_assessment", "assessed_on", from, to);
    filtered(&mut done, client_filters(scope, f, "x"));
    let mut reused = dated("assessment_reuse", "requested_on", from, to);
    filtered(&mut reused, client_filters(scope, f, "x"));
    Ok(AssessmentFigures {
        done: counted(rc, &done).await?,
        duplicates_avoided: counted(rc, &reused).await?,
    })
}

/// `SELECT COUNT(*) AS n, COUNT(DISTINCT x.client_id) AS persons FROM table x` of the rows
/// whose date `on` lies within a range.
fn dated(table: &'static str, on: &'static str, from: NaiveDate, to: NaiveDate) -> SelectStatement {
    Query::select()
        .expr_as(Expr::col(Asterisk).count(), "n")
        .expr_as(
            Func::count_distinct(Expr::col(("x", "client_id"))),
            "persons",
        )
        .from_as(table, "x")
        .and_where(Expr::col(("x", on)).gte(from))
        .and_where(Expr::col(("x", on)).lte(to))
        .to_owned()
}

/// Runs a count `n` of rows and their `persons` as a cell published like [`guarded`].
async fn counted(rc: &RequestContext, select: &SelectStatement) -> AppResult<Cell> {
    let db = rc.report_db().await?;
    let (n, persons) = match db.query_one(select).await? {
        Some(row) => (row.try_get("", "n")?, row.try_get("", "persons")?),
        None => (0, 0),
    };
    Ok(guarded(n, persons))
}
