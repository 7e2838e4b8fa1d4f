//! Row scopes, as SQL conditions (sea-query expressions) applied where the data is queried.
//!
//! - Agency roles see a client's data while the client is a TYP client (a case open, or closed
//!   within the retention period); otherwise each agency sees only what it recorded itself.
//! - `PROVIDER_COACH` sees only clients with a KTT period at the coach's provider, and only
//!   those periods, each from its decision until a set number of days after it ends
//!   ([`coach_period_cond`]).
//! - Roles that read no client group (ANALYST, AUDITOR, ADMIN) see no client row at all.

use chrono::{Days, Months, NaiveDate};
use entity::{client, rehab_period};
use sea_orm::sea_query::{
    Expr, ExprTrait, Func, Query, QueryBuilder, SelectStatement, SqlWriterValues,
    SqliteQueryBuilder, SubQueryStatement,
};
use sea_orm::{DbBackend, EntityTrait, Value};

use super::Principal;
use crate::db::Sql;
use crate::domain::{settings::Settings, Agency, Role};

/// The row scope of one caller, fixed for the duration of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowScope {
    Agency {
        agency: Agency,
        /// A case closed on or after this date still makes the client a TYP client.
        retention_cutoff: NaiveDate,
        /// Clients opened by an active break-glass grant: seen as TYP clients.
        emergency: Vec<String>,
    },
    Coach {
        provider_id: String,
        /// The request's day: a period decided later is not yet the coach's.
        today: NaiveDate,
        /// A period that ended before this day is no longer the coach's.
        access_cutoff: NaiveDate,
    },
    Nothing,
}

/// The constant `TRUE` or `FALSE`, as a condition.
pub fn constant(holds: bool) -> Expr {
    Expr::Constant(Value::from(holds))
}

impl RowScope {
    pub fn for_principal(p: &Principal, settings: &Settings, today: NaiveDate) -> RowScope {
        let agency_role = p.roles.iter().any(|r| {
            matches!(
                r,
                Role::TypOfficer | Role::TeExpert | Role::EksoteWorker | Role::KelaExpert
            )
        });
        if agency_role && p.agency != Agency::Provider {
            let cutoff = today
                .checked_sub_months(Months::new(settings.typ_case_retention_years * 12))
                .unwrap_or(NaiveDate::MIN);
            RowScope::Agency {
                agency: p.agency,
                retention_cutoff: cutoff,
                emergency: p.emergency.iter().map(|(c, _)| c.clone()).collect(),
            }
        } else if let (true, Some(provider)) =
            (p.has_role(Role::ProviderCoach), p.provider_id.as_ref())
        {
            RowScope::Coach {
                provider_id: provider.clone(),
                today,
                access_cutoff: today
                    .checked_sub_days(Days::new(settings.coach_access_days_after_end.into()))
                    .unwrap_or(NaiveDate::MIN),
            }
        } else {
            RowScope::Nothing
        }
    }

    /// The condition that the client whose id is the expression `c` is visible: in an
    /// agency's scope one probe of the client's row by its key ([`Self::visible_row`]).
    pub fn visible(&self, c: Expr) -> Expr {
        if cfg!(feature = "bench-no-authz") {
            return constant(true);
        }
        match self {
            RowScope::Agency { .. } => {
                let probe = client_probe("sv", c.clone(), self.agency_row("sv"));
                self.with_grants(c, probe)
            }
            RowScope::Coach { .. } => Expr::exists(
                one_of(rehab_period::Entity, "sp")
                    .and_where(Expr::col(("sp", rehab_period::Column::ClientId)).eq(c))
                    .and_where(self.coach_period("sp").unwrap_or_else(|| constant(false)))
                    .to_owned(),
            ),
            RowScope::Nothing => constant(false),
        }
    }

    /// The condition that the client row aliased `row` (a row of `client` in the statement)
    /// is visible. In an agency's scope it reads the row's own columns only: its TYP flag
    /// ([`typ_row`]), who registered it and whether the agency recorded anything of it
    /// (kept on the row by the database: migration `visibility`), so a page of clients is
    /// decided row by row as it is read, whatever the size of the other tables.
    pub fn visible_row(&self, row: &'static str) -> Expr {
        self.visible_on_copy(row, Expr::col((row, client::Column::Id)))
    }

