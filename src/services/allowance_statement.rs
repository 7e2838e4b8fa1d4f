//! The monthly allowance statement per payer (Kela's expense allowance, the county's
//! toimintaraha), as CSV for the payer's payment system.

use entity::{allowance_line, client, rehab_period};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query};
use sea_orm::ConnectionTrait;

use super::{loads, RequestContext};
use crate::authz::{FieldGroup, FieldId, ReadAccess};
use crate::error::{AppError, AppResult};

pub const HEADER: &str = "payer,month,decision_number,personal_identity_code,last_name,first_name,kind,days,amount_cents,amount_eur,rule_version";

/// Quotes a CSV cell, and neutralises a leading formula character (CSV injection).
pub(crate) fn cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

pub(crate) fn euros(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// The statement of `payer` (KELA or EKSOTE) for `month` (`YYYY-MM`), within the caller's
/// row scope; every client listed gets an access-log row.
pub async fn statement(rc: &RequestContext, payer: &str, month: &str) -> AppResult<String> {
    for field in [
        FieldId::RehabAllowance,
        FieldId::ClientPersonalIdentityCode,
        FieldId::ClientLastName,
    ] {
        if rc.principal().field_access(field) != ReadAccess::Read {
            return Err(AppError::Forbidden(None));
        }
    }
    if !matches!(payer, "KELA" | "EKSOTE") {
        return Err(AppError::bad_input("payer", "payer is KELA or EKSOTE"));
    }
    let valid_month = month.len() == 7
        && chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").is_ok();
    if !valid_month {
        return Err(AppError::bad_input("month", "month is YYYY-MM"));
    }
    use allowance_line::Column as A;
    use client::Column as C;
    use rehab_period::Column as T;
    let (a, t, c) = (Alias::new("a"), Alias::new("t"), Alias::new("c"));
    // Lines of the periods the caller's loaders would list: outside TYP, an agency sees
    // only its own records, not the county's periods and their allowances.
    let select = Query::select()
        .expr_as(Expr::col((c.clone(), C::Id)), "client_id")
        .columns([C::PersonalIdentityCode, C::LastName, C::FirstName].map(|x| (c.clone(), x)))
        .column((t.clone(), T::DecisionNumber))
        .columns([A::Kind, A::Days, A::AmountCents, A::RuleVersion].map(|x| (a.clone(), x)))
        .from_as(allowance_line::Entity, a.clone())
        .join_as(
            sea_orm::JoinType::InnerJoin,
            rehab_period::Entity,
            t.clone(),
            Expr::col((t.clone(), T::Id)).equals((a.clone(), A::PeriodId)),
        )
        .join_as(
            sea_orm::JoinType::InnerJoin,
            client::Entity,
            c.clone(),
            Expr::col((c.clone(), C::Id)).equals((t.clone(), T::ClientId)),
        )
        .and_where(Expr::col((a.clone(), A::Payer)).eq(payer))
        .and_where(Expr::col((a, A::Month)).eq(month))
        // The client row is joined: its own columns decide, with no probe of another.
        .and_where(rc.scope.visible_row("c"))
        .and_where(loads::periods_in_scope(&rc.scope, "t"))
        .order_by((c.clone(), C::LastName), Order::Asc)
        .order_by((c, C::FirstName), Order::Asc)
        .order_by((t, T::DecisionNumber), Order::Asc)
        .order_by(("a", A::Kind), Order::Asc)
        .to_owned();
    let rows = rc.db().query_all(&select).await?;
    let mut out = String::from(HEADER);
    out.push('\n');
    for row in rows {
        let client: String = row.try_get("", "client_id")?;
        let cents: i64 = row.try_get("", "amount_cents")?;
        let days: i32 = row.try_get("", "days")?;
        let cells = [
            payer.to_owned(),
            month.to_owned(),
            row.try_get::<String>("", "decision_number")?,
            row.try_get::<String>("", "personal_identity_code")?,
            row.try_get::<String>("", "last_name")?,
            row.try_get::<String>("", "first_name")?,
            row.try_get::<String>("", "kind")?,
            days.to_string(),
            cents.to_string(),
            euros(cents),
            row.try_get::<String>("", "rule_version")?,
        ];
        out.push_str(&cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(","));
        out.push('\n');
        for group in [
            FieldGroup::Identity,
            FieldGroup::Contact,
            FieldGroup::Allowance,
        ] {
            rc.recorder.read(&client, group, None);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(cell("Koemäki"), "Koemäki");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(euros(7200), "72.00");
        assert_eq!(euros(5), "0.05");
        assert_eq!(euros(-905), "-9.05");
    }
}
