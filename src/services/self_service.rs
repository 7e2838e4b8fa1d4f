//! The client's own view (act 703/2023 § 11, GDPR art. 15): a client signed in with their
//! own token reads their case in plain terms and who has processed their data, and may
//! withdraw a consent. Every statement here is bound to the signed-in client's id; nothing
//! takes another client's id from the request. Rights come from the policy's `OWN/*` objects.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Months, Utc};
use entity::{
    agreed_action, allowance_line, attendance_day, client, consent, consent_field_group,
    employment_plan, meeting_participant, network_meeting, official, provider, rehab_period,
    typ_case,
};
use sea_orm::sea_query::{Expr, ExprTrait, JoinType, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    RelationDef,
};

use super::RequestContext;
use crate::audit::Action;
use crate::authz::store::{newest_number_expr, PolicyStore};
use crate::authz::{ClientCaller, FieldGroup, Managed};
use crate::domain::Role;
use crate::error::{AppError, AppResult};

/// A client a token may name: one alive and not merged into another (a temporary client
/// merged into another signs in as the permanent one only).
fn signable(client_id: &str) -> sea_orm::Select<client::Entity> {
    client::Entity::find_by_id(client_id)
        .filter(client::Column::MergedInto.is_null())
        .filter(client::Column::DateOfDeath.is_null())
}

/// Signs in the client a token names: the client must exist and be alive. The client's
/// rights come from the policy in force as of this statement (see
/// [`PolicyStore::at_least`]).
pub async fn sign_in(
    conn: &impl ConnectionTrait,
    policy: &PolicyStore,
    client_id: &str,
) -> AppResult<Option<ClientCaller>> {
    let row = signable(client_id)
        .select_only()
        .columns([
            client::Column::Id,
            client::Column::FirstName,
            client::Column::LastName,
        ])
        .expr_as(newest_number_expr(), "policy_version")
        .into_tuple::<(String, String, String, i64)>()
        .one(conn)
        .await?;
    let Some((client_id, first_name, last_name, seen)) = row else {
        return Ok(None);
    };
    let mask = policy.at_least(conn, seen).await?.policy.mask(Role::Client);
    Ok(Some(ClientCaller {
        client_id,
        first_name,
        last_name,
        mask,
    }))
}

/// Whether a living client has this id (for `typgraph token --role CLIENT`).
pub async fn exists(conn: &impl ConnectionTrait, client_id: &str) -> Result<bool, DbErr> {
    Ok(signable(client_id)
        .select_only()
        .column(client::Column::Id)
        .into_tuple::<String>()
        .one(conn)
        .await?
        .is_some())
}

/// The demo client whose token `serve --demo` prints: the first (by id) with an open case,
/// a plan, a KTT period and a consent, so every part of the own view has something.
pub async fn demo_client(conn: &impl ConnectionTrait) -> Result<Option<String>, DbErr> {
    let of_client = |column: Expr| column.equals((client::Entity, client::Column::Id));
    let planned_case = Query::select()
        .expr(Expr::val(1))
        .from(typ_case::Entity)
        .inner_join(
            employment_plan::Entity,
            Expr::col((employment_plan::Entity, employment_plan::Column::CaseId))
                .equals((typ_case::Entity, typ_case::Column::Id)),
        )
        .and_where(of_client(Expr::col((
            typ_case::Entity,
            typ_case::Column::ClientId,
        ))))
        .and_where(Expr::col((typ_case::Entity, typ_case::Column::EndedOn)).is_null())
        .to_owned();
    let period = Query::select()
        .expr(Expr::val(1))
        .from(rehab_period::Entity)
        .and_where(of_client(Expr::col((
            rehab_period::Entity,
            rehab_period::Column::ClientId,
        ))))
        .to_owned();
    let consent = Query::select()
        .expr(Expr::val(1))
        .from(consent::Entity)
        .and_where(of_client(Expr::col((
            consent::Entity,
            consent::Column::ClientId,
        ))))
        .to_owned();
    client::Entity::find()
        .select_only()
        .column(client::Column::Id)
        .filter(client::Column::DateOfDeath.is_null())
        .filter(Expr::exists(planned_case))
        .filter(Expr::exists(period))
        .filter(Expr::exists(consent))
        .order_by_asc(client::Column::Id)
        .into_tuple::<String>()
        .one(conn)
        .await
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
    let Some(case) = typ_case::Entity::find()
        .filter(typ_case::Column::ClientId.eq(id(rc)?))
        .order_by_desc(typ_case::Column::EndedOn.is_null())
        .order_by_desc(typ_case::Column::OpenedOn)
        .order_by_asc(typ_case::Column::Id)
        .one(rc.db())
        .await?
    else {
        return Ok(None);
    };
    let officer = official_name(rc, &case.responsible_official_id).await?;
    Ok(Some((case, officer)))
}