    /// [`Self::visible_row`] of a row aliased `row` that carries copies of its client's
    /// visibility columns (a monthly KTT summary: `migration::summary_facts`), the client's
    /// id being `c`: in an agency's scope the row is decided by its own columns, with no
    /// probe of `client`.
    pub fn visible_on_copy(&self, row: &'static str, c: Expr) -> Expr {
        if cfg!(feature = "bench-no-authz") {
            return constant(true);
        }
        match self {
            RowScope::Agency { .. } => self.with_grants(c, self.agency_row(row)),
            RowScope::Coach { .. } | RowScope::Nothing => self.visible(c),
        }
    }

    /// [`Self::visible_row`] for a statement that reads many client rows (a page) on
    /// `backend`. A coach sees few clients among many: on PostgreSQL their ids are read
    /// first from the provider's periods (by their index) and the rows by their key, so the
    /// page costs what the coach's placements do, not a walk of every client in name order
    /// until enough of them are found to be placed.
    pub fn visible_rows_on(&self, backend: DbBackend, row: &'static str) -> Expr {
        if cfg!(feature = "bench-no-authz") {
            return constant(true);
        }
        match self {
            RowScope::Coach { .. } if backend == DbBackend::Postgres => {
                let placed =
                    one_of_column(rehab_period::Entity, "sp", rehab_period::Column::ClientId)
                        .and_where(self.coach_period("sp").unwrap_or_else(|| constant(false)))
                        .to_owned();
                Expr::cust_with_exprs(
                    "$1 = ANY(ARRAY $2)",
                    [
                        Expr::col((row, client::Column::Id)),
                        Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(placed))),
                    ],
                )
            }
            _ => self.visible_row(row),
        }
    }

    /// The part of [`Self::visible`] that the TYP flag decides alone, for a client whose
    /// flag ([`Self::typ`]) the query has computed as the boolean expression `typ`: in an
    /// agency scope a TYP client (or one opened by break-glass) is visible. A client visible
    /// only by the agency's own records does not pass; whoever uses this reads such a client
    /// through [`Self::visible`]. This spares the common case the own-record probes:
    /// PostgreSQL initialises every subplan of a statement when it starts executing it,
    /// needed or not (~7 % of a case view's statement).
    pub fn visible_by_flag(&self, typ: Expr) -> Expr {
        if cfg!(feature = "bench-no-authz") {
            return constant(true);
        }
        match self {
            RowScope::Agency { .. } => typ,
            RowScope::Coach { .. } | RowScope::Nothing => constant(false),
        }
    }

    /// The TYP flag of the client `c` in an agency's scope: a TYP client (case open or within
    /// retention), or one opened to the caller by break-glass. `None` in other scopes, where
    /// no client is a TYP client.
    pub fn typ(&self, c: Expr) -> Option<Expr> {
        let RowScope::Agency {
            retention_cutoff, ..
        } = self
        else {
            return None;
        };
        Some(self.with_grants(c.clone(), typ_client_cond(c, *retention_cutoff)))
    }

    /// [`Self::typ`] of the client row aliased `row` in the statement.
    pub fn typ_of_row(&self, row: &'static str) -> Option<Expr> {
        let RowScope::Agency {
            retention_cutoff, ..
        } = self
        else {
            return None;
        };
        Some(self.with_grants(
            Expr::col((row, client::Column::Id)),
            typ_row(row, *retention_cutoff),
        ))
    }

    /// `cond`, or the client `c` is one a break-glass grant opened to the caller.
    fn with_grants(&self, c: Expr, cond: Expr) -> Expr {
        match self {
            // Not `IN (NULL)` without a grant: the flag would be NULL, neither TYP nor not.
            RowScope::Agency { emergency, .. } if !emergency.is_empty() => {
                cond.or(c.is_in(emergency.iter().map(String::as_str)))
            }
            _ => cond,
        }
    }

    /// In an agency's scope, the client row aliased `row` is a TYP client or one the agency
    /// registered or recorded something of; grants aside.
    fn agency_row(&self, row: &'static str) -> Expr {
        match self {
            RowScope::Agency {
                agency,
                retention_cutoff,
                ..
            } => typ_row(row, *retention_cutoff).or(own_row(row, *agency)),
            _ => constant(false),
        }
    }

    /// In a coach's scope, the condition that the KTT period aliased `at` is one the coach
    /// sees ([`coach_period_cond`]); `None` in other scopes.
    pub fn coach_period(&self, at: &'static str) -> Option<Expr> {
        match self {
            RowScope::Coach {
                provider_id,
                today,
                access_cutoff,
            } => Some(coach_period_cond(at, provider_id, *today, *access_cutoff)),
            _ => None,
        }
    }

    /// Appends [`Self::visible_row`] of the client row aliased `row`.
    pub fn client_visible_row(&self, sql: &mut Sql, row: &'static str) {
        push_expr(sql, &self.visible_row(row));
    }

    /// Appends [`Self::visible_by_flag`] of the boolean SQL expression `typ`.
    pub fn client_visible_by_flag(&self, sql: &mut Sql, typ: &str) {
        push_expr(sql, &self.visible_by_flag(Expr::cust(typ.to_owned())));
    }

    /// Appends [`Self::typ_of_row`] of the client row aliased `row`; false (nothing pushed)
    /// in other scopes than an agency's.
    pub fn typ_flag(&self, sql: &mut Sql, row: &'static str) -> bool {
        match self.typ_of_row(row) {
            Some(typ) => {
                push_expr(sql, &typ);
                true
            }
            None => false,
        }
    }
}

