//! The KTT notice: when KTT is granted, changed or terminated the county informs the
//! employment authority, whose expert gives Kela or the client's unemployment fund the
//! labour-policy statement (työvoimapoliittinen lausunto) on the activity: that the
//! conditions of the benefit are met during it, on its changed terms, or that it has ended
//! (Unemployment Security Act 1290/2002 ch. 2 a and ch. 11 s. 4: the statement binds Kela
//! and the fund). The notices wait in the employment authority's work list.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use entity::{ktt_decision, ktt_start_notice, labour_policy_statement, rehab_period};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, Order, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::audit::Recipient;
use crate::authz::FieldGroup;
use crate::domain::Agency;
use crate::error::{AppError, AppResult};
use crate::services::client::{self, ClientRecord};
use crate::services::cursor::{RowCursor, Sealer, Window};
use crate::services::write::{self, Scoped, Written};
use crate::services::{input, loads, RequestContext};

/// Leaves the notice of a decision on a period (a grant, change or termination) in the
/// employment authority's work list, with the period as the decision leaves it.
pub(super) async fn leave(
    rc: &RequestContext,
    sp: &DatabaseTransaction,
    decision: &ktt_decision::Model,
    period: &rehab_period::Model,
) -> AppResult<()> {
    let row = ktt_start_notice::ActiveModel {
        id: Set(uuid::Uuid::new_v4().to_string()),
        client_id: Set(decision.client_id.clone()),
        decision_id: Set(decision.id.clone()),
        kind: Set(decision.kind.clone()),
        period_id: Set(period.id.clone()),
        starts_on: Set(period.starts_on),
        ends_on: Set(crate::services::rehab::effective_end(period)),
        created_at: Set(rc.now),
        handled_at: Set(None),
        handled_by: Set(None),
        statement_id: Set(None),
    };
    ktt_start_notice::Entity::insert(row)
        .exec_without_returning(sp)
        .await?;
    Ok(())
}

/// The work list is the employment authority's: its officials who write BENEFIT (the
/// statements to Kela) see it and act on it; anyone else is `FORBIDDEN`.
fn employment_expert(rc: &RequestContext) -> AppResult<()> {
    if rc.principal().agency == Agency::Te && rc.principal().mask.may_write(FieldGroup::Benefit) {
        Ok(())
    } else {
        Err(AppError::Forbidden(None))
    }
}

/// A notice of the work list, with its client as the caller sees them.
pub struct Notice {
    pub row: ktt_start_notice::Model,
    pub client: ClientRecord,
    /// The number of the decision the notice comes from.
    pub decision_number: String,
}

/// One page of the work list, oldest first, each notice with its cursor.
pub struct NoticePage {
    pub notices: Vec<(RowCursor, Notice)>,
    pub has_next_page: bool,
    pub has_previous_page: bool,
}

/// The connection kind work-list cursors are sealed for.
const CURSOR_KIND: &str = "kttStartNotices";

/// The alias of the decision a notice's scope is read from.
const DECISION: &str = "kd";

/// The sort key of a notice, (created_at, id), as a cursor carries it.
fn key_of(row: &ktt_start_notice::Model) -> [String; 2] {
    [
        row.created_at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        row.id.clone(),
    ]
}

/// The sort key a cursor sealed by [`key_of`] carries, as the statement compares it.
fn key_values(values: Vec<String>) -> AppResult<Expr> {
    let broken = || AppError::internal("a sealed notice cursor is no sort key");
    let [at, id]: [String; 2] = values.try_into().map_err(|_| broken())?;
    let at = DateTime::parse_from_rfc3339(&at)
        .map_err(|_| broken())?
        .with_timezone(&Utc);
    Ok(Expr::tuple([Expr::value(at), Expr::value(id)]))
}

