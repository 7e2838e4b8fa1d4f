//! Row scopes of contract §5, as SQL conditions applied where the data is queried.
//!
//! - Agency roles see a client's data while the client is a TYP client (a case open, or closed
//!   within the retention period); otherwise each agency sees only what it recorded itself.
//! - `PROVIDER_COACH` sees only clients with a KTT period at the coach's provider, and only
//!   those periods.
//! - Roles that read no client group (ANALYST, AUDITOR, ADMIN) see no client row at all.

use chrono::{Months, NaiveDate};

use super::Principal;
use crate::db::Sql;
use crate::domain::{settings::Settings, Agency, Role};

/// The row scope of one caller, fixed for the duration of a request.
#[derive(Debug, Clone)]
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
    },
    Nothing,
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
            }
        } else {
            RowScope::Nothing
        }
    }

    /// Appends a boolean SQL condition: the client whose id is the expression `c` is visible.
    pub fn client_visible(&self, sql: &mut Sql, c: &str) {
        if cfg!(feature = "bench-no-authz") {
            sql.push("1 = 1");
            return;
        }
        match self {
            RowScope::Agency { agency, .. } => {
                sql.push("(");
                self.typ_flag(sql, c);
                sql.push(" OR ");
                own_records(sql, c, *agency);
                sql.push(")");
            }
            RowScope::Coach { provider_id } => {
                sql.push(&format!(
                    "EXISTS (SELECT 1 FROM rehab_period sp WHERE sp.client_id = {c} AND sp.provider_id = "
                ));
                sql.bind(provider_id.clone());
                sql.push(")");
            }
            RowScope::Nothing => {
                sql.push("1 = 0");
            }
        }
    }

    /// The part of [`Self::client_visible`] that the TYP flag decides alone, for a client
    /// whose flag ([`Self::typ_flag`]) the query has computed as the boolean expression
    /// `typ`: in an agency scope a TYP client (or one opened by break-glass) is visible.
    /// A client visible only by the agency's own records does not pass; whoever uses this
    /// reads such a client through [`Self::client_visible`]. This spares the common case
    /// the own-record probes: PostgreSQL initialises every subplan of a statement when it
    /// starts executing it, needed or not (~7 % of a case view's statement).
    pub fn client_visible_by_flag(&self, sql: &mut Sql, typ: &str) {
        if cfg!(feature = "bench-no-authz") {
            sql.push("1 = 1");
            return;
        }
        match self {
            RowScope::Agency { .. } => sql.push(typ),
            RowScope::Coach { .. } | RowScope::Nothing => sql.push("1 = 0"),
        };
    }

    /// Appends the TYP flag of the client `c` in an agency's scope: a TYP client (case open
    /// or within retention), or one opened to the caller by break-glass. False (nothing
    /// pushed) in other scopes, where no client is a TYP client.
    pub fn typ_flag(&self, sql: &mut Sql, c: &str) -> bool {
        let RowScope::Agency {
            retention_cutoff,
            emergency,
            ..
        } = self
        else {
            return false;
        };
        sql.push("(");
        typ_client(sql, c, *retention_cutoff);
        // Not `IN (NULL)` without a grant: the flag would be NULL, neither TYP nor not.
        if !emergency.is_empty() {
            sql.push(&format!(" OR {c} IN ")).bind_list(emergency);
        }
        sql.push(")");
        true
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
pub fn typ_client(sql: &mut Sql, c: &str, cutoff: NaiveDate) {
    sql.push(&format!(
        "EXISTS (SELECT 1 FROM typ_case st WHERE st.client_id = {c} AND st.agreement_withdrawn_on IS NULL AND (st.ended_on IS NULL OR st.ended_on >= "
    ));
    sql.bind(cutoff);
    sql.push(" OR st.closure_recorded_on >= ");
    sql.bind(cutoff);
    sql.push("))");
}

/// The agency has recorded something of the client `c` itself.
fn own_records(sql: &mut Sql, c: &str, agency: Agency) {
    let code = agency.code().to_owned();
    let mut tables: Vec<(&str, &str)> = vec![
        ("client", "registered_by_agency"),
        ("typ_case", "responsible_agency"),
        ("consent", "recorded_by_agency"),
        ("work_ability_assessment", "assessor_agency"),
        ("benefit_decision", "agency"),
        ("agency_note", "agency"),
        ("job_coaching", "ordered_by_agency"),
    ];
    // Tables whose every row is one agency's record.
    let owned: &[&str] = match agency {
        Agency::Eksote => &["rehab_period"],
        Agency::Te => &["employment_item", "labour_policy_statement"],
        _ => &[],
    };
    sql.push("(");
    for (i, (table, column)) in tables.drain(..).enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        let id = if table == "client" { "id" } else { "client_id" };
        sql.push(&format!(
            "EXISTS (SELECT 1 FROM {table} so WHERE so.{id} = {c} AND so.{column} = "
        ));
        sql.bind(code.clone());
        sql.push(")");
    }
    for table in owned {
        sql.push(&format!(
            " OR EXISTS (SELECT 1 FROM {table} so WHERE so.client_id = {c})"
        ));
    }
    sql.push(")");
}
