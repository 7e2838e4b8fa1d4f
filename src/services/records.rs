//! Batched, scoped loading of a client's records for the per-request DataLoaders.
//!
//! Each function answers for many clients (or parents) in one statement. For clients who
//! are not TYP clients of the caller, only the caller agency's own records are returned;
//! a coach gets only the periods at the coach's provider.

use std::collections::HashMap;
use std::hash::Hash;

use entity::{
    agency_note, agreed_action, allowance_line, attendance_day, benefit_decision, case_follow_up,
    consent, employment_item, employment_plan, job_coaching, labour_policy_statement,
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

/// Which of a client's records a caller's scope allows, as a SQL condition on alias `t`.
fn push_client_filter(
    sql: &mut Sql,
    scope: &RowScope,
    keys: &[ScopedClient],
    owner: Owner,
) -> bool {
    let (typ, own): (Vec<_>, Vec<_>) = keys.iter().partition(|k| k.typ);
    let typ: Vec<String> = typ.into_iter().map(|k| k.client_id.clone()).collect();
    let own: Vec<String> = own.into_iter().map(|k| k.client_id.clone()).collect();
    match scope {
        RowScope::Agency { agency, .. } => {
            sql.push("(t.client_id IN ")
                .bind_list(&typ)
                .push(" OR (t.client_id IN ");
            sql.bind_list(&own).push(" AND ");
            match owner {
                Owner::Column(col) => {
                    sql.push(&format!("t.{col} = ")).bind(agency.code());
                }
                Owner::Agency(a) if a == *agency => {
                    sql.push("1 = 1");
                }
                Owner::Agency(_) => {
                    sql.push("1 = 0");
                }
            }
            sql.push("))");
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
    table: &str,
    owner: Owner,
    order: &str,
) -> Result<Vec<E::Model>, DbErr> {
    let mut sql = Sql::new(&format!("SELECT t.* FROM {table} t WHERE "));
    if !push_client_filter(&mut sql, scope, keys, owner) {
        return Ok(Vec::new());
    }
    sql.push(&format!(" ORDER BY {order}"));
    query::<E>(conn, &sql).await
}

macro_rules! client_loader {
    ($(#[$doc:meta])* $name:ident, $entity:ident, $table:literal, $owner:expr, $order:literal) => {
        $(#[$doc])*
        pub async fn $name(
            conn: &impl ConnectionTrait,
            scope: &RowScope,
            keys: &[ScopedClient],
        ) -> Result<HashMap<ScopedClient, Vec<$entity::Model>>, DbErr> {
            let rows =
                client_rows::<$entity::Entity>(conn, scope, keys, $table, $owner, $order).await?;
            Ok(by_client(keys, rows, |r| r.client_id.as_str()))
        }
    };
}

client_loader!(
    /// TYP cases; a case is the responsible agency's record.
    cases, typ_case, "typ_case", Owner::Column("responsible_agency"), "t.opened_on DESC, t.id"
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
    let rows = client_rows::<consent::Entity>(
        conn,
        scope,
        keys,
        "consent",
        Owner::Column("recorded_by_agency"),
        "t.given_on DESC, t.id",
    )
    .await?;
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
    let records = rows
        .into_iter()
        .map(|row| {
            let groups = groups.remove(&row.id).unwrap_or_default();
            ConsentRecord { row, groups }
        })
        .collect();
    Ok(by_client(keys, records, |r| r.row.client_id.as_str()))
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
    assessments, work_ability_assessment, "work_ability_assessment",
    Owner::Column("assessor_agency"), "t.assessed_on DESC, t.id"
);
client_loader!(
    /// Benefit decisions.
    benefits, benefit_decision, "benefit_decision", Owner::Column("agency"), "t.decided_on DESC, t.id"
);
client_loader!(
    /// Labour-policy statements (the employment authority's records).
    statements, labour_policy_statement, "labour_policy_statement",
    Owner::Agency(Agency::Te), "t.issued_on DESC, t.id"
);
client_loader!(
    /// The employment authority's plan items and obligations.
    employment_items, employment_item, "employment_item", Owner::Agency(Agency::Te),
    "t.created_at DESC, t.id"
);
client_loader!(
    /// Job coaching.
    coachings, job_coaching, "job_coaching", Owner::Column("ordered_by_agency"),
    "t.starts_on DESC, t.id"
);
client_loader!(
    /// Network meetings (shared records of TYP clients only).
    meetings, network_meeting, "network_meeting", Owner::Agency(Agency::Provider),
    "t.scheduled_at DESC, t.id"
);

/// KTT periods: the county's records; a coach gets only its provider's periods.
pub async fn periods(
    conn: &impl ConnectionTrait,
    scope: &RowScope,
    keys: &[ScopedClient],
) -> Result<HashMap<ScopedClient, Vec<rehab_period::Model>>, DbErr> {
    let rows = match scope {
        RowScope::Coach { provider_id } => {
            let ids: Vec<String> = keys.iter().map(|k| k.client_id.clone()).collect();
            let mut sql = Sql::new("SELECT t.* FROM rehab_period t WHERE t.client_id IN ");
            sql.bind_list(&ids)
                .push(" AND t.provider_id = ")
                .bind(provider_id.clone())
                .push(" ORDER BY t.starts_on DESC, t.id");
            query::<rehab_period::Entity>(conn, &sql).await?
        }
        _ => {
            client_rows::<rehab_period::Entity>(
                conn,
                scope,
                keys,
                "rehab_period",
                Owner::Agency(Agency::Eksote),
                "t.starts_on DESC, t.id",
            )
            .await?
        }
    };
    Ok(by_client(keys, rows, |r| r.client_id.as_str()))
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
    let all: Vec<String> = keys.iter().map(|k| k.client_id.clone()).collect();
    let typ: Vec<String> = keys
        .iter()
        .filter(|k| k.typ)
        .map(|k| k.client_id.clone())
        .collect();
    let mut sql = Sql::new("SELECT t.* FROM agency_note t WHERE (t.client_id IN ");
    sql.bind_list(&all)
        .push(" AND t.agency = ")
        .bind(agency.code())
        .push(") OR (t.shared_with_case_team AND t.client_id IN ")
        .bind_list(&typ)
        .push(") OR (t.agency = 'EKSOTE' AND t.client_id IN ")
        .bind_list(social_consent)
        .push(") ORDER BY t.created_at DESC, t.id");
    let rows = query::<agency_note::Entity>(conn, &sql).await?;
    Ok(by_client(keys, rows, |r| r.client_id.as_str()))
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
#[derive(Debug, Clone, FromQueryResult)]
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
