//! The report filters and the caller's row scope, as conditions on a report's rows, added
//! to a sea-query statement.

use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement, Value};

use super::Filter;
use crate::authz::scope::RowScope;

/// `EXISTS (SELECT 1 FROM table alias WHERE cond)`.
fn exists(table: &'static str, alias: &'static str, cond: Expr) -> Expr {
    Expr::exists(
        Query::select()
            .expr(Expr::Constant(Value::from(1)))
            .from_as(table, alias)
            .and_where(cond)
            .to_owned(),
    )
}

/// Where a report's rows find their client's facts (municipality, visibility).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Facts {
    /// In the client's row, probed by the report row's `client_id`.
    Probed,
    /// On the report's row itself: a monthly KTT summary carries copies of its client's
    /// municipality, visibility and responsible agencies (`migration::summary_facts`), so
    /// its month's rows are filtered as they are read, without a read of `client` or
    /// `typ_case`.
    Copied,
}

/// The filters and the row scope on a row `alias` with `provider_id` and `client_id` (a
/// KTT period or a job coaching); a coach counts its own provider's rows only.
pub(super) fn placement_filters(
    scope: Option<&RowScope>,
    f: &Filter,
    alias: &'static str,
) -> Vec<Expr> {
    placement_filters_with(scope, f, alias, Facts::Probed)
}

/// [`placement_filters`] on a row whose client's facts are where `facts` says.
pub(super) fn placement_filters_with(
    scope: Option<&RowScope>,
    f: &Filter,
    alias: &'static str,
    facts: Facts,
) -> Vec<Expr> {
    let provider = || Expr::col((alias, "provider_id"));
    let mut conds = Vec::new();
    if let Some(id) = &f.provider_id {
        conds.push(provider().eq(id.as_str()));
    }
    if let Some(kind) = &f.provider_kind {
        conds.push(exists(
            "provider",
            "v",
            Expr::col(("v", "id"))
                .equals((alias, "provider_id"))
                .and(Expr::col(("v", "kind")).eq(kind.as_str())),
        ));
    }
    conds.extend(client_filters_with(scope, f, alias, facts));
    if let Some(RowScope::Coach { provider_id, .. }) = scope {
        conds.push(provider().eq(provider_id.as_str()));
    }
    conds
}

/// The client filters and the row scope on the `client_id` of a row `alias`. Reports on
/// data a coach does not read refuse coaches before they get here.
pub(super) fn client_filters(
    scope: Option<&RowScope>,
    f: &Filter,
    alias: &'static str,
) -> Vec<Expr> {
    client_filters_with(scope, f, alias, Facts::Probed)
}

/// [`client_filters`] on a row whose client's facts are where `facts` says.
pub(super) fn client_filters_with(
    scope: Option<&RowScope>,
    f: &Filter,
    alias: &'static str,
    facts: Facts,
) -> Vec<Expr> {
    let mut conds = Vec::new();
    if let Some(m) = &f.municipality {
        conds.push(match facts {
            Facts::Probed => exists(
                "client",
                "cm",
                Expr::col(("cm", "id"))
                    .equals((alias, "client_id"))
                    .and(Expr::col(("cm", "municipality")).eq(m.as_str())),
            ),
            Facts::Copied => Expr::col((alias, "municipality")).eq(m.as_str()),
        });
    }
    if let Some(a) = &f.responsible_agency {
        conds.push(match facts {
            Facts::Probed => exists(
                "typ_case",
                "ca",
                Expr::col(("ca", "client_id"))
                    .equals((alias, "client_id"))
                    .and(Expr::col(("ca", "responsible_agency")).eq(a.as_str())),
            ),
            Facts::Copied => responsible_on_copy(alias, a),
        });
    }
    if let Some(scope) = scope {
        let client = Expr::col((alias, "client_id"));
        conds.push(match facts {
            Facts::Probed => scope.visible(client),
            Facts::Copied => scope.visible_on_copy(alias, client),
        });
    }
    conds
}

/// A row aliased `alias` carrying its client's facts: one of the client's cases names the
/// agency `code` responsible (`migration::summary_facts::RESPONSIBLE`); no other code is.
fn responsible_on_copy(alias: &'static str, code: &str) -> Expr {
    match migration::summary_facts::RESPONSIBLE
        .iter()
        .find(|(_, agency)| *agency == code)
    {
        Some((column, _)) => Expr::col((alias, *column)).eq(true),
        None => Expr::Constant(Value::from(false)),
    }
}

/// The filters and the row scope on a case `t`: the responsible agency is the case's own.
pub(super) fn case_filters(scope: Option<&RowScope>, f: &Filter) -> Vec<Expr> {
    let mut conds = Vec::new();
    if let Some(a) = &f.responsible_agency {
        conds.push(Expr::col(("t", "responsible_agency")).eq(a.as_str()));
    }
    let client_only = Filter {
        responsible_agency: None,
        ..f.clone()
    };
    conds.extend(client_filters(scope, &client_only, "t"));
    conds
}

/// Adds conditions to a statement.
pub(super) fn filtered(select: &mut SelectStatement, conds: Vec<Expr>) {
    for cond in conds {
        select.and_where(cond);
    }
}
