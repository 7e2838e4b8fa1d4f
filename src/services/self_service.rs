//! The client's own view (act 703/2023 § 11, GDPR art. 15): a client signed in with their
//! own token reads their case in plain terms and who has processed their data, and may
//! withdraw a consent. Every statement here is bound to the signed-in client's id; nothing
//! takes another client's id from the request. Rights come from the policy's `OWN/*` objects.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Months, NaiveDate, Utc};
use entity::{
    agreed_action, allowance_line, attendance_day, consent, employment_plan, network_meeting,
    rehab_period, typ_case,
};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, FromQueryResult};

use super::RequestContext;
use crate::audit::Action;
use crate::authz::{ClientCaller, FieldGroup, FieldMask, Managed};
use crate::db::Sql;
use crate::error::{AppError, AppResult};

/// Signs in the client a token names: the client must exist and be alive.
pub async fn sign_in(
    conn: &impl ConnectionTrait,
    mask: Arc<FieldMask>,
    client_id: &str,
) -> Result<Option<ClientCaller>, DbErr> {
    let mut sql = Sql::new(
        "SELECT c.id, c.first_name, c.last_name, c.date_of_death FROM client c WHERE c.id = ",
    );
    sql.bind(client_id);
    let Some(row) = conn.query_one_raw(sql.build_for(conn)).await? else {
        return Ok(None);
    };
    if row
        .try_get::<Option<NaiveDate>>("", "date_of_death")?
        .is_some()
    {
        return Ok(None);
    }
    Ok(Some(ClientCaller {
        client_id: row.try_get("", "id")?,
        first_name: row.try_get("", "first_name")?,
        last_name: row.try_get("", "last_name")?,
        mask,
    }))
}

/// Whether a living client has this id (for `typgraph token --role CLIENT`).
pub async fn exists(conn: &impl ConnectionTrait, client_id: &str) -> Result<bool, DbErr> {
    let mask = Arc::new(FieldMask::empty());
    Ok(sign_in(conn, mask, client_id).await?.is_some())
}

/// The demo client whose token `serve --demo` prints: the first (by id) with an open case,
/// a plan, a work try-out and a consent, so every part of the own view has something.
pub async fn demo_client(conn: &impl ConnectionTrait) -> Result<Option<String>, DbErr> {
    let sql = Sql::new(
        "SELECT c.id FROM client c WHERE c.date_of_death IS NULL \
         AND EXISTS (SELECT 1 FROM typ_case t JOIN employment_plan p ON p.case_id = t.id WHERE t.client_id = c.id AND t.ended_on IS NULL) \
         AND EXISTS (SELECT 1 FROM rehab_period r WHERE r.client_id = c.id) \
         AND EXISTS (SELECT 1 FROM consent k WHERE k.client_id = c.id) \
         ORDER BY c.id LIMIT 1",
    );
    Ok(match conn.query_one_raw(sql.build_for(conn)).await? {
        Some(r) => Some(r.try_get("", "id")?),
        None => None,
    })
}

/// The client a request of the client schema acts for; an internal error on an official's.
pub fn me(rc: &RequestContext) -> AppResult<&ClientCaller> {
    rc.caller
        .client()
        .ok_or_else(|| AppError::internal("client request without a client"))
}

fn id(rc: &RequestContext) -> AppResult<String> {
    Ok(me(rc)?.client_id.clone())
}

/// Refuses unless the policy gives the CLIENT role `what` (`write`: the write action);
/// notes the root field for the client's own log.
pub fn require<'a>(
    rc: &'a RequestContext,
    what: Managed,
    write: bool,
    operation: &str,
) -> AppResult<&'a ClientCaller> {
    let me = me(rc)?;
    if !me.mask.may_manage(what, write) {
        return Err(AppError::Forbidden(None));
    }
    rc.recorder.operation(operation);
    Ok(me)
}

