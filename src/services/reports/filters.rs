//! The report filters and the caller's row scope, appended to a report's statement.

use super::Filter;
use crate::authz::scope::RowScope;
use crate::db::Sql;

/// Appends the filters and the row scope on period `p`.
pub(super) fn push_period_filters(sql: &mut Sql, scope: Option<&RowScope>, f: &Filter) {
    push_placement_filters(sql, scope, f, "p");
}

/// Appends the filters and the row scope on a row `alias` with `provider_id` and `client_id`
/// (a KTT period or a job coaching); a coach counts its own provider's rows only.
pub(super) fn push_placement_filters(
    sql: &mut Sql,
    scope: Option<&RowScope>,
    f: &Filter,
    alias: &str,
) {
    if let Some(id) = &f.provider_id {
        sql.push(&format!(" AND {alias}.provider_id = "))
            .bind(id.clone());
    }
    if let Some(kind) = &f.provider_kind {
        sql.push(&format!(
            " AND EXISTS (SELECT 1 FROM provider v WHERE v.id = {alias}.provider_id AND v.kind = "
        ))
        .bind(kind.clone())
        .push(")");
    }
    push_client_filters(sql, scope, f, &format!("{alias}.client_id"));
    if let Some(RowScope::Coach { provider_id }) = scope {
        sql.push(&format!(" AND {alias}.provider_id = "))
            .bind(provider_id.clone());
    }
}

/// Appends the client filters and the row scope on a client id column. Reports on data a
/// coach does not read refuse coaches before they get here.
pub(super) fn push_client_filters(
    sql: &mut Sql,
    scope: Option<&RowScope>,
    f: &Filter,
    client: &str,
) {
    if let Some(m) = &f.municipality {
        sql.push(&format!(
            " AND EXISTS (SELECT 1 FROM client cm WHERE cm.id = {client} AND cm.municipality = "
        ))
        .bind(m.clone())
        .push(")");
    }
    if let Some(a) = &f.responsible_agency {
        sql.push(&format!(" AND EXISTS (SELECT 1 FROM typ_case ca WHERE ca.client_id = {client} AND ca.responsible_agency = ")).bind(a.clone()).push(")");
    }
    if let Some(scope) = scope {
        sql.push(" AND ");
        scope.client_visible(sql, client);
    }
}

pub(super) fn push_case_filters(sql: &mut Sql, scope: Option<&RowScope>, f: &Filter) {
    if let Some(a) = &f.responsible_agency {
        sql.push(" AND t.responsible_agency = ").bind(a.clone());
    }
    let client_only = Filter {
        responsible_agency: None,
        ..f.clone()
    };
    if let Some(m) = &client_only.municipality {
        sql.push(
            " AND EXISTS (SELECT 1 FROM client cm WHERE cm.id = t.client_id AND cm.municipality = ",
        )
        .bind(m.clone())
        .push(")");
    }
    if let Some(scope) = scope {
        sql.push(" AND ");
        scope.client_visible(sql, "t.client_id");
    }
}