async fn official_name(rc: &RequestContext, id: &str) -> AppResult<Option<String>> {
    Ok(official::Entity::find_by_id(id)
        .select_only()
        .column(official::Column::Name)
        .into_tuple::<String>()
        .one(rc.db())
        .await?)
}

/// The latest plan of a case of the client's, with its agreed actions by due date.
pub async fn plan(
    rc: &RequestContext,
    case_id: &str,
) -> AppResult<Option<(employment_plan::Model, Vec<agreed_action::Model>)>> {
    // The case is the client's: joined, not trusted.
    let of_case = employment_plan::Entity::belongs_to(typ_case::Entity)
        .from(employment_plan::Column::CaseId)
        .to(typ_case::Column::Id);
    let Some(plan) = employment_plan::Entity::find()
        .join(JoinType::InnerJoin, RelationDef::from(of_case))
        .filter(typ_case::Column::ClientId.eq(id(rc)?))
        .filter(employment_plan::Column::CaseId.eq(case_id))
        .order_by_desc(employment_plan::Column::MadeOn)
        .order_by_asc(employment_plan::Column::Id)
        .one(rc.db())
        .await?
    else {
        return Ok(None);
    };
    let actions = agreed_action::Entity::find()
        .filter(agreed_action::Column::PlanId.eq(plan.id.clone()))
        .order_by_asc(agreed_action::Column::DueOn)
        .order_by_asc(agreed_action::Column::Id)
        .all(rc.db())
        .await?;
    Ok(Some((plan, actions)))
}

/// The names of the rows of `E` with the given ids, by id, from its `(id, name)` columns.
async fn names_by_id<E: EntityTrait>(
    rc: &RequestContext,
    (id, name): (E::Column, E::Column),
    ids: impl IntoIterator<Item = String>,
) -> AppResult<BTreeMap<String, String>> {
    let mut ids = ids.into_iter().peekable();
    if ids.peek().is_none() {
        return Ok(BTreeMap::new());
    }
    Ok(E::find()
        .select_only()
        .columns([id, name])
        .filter(id.is_in(ids))
        .into_tuple::<(String, String)>()
        .all(rc.db())
        .await?
        .into_iter()
        .collect())
}

/// A KTT period with its placement's name.
pub struct OwnPeriod {
    pub row: rehab_period::Model,
    pub placement: String,
}

/// The client's KTT periods, newest first.
pub async fn periods(rc: &RequestContext) -> AppResult<Vec<OwnPeriod>> {
    let rows = rehab_period::Entity::find()
        .filter(rehab_period::Column::ClientId.eq(id(rc)?))
        .order_by_desc(rehab_period::Column::StartsOn)
        .order_by_asc(rehab_period::Column::Id)
        .all(rc.db())
        .await?;
    let ids: Vec<String> = rows.iter().map(|r| r.provider_id.clone()).collect();
    let columns = (provider::Column::Id, provider::Column::Name);
    let names = names_by_id::<provider::Entity>(rc, columns, ids).await?;
    Ok(rows
        .into_iter()
        .map(|row| OwnPeriod {
            placement: names.get(&row.provider_id).cloned().unwrap_or_default(),
            row,
        })
        .collect())
}

/// Competence recognised from the client's periods (opinnollistaminen), newest certificate
/// first.
pub async fn competence(rc: &RequestContext) -> AppResult<Vec<entity::competence_record::Model>> {
    use entity::competence_record::{Column, Entity};
    Ok(Entity::find()
        .filter(Column::ClientId.eq(id(rc)?))
        .order_by_desc(Column::CertifiedOn)
        .order_by_asc(Column::Id)
        .all(rc.db())
        .await?)
}

/// Recorded days of one of the client's periods, newest first, at most `last`.
pub async fn attendance(
    rc: &RequestContext,
    period_id: &str,
    last: u64,
) -> AppResult<Vec<attendance_day::Model>> {
    let of_period = attendance_day::Entity::belongs_to(rehab_period::Entity)
        .from(attendance_day::Column::PeriodId)
        .to(rehab_period::Column::Id);
    Ok(attendance_day::Entity::find()
        .join(JoinType::InnerJoin, RelationDef::from(of_period))
        .filter(rehab_period::Column::ClientId.eq(id(rc)?))
        .filter(attendance_day::Column::PeriodId.eq(period_id))
        // A voided day (the period ended early, an interruption, a closure) is not shown.
        .filter(attendance_day::Column::VoidedAt.is_null())
        .order_by_desc(attendance_day::Column::Day)
        // Bound as a signed 64-bit number on PostgreSQL.
        .limit(Ord::min(last, i64::MAX.unsigned_abs()))
        .all(rc.db())
        .await?)
}

