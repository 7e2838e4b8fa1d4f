//! Reports on the agencies' own work: recognised competence by qualification, and referrals
//! by kind.

use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query, SelectStatement};
use sea_orm::ConnectionTrait;

use super::filters::{client_filters, filtered, placement_filters};
use super::{count, suppress_row, Cell, Filter};
use crate::domain::agency_work::ReferralKind;
use crate::error::AppResult;
use crate::services::report_rules::{self, authorize, Report, MIN_CELL};
use crate::services::RequestContext;

/// The row of the qualifications held by fewer persons than a cell may stand for: their
/// names are not published either (a name would tell that someone holds it).
pub const OTHER_QUALIFICATIONS: &str = "OTHER";

/// Persons with competence recognised in a range, and by qualification.
#[derive(Debug, Clone)]
pub struct CompetenceFigures {
    pub persons: Cell,
    /// Qualifications of at least five persons by name, the rest as [`OTHER_QUALIFICATIONS`].
    pub by_qualification: Vec<(String, Cell)>,
}

/// `SELECT .. FROM competence_record x` of the certificates dated within a range, with the
/// filters and the caller's scope.
fn certified(
    select: &mut SelectStatement,
    from: NaiveDate,
    to: NaiveDate,
    scope: Option<&crate::authz::scope::RowScope>,
    f: &Filter,
) {
    select
        .from_as("competence_record", "x")
        .and_where(Expr::col(("x", "certified_on")).gte(from))
        .and_where(Expr::col(("x", "certified_on")).lte(to));
    filtered(select, placement_filters(scope, f, "x"));
}

pub async fn competence(
    rc: &RequestContext,
    from: NaiveDate,
    to: NaiveDate,
    f: &Filter,
) -> AppResult<CompetenceFigures> {
    let scope = authorize(rc, Report::Competence, f)?;
    report_rules::whole_months(from, to)?;
    let mut total = Query::select()
        .expr_as(Func::count_distinct(Expr::col(("x", "client_id"))), "n")
        .to_owned();
    certified(&mut total, from, to, scope, f);
    let persons = count(rc, &total).await?;
    let mut by = Query::select()
        .expr_as(Expr::col(("x", "qualification")), "q")
        .expr_as(Func::count_distinct(Expr::col(("x", "client_id"))), "n")
        .to_owned();
    certified(&mut by, from, to, scope, f);
    by.group_by_col(("x", "qualification"));
    let db = rc.report_db().await?;
    let mut named: Vec<(String, i64)> = Vec::new();
    let mut others = Query::select()
        .expr_as(Func::count_distinct(Expr::col(("x", "client_id"))), "n")
        .to_owned();
    certified(&mut others, from, to, scope, f);
    for row in db.query_all(&by).await? {
        let q: String = row.try_get("", "q")?;
        let n: i64 = row.try_get("", "n")?;
        if n >= MIN_CELL {
            others.and_where(Expr::col(("x", "qualification")).ne(q.as_str()));
            named.push((q, n));
        }
    }
    named.sort();
    let other = count(rc, &others).await?;
    let counts: Vec<i64> = named
        .iter()
        .map(|(_, n)| *n)
        .chain(std::iter::once(other))
        .collect();
    let names = named
        .into_iter()
        .map(|(q, _)| q)
        .chain(std::iter::once(OTHER_QUALIFICATIONS.to_owned()));
    Ok(CompetenceFigures {
        persons: Cell::of(persons),
        by_qualification: names.zip(suppress_row(&counts)).collect(),
    })
}

/// Referrals of one kind sent in a range: persons referred, and of them those whose
/// referral was accepted, declined and done by now.
#[derive(Debug, Clone)]
pub struct ReferralFigures {
    pub kind: ReferralKind,
    pub sent: Cell,
    pub accepted: Cell,
    pub declined: Cell,
    pub done: Cell,
}

pub async fn referrals(
    rc: &RequestContext,
    from: NaiveDate,
    to: NaiveDate,
    f: &Filter,
) -> AppResult<Vec<ReferralFigures>> {
    let scope = authorize(rc, Report::Referrals, f)?;
    report_rules::whole_months(from, to)?;
    let persons = |kind: ReferralKind, statuses: &[&str]| {
        let mut select = Query::select()
            .expr_as(Func::count_distinct(Expr::col(("x", "client_id"))), "n")
            .from_as("referral", "x")
            .and_where(Expr::col(("x", "kind")).eq(kind.code()))
            .and_where(Expr::col(("x", "sent_on")).gte(from))
            .and_where(Expr::col(("x", "sent_on")).lte(to))
            .to_owned();
        if !statuses.is_empty() {
            select.and_where(Expr::col(("x", "status")).is_in(statuses.iter().copied()));
        }
        filtered(&mut select, client_filters(scope, f, "x"));
        select
    };
    let mut out = Vec::new();
    for kind in ReferralKind::ALL {
        let sent = count(rc, &persons(kind, &[])).await?;
        let accepted = count(rc, &persons(kind, &["ACCEPTED", "DONE"])).await?;
        let declined = count(rc, &persons(kind, &["DECLINED"])).await?;
        let done = count(rc, &persons(kind, &["DONE"])).await?;
        let cells = suppress_row(&[accepted, declined]);
        out.push(ReferralFigures {
            kind,
            sent: Cell::of(sent),
            accepted: cells[0],
            declined: cells[1],
            done: Cell::of(done),
        });
    }
    Ok(out)
}