/// A page of the start notices of clients within the caller's scope, oldest first
/// (`created_at`, then id); `open`: only those waiting for a statement (or only those
/// handled). Each listed client's KTT data is logged as read (REHAB) by the fields
/// returned.
///
/// The page is one statement that walks the notices in list order (an index on
/// `(created_at, id)`, or its part of the notices still waiting) from the cursor, keeps
/// those whose decision is within the caller's scope (the decision probed by its key, with
/// the decisions' own scope condition) and stops at one more than the page; the page's
/// decisions and clients are then read by its ids. So a page costs what it lists, however
/// many notices the register holds.
pub async fn start_notices(
    rc: &RequestContext,
    open: Option<bool>,
    window: Window<'_>,
) -> AppResult<NoticePage> {
    employment_expert(rc)?;
    // A cursor is valid for the caller and the list (open, handled, all) it was made for.
    let list = match open {
        Some(true) => "open",
        Some(false) => "handled",
        None => "all",
    };
    let binding = [rc.principal().official_id.as_str(), list];
    let key = rc.cursor_key()?;
    let bound = |cursor| key_values(key.open(CURSOR_KIND, &binding, 2, cursor)?);
    let after = window.after.map(bound).transpose()?;
    let before = window.before.map(bound).transpose()?;

    // A notice is as visible as the decision it comes from.
    let decision_in_scope = Query::select()
        .expr(Expr::Constant(1.into()))
        .from_as(ktt_decision::Entity, DECISION)
        .and_where(Expr::col((DECISION, ktt_decision::Column::Id)).equals((
            ktt_start_notice::Entity,
            ktt_start_notice::Column::DecisionId,
        )))
        .and_where(loads::decisions_in_scope(&rc.scope, DECISION))
        .to_owned();
    let mut q = ktt_start_notice::Entity::find().filter(Expr::exists(decision_in_scope));
    q = match open {
        Some(true) => q.filter(ktt_start_notice::Column::HandledAt.is_null()),
        Some(false) => q.filter(ktt_start_notice::Column::HandledAt.is_not_null()),
        None => q,
    };
    let sort_key = || {
        Expr::tuple([
            Expr::col((
                ktt_start_notice::Entity,
                ktt_start_notice::Column::CreatedAt,
            )),
            Expr::col((ktt_start_notice::Entity, ktt_start_notice::Column::Id)),
        ])
    };
    if let Some(after) = after {
        q = q.filter(sort_key().gt(after));
    }
    if let Some(before) = before {
        q = q.filter(sort_key().lt(before));
    }
    let direction = if window.backward {
        Order::Desc
    } else {
        Order::Asc
    };
    let rows = q
        .order_by(ktt_start_notice::Column::CreatedAt, direction.clone())
        .order_by(ktt_start_notice::Column::Id, direction)
        .limit(window.size + 1)
        .all(rc.db())
        .await?;
    let (rows, one_more) = window.take(rows);
    let mut page = NoticePage {
        notices: Vec::with_capacity(rows.len()),
        has_next_page: window.has_next_page(one_more),
        has_previous_page: window.has_previous_page(one_more),
    };
    if rows.is_empty() {
        return Ok(page);
    }
    let numbers: HashMap<String, String> = ktt_decision::Entity::find()
        .filter(ktt_decision::Column::Id.is_in(rows.iter().map(|r| r.decision_id.clone())))
        .all(rc.db())
        .await?
        .into_iter()
        .map(|d| (d.id, d.decision_number))
        .collect();
    let ids: Vec<String> = rows.iter().map(|r| r.client_id.clone()).collect();
    let clients: HashMap<String, ClientRecord> = client::find_all(rc, &ids)
        .await?
        .into_iter()
        .map(|c| (c.row.id.clone(), c))
        .collect();
    // The clients are read with the whole visibility rule and their TYP flags in one
    // statement. A decision within the scope is one of a visible client, so no notice of
    // the page is left out here; were one, the page would be shorter and the next would
    // start after its last listed notice, never skipping one.
    let sealer = Sealer::new(key, CURSOR_KIND, &binding);
    for row in rows {
        let (Some(client), Some(number)) =
            (clients.get(&row.client_id), numbers.get(&row.decision_id))
        else {
            continue;
        };
        let [at, id] = key_of(&row);
        page.notices.push((
            RowCursor::new(&sealer, &[at.as_str(), id.as_str()]),
            Notice {
                client: client.clone(),
                decision_number: number.clone(),
                row,
            },
        ));
    }
    Ok(page)
}

/// To whom a labour-policy statement goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementTo {
    Kela,
    UnemploymentFund,
}

/// The statement the employment expert issues on a start notice.
pub struct NewStatement {
    pub notice_id: String,
    pub recipient: StatementTo,
    /// The fund's name, for (and only for) a statement to an unemployment fund.
    pub fund_name: Option<String>,
    pub content: String,
    pub issued_on: NaiveDate,
}