/// Allowance lines of all the client's periods, newest month first.
pub async fn allowances(rc: &RequestContext) -> AppResult<Vec<allowance_line::Model>> {
    let of_period = allowance_line::Entity::belongs_to(rehab_period::Entity)
        .from(allowance_line::Column::PeriodId)
        .to(rehab_period::Column::Id);
    Ok(allowance_line::Entity::find()
        .join(JoinType::InnerJoin, RelationDef::from(of_period))
        .filter(rehab_period::Column::ClientId.eq(id(rc)?))
        .order_by_desc(allowance_line::Column::Month)
        .order_by_asc(allowance_line::Column::Kind)
        .order_by_asc(allowance_line::Column::Id)
        .all(rc.db())
        .await?)
}

/// Scheduled network meetings from now on, soonest first, with the agencies taking part.
pub async fn upcoming_meetings(
    rc: &RequestContext,
) -> AppResult<Vec<(network_meeting::Model, Vec<String>)>> {
    let meetings = network_meeting::Entity::find()
        .filter(network_meeting::Column::ClientId.eq(id(rc)?))
        .filter(network_meeting::Column::Status.eq("SCHEDULED"))
        .filter(network_meeting::Column::ScheduledAt.gte(rc.now))
        .order_by_asc(network_meeting::Column::ScheduledAt)
        .order_by_asc(network_meeting::Column::Id)
        .all(rc.db())
        .await?;
    let ids: Vec<String> = meetings.iter().map(|m| m.id.clone()).collect();
    let mut agencies: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    if !ids.is_empty() {
        let rows = meeting_participant::Entity::find()
            .select_only()
            .columns([
                meeting_participant::Column::MeetingId,
                meeting_participant::Column::Agency,
            ])
            .filter(meeting_participant::Column::Agency.is_not_null())
            .filter(meeting_participant::Column::MeetingId.is_in(ids))
            .into_tuple::<(String, String)>()
            .all(rc.db())
            .await?;
        for (meeting, agency) in rows {
            agencies.entry(meeting).or_default().insert(agency);
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
    let rows = consent::Entity::find()
        .filter(consent::Column::ClientId.eq(id(rc)?))
        .order_by_desc(consent::Column::GivenOn)
        .order_by_asc(consent::Column::Id)
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
        let rows = consent_field_group::Entity::find()
            .select_only()
            .columns([
                consent_field_group::Column::ConsentId,
                consent_field_group::Column::FieldGroup,
            ])
            .filter(consent_field_group::Column::ConsentId.is_in(ids))
            .order_by_asc(consent_field_group::Column::ConsentId)
            .order_by_asc(consent_field_group::Column::FieldGroup)
            .into_tuple::<(String, String)>()
            .all(rc.db())
            .await?;
        for (consent, group) in rows {
            groups.entry(consent).or_default().push(group);
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
    let row = consent::Entity::find()
        .filter(consent::Column::ClientId.eq(id(rc)?))
        .filter(consent::Column::Id.eq(consent_id))
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
    pub cursor: super::cursor::RowCursor,
    pub at: DateTime<Utc>,
    pub agency: String,
    pub roles: String,
    pub official_name: String,
    pub action: String,
    pub field_groups: String,
    pub operation: String,
    /// What admitted the access, as recorded (`None` on rows logged before it was).
    pub basis: Option<String>,
    /// The disclosures this access made (on a consent or a statute).
    pub disclosures: Vec<entity::disclosure_log::Model>,
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
    let page = super::access_log::page_of(
        rc.db(),
        &cursors,
        &me.client_id,
        Some(since),
        super::cursor::Window::forward(first, after)?,
    )
    .await?;
    let officials: BTreeSet<String> = page
        .rows
        .iter()
        .map(|r| r.row.official_id.clone())
        .collect();
    let columns = (official::Column::Id, official::Column::Name);
    let names = names_by_id::<official::Entity>(rc, columns, officials).await?;
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
            basis: r.basis,
            disclosures: d,
        })
        .collect();
    Ok((rows, page.has_next_page))
}
