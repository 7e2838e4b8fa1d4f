//! Batched, scoped loading of a client's records for the per-request DataLoaders.
//!
//! Each function answers for many clients (or parents) in one statement. For clients who
//! are not TYP clients of the caller, only the caller agency's own records are returned;
//! a coach gets only the periods at the coach's provider.

use std::collections::HashMap;
use std::hash::Hash;

use entity::{
    agency_note, agreed_action, allowance_line, attendance_day, benefit_decision, case_follow_up,
    client, consent, employment_item, employment_plan, job_coaching, labour_policy_statement,
    meeting_agency_section, meeting_agenda_item, meeting_participant, network_meeting, provider,
    rehab_interruption, rehab_period, typ_case, work_ability_assessment,
};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, FromQueryResult};

use super::context::ScopedClient;
use crate::authz::scope::RowScope;
use crate::db::Sql;
use crate::domain::Agency;

/// Who owns a row of a table, for the own-records rule of clients outside TYP.
enum Owner {
    /// The agency in this column recorded the row.
    Column(&'static str),
    /// Every row of the table is this agency's record.
    Agency(Agency),
}

/// A client-keyed table: its name, whose record a row is, and the order of its lists.
struct Table {
    name: &'static str,
    owner: Owner,
    order: &'static str,
}

const CASES: Table = Table {
    name: "typ_case",
    owner: Owner::Column("responsible_agency"),
    order: "t.opened_on DESC, t.id",
};
const CONSENTS: Table = Table {
    name: "consent",
    owner: Owner::Column("recorded_by_agency"),
    order: "t.given_on DESC, t.id",
};
const PERIODS: Table = Table {
    name: "rehab_period",
    owner: Owner::Agency(Agency::Eksote),
    order: "t.starts_on DESC, t.id",
};
const ASSESSMENTS: Table = Table {
    name: "work_ability_assessment",
    owner: Owner::Column("assessor_agency"),
    order: "t.assessed_on DESC, t.id",
};
const BENEFITS: Table = Table {
    name: "benefit_decision",
    owner: Owner::Column("agency"),
    order: "t.decided_on DESC, t.id",
};
const STATEMENTS: Table = Table {
    name: "labour_policy_statement",
    owner: Owner::Agency(Agency::Te),
    order: "t.issued_on DESC, t.id",
};
const EMPLOYMENT_ITEMS: Table = Table {
    name: "employment_item",
    owner: Owner::Agency(Agency::Te),
    order: "t.created_at DESC, t.id",
};
const COACHINGS: Table = Table {
    name: "job_coaching",
    owner: Owner::Column("ordered_by_agency"),
    order: "t.starts_on DESC, t.id",
};
const MEETINGS: Table = Table {
    name: "network_meeting",
    owner: Owner::Agency(Agency::Provider),
    order: "t.scheduled_at DESC, t.id",
};
const NOTES_ORDER: &str = "t.created_at DESC, t.id";

/// Whose records a filter admits: clients loaded before (their ids bound, with the TYP
/// flags their loading decided), or the one client a case view reads in the same statement
/// (the CTE `b_client` of at most one row, its flag in column `typ`: see
/// [`case_view_bundle`]). The latter is matched by `=` on a scalar subquery, so that each
/// table is read through its client index (an `IN` subquery under `OR` is not).
///
/// `Row` decides for each row on its own client (`t.client_id`): the client's visibility
/// and TYP flag are computed in the statement, by the same rules as [`RowScope`]'s, so one
/// row named by id is read through the loaders' filter without reading its client first.
#[derive(Clone, Copy)]
enum Keys<'a> {
    Bound(&'a [ScopedClient]),
    InStatement,
    Row(&'a RowScope),
}

impl Keys<'_> {
    /// The bound ids of the clients whose TYP flag is `typ` (of all with `None`), as the
    /// right-hand side of `IN`.
    fn bind_ids(keys: &[ScopedClient], sql: &mut Sql, typ: Option<bool>) {
        let ids: Vec<String> = keys
            .iter()
            .filter(|k| typ.is_none_or(|t| k.typ == t))
            .map(|k| k.client_id.clone())
            .collect();
        sql.bind_list(&ids);
    }

    /// `t` belongs to one of the clients.
    fn push_any(self, sql: &mut Sql) {
        match self {
            Keys::Bound(keys) => {
                sql.push("t.client_id IN ");
                Keys::bind_ids(keys, sql, None);
            }
            Keys::InStatement => {
                sql.push("t.client_id = (SELECT id FROM b_client)");
            }
            Keys::Row(scope) => scope.client_visible(sql, "t.client_id"),
        }
    }

    /// `t` belongs to one of the clients that are TYP clients.
    fn push_typ(self, sql: &mut Sql) {
        match self {
            Keys::Bound(keys) => {
                sql.push("t.client_id IN ");
                Keys::bind_ids(keys, sql, Some(true));
            }
            Keys::InStatement => {
                sql.push(
                    "(t.client_id = (SELECT id FROM b_client) AND (SELECT typ FROM b_client))",
                );
            }
            Keys::Row(scope) => {
                if !scope.typ_flag(sql, "t.client_id") {
                    sql.push("1 = 0");
                }
            }
        }
    }

    /// `t` belongs to one of the clients, and that client is a TYP client, or else `own`
    /// (a condition on `t`) holds.
    fn push_typ_or(self, sql: &mut Sql, own: impl FnOnce(&mut Sql)) {
        match self {
            Keys::Bound(keys) => {
                sql.push("(t.client_id IN ");
                Keys::bind_ids(keys, sql, Some(true));
                sql.push(" OR (t.client_id IN ");
                Keys::bind_ids(keys, sql, Some(false));
                sql.push(" AND ");
                own(sql);
                sql.push("))");
            }
            Keys::InStatement => {
                sql.push(
                    "(t.client_id = (SELECT id FROM b_client) AND ((SELECT typ FROM b_client) OR ",
                );
                own(sql);
                sql.push("))");
            }
            Keys::Row(scope) => {
                sql.push("(");
                Keys::Row(scope).push_typ(sql);
                sql.push(" OR (");
                scope.client_visible(sql, "t.client_id");
                sql.push(" AND ");
                own(sql);
                sql.push("))");
            }
        }
    }
}

/// Which rows of `table` (alias `t`) the caller's scope allows for these clients, as a SQL
/// condition; false (nothing pushed) when the scope allows none. KTT periods are the
/// county's records; a coach gets only the periods at the coach's provider.
fn push_filter(sql: &mut Sql, scope: &RowScope, keys: Keys, table: &Table) -> bool {
    if let (RowScope::Coach { provider_id }, "rehab_period") = (scope, table.name) {
        sql.push("(");
        keys.push_any(sql);
        sql.push(" AND t.provider_id = ")
            .bind(provider_id.clone())
            .push(")");
        return true;
    }
    push_client_filter(sql, scope, keys, &table.owner)
}

/// Which of a client's records a caller's scope allows, as a SQL condition on alias `t`.
fn push_client_filter(sql: &mut Sql, scope: &RowScope, keys: Keys, owner: &Owner) -> bool {
    match scope {
        RowScope::Agency { agency, .. } => {
            keys.push_typ_or(sql, |sql| match owner {
                Owner::Column(col) => {
                    sql.push(&format!("t.{col} = ")).bind(agency.code());
                }
                Owner::Agency(a) if a == agency => {
                    sql.push("1 = 1");
                }
                Owner::Agency(_) => {
                    sql.push("1 = 0");
                }
            });
            true
        }
        // Coaches read only periods (and their attendance); scoped by provider elsewhere.
        RowScope::Coach { .. } | RowScope::Nothing => false,
    }
}

async fn query<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    sql: &Sql,
) -> Result<Vec<E::Model>, DbErr> {
    E::find().from_raw_sql(sql.build_for(conn)).all(conn).await
}