/// Notes, for the client's own log, that their data of `group` was read (or written).
pub fn touch(rc: &RequestContext, action: Action, group: FieldGroup) {
    if let Some(me) = rc.caller.client() {
        match action {
            Action::Read => rc.recorder.read(&me.client_id, group, None),
            Action::Write => rc.recorder.write(&me.client_id, group),
        }
    }
}

/// The client's current TYP case (the open one, else the latest closed) and the name of
/// the responsible officer.
pub async fn case(rc: &RequestContext) -> AppResult<Option<(typ_case::Model, Option<String>)>> {
    let mut sql = Sql::new("SELECT t.* FROM typ_case t WHERE t.client_id = ");
    sql.bind(id(rc)?)
        .push(" ORDER BY (t.ended_on IS NULL) DESC, t.opened_on DESC, t.id LIMIT 1");
    let Some(case) = typ_case::Entity::find()
        .from_raw_sql(sql.build_for(rc.db()))
        .one(rc.db())
        .await?
    else {
        return Ok(None);
    };
    let officer = official_name(rc, &case.responsible_official_id).await?;
    Ok(Some((case, officer)))
}

async fn official_name(rc: &RequestContext, id: &str) -> AppResult<Option<String>> {
    let mut sql = Sql::new("SELECT o.name FROM official o WHERE o.id = ");
    sql.bind(id.to_owned());
    Ok(match rc.db().query_one_raw(sql.build_for(rc.db())).await? {
        Some(r) => Some(r.try_get("", "name")?),
        None => None,
    })
}

/// The latest plan of a case of the client's, with its agreed actions by due date.
pub async fn plan(
    rc: &RequestContext,
    case_id: &str,
) -> AppResult<Option<(employment_plan::Model, Vec<agreed_action::Model>)>> {
    // The case is the client's: joined, not trusted.
    let mut sql = Sql::new("SELECT p.* FROM employment_plan p JOIN typ_case t ON t.id = p.case_id WHERE t.client_id = ");
    sql.bind(id(rc)?)
        .push(" AND p.case_id = ")
        .bind(case_id.to_owned())
        .push(" ORDER BY p.made_on DESC, p.id LIMIT 1");
    let Some(plan) = employment_plan::Entity::find()
        .from_raw_sql(sql.build_for(rc.db()))
        .one(rc.db())
        .await?
    else {
        return Ok(None);
    };
    let mut sql = Sql::new("SELECT a.* FROM agreed_action a WHERE a.plan_id = ");
    sql.bind(plan.id.clone()).push(" ORDER BY a.due_on, a.id");
    let actions = agreed_action::Entity::find()
        .from_raw_sql(sql.build_for(rc.db()))
        .all(rc.db())
        .await?;
    Ok(Some((plan, actions)))
}

/// A KTT period with its placement's name.
pub struct OwnPeriod {
    pub row: rehab_period::Model,
    pub placement: String,
}

/// The client's KTT periods, newest first.
pub async fn periods(rc: &RequestContext) -> AppResult<Vec<OwnPeriod>> {
    #[derive(FromQueryResult)]
    struct Name {
        id: String,
        name: String,
    }
    let mut sql = Sql::new("SELECT t.* FROM rehab_period t WHERE t.client_id = ");
    sql.bind(id(rc)?).push(" ORDER BY t.starts_on DESC, t.id");
    let rows = rehab_period::Entity::find()
        .from_raw_sql(sql.build_for(rc.db()))
        .all(rc.db())
        .await?;
    let ids: Vec<String> = rows.iter().map(|r| r.provider_id.clone()).collect();
    let mut names = BTreeMap::new();
    if !ids.is_empty() {
        let mut sql = Sql::new("SELECT p.id, p.name FROM provider p WHERE p.id IN ");
        sql.bind_list(&ids);
        for n in Name::find_by_statement(sql.build_for(rc.db()))
            .all(rc.db())
            .await?
        {
            names.insert(n.id, n.name);
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| OwnPeriod {
            placement: names.get(&row.provider_id).cloned().unwrap_or_default(),
            row,
        })
        .collect())
}