/// The client row aliased `row` is a TYP client: a case open, or closed on or after
/// `cutoff`, whose agreement to multi-agency work stands. The rule:
/// - A closure counts from the later of its closing date and the day it was recorded, so
///   a backdated closure does not move the client out of scope any sooner (a closure
///   recorded before that day was kept counts from its closing date).
/// - A case whose agreement (consent MULTI_AGENCY_SERVICE) the client withdrew makes no
///   one a TYP client from the day of the withdrawal: the sharing rested on it, so each
///   agency then sees only its own records, as outside TYP.
///
/// The database keeps the day the client's cases last make the client one (the later of a
/// closed case's two days, far ahead for an open case) on the row, `client.typ_through`,
/// from the cases as they are written (`migration::visibility`); here that day meets the
/// retention cutoff. Never NULL: a client without such a case is not one.
pub fn typ_row(row: &'static str, cutoff: NaiveDate) -> Expr {
    let through = Expr::col((row, ClientVisibility::TypThrough));
    through.clone().is_not_null().and(through.gte(cutoff))
}

/// The client `c` (an id) is a TYP client: [`typ_row`] of its row, probed by its key.
pub fn typ_client_cond(c: Expr, cutoff: NaiveDate) -> Expr {
    client_probe("st", c, typ_row("st", cutoff))
}

/// The agency registered the client row aliased `row`, or recorded something of the client
/// itself (kept on the row by the database from the agency's tables:
/// `migration::visibility::RECORDS`).
fn own_row(row: &'static str, agency: Agency) -> Expr {
    let registered = Expr::col((row, client::Column::RegisteredByAgency)).eq(agency.code());
    let recorded = match agency {
        Agency::Te => Some(ClientVisibility::RecordedByTe),
        Agency::Eksote => Some(ClientVisibility::RecordedByEksote),
        Agency::Kela => Some(ClientVisibility::RecordedByKela),
        Agency::Provider => None,
    };
    match recorded {
        Some(column) => registered.or(Expr::col((row, column)).eq(true)),
        None => registered,
    }
}

/// The client row whose id is `c`, aliased `alias`, exists and `cond` holds of it: one
/// probe by the primary key.
fn client_probe(alias: &'static str, c: Expr, cond: Expr) -> Expr {
    Expr::exists(
        one_of(client::Entity, alias)
            .and_where(Expr::col((alias, client::Column::Id)).eq(c))
            .and_where(cond)
            .to_owned(),
    )
}

/// The columns of `client` the database maintains for visibility (`migration::visibility`);
/// not in the entity, as no code writes them.
#[derive(sea_orm::DeriveIden, Clone, Copy)]
enum ClientVisibility {
    TypThrough,
    RecordedByTe,
    RecordedByEksote,
    RecordedByKela,
}

/// The KTT period aliased `at` is one a coach of `provider_id` sees on `today`: placed at
/// the provider, decided on or before `today`, and ending (its early end, else its planned
/// end) on or after `cutoff`, which is today less the setting
/// `coach_access_days_after_end`. A provider processes the client's data only for the
/// placement it was given (act 189/2001: the county organises KTT and may buy it from a
/// provider; the provider processes the data for the county, GDPR art. 28), so its coaches
/// see the client from the decision to a short hand-over time after the end, and then no
/// longer (GDPR art. 5(1)(c) and (e): data minimisation, storage limitation). This is the one place the rule lives: the client's visibility to a coach and the
/// periods (with their attendance) a coach is given both use it.
pub fn coach_period_cond(
    at: &'static str,
    provider_id: &str,
    today: NaiveDate,
    cutoff: NaiveDate,
) -> Expr {
    let col = |c: rehab_period::Column| Expr::col((at, c));
    col(rehab_period::Column::ProviderId)
        .eq(provider_id)
        .and(col(rehab_period::Column::DecidedOn).lte(today))
        .and(
            Expr::expr(Func::coalesce([
                col(rehab_period::Column::EndedEarlyOn),
                col(rehab_period::Column::EndsOn),
            ]))
            .gte(cutoff),
        )
}