fn group_by<K: Eq + Hash + Clone, M>(
    keys: &[K],
    rows: Vec<M>,
    key_of: impl Fn(&M) -> &str,
    id_of: impl Fn(&K) -> &str,
) -> HashMap<K, Vec<M>> {
    let index: HashMap<&str, &K> = keys.iter().map(|k| (id_of(k), k)).collect();
    let mut out: HashMap<K, Vec<M>> = keys.iter().map(|k| (k.clone(), Vec::new())).collect();
    for row in rows {
        if let Some(k) = index.get(key_of(&row)) {
            out.entry((*k).clone()).or_default().push(row);
        }
    }
    out
}

fn by_client<M>(
    keys: &[ScopedClient],
    rows: Vec<M>,
    key_of: impl Fn(&M) -> &str,
) -> HashMap<ScopedClient, Vec<M>> {
    group_by(keys, rows, key_of, |k| k.client_id.as_str())
}

fn by_id<M>(keys: &[String], rows: Vec<M>, key_of: impl Fn(&M) -> &str) -> HashMap<String, Vec<M>> {
    group_by(keys, rows, key_of, |k| k.as_str())
}

/// Loads the rows of a client-keyed table for every key.
async fn client_rows<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    keys: &[ScopedClient],
    table: &Table,
) -> Result<Vec<E::Model>, DbErr> {
    let mut sql = Sql::new(&format!("SELECT t.* FROM {} t WHERE ", table.name));
    if !push_filter(&mut sql, scope, Keys::Bound(keys), table) {
        return Ok(Vec::new());
    }
    sql.push(&format!(" ORDER BY {}", table.order));
    query::<E>(conn, &sql).await
}

