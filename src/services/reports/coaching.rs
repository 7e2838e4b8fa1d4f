//! Reports on job coaching and service vouchers: hours bought and used per orderer and
//! provider, and voucher use per provider.

use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, JoinType, Order, Query};
use sea_orm::ConnectionTrait;

use super::filters::{filtered, placement_filters};
use super::{guarded, Cell, Filter};
use crate::error::AppResult;
use crate::services::report_rules::{self, authorize, Report};
use crate::services::RequestContext;

/// Coaching of one orderer at one provider.
#[derive(Debug, Clone)]
pub struct CoachingFigures {
    /// TE (the employment authority's purchase), EKSOTE (the county's own) or VOUCHER (the
    /// county's order under a voucher).
    pub orderer: String,
    pub provider_id: Option<String>,
    pub provider_name: Option<String>,
    pub persons: Cell,
    pub hours_bought: Cell,
    pub hours_used: Cell,
}

/// Job coaching started in the range, per orderer and provider: persons, hours bought and
/// hours used, each published only where five persons stand behind it.
pub async fn coaching_hours(
    rc: &RequestContext,
    from: NaiveDate,
    to: NaiveDate,
    f: &Filter,
) -> AppResult<Vec<CoachingFigures>> {
    let scope = authorize(rc, Report::CoachingHours, f)?;
    report_rules::whole_months(from, to)?;
    let db = rc.report_db().await?;
    let orderer = Expr::cust(
        "CASE WHEN j.voucher_id IS NOT NULL OR j.kind = 'VOUCHER' THEN 'VOUCHER' ELSE j.ordered_by_agency END",
    );
    let mut select = Query::select()
        .expr_as(orderer.clone(), "orderer")
        .expr_as(Expr::col(("j", "provider_id")), "provider_id")
        .expr_as(Expr::col(("p", "name")), "provider_name")
        .expr_as(
            Func::count_distinct(Expr::col(("j", "client_id"))),
            "persons",
        )
        .expr_as(Expr::cust("CAST(SUM(j.hours) AS BIGINT)"), "bought")
        .expr_as(Expr::cust("CAST(SUM(j.hours_used) AS BIGINT)"), "used")
        .from_as("job_coaching", "j")
        .join_as(
            JoinType::LeftJoin,
            "provider",
            "p",
            Expr::col(("p", "id")).equals(("j", "provider_id")),
        )
        .and_where(Expr::col(("j", "starts_on")).gte(from))
        .and_where(Expr::col(("j", "starts_on")).lte(to))
        .to_owned();
    filtered(&mut select, placement_filters(scope, f, "j"));
    select
        .add_group_by([
            orderer,
            Expr::col(("j", "provider_id")),
            Expr::col(("p", "name")),
        ])
        .order_by(Alias::new("orderer"), Order::Asc)
        .order_by(("p", "name"), Order::Asc);
    let mut out = Vec::new();
    for row in db.query_all(&select).await? {
        let persons: i64 = row.try_get("", "persons")?;
        let bought: i64 = row.try_get("", "bought")?;
        let used: i64 = row.try_get("", "used")?;
        let persons_cell = Cell::of(persons);
        // A row with its figures suppressed would say that one to four persons are behind
        // it: left out, it is one of those with none to four.
        if persons_cell.value.is_none() {
            continue;
        }
        out.push(CoachingFigures {
            orderer: row.try_get("", "orderer")?,
            provider_id: row.try_get("", "provider_id")?,
            provider_name: row.try_get("", "provider_name")?,
            persons: persons_cell,
            hours_bought: guarded(bought, persons),
            hours_used: guarded(used, persons),
        });
    }
    Ok(out)
}

/// Voucher use at one provider.
#[derive(Debug, Clone)]
pub struct VoucherFigures {
    pub provider_id: String,
    pub provider_name: String,
    /// KTT or COACHING.
    pub kind: String,
    pub persons: Cell,
    /// Attended KTT days or coaching hours used under the vouchers in the range.
    pub used: Cell,
}

/// Accepted vouchers in force in the range, per provider and kind: persons and what was used
/// under them in the range, published like every figure.
pub async fn voucher_use(
    rc: &RequestContext,
    from: NaiveDate,
    to: NaiveDate,
    f: &Filter,
) -> AppResult<Vec<VoucherFigures>> {
    let scope = authorize(rc, Report::VoucherUse, f)?;
    report_rules::whole_months(from, to)?;
    let db = rc.report_db().await?;
    // The range's bounds are dates (no text from the caller) written into the statement.
    // `vo`, not `sv`: the row scope's probe names its client row `sv`.
    let used = Expr::cust(format!(
        "CAST(SUM(CASE WHEN vo.kind = 'KTT' THEN (SELECT COUNT(*) FROM attendance_day a \
         WHERE a.period_id = vo.rehab_period_id AND a.present = TRUE AND a.voided_at IS NULL \
         AND a.day >= vo.valid_from AND a.day <= vo.valid_until AND a.day >= '{from}' AND a.day <= '{to}') \
         ELSE (SELECT COALESCE(SUM(h.hours), 0) FROM job_coaching_hours h \
         JOIN job_coaching jc ON jc.id = h.coaching_id WHERE jc.voucher_id = vo.id \
         AND h.worked_on >= vo.valid_from AND h.worked_on <= vo.valid_until \
         AND h.worked_on >= '{from}' AND h.worked_on <= '{to}') END) AS BIGINT)"
    ));
    let mut select = Query::select()
        .expr_as(Expr::col(("vo", "provider_id")), "provider_id")
        .expr_as(Expr::col(("p", "name")), "provider_name")
        .expr_as(Expr::col(("vo", "kind")), "kind")
        .expr_as(
            Func::count_distinct(Expr::col(("vo", "client_id"))),
            "persons",
        )
        .expr_as(used, "used")
        .from_as("service_voucher", "vo")
        .join_as(
            JoinType::InnerJoin,
            "provider",
            "p",
            Expr::col(("p", "id")).equals(("vo", "provider_id")),
        )
        .and_where(Expr::col(("vo", "status")).eq("ACCEPTED"))
        .and_where(Expr::col(("vo", "valid_from")).lte(to))
        .and_where(Expr::col(("vo", "valid_until")).gte(from))
        .to_owned();
    filtered(&mut select, placement_filters(scope, f, "vo"));
    select
        .add_group_by([
            Expr::col(("vo", "provider_id")),
            Expr::col(("p", "name")),
            Expr::col(("vo", "kind")),
        ])
        .order_by(("p", "name"), Order::Asc)
        .order_by(("vo", "kind"), Order::Asc);
    let mut out = Vec::new();
    for row in db.query_all(&select).await? {
        let persons: i64 = row.try_get("", "persons")?;
        let used: i64 = row.try_get("", "used")?;
        let persons_cell = Cell::of(persons);
        if persons_cell.value.is_none() {
            continue;
        }
        out.push(VoucherFigures {
            provider_id: row.try_get("", "provider_id")?,
            provider_name: row.try_get("", "provider_name")?,
            kind: row.try_get("", "kind")?,
            persons: persons_cell,
            used: guarded(used, persons),
        });
    }
    Ok(out)
}