/// Recorded days of one of the client's periods, newest first, at most `last`.
pub async fn attendance(
    rc: &RequestContext,
    period_id: &str,
    last: u64,
) -> AppResult<Vec<attendance_day::Model>> {
    let mut sql = Sql::new("SELECT d.* FROM attendance_day d JOIN rehab_period p ON p.id = d.period_id WHERE p.client_id = ");
    sql.bind(id(rc)?)
        .push(" AND d.period_id = ")
        .bind(period_id.to_owned())
        .push(" ORDER BY d.day DESC LIMIT ")
        .bind(i64::try_from(last).unwrap_or(i64::MAX));
    Ok(attendance_day::Entity::find()
        .from_raw_sql(sql.build_for(rc.db()))
        .all(rc.db())
        .await?)
}

/// Allowance lines of all the client's periods, newest month first.
pub async fn allowances(rc: &RequestContext) -> AppResult<Vec<allowance_line::Model>> {
    let mut sql = Sql::new("SELECT l.* FROM allowance_line l JOIN rehab_period p ON p.id = l.period_id WHERE p.client_id = ");
    sql.bind(id(rc)?)
        .push(" ORDER BY l.month DESC, l.kind, l.id");
    Ok(allowance_line::Entity::find()
        .from_raw_sql(sql.build_for(rc.db()))
        .all(rc.db())
        .await?)
}

/// Scheduled network meetings from now on, soonest first, with the agencies taking part.
pub async fn upcoming_meetings(
    rc: &RequestContext,
) -> AppResult<Vec<(network_meeting::Model, Vec<String>)>> {
    let mut sql = Sql::new("SELECT m.* FROM network_meeting m WHERE m.client_id = ");
    sql.bind(id(rc)?)
        .push(" AND m.status = 'SCHEDULED' AND m.scheduled_at >= ")
        .bind(rc.now)
        .push(" ORDER BY m.scheduled_at, m.id");
    let meetings = network_meeting::Entity::find()
        .from_raw_sql(sql.build_for(rc.db()))
        .all(rc.db())
        .await?;
    let ids: Vec<String> = meetings.iter().map(|m| m.id.clone()).collect();
    let mut agencies: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    if !ids.is_empty() {
        let mut sql = Sql::new("SELECT p.meeting_id, p.agency FROM meeting_participant p WHERE p.agency IS NOT NULL AND p.meeting_id IN ");
        sql.bind_list(&ids);
        for r in rc.db().query_all_raw(sql.build_for(rc.db())).await? {
            agencies
                .entry(r.try_get("", "meeting_id")?)
                .or_default()
                .insert(r.try_get("", "agency")?);
        }
    }
    Ok(meetings
        .into_iter()
        .map(|m| {
            let a = agencies.remove(&m.id).unwrap_or_default();
            (m, a.into_iter().collect())
        })
        .collect())
}

/// The client's consents, newest first, with the groups each names.
pub async fn consents(rc: &RequestContext) -> AppResult<Vec<(consent::Model, Vec<String>)>> {
    let mut sql = Sql::new("SELECT t.* FROM consent t WHERE t.client_id = ");
    sql.bind(id(rc)?).push(" ORDER BY t.given_on DESC, t.id");
    let rows = consent::Entity::find()
        .from_raw_sql(sql.build_for(rc.db()))
        .all(rc.db())
        .await?;
    groups_of(rc, rows).await
}