macro_rules! client_loader {
    ($(#[$doc:meta])* $name:ident, $entity:ident, $table:ident) => {
        $(#[$doc])*
        pub async fn $name(
            conn: &impl ConnectionTrait,
            scope: &RowScope,
            keys: &[ScopedClient],
        ) -> Result<HashMap<ScopedClient, Vec<$entity::Model>>, DbErr> {
            let rows = client_rows::<$entity::Entity>(conn, scope, keys, &$table).await?;
            Ok(by_client(keys, rows, |r| r.client_id.as_str()))
        }
    };
}

client_loader!(
    /// TYP cases; a case is the responsible agency's record.
    cases, typ_case, CASES
);
/// A consent with the field groups it covers.
#[derive(Debug, Clone)]
pub struct ConsentRecord {
    pub row: consent::Model,
    pub groups: Vec<String>,
}

/// Consents (with their groups), own-agency ones only outside TYP.
pub async fn consents(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    keys: &[ScopedClient],
) -> Result<HashMap<ScopedClient, Vec<ConsentRecord>>, DbErr> {
    let rows = client_rows::<consent::Entity>(conn, scope, keys, &CONSENTS).await?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut groups: HashMap<String, Vec<String>> = HashMap::new();
    if !ids.is_empty() {
        let mut sql = Sql::new(
            "SELECT t.consent_id, t.field_group FROM consent_field_group t WHERE t.consent_id IN ",
        );
        sql.bind_list(&ids)
            .push(" ORDER BY t.consent_id, t.field_group");
        for row in conn.query_all_raw(sql.build_for(conn)).await? {
            groups
                .entry(row.try_get("", "consent_id")?)
                .or_default()
                .push(row.try_get("", "field_group")?);
        }
    }
    Ok(consent_records(keys, rows, groups))
}

fn consent_records(
    keys: &[ScopedClient],
    rows: Vec<consent::Model>,
    mut groups: HashMap<String, Vec<String>>,
) -> HashMap<ScopedClient, Vec<ConsentRecord>> {
    let records = rows
        .into_iter()
        .map(|row| {
            let groups = groups.remove(&row.id).unwrap_or_default();
            ConsentRecord { row, groups }
        })
        .collect();
    by_client(keys, records, |r| r.row.client_id.as_str())
}

/// Allowance lines by (period id, month).
pub async fn allowance_lines(
    conn: &impl ConnectionTrait,
    keys: &[(String, String)],
) -> Result<HashMap<(String, String), Vec<allowance_line::Model>>, DbErr> {
    let periods: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
    let months: Vec<String> = keys.iter().map(|k| k.1.clone()).collect();
    let mut sql = Sql::new("SELECT t.* FROM allowance_line t WHERE t.period_id IN ");
    sql.bind_list(&periods)
        .push(" AND t.month IN ")
        .bind_list(&months)
        .push(" ORDER BY t.id");
    let mut out: HashMap<(String, String), Vec<allowance_line::Model>> = HashMap::new();
    for row in query::<allowance_line::Entity>(conn, &sql).await? {
        let key = (row.period_id.clone(), row.month.clone());
        if keys.contains(&key) {
            out.entry(key).or_default().push(row);
        }
    }
    Ok(out)
}
client_loader!(
    /// Work-ability assessments.
    assessments, work_ability_assessment, ASSESSMENTS
);
client_loader!(
    /// Benefit decisions.
    benefits, benefit_decision, BENEFITS
);
client_loader!(
    /// Labour-policy statements (the employment authority's records).
    statements, labour_policy_statement, STATEMENTS
);
client_loader!(
    /// The employment authority's plan items and obligations.
    employment_items, employment_item, EMPLOYMENT_ITEMS
);
client_loader!(
    /// Job coaching.
    coachings, job_coaching, COACHINGS
);
client_loader!(
    /// Network meetings (shared records of TYP clients only).
    meetings, network_meeting, MEETINGS
);

client_loader!(
    /// KTT periods: the county's records; a coach gets only its provider's periods.
    periods, rehab_period, PERIODS
);

/// The row `id` of a client-keyed table if the caller's scope lets the loaders list it:
/// the loaders' own filter ([`push_filter`]), decided in the statement that reads the row.
/// Out of scope and missing are the same `None`, and no field of a row outside the scope
/// is read.
async fn row_in_scope<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    table: &Table,
    id: &str,
) -> Result<Option<E::Model>, DbErr> {
    let mut sql = Sql::new(&format!("SELECT t.* FROM {} t WHERE t.id = ", table.name));
    sql.bind(id.to_owned()).push(" AND ");
    if !push_filter(&mut sql, scope, Keys::Row(scope), table) {
        return Ok(None);
    }
    Ok(query::<E>(conn, &sql).await?.into_iter().next())
}

/// The condition that the KTT period aliased `t` is within the caller's scope, as the
/// loaders decide it ([`row_in_scope`]), for statements that join periods themselves.
pub fn push_period_in_scope(sql: &mut Sql, scope: &RowScope) {
    push_filter_or_none(sql, scope, Keys::Row(scope), &PERIODS);
}

/// A KTT period by id, within the caller's scope ([`row_in_scope`]).
pub async fn period_in_scope(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    id: &str,
) -> Result<Option<rehab_period::Model>, DbErr> {
    row_in_scope::<rehab_period::Entity>(conn, scope, &PERIODS, id).await
}

/// A consent by id, within the caller's scope ([`row_in_scope`]).
pub async fn consent_in_scope(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    id: &str,
) -> Result<Option<consent::Model>, DbErr> {
    row_in_scope::<consent::Entity>(conn, scope, &CONSENTS, id).await
}

/// A TYP case by id, within the caller's scope ([`row_in_scope`]).
pub async fn case_in_scope(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    id: &str,
) -> Result<Option<typ_case::Model>, DbErr> {
    row_in_scope::<typ_case::Entity>(conn, scope, &CASES, id).await
}

/// A row of a table kept under cases (`employment_plan`, `agreed_action`) by id, if its
/// case is within the caller's scope ([`row_in_scope`] of the case).
async fn under_case_in_scope<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    table: &str,
    id: &str,
) -> Result<Option<E::Model>, DbErr> {
    let mut sql = Sql::new(&format!("SELECT r.* FROM {table} r WHERE r.id = "));
    sql.bind(id.to_owned())
        .push(" AND r.case_id IN (SELECT t.id FROM typ_case t WHERE ");
    if !push_filter(&mut sql, scope, Keys::Row(scope), &CASES) {
        return Ok(None);
    }
    sql.push(")");
    Ok(query::<E>(conn, &sql).await?.into_iter().next())
}

