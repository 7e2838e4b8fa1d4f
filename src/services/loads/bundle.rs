//! A client's records of many kinds in one statement (PostgreSQL): the case view and the
//! lists a query resolver asks for ahead, each kind filtered as its loader filters it.
//!
//! The statement is written as text around the loaders' sea-query conditions: it aggregates
//! whole rows into JSON arrays in their list order (`json_agg(t ORDER BY ...)`) and casts
//! them (`::text`), which sea-query's builders cannot say.
//!
//! It is one file over 500 lines because it is one statement: its frame, the kinds it
//! aggregates and the decoding of its one row change together.

use std::collections::HashMap;

use entity::{
    agency_note, agreed_action, benefit_decision, client, consent, employment_item,
    employment_plan, job_coaching, labour_policy_statement, network_meeting, provider,
    rehab_period, typ_case, work_ability_assessment,
};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, DbErr, IdenStatic, Statement, Value};

use super::clients::{consent_records, ConsentRecord};
use super::filter::{self, filter_or_none, notes_filter, Keys, Table};
use super::{by_client, by_id, OfficialName, ScopedClient};
use crate::authz::scope::{push_expr, RowScope};
use crate::db::{Rendered, Sql, Template};

/// Which kinds of a client's records [`bundle`] brings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Wanted {
    pub cases: bool,
    /// The plans of the cases (implies `cases`).
    pub plans: bool,
    pub consents: bool,
    pub periods: bool,
    pub assessments: bool,
    pub benefits: bool,
    pub statements: bool,
    pub employment_items: bool,
    pub coachings: bool,
    pub meetings: bool,
    pub notes: bool,
    /// The responsible officers' names of the cases (implies `cases`).
    pub officers: bool,
    /// The agreed actions of the plans (implies `plans`).
    pub plan_actions: bool,
    /// The providers of the periods (implies `periods`).
    pub providers: bool,
}

impl Wanted {
    /// How many of the view's lists are wanted (the nested kinds not counted).
    pub fn lists(&self) -> usize {
        [
            self.cases,
            self.plans,
            self.consents,
            self.periods,
            self.assessments,
            self.benefits,
            self.statements,
            self.employment_items,
            self.coachings,
            self.meetings,
            self.notes,
        ]
        .iter()
        .filter(|w| **w)
        .count()
    }
}

/// Records brought by [`bundle`], keyed as the loaders key them. A kind that was not asked
/// for is empty; a kind that was has an entry for every key (empty when nothing is there).
#[derive(Debug, Default, Clone)]
pub struct Prefetched {
    pub cases: HashMap<ScopedClient, Vec<typ_case::Model>>,
    /// By case id.
    pub plans: HashMap<String, Vec<employment_plan::Model>>,
    pub consents: HashMap<ScopedClient, Vec<ConsentRecord>>,
    pub periods: HashMap<ScopedClient, Vec<rehab_period::Model>>,
    pub assessments: HashMap<ScopedClient, Vec<work_ability_assessment::Model>>,
    pub benefits: HashMap<ScopedClient, Vec<benefit_decision::Model>>,
    pub statements: HashMap<ScopedClient, Vec<labour_policy_statement::Model>>,
    pub employment_items: HashMap<ScopedClient, Vec<employment_item::Model>>,
    pub coachings: HashMap<ScopedClient, Vec<job_coaching::Model>>,
    pub meetings: HashMap<ScopedClient, Vec<network_meeting::Model>>,
    /// By client and whether the caller holds a SOCIAL consent for it, as [`notes`] takes it.
    pub notes: HashMap<(ScopedClient, bool), Vec<agency_note::Model>>,
    /// By official id.
    pub officials: HashMap<String, OfficialName>,
    /// By plan id.
    pub plan_actions: HashMap<String, Vec<agreed_action::Model>>,
    /// By provider id.
    pub providers: HashMap<String, provider::Model>,
    /// Clients a query resolver already read in the caller's scope
    /// ([`crate::services::client::find_all`]), by id: the records its children's `client`
    /// fields would read again one by one.
    pub clients: HashMap<String, crate::services::client::ClientRecord>,
}

fn decode<T: serde::de::DeserializeOwned>(kind: &str, json: &str) -> Result<Vec<T>, DbErr> {
    // Not serde's message: it may quote the value, personal data, into the log.
    serde_json::from_str(json).map_err(|e| {
        DbErr::Custom(format!(
            "bundle part {kind}: {:?} error at column {}",
            e.classify(),
            e.column()
        ))
    })
}

