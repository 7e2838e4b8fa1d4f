//! Reports on the multi-agency work: network meetings, agreed actions and work-ability
//! assessments.

use chrono::NaiveDate;
use entity::{agreed_action, typ_case};
use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, Func, JoinType, Query, SelectStatement, Value,
};
use sea_orm::{ConnectionTrait, DbBackend};

use super::filters::{client_filters, filtered};
use super::{guarded, Cell, Filter};
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
    let mut held = dated("network_meeting", "held_on", from, to);
    held.and_where(Expr::col(("x", "status")).eq("HELD"));
    filtered(&mut held, client_filters(scope, f, "x"));
    let mut cells = std::collections::HashMap::new();
    cells.insert("held", counted(rc, &held).await?);
    // Actions opened, closed and overdue in one pass: per client first, so each figure's
    // persons are counted by grouping, not by three COUNT(DISTINCT) sorts.
    let one = || Expr::Constant(Value::from(1));
    let zero = || Expr::Constant(Value::from(0));
    let flag = |cond: Expr| -> Expr { Expr::case(cond, one()).finally(zero()).into() };
    let kinds = ActionKinds::of(b, from, to);
    let counted_actions = kinds.counted();
    let (opened, closed, overdue) = (flag(kinds.opened), flag(kinds.closed), flag(kinds.overdue));
    let client = ("t", typ_case::Column::ClientId);
    let mut per_client = Query::select()
        .expr_as(Expr::col(client), "client_id")
        .expr_as(Func::sum(opened), "opened")
        .expr_as(Func::sum(closed), "closed")
        .expr_as(Func::sum(overdue), "overdue")
        .from_as(agreed_action::Entity, "x")
        .join_as(
            JoinType::InnerJoin,
            typ_case::Entity,
            "t",
            Expr::col(("t", typ_case::Column::Id)).equals(("x", agreed_action::Column::CaseId)),
        )
        .and_where(counted_actions)
        .group_by_col(client)
        .to_owned();
    filtered(&mut per_client, client_filters(scope, f, "t"));
    let mut actions = Query::select();
    for name in ["opened", "closed", "overdue"] {
        let total =
            |e: Expr| Func::cast_as(Func::coalesce([Func::sum(e).into(), zero()]), "BIGINT");
        let figure = Expr::col(("c", name));
        actions.expr_as(total(figure.clone()), name).expr_as(
            total(flag(figure.gt(0))),
            Alias::new(format!("{name}_persons")),
        );
    }
    actions.from_subquery(per_client, "c");
    let db = rc.report_db().await?;
    if let Some(row) = db.query_one(&actions).await? {
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

/// The day an action (`x`) was opened: each backend takes the date of a timestamp its own
/// way.
fn created_on(b: DbBackend) -> Expr {
    let at = Expr::col(("x", agreed_action::Column::CreatedAt));
    match b {
        DbBackend::Postgres => Func::cast_as(at, "DATE").into(),
        _ => Func::cust("date").arg(at).into(),
    }
}

/// The conditions on an agreed action (`x`) of each figure of a range: opened in it,
/// closed in it, and overdue at its end (open and due before it, or closed after it though
/// due before it).
struct ActionKinds {
    opened: Expr,
    closed: Expr,
    overdue: Expr,
    /// `opened` with a bound the index on `created_at` can read (PostgreSQL), if any.
    opened_by_index: Option<Expr>,
}

impl ActionKinds {
    fn of(b: DbBackend, from: NaiveDate, to: NaiveDate) -> Self {
        let x = |c: agreed_action::Column| Expr::col(("x", c));
        let completed = || x(agreed_action::Column::CompletedOn);
        let due = || x(agreed_action::Column::DueOn);
        let opened = created_on(b).gte(from).and(created_on(b).lte(to));
        // A timestamp's day is the session time zone's: on PostgreSQL the index is read
        // from a day before the range to a day after it, and the day itself decides.
        let midnight =
            |d: Option<NaiveDate>| d.and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc());
        let bounds = (
            midnight(from.pred_opt()),
            midnight(to.succ_opt().and_then(|d| d.succ_opt())),
        );
        let opened_by_index = match (b, bounds) {
            (DbBackend::Postgres, (Some(lo), Some(hi))) => Some(
                x(agreed_action::Column::CreatedAt)
                    .gte(lo)
                    .and(x(agreed_action::Column::CreatedAt).lt(hi))
                    .and(opened.clone()),
            ),
            _ => None,
        };
        // Two parts, each of which an index reads.
        let open_overdue = completed().is_null().and(due().lt(to));
        let closed_late = completed().gt(to).and(due().lt(to));
        Self {
            closed: completed().gte(from).and(completed().lte(to)),
            overdue: open_overdue.or(closed_late),
            opened,
            opened_by_index,
        }
    }

    /// The actions that count towards any figure, each kind read by an index (migration
    /// `036_index_agreed_action_ranges`), not every action up to the range's end.
    fn counted(&self) -> Expr {
        self.opened_by_index
            .clone()
            .unwrap_or_else(|| self.opened.clone())
            .or(self.closed.clone())
            .or(self.overdue.clone())
    }
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