/// An employment plan by id, if its case is within the caller's scope.
pub async fn plan_in_scope(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    id: &str,
) -> Result<Option<employment_plan::Model>, DbErr> {
    under_case_in_scope::<employment_plan::Entity>(conn, scope, "employment_plan", id).await
}

/// An agreed action by id, if its case is within the caller's scope.
pub async fn action_in_scope(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    id: &str,
) -> Result<Option<agreed_action::Model>, DbErr> {
    under_case_in_scope::<agreed_action::Entity>(conn, scope, "agreed_action", id).await
}

/// Agency notes: the caller agency's own, and those shared with the case team of a TYP
/// client. Unshared notes of the county are disclosed (SOCIAL) only to the keys in
/// `social_consent`, whose consent the caller holds.
pub async fn notes(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    keys: &[ScopedClient],
    social_consent: &[String],
) -> Result<HashMap<ScopedClient, Vec<agency_note::Model>>, DbErr> {
    let RowScope::Agency { agency, .. } = scope else {
        return Ok(HashMap::new());
    };
    let mut sql = Sql::new("SELECT t.* FROM agency_note t WHERE ");
    push_notes_filter(&mut sql, *agency, Keys::Bound(keys), social_consent);
    sql.push(&format!(" ORDER BY {NOTES_ORDER}"));
    let rows = query::<agency_note::Entity>(conn, &sql).await?;
    Ok(by_client(keys, rows, |r| r.client_id.as_str()))
}

