//! Row scopes, as SQL conditions (sea-query expressions) applied where the data is queried.
//!
//! - Agency roles see a client's data while the client is a TYP client (a case open, or closed
//!   within the retention period); otherwise each agency sees only what it recorded itself.
//! - `PROVIDER_COACH` sees only clients with a KTT period at the coach's provider, and only
//!   those periods, each from its decision until a set number of days after it ends
//!   ([`coach_period_cond`]).
//! - Roles that read no client group (ANALYST, AUDITOR, ADMIN) see no client row at all.

use chrono::{Days, Months, NaiveDate};
use entity::{
    agency_note, benefit_decision, client, consent, employment_item, job_coaching,
    labour_policy_statement, pay_subsidy, rehab_period, typ_case, work_ability_assessment,
};
use sea_orm::sea_query::{
    Cond, Expr, ExprTrait, Func, Query, QueryBuilder, SelectStatement, SqlWriterValues,
    SqliteQueryBuilder,
};
use sea_orm::{EntityTrait, Value};

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

    /// The condition that the client whose id is the expression `c` is visible.
    pub fn visible(&self, c: Expr) -> Expr {
        if cfg!(feature = "bench-no-authz") {
            return constant(true);
        }
        match self {
            RowScope::Agency { agency, .. } => {
                let typ = self.typ(c.clone()).unwrap_or_else(|| constant(false));
                typ.or(own_records(c, *agency))
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
            retention_cutoff,
            emergency,
            ..
        } = self
        else {
            return None;
        };
        let typ = typ_client_cond(c.clone(), *retention_cutoff);
        // Not `IN (NULL)` without a grant: the flag would be NULL, neither TYP nor not.
        Some(if emergency.is_empty() {
            typ
        } else {
            typ.or(c.is_in(emergency.iter().map(String::as_str)))
        })
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

    /// Appends [`Self::visible`] of the client whose id is the SQL expression `c`.
    pub fn client_visible(&self, sql: &mut Sql, c: &str) {
        push_expr(sql, &self.visible(Expr::cust(c.to_owned())));
    }

    /// Appends [`Self::visible_by_flag`] of the boolean SQL expression `typ`.
    pub fn client_visible_by_flag(&self, sql: &mut Sql, typ: &str) {
        push_expr(sql, &self.visible_by_flag(Expr::cust(typ.to_owned())));
    }

    /// Appends [`Self::typ`] of the client whose id is the SQL expression `c`; false
    /// (nothing pushed) in other scopes than an agency's.
    pub fn typ_flag(&self, sql: &mut Sql, c: &str) -> bool {
        match self.typ(Expr::cust(c.to_owned())) {
            Some(typ) => {
                push_expr(sql, &typ);
                true
            }
            None => false,
        }
    }
}

/// The client `c` is a TYP client: a case open, or closed on or after `cutoff`, whose
/// agreement to multi-agency work stands. This is the one place the rule lives:
/// - A closure counts from the later of its closing date and the day it was recorded, so
///   a backdated closure does not move the client out of scope any sooner (a closure
///   recorded before that day was kept counts from its closing date).
/// - A case whose agreement (consent MULTI_AGENCY_SERVICE) the client withdrew makes no
///   one a TYP client from the day of the withdrawal: the sharing rested on it, so each
///   agency then sees only its own records, as outside TYP.
pub fn typ_client_cond(c: Expr, cutoff: NaiveDate) -> Expr {
    let col = |column: typ_case::Column| Expr::col(("st", column));
    Expr::exists(
        one_of(typ_case::Entity, "st")
            .and_where(col(typ_case::Column::ClientId).eq(c))
            .and_where(col(typ_case::Column::AgreementWithdrawnOn).is_null())
            .cond_where(
                Cond::any()
                    .add(col(typ_case::Column::EndedOn).is_null())
                    .add(col(typ_case::Column::EndedOn).gte(cutoff))
                    .add(col(typ_case::Column::ClosureRecordedOn).gte(cutoff)),
            )
            .to_owned(),
    )
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

/// Appends [`typ_client_cond`] of the client whose id is the SQL expression `c`.
pub fn typ_client(sql: &mut Sql, c: &str, cutoff: NaiveDate) {
    push_expr(sql, &typ_client_cond(Expr::cust(c.to_owned()), cutoff));
}

/// `SELECT 1 FROM table alias`, the start of an `EXISTS` probe.
fn one_of<E: EntityTrait>(table: E, alias: &'static str) -> SelectStatement {
    Query::select()
        .expr(Expr::Constant(Value::from(1)))
        .from_as(table, alias)
        .to_owned()
}

/// The agency has recorded a row of `table` of the client `c` itself: the row's `key`
/// column is `c` and, if the table names its recorder, its `by` column is the agency.
fn recorded<E: EntityTrait>(c: &Expr, key: E::Column, by: Option<(E::Column, Agency)>) -> Expr {
    let mut probe = one_of(E::default(), "so");
    probe.and_where(Expr::col(("so", key)).eq(c.clone()));
    if let Some((column, agency)) = by {
        probe.and_where(Expr::col(("so", column)).eq(agency.code()));
    }
    Expr::exists(probe)
}

/// The agency has recorded something of the client `c` itself.
fn own_records(c: Expr, agency: Agency) -> Expr {
    // `table: key by owner` adds "a row of the table whose `key` is the client and whose
    // `owner` column is the agency"; without `by`, any row of the client.
    macro_rules! add_recorded {
        (@by $t:ident) => { None };
        (@by $t:ident $owner:ident) => { Some(($t::Column::$owner, agency)) };
        ($cond:expr; $($t:ident: $key:ident $(by $owner:ident)?),+ $(,)?) => {
            $cond $(.add(recorded::<$t::Entity>(
                &c,
                $t::Column::$key,
                add_recorded!(@by $t $($owner)?),
            )))+
        };
    }
    let any = add_recorded!(Cond::any();
        client: Id by RegisteredByAgency,
        typ_case: ClientId by ResponsibleAgency,
        consent: ClientId by RecordedByAgency,
        work_ability_assessment: ClientId by AssessorAgency,
        benefit_decision: ClientId by Agency,
        agency_note: ClientId by Agency,
        job_coaching: ClientId by OrderedByAgency,
    );
    // Tables whose every row is one agency's record.
    let any = match agency {
        Agency::Eksote => add_recorded!(any; rehab_period: ClientId),
        Agency::Te => {
            add_recorded!(any;
                employment_item: ClientId,
                labour_policy_statement: ClientId,
                pay_subsidy: ClientId
            )
        }
        _ => any,
    };
    any.into()
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
        assert!(scope.typ_flag(&mut sql, "c.id"));
        sql.build(DbBackend::Postgres).sql
    }

    #[test]
    fn the_typ_flag_tests_grants_only_when_there_are_some() {
        // `c.id IN (NULL)` would make the flag NULL, neither TYP nor not.
        assert!(!flag_of(&agency(Vec::new())).contains(" IN "));
        assert!(flag_of(&agency(vec!["x".into()])).contains("(c.id) IN ($3)"));
    }

    #[test]
    fn a_condition_appended_to_a_statement_keeps_its_values_in_order() {
        let mut sql = Sql::new("SELECT 1 FROM client c WHERE c.kind = ");
        sql.bind("k").push(" AND ");
        agency(vec!["x".into()]).client_visible(&mut sql, "c.id");
        sql.push(" AND c.b = ").bind("b");
        let built = sql.build(DbBackend::Postgres);
        let values = built.values.map(|v| v.0).unwrap_or_default();
        assert_eq!(values.len(), 12);
        assert!(built.sql.ends_with("AND c.b = $12"), "{}", built.sql);
        assert_eq!(values[3], Value::from("x"));
        let mut none = Sql::default();
        RowScope::Nothing.client_visible(&mut none, "c.id");
        assert_eq!(none.build(DbBackend::Sqlite).sql, "(FALSE)");
    }
}
