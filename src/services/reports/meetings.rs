//! Reports on the multi-agency work: network meetings, agreed actions and work-ability
//! assessments.

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbBackend};

use super::filters::push_client_filters;
use super::{grouped, guarded, Cell, Filter};
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