/// The notes rule of [`notes`] as a SQL condition on alias `t`.
fn push_notes_filter(sql: &mut Sql, agency: Agency, keys: Keys, social: &[String]) {
    sql.push("((");
    keys.push_any(sql);
    sql.push(" AND t.agency = ")
        .bind(agency.code())
        .push(") OR (t.shared_with_case_team AND ");
    keys.push_typ(sql);
    // A consent discloses the county's notes of a TYP client only: outside TYP each agency
    // sees only what it recorded itself.
    sql.push(") OR (t.agency = 'EKSOTE' AND ");
    keys.push_typ(sql);
    sql.push(" AND t.client_id IN ")
        .bind_list(social)
        .push("))");
}

/// The current plan of each case (the newest).
pub async fn plans(
    conn: &impl ConnectionTrait,
    case_ids: &[String],
) -> Result<HashMap<String, Vec<employment_plan::Model>>, DbErr> {
    let mut sql = Sql::new("SELECT t.* FROM employment_plan t WHERE t.case_id IN ");
    sql.bind_list(case_ids)
        .push(" ORDER BY t.made_on DESC, t.id");
    let rows = query::<employment_plan::Entity>(conn, &sql).await?;
    Ok(by_id(case_ids, rows, |r| r.case_id.as_str()))
}

/// Agreed actions by plan, meeting or case (`column` is `plan_id`, `meeting_id` or `case_id`).
pub async fn actions(
    conn: &impl ConnectionTrait,
    column: &'static str,
    parent_ids: &[String],
) -> Result<HashMap<String, Vec<agreed_action::Model>>, DbErr> {
    let mut sql = Sql::new(&format!(
        "SELECT t.* FROM agreed_action t WHERE t.{column} IN "
    ));
    sql.bind_list(parent_ids).push(" ORDER BY t.due_on, t.id");
    let rows = query::<agreed_action::Entity>(conn, &sql).await?;
    let key = |r: &agreed_action::Model| -> String {
        match column {
            "plan_id" => r.plan_id.clone().unwrap_or_default(),
            "meeting_id" => r.meeting_id.clone().unwrap_or_default(),
            _ => r.case_id.clone(),
        }
    };
    let mut out: HashMap<String, Vec<_>> =
        parent_ids.iter().map(|k| (k.clone(), Vec::new())).collect();
    for row in rows {
        out.entry(key(&row)).or_default().push(row);
    }
    Ok(out)
}