/// The `wanted` kinds of the clients' records in one statement, so one round trip instead
/// of one per kind (PostgreSQL only: each kind comes as a JSON array, ordered as its loader
/// orders it). The filters are the loaders' own ([`filter::filter`], [`notes_filter`]),
/// so the answer is the same as theirs; a test compares the two for every role.
pub async fn bundle(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    keys: &[ScopedClient],
    social_consent: &[String],
    wanted: Wanted,
) -> Result<Prefetched, DbErr> {
    let mut b = BundleSql::default();
    b.push_wanted(scope, Keys::Bound(keys), social_consent, wanted);
    if b.parts.is_empty() {
        return Ok(Prefetched::default());
    }
    let parts = read_parts(conn, &b.into_sql()).await?;
    decode_parts(parts, keys, social_consent)
}

/// The client of a case view as [`case_view_bundle`] read it: the row and its TYP flag.
#[derive(Debug, serde::Deserialize)]
pub struct ViewedClient {
    #[serde(flatten)]
    pub row: client::Model,
    /// A TYP client of the caller's agency (case open or within retention), or opened to
    /// the caller by break-glass.
    pub typ: bool,
}

/// A case view in one statement (PostgreSQL, agency scopes): a TYP client of the caller's
/// (or one opened by break-glass), as `clients::find` reads it (same TYP flag), and the
/// `wanted` kinds of its records, as [`bundle`] brings them, filtered by the flag the
/// statement itself computes. One round trip less than reading the client first. `None`
/// when the client is unknown, out of scope, or visible only by the agency's own records
/// (the caller then reads it with `find`): no part has a row either, as every filter hangs
/// off the client read. `social_consent` is empty: only roles that read no group by consent
/// take this path (their consents would be read with the client).
pub async fn case_view_bundle(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    client_id: &str,
    wanted: Wanted,
) -> Result<Option<(ViewedClient, Prefetched)>, DbErr> {
    if !matches!(scope, RowScope::Agency { .. }) {
        return Err(DbErr::Custom(
            "a case view in one statement needs an agency scope".into(),
        ));
    }
    let backend = conn.get_database_backend();
    let template = CASE_VIEWS.get(
        (backend == DbBackend::Postgres, scope.clone(), wanted),
        || {
            Template::new(
                case_view_statement(backend, scope, wanted),
                &[viewed_mark()],
            )
        },
    )?;
    let statement = template.bind([client_id.into()]);
    let mut parts = read_statement(conn, statement).await?;
    let Some(at) = parts.iter().position(|(kind, _)| kind == "client") else {
        return Err(DbErr::Custom("bundle: no client part".into()));
    };
    let (kind, j) = parts.swap_remove(at);
    let Some(client) = decode::<ViewedClient>(&kind, &j)?.pop() else {
        return Ok(None);
    };
    let keys = [ScopedClient {
        client_id: client.row.id.clone(),
        typ: client.typ,
    }];
    let records = decode_parts(parts, &keys, &[])?;
    Ok(Some((client, records)))
}

/// The case view's statement of each shape (PostgreSQL or not, the caller's scope, the kinds
/// wanted), built on the first view of that shape: only the client differs from one view
/// to the next.
static CASE_VIEWS: Rendered<(bool, RowScope, Wanted)> = Rendered::new();

/// Stands for the viewed client's id in [`CASE_VIEWS`]: no id is text with a NUL in it.
fn viewed_mark() -> Value {
    "\0client".into()
}

/// The statement of [`case_view_bundle`] in an agency scope, with [`viewed_mark`] for the
/// client's id.
fn case_view_statement(backend: DbBackend, scope: &RowScope, wanted: Wanted) -> Statement {
    // The flag is computed once (a materialized CTE is not folded into the next), then
    // visibility is decided on it.
    let mut b = BundleSql::default();
    b.cte("b_flagged", true);
    b.ctes.push("SELECT c.*, ");
    scope.typ_flag(&mut b.ctes, "c");
    b.ctes
        .push(" AS typ FROM client c WHERE c.id = ")
        .bind(viewed_mark())
        .push(" AND c.merged_into IS NULL)");
    b.cte("b_client", false);
    b.ctes.push("SELECT * FROM b_flagged c WHERE ");
    scope.client_visible_by_flag(&mut b.ctes, "c.typ");
    b.ctes.push(")");
    b.part("client", "c", "b_client c");
    b.parts.push("TRUE)");
    b.push_wanted(scope, Keys::InStatement, &[], wanted);
    b.into_sql().build(backend)
}

/// A client-keyed table as a bundle reads it (alias `t`): its name, its list order and the
/// loaders' filter.
struct Filtered {
    name: &'static str,
    order: String,
    allowed: Expr,
}

fn filtered<C: ColumnTrait + IdenStatic>(
    table: &Table<C>,
    scope: &RowScope,
    keys: Keys,
) -> Filtered {
    Filtered {
        name: table.name(),
        order: table.order_on("t"),
        allowed: filter_or_none(scope, keys, table, "t"),
    }
}