/// Issues the labour-policy statement on a start notice (BENEFIT write, the employment
/// authority only): the statement is recorded, the notice handled, and the disclosure of
/// the client's data to Kela or the fund written to the disclosure log as a statutory one.
/// `CONFLICT` once the notice is handled.
pub async fn issue_statement(
    rc: &RequestContext,
    s: NewStatement,
) -> AppResult<Scoped<labour_policy_statement::Model>> {
    let written = write::scoped(rc, FieldGroup::Benefit, async |sp| {
        employment_expert(rc)?;
        let notice = ktt_start_notice::Entity::find_by_id(s.notice_id.clone())
            .one(rc.db())
            .await?
            .ok_or(AppError::NotFound)?;
        loads::ktt_decision_in_scope(rc.db(), &rc.scope, &notice.decision_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let client = crate::services::case::visible_client(rc, &notice.client_id).await?;
        if notice.handled_at.is_some() {
            return Err(AppError::Conflict(
                "the notice is already handled by a statement".into(),
            ));
        }
        if s.issued_on > rc.today {
            return Err(AppError::bad_input(
                "issuedOn",
                "issuedOn cannot be in the future",
            ));
        }
        if s.issued_on < notice.created_at.date_naive() {
            return Err(AppError::bad_input(
                "issuedOn",
                "the statement follows the notice",
            ));
        }
        let fund = input::optional_text("fundName", s.fund_name.as_deref(), 200)?;
        let (recipient, fund) = match (s.recipient, fund) {
            (StatementTo::Kela, None) => ("KELA", None),
            (StatementTo::Kela, Some(_)) => {
                return Err(AppError::bad_input(
                    "fundName",
                    "a statement to Kela names no fund",
                ))
            }
            (StatementTo::UnemploymentFund, Some(f)) => ("UNEMPLOYMENT_FUND", Some(f)),
            (StatementTo::UnemploymentFund, None) => {
                return Err(AppError::bad_input(
                    "fundName",
                    "a statement to an unemployment fund names the fund",
                ))
            }
        };
        let content = input::required_text("content", &s.content, 4000)?;
        let id = uuid::Uuid::new_v4().to_string();
        let row = labour_policy_statement::ActiveModel {
            id: Set(id.clone()),
            client_id: Set(client.row.id.clone()),
            issued_on: Set(s.issued_on),
            issued_by: Set(rc.principal().official_id.clone()),
            statement_kind: Set(statement_kind(&notice.kind).to_owned()),
            content: Set(content),
            recipient: Set(Some(recipient.to_owned())),
            fund_name: Set(fund.clone()),
        };
        labour_policy_statement::Entity::insert(row)
            .exec_without_returning(sp)
            .await?;
        let handled = ktt_start_notice::Entity::update_many()
            .col_expr(ktt_start_notice::Column::HandledAt, Expr::value(rc.now))
            .col_expr(
                ktt_start_notice::Column::HandledBy,
                Expr::value(rc.principal().official_id.clone()),
            )
            .col_expr(
                ktt_start_notice::Column::StatementId,
                Expr::value(id.clone()),
            )
            .filter(ktt_start_notice::Column::Id.eq(notice.id.clone()))
            .filter(ktt_start_notice::Column::HandledAt.is_null())
            .exec(sp)
            .await?;
        if handled.rows_affected != 1 {
            return Err(AppError::Conflict(
                "the notice is already handled by a statement".into(),
            ));
        }
        let row = labour_policy_statement::Entity::find_by_id(id)
            .one(sp)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(Written::of(&client, row))
    })
    .await?;
    disclose(rc, &written.row);
    Ok(written)
}

/// What a statement on a notice states about the activity: its start, its changed terms,
/// its end.
fn statement_kind(notice_kind: &str) -> &'static str {
    match notice_kind {
        "CHANGE" => "KTT_CHANGE",
        "TERMINATE" => "KTT_END",
        _ => "KTT_START",
    }
}

/// The statute the labour-policy statement is given under: it binds Kela and the
/// unemployment fund (Unemployment Security Act 1290/2002 ch. 11 s. 4).
pub const STATEMENT_SECTION: &str = "1290/2002 ch. 11 s. 4";

/// Logs the statement, once written, as a statutory disclosure to Kela or the named fund:
/// the statement itself (BENEFIT) and the KTT period it rests on (REHAB). Written with the
/// request's access-log row, in the same transaction as the statement.
fn disclose(rc: &RequestContext, statement: &labour_policy_statement::Model) {
    let recipient = match (statement.recipient.as_deref(), &statement.fund_name) {
        (Some("UNEMPLOYMENT_FUND"), Some(fund)) => Recipient::Body(fund.clone()),
        _ => Recipient::Agency(Agency::Kela),
    };
    for group in [FieldGroup::Benefit, FieldGroup::Rehab] {
        rc.recorder.disclose_statutory(
            &statement.client_id,
            recipient.clone(),
            group,
            STATEMENT_SECTION,
        );
    }
}