/// Attendance days of periods (the periods were already scoped).
pub async fn attendance(
    conn: &impl ConnectionTrait,
    period_ids: &[String],
) -> Result<HashMap<String, Vec<attendance_day::Model>>, DbErr> {
    let mut sql = Sql::new("SELECT t.* FROM attendance_day t WHERE t.period_id IN ");
    sql.bind_list(period_ids).push(" ORDER BY t.day, t.id");
    let rows = query::<attendance_day::Entity>(conn, &sql).await?;
    Ok(by_id(period_ids, rows, |r| r.period_id.as_str()))
}

/// Participants of meetings.
pub async fn participants(
    conn: &impl ConnectionTrait,
    meeting_ids: &[String],
) -> Result<HashMap<String, Vec<meeting_participant::Model>>, DbErr> {
    let mut sql = Sql::new("SELECT t.* FROM meeting_participant t WHERE t.meeting_id IN ");
    sql.bind_list(meeting_ids).push(" ORDER BY t.kind, t.id");
    let rows = query::<meeting_participant::Entity>(conn, &sql).await?;
    Ok(by_id(meeting_ids, rows, |r| r.meeting_id.as_str()))
}

/// Agenda items of meetings.
pub async fn agenda(
    conn: &impl ConnectionTrait,
    meeting_ids: &[String],
) -> Result<HashMap<String, Vec<meeting_agenda_item::Model>>, DbErr> {
    let mut sql = Sql::new("SELECT t.* FROM meeting_agenda_item t WHERE t.meeting_id IN ");
    sql.bind_list(meeting_ids).push(" ORDER BY t.position");
    let rows = query::<meeting_agenda_item::Entity>(conn, &sql).await?;
    Ok(by_id(meeting_ids, rows, |r| r.meeting_id.as_str()))
}

/// The caller agency's own sections of meetings (other agencies' sections never leave).
pub async fn own_sections(
    conn: &impl ConnectionTrait,
    agency: Agency,
    meeting_ids: &[String],
) -> Result<HashMap<String, Vec<meeting_agency_section::Model>>, DbErr> {
    let mut sql = Sql::new("SELECT t.* FROM meeting_agency_section t WHERE t.meeting_id IN ");
    sql.bind_list(meeting_ids)
        .push(" AND t.agency = ")
        .bind(agency.code())
        .push(" ORDER BY t.id");
    let rows = query::<meeting_agency_section::Entity>(conn, &sql).await?;
    Ok(by_id(meeting_ids, rows, |r| r.meeting_id.as_str()))
}

/// Providers by id.
pub async fn providers(
    conn: &impl ConnectionTrait,
    ids: &[String],
) -> Result<HashMap<String, provider::Model>, DbErr> {
    let mut sql = Sql::new("SELECT t.* FROM provider t WHERE t.id IN ");
    sql.bind_list(ids);
    let rows = query::<provider::Entity>(conn, &sql).await?;
    Ok(rows.into_iter().map(|r| (r.id.clone(), r)).collect())
}

/// Officials' names by id (officials are not client data).
#[derive(Debug, Clone, FromQueryResult, serde::Deserialize)]
pub struct OfficialName {
    pub id: String,
    pub name: String,
    pub agency: String,
}

pub async fn official_names(
    conn: &impl ConnectionTrait,
    ids: &[String],
) -> Result<HashMap<String, OfficialName>, DbErr> {
    let mut sql = Sql::new("SELECT t.id, t.name, t.agency FROM official t WHERE t.id IN ");
    sql.bind_list(ids);
    let rows = OfficialName::find_by_statement(sql.build_for(conn))
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|r| (r.id.clone(), r)).collect())
}

/// Interruptions of periods (the periods were already scoped).
pub async fn interruptions(
    conn: &impl ConnectionTrait,
    period_ids: &[String],
) -> Result<HashMap<String, Vec<rehab_interruption::Model>>, DbErr> {
    let mut sql = Sql::new("SELECT t.* FROM rehab_interruption t WHERE t.period_id IN ");
    sql.bind_list(period_ids)
        .push(" ORDER BY t.starts_on, t.id");
    let rows = query::<rehab_interruption::Entity>(conn, &sql).await?;
    Ok(by_id(period_ids, rows, |r| r.period_id.as_str()))
}