/// A bundle statement being built: its CTEs (`WITH ...`), then its parts (`UNION ALL`ed).
#[derive(Default)]
struct BundleSql {
    ctes: Sql,
    parts: Sql,
}

impl BundleSql {
    /// Starts a CTE `name AS (` (`name AS MATERIALIZED (` when `materialized`).
    fn cte(&mut self, name: &str, materialized: bool) {
        let lead = if self.ctes.is_empty() { "WITH " } else { ", " };
        self.ctes.push(lead);
        let how = if materialized { "MATERIALIZED " } else { "" };
        self.ctes.push(&format!("{name} AS {how}("));
    }

    /// Starts one part: a single row (kind, JSON array of `agg`) from `from`, whose WHERE
    /// condition the caller pushes next.
    fn part(&mut self, kind: &str, agg: &str, from: &str) {
        if !self.parts.is_empty() {
            self.parts.push(" UNION ALL ");
        }
        self.parts.push(&format!(
            "(SELECT '{kind}' AS kind, COALESCE(json_agg({agg}), '[]')::text AS j FROM {from} WHERE "
        ));
    }

    fn into_sql(self) -> Sql {
        let mut sql = self.ctes;
        sql.push(" ").append(self.parts);
        sql
    }

    /// Pushes the CTEs and parts of the `wanted` kinds.
    fn push_wanted(
        &mut self,
        scope: &RowScope,
        keys: Keys,
        social_consent: &[String],
        wanted: Wanted,
    ) {
        // The tables other parts hang off are filtered once, in a CTE each: the plan resolver
        // finds the plan through the cases, the officer too; providers through the periods.
        // A wanted table with its filter (built only when wanted).
        macro_rules! want {
            ($on:expr, $table:ident) => {
                $on.then(|| filtered(&filter::$table, scope, keys))
            };
        }
        let parents: [(&str, &str, Option<Filtered>); 3] = [
            (
                "b_cases",
                "cases",
                want!(
                    wanted.cases || wanted.plans || wanted.plan_actions || wanted.officers,
                    CASES
                ),
            ),
            (
                "b_periods",
                "periods",
                want!(wanted.periods || wanted.providers, PERIODS),
            ),
            ("b_consents", "consents", want!(wanted.consents, CONSENTS)),
        ];
        for (name, _, table) in &parents {
            if let Some(table) = table {
                self.cte(name, false);
                self.ctes
                    .push(&format!("SELECT t.* FROM {} t WHERE ", table.name));
                push_expr(&mut self.ctes, &table.allowed);
                self.ctes.push(")");
            }
        }
        for (name, kind, table) in &parents {
            if let Some(table) = table {
                let agg = format!("t ORDER BY {}", table.order);
                self.part(kind, &agg, &format!("{name} t"));
                self.parts.push("TRUE)");
            }
        }
        // (kind, wanted, aggregate, source, condition on it)
        let derived: [(&str, bool, &str, &str, &str); 5] = [
            (
                "consent_groups",
                wanted.consents,
                "json_build_array(g.consent_id, g.field_group) ORDER BY g.consent_id, g.field_group",
                "consent_field_group g",
                "g.consent_id IN (SELECT id FROM b_consents)",
            ),
            (
                "plans",
                wanted.plans || wanted.plan_actions,
                "p ORDER BY p.made_on DESC, p.id",
                "employment_plan p",
                "p.case_id IN (SELECT id FROM b_cases)",
            ),
            (
                "plan_actions",
                wanted.plan_actions,
                "a ORDER BY a.due_on, a.id",
                "agreed_action a",
                "a.plan_id IN (SELECT p.id FROM employment_plan p WHERE p.case_id IN (SELECT id FROM b_cases))",
            ),
            (
                "officials",
                wanted.officers,
                "json_build_object('id', o.id, 'name', o.name, 'agency', o.agency)",
                "official o",
                "o.id IN (SELECT responsible_official_id FROM b_cases)",
            ),
            (
                "providers",
                wanted.providers,
                "pr",
                "provider pr",
                "pr.id IN (SELECT provider_id FROM b_periods)",
            ),
        ];
        for (kind, on, agg, from, condition) in derived {
            if on {
                self.part(kind, agg, from);
                self.parts.push(condition).push(")");
            }
        }
        let tables: [(&str, Option<Filtered>); 6] = [
            ("assessments", want!(wanted.assessments, ASSESSMENTS)),
            ("benefits", want!(wanted.benefits, BENEFITS)),
            ("statements", want!(wanted.statements, STATEMENTS)),
            (
                "employment_items",
                want!(wanted.employment_items, EMPLOYMENT_ITEMS),
            ),
            ("coachings", want!(wanted.coachings, COACHINGS)),
            ("meetings", want!(wanted.meetings, MEETINGS)),
        ];
        for (kind, table) in tables {
            if let Some(table) = table {
                self.part(
                    kind,
                    &format!("t ORDER BY {}", table.order),
                    &format!("{} t", table.name),
                );
                push_expr(&mut self.parts, &table.allowed);
                self.parts.push(")");
            }
        }
        if wanted.notes {
            self.part(
                "notes",
                &format!("t ORDER BY {}", filter::NOTES.order_on("t")),
                "agency_note t",
            );
            match scope {
                RowScope::Agency { agency, .. } => push_expr(
                    &mut self.parts,
                    &notes_filter(*agency, keys, social_consent, "t"),
                ),
                _ => {
                    self.parts.push("1 = 0");
                }
            }
            self.parts.push(")");
        }
    }
}