async fn groups_of(
    rc: &RequestContext,
    rows: Vec<consent::Model>,
) -> AppResult<Vec<(consent::Model, Vec<String>)>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if !ids.is_empty() {
        let mut sql = Sql::new(
            "SELECT g.consent_id, g.field_group FROM consent_field_group g WHERE g.consent_id IN ",
        );
        sql.bind_list(&ids)
            .push(" ORDER BY g.consent_id, g.field_group");
        for r in rc.db().query_all_raw(sql.build_for(rc.db())).await? {
            groups
                .entry(r.try_get("", "consent_id")?)
                .or_default()
                .push(r.try_get("", "field_group")?);
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let g = groups.remove(&r.id).unwrap_or_default();
            (r, g)
        })
        .collect())
}

/// Withdraws one of the client's own consents from today. Another client's consent is
/// `NOT_FOUND`, exactly like one that does not exist.
pub async fn withdraw_consent(
    rc: &RequestContext,
    consent_id: &str,
) -> AppResult<(consent::Model, Vec<String>)> {
    let mut sql = Sql::new("SELECT t.* FROM consent t WHERE t.client_id = ");
    sql.bind(id(rc)?)
        .push(" AND t.id = ")
        .bind(consent_id.to_owned());
    let row = consent::Entity::find()
        .from_raw_sql(sql.build_for(rc.db()))
        .one(rc.db())
        .await?
        .ok_or(AppError::NotFound)?;
    let row = super::consent::mark_withdrawn(rc.db(), row, rc.today).await?;
    touch(rc, Action::Write, FieldGroup::Case);
    let mut out = groups_of(rc, vec![row]).await?;
    out.pop().ok_or(AppError::NotFound)
}

/// One row of the client's access log as the client sees it.
pub struct OwnLogEntry {
    pub id: i64,
    /// This row's cursor, to pass as `after` for the rows after it.
    pub cursor: String,
    pub at: DateTime<Utc>,
    pub agency: String,
    pub roles: String,
    pub official_name: String,
    pub action: String,
    pub field_groups: String,
    pub operation: String,
    /// Groups disclosed under a consent: (group, consent id).
    pub disclosures: Vec<(String, String)>,
    /// Made under a break-glass grant (an urgent opening outside the official's scope).
    pub urgent: bool,
}

/// The officials' reads and writes of the client's data since the look-back (two years by
/// default), newest first.
pub async fn access_log(
    rc: &RequestContext,
    first: Option<i32>,
    after: Option<&str>,
) -> AppResult<(Vec<OwnLogEntry>, bool)> {
    let since = rc
        .now
        .checked_sub_months(Months::new(rc.settings.own_log_years * 12))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let me = me(rc)?;
    let cursors = super::access_log::LogCursors {
        key: rc.cursor_key()?,
        reader: &me.client_id,
        view: "own",
    };
    let page =
        super::access_log::page_of(rc.db(), &cursors, &me.client_id, Some(since), first, after)
            .await?;
    let officials: BTreeSet<String> = page
        .rows
        .iter()
        .map(|r| r.row.official_id.clone())
        .collect();
    let mut names = BTreeMap::new();
    if !officials.is_empty() {
        let ids: Vec<String> = officials.into_iter().collect();
        let mut sql = Sql::new("SELECT o.id, o.name FROM official o WHERE o.id IN ");
        sql.bind_list(&ids);
        for r in rc.db().query_all_raw(sql.build_for(rc.db())).await? {
            names.insert(
                r.try_get::<String>("", "id")?,
                r.try_get::<String>("", "name")?,
            );
        }
    }
    let rows = page
        .rows
        .into_iter()
        .map(|l| (l.row, l.disclosures, l.break_glass, l.cursor))
        .map(|(r, d, g, cursor)| OwnLogEntry {
            urgent: g.is_some(),
            cursor,
            id: r.id,
            at: r.at,
            agency: r.agency,
            roles: r.roles,
            official_name: names.get(&r.official_id).cloned().unwrap_or_default(),
            action: r.action,
            field_groups: r.field_groups,
            operation: r.operation,
            disclosures: d
                .into_iter()
                .map(|d| (d.field_group, d.consent_id))
                .collect(),
        })
        .collect();
    Ok((rows, page.has_next_page))
}