/// Follow-ups of cases (the cases were already scoped).
pub async fn follow_ups(
    conn: &impl ConnectionTrait,
    case_ids: &[String],
) -> Result<HashMap<String, Vec<case_follow_up::Model>>, DbErr> {
    let mut sql = Sql::new("SELECT t.* FROM case_follow_up t WHERE t.case_id IN ");
    sql.bind_list(case_ids).push(" ORDER BY t.months_after");
    let rows = query::<case_follow_up::Entity>(conn, &sql).await?;
    Ok(by_id(case_ids, rows, |r| r.case_id.as_str()))
}

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
}

/// [`push_filter`], or a condition no row meets when the scope allows none.
fn push_filter_or_none(sql: &mut Sql, scope: &RowScope, keys: Keys, table: &Table) {
    if !push_filter(sql, scope, keys, table) {
        sql.push("1 = 0");
    }
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
/// orders it). The filters are the loaders' own ([`push_filter`], [`push_notes_filter`]),
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
    // The flag is computed once (a materialized CTE is not folded into the next), then
    // visibility is decided on it.
    let mut b = BundleSql::default();
    b.cte("b_flagged", true);
    b.ctes.push("SELECT c.*, ");
    if !scope.typ_flag(&mut b.ctes, "c.id") {
        return Err(DbErr::Custom(
            "a case view in one statement needs an agency scope".into(),
        ));
    }
    b.ctes
        .push(" AS typ FROM client c WHERE c.id = ")
        .bind(client_id.to_owned())
        .push(")");
    b.cte("b_client", false);
    b.ctes.push("SELECT * FROM b_flagged c WHERE ");
    scope.client_visible_by_flag(&mut b.ctes, "c.typ");
    b.ctes.push(")");
    b.part("client", "c", "b_client c");
    b.parts.push("TRUE)");
    b.push_wanted(scope, Keys::InStatement, &[], wanted);
    let mut parts = read_parts(conn, &b.into_sql()).await?;
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
        let parents: [(&str, &str, bool, &Table); 3] = [
            (
                "b_cases",
                "cases",
                wanted.cases || wanted.plans || wanted.plan_actions || wanted.officers,
                &CASES,
            ),
            (
                "b_periods",
                "periods",
                wanted.periods || wanted.providers,
                &PERIODS,
            ),
            ("b_consents", "consents", wanted.consents, &CONSENTS),
        ];
        for (name, _, on, table) in parents {
            if on {
                self.cte(name, false);
                self.ctes
                    .push(&format!("SELECT t.* FROM {} t WHERE ", table.name));
                push_filter_or_none(&mut self.ctes, scope, keys, table);
                self.ctes.push(")");
            }
        }
        for (name, kind, on, table) in parents {
            if on {
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
        let tables: [(&str, bool, &Table); 6] = [
            ("assessments", wanted.assessments, &ASSESSMENTS),
            ("benefits", wanted.benefits, &BENEFITS),
            ("statements", wanted.statements, &STATEMENTS),
            (
                "employment_items",
                wanted.employment_items,
                &EMPLOYMENT_ITEMS,
            ),
            ("coachings", wanted.coachings, &COACHINGS),
            ("meetings", wanted.meetings, &MEETINGS),
        ];
        for (kind, on, table) in tables {
            if on {
                self.part(
                    kind,
                    &format!("t ORDER BY {}", table.order),
                    &format!("{} t", table.name),
                );
                push_filter_or_none(&mut self.parts, scope, keys, table);
                self.parts.push(")");
            }
        }
        if wanted.notes {
            self.part(
                "notes",
                &format!("t ORDER BY {NOTES_ORDER}"),
                "agency_note t",
            );
            match scope {
                RowScope::Agency { agency, .. } => {
                    push_notes_filter(&mut self.parts, *agency, keys, social_consent)
                }
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
    conn.query_all_raw(sql.build_for(conn))
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