/// Runs a bundle: its parts as (kind, JSON array).
async fn read_parts(
    conn: &impl ConnectionTrait,
    sql: &Sql,
) -> Result<Vec<(String, String)>, DbErr> {
    read_statement(conn, sql.build_for(conn)).await
}

/// Runs a bundle's statement: its parts as (kind, JSON array).
async fn read_statement(
    conn: &impl ConnectionTrait,
    statement: Statement,
) -> Result<Vec<(String, String)>, DbErr> {
    conn.query_all_raw(statement)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("", "kind")?, row.try_get("", "j")?)))
        .collect()
}

/// The records of a bundle's parts, keyed as the loaders key them.
fn decode_parts(
    parts: Vec<(String, String)>,
    keys: &[ScopedClient],
    social_consent: &[String],
) -> Result<Prefetched, DbErr> {
    let mut out = Prefetched::default();
    let (mut consents, mut groups, mut plans) = (None, HashMap::<String, Vec<String>>::new(), None);
    let mut actions = None;
    for (kind, j) in parts {
        // A client-keyed kind, keyed as its loader keys it.
        macro_rules! by_client_of {
            ($model:ty) => {
                by_client(keys, decode::<$model>(&kind, &j)?, |r: &$model| {
                    r.client_id.as_str()
                })
            };
        }
        match kind.as_str() {
            "cases" => out.cases = by_client_of!(typ_case::Model),
            "consents" => consents = Some(decode::<consent::Model>(&kind, &j)?),
            "consent_groups" => {
                for (id, group) in decode::<(String, String)>(&kind, &j)? {
                    groups.entry(id).or_default().push(group);
                }
            }
            "plans" => plans = Some(decode::<employment_plan::Model>(&kind, &j)?),
            "periods" => out.periods = by_client_of!(rehab_period::Model),
            "assessments" => out.assessments = by_client_of!(work_ability_assessment::Model),
            "benefits" => out.benefits = by_client_of!(benefit_decision::Model),
            "statements" => out.statements = by_client_of!(labour_policy_statement::Model),
            "employment_items" => out.employment_items = by_client_of!(employment_item::Model),
            "coachings" => out.coachings = by_client_of!(job_coaching::Model),
            "meetings" => out.meetings = by_client_of!(network_meeting::Model),
            "notes" => {
                out.notes = by_client_of!(agency_note::Model)
                    .into_iter()
                    .map(|(k, v)| {
                        let social = social_consent.contains(&k.client_id);
                        ((k, social), v)
                    })
                    .collect();
            }
            "plan_actions" => actions = Some(decode::<agreed_action::Model>(&kind, &j)?),
            "officials" => {
                out.officials = decode::<OfficialName>(&kind, &j)?
                    .into_iter()
                    .map(|o| (o.id.clone(), o))
                    .collect();
            }
            "providers" => {
                out.providers = decode::<provider::Model>(&kind, &j)?
                    .into_iter()
                    .map(|p| (p.id.clone(), p))
                    .collect();
            }
            other => return Err(DbErr::Custom(format!("bundle: unknown part {other}"))),
        }
    }
    if let Some(rows) = consents {
        out.consents = consent_records(keys, rows, groups);
    }
    if let Some(rows) = plans {
        let case_ids: Vec<String> = out.cases.values().flatten().map(|c| c.id.clone()).collect();
        out.plans = by_id(&case_ids, rows, |r| r.case_id.as_str());
    }
    if let Some(rows) = actions {
        let plan_ids: Vec<String> = out.plans.values().flatten().map(|p| p.id.clone()).collect();
        out.plan_actions = by_id(&plan_ids, rows, |r| {
            r.plan_id.as_deref().unwrap_or_default()
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_part_that_does_not_decode_is_reported_without_its_values() {
        let err = decode::<(i64, i64)>("client", r#"[["010203A9910", 1]]"#)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("bundle part client"), "{err}");
        assert!(!err.contains("010203A9910"), "{err}");
    }
}