/// `SELECT alias.column FROM table alias`.
fn one_of_column<E: EntityTrait>(
    table: E,
    alias: &'static str,
    column: E::Column,
) -> SelectStatement {
    Query::select()
        .column((alias, column))
        .from_as(table, alias)
        .to_owned()
}

/// `SELECT 1 FROM table alias`, the start of an `EXISTS` probe.
fn one_of<E: EntityTrait>(table: E, alias: &'static str) -> SelectStatement {
    Query::select()
        .expr(Expr::Constant(Value::from(1)))
        .from_as(table, alias)
        .to_owned()
}

/// Appends a sea-query condition to a statement written with [`Sql`], for the statements
/// not yet built with sea-query themselves (placeholders `?`, numbered by [`Sql::build`]).
pub fn push_expr(sql: &mut Sql, expr: &Expr) {
    let mut writer = SqlWriterValues::new("?", false);
    SqliteQueryBuilder.prepare_expr(expr, &mut writer);
    let (text, values) = writer.into_parts();
    sql.push("(").push(&text).push(")");
    for value in values {
        sql.bind_value(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::DbBackend;

    fn agency(emergency: Vec<String>) -> RowScope {
        RowScope::Agency {
            agency: Agency::Te,
            retention_cutoff: NaiveDate::MIN,
            emergency,
        }
    }

    fn flag_of(scope: &RowScope) -> String {
        let mut sql = Sql::default();
        assert!(scope.typ_flag(&mut sql, "c"));
        sql.build(DbBackend::Postgres).sql
    }

    #[test]
    fn the_typ_flag_tests_grants_only_when_there_are_some() {
        // `c.id IN (NULL)` would make the flag NULL, neither TYP nor not.
        assert!(!flag_of(&agency(Vec::new())).contains(" IN "));
        assert!(flag_of(&agency(vec!["x".into()])).contains(r#""c"."id" IN ($2)"#));
    }

    #[test]
    fn a_condition_appended_to_a_statement_keeps_its_values_in_order() {
        let mut sql = Sql::new("SELECT 1 FROM client c WHERE c.kind = ");
        sql.bind("k").push(" AND ");
        agency(vec!["x".into()]).client_visible_row(&mut sql, "c");
        sql.push(" AND c.b = ").bind("b");
        let built = sql.build(DbBackend::Postgres);
        let values = built.values.map(|v| v.0).unwrap_or_default();
        // The cutoff, the agency (registered), `true` (recorded), the grant.
        assert_eq!(values.len(), 6);
        assert!(built.sql.ends_with("AND c.b = $6"), "{}", built.sql);
        assert_eq!(values[4], Value::from("x"));
        let mut none = Sql::default();
        RowScope::Nothing.client_visible_row(&mut none, "c");
        assert_eq!(none.build(DbBackend::Sqlite).sql, "(FALSE)");
    }

    #[test]
    fn an_agency_decides_a_client_row_by_its_own_columns() {
        // No probe of another table: a page of clients is decided as its rows are read.
        for agency in [Agency::Te, Agency::Eksote, Agency::Kela] {
            let scope = RowScope::Agency {
                agency,
                retention_cutoff: NaiveDate::MIN,
                emergency: vec!["x".into()],
            };
            let mut sql = Sql::default();
            scope.client_visible_row(&mut sql, "c");
            let sql = sql.build(DbBackend::Postgres).sql;
            assert!(!sql.contains("EXISTS") && !sql.contains("SELECT"), "{sql}");
            assert!(sql.contains(r#""c"."typ_through""#), "{sql}");
            assert!(sql.contains(r#""c"."registered_by_agency""#), "{sql}");
            let recorded = format!(r#""c"."recorded_by_{}""#, agency.code().to_lowercase());
            assert!(sql.contains(&recorded), "{sql}");
        }
    }
}
