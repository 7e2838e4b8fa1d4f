//! Exports of a month's KTT allowances to the body that pays them, each recorded so that
//! the next export to the same recipient corrects any month it delivered before.
//!
//! - Kela and each unemployment fund receive a confirmation of participation days per
//!   client and month (no amounts): they pay the expense allowance (kulukorvaus) with the
//!   unemployment benefit and compute it themselves (Unemployment Security Act 1290/2002
//!   ch. 10; act 189/2001 s. 17). It is a disclosure to another body, logged per client.
//! - The county's payment list holds its own payments, toimintaraha and travel compensation
//!   with amounts (act 189/2001 s. 18 as amended by 1025/2022); read per client and logged
//!   as such (no other body receives it).
//!
//! An export carries the lines of its month not delivered before and, for every month this
//! recipient received before (the export's own month included), a correction line for each
//! period and kind whose days or cents changed since: the difference, marking the export
//! that first delivered that month of the period. What an export carried is recorded, so
//! exporting again sends only what changed, never a line twice.

use std::collections::BTreeMap;

use entity::{allowance_export, allowance_export_line, allowance_line, client, rehab_period};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use super::write::{self, Written};
use super::{loads, RequestContext};
use crate::authz::{FieldGroup, FieldId, ReadAccess};
use crate::domain::benefit::{COUNTY, FUND, KELA};
use crate::domain::Agency;
use crate::error::{AppError, AppResult};

/// Who an export goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    /// Kela: a confirmation of participation days (kulukorvaus with Kela's benefits).
    Kela,
    /// An unemployment fund: a confirmation of participation days (with its
    /// earnings-related allowance).
    Fund(String),
    /// The county itself: its payment list of toimintaraha and travel compensation.
    County,
}

impl Recipient {
    /// `recipient` (KELA, FUND, EKSOTE) and, for a fund, its name, as the request gives them.
    pub fn parse(recipient: &str, fund: Option<&str>) -> AppResult<Recipient> {
        let fund = fund.map(str::trim).filter(|f| !f.is_empty());
        match (recipient, fund) {
            ("KELA", None) => Ok(Recipient::Kela),
            ("EKSOTE", None) => Ok(Recipient::County),
            ("FUND", Some(f)) => Ok(Recipient::Fund(super::input::required_text(
                "fund", f, 200,
            )?)),
            ("FUND", None) => Err(AppError::bad_input("fund", "a fund export names the fund")),
            ("KELA" | "EKSOTE", Some(_)) => Err(AppError::bad_input(
                "fund",
                "only a fund export names a fund",
            )),
            _ => Err(AppError::bad_input(
                "recipient",
                "recipient is KELA, FUND or EKSOTE",
            )),
        }
    }

    fn payer(&self) -> &'static str {
        match self {
            Recipient::Kela => KELA,
            Recipient::Fund(_) => FUND,
            Recipient::County => COUNTY,
        }
    }

    fn fund(&self) -> Option<&str> {
        match self {
            Recipient::Fund(f) => Some(f),
            _ => None,
        }
    }

    /// Whether the export is a confirmation of days to another body (not the county's own
    /// payment list).
    pub fn is_disclosure(&self) -> bool {
        !matches!(self, Recipient::County)
    }

    /// Who may export to this recipient: the county, as the organiser of KTT, exports every
    /// list; Kela's own officials may also fetch Kela's confirmation.
    fn may_export(&self, agency: Agency) -> bool {
        agency == Agency::Eksote || (agency == Agency::Kela && *self == Recipient::Kela)
    }
}

pub const CONFIRMATION_HEADER: &str = "export_id,recipient,fund_name,month,line,corrects_export_id,decision_number,personal_identity_code,last_name,first_name,period_starts_on,period_ends_on,participation_days";
pub const PAYMENT_HEADER: &str = "export_id,month,line,corrects_export_id,decision_number,personal_identity_code,last_name,first_name,kind,days,amount_cents,amount_eur";

/// One period's month and kind: what the lines hold now, and what was delivered.
#[derive(Debug, Clone, Default)]
struct Entry {
    client_id: String,
    decision_number: String,
    personal_identity_code: String,
    last_name: String,
    first_name: String,
    starts_on: String,
    ends_on: String,
    days: i64,
    cents: i64,
    delivered: Option<(i64, i64)>,
}

/// Exports `month` (`YYYY-MM`) to `recipient` within the caller's row scope and records
/// what it carried; answers the CSV.
pub async fn export(rc: &RequestContext, recipient: Recipient, month: &str) -> AppResult<String> {
    for field in [
        FieldId::RehabAllowance,
        FieldId::ClientPersonalIdentityCode,
        FieldId::ClientLastName,
    ] {
        if rc.principal().field_access(field) != ReadAccess::Read {
            return Err(AppError::Forbidden(None));
        }
    }
    if !recipient.may_export(rc.principal().agency) {
        return Err(AppError::Forbidden(None));
    }
    let valid = month.len() == 7
        && chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").is_ok();
    if !valid {
        return Err(AppError::bad_input("month", "month is YYYY-MM"));
    }
    if month > rc.today.format("%Y-%m").to_string().as_str() {
        return Err(AppError::bad_input("month", "the month has not begun"));
    }
    write::unscoped(rc, FieldGroup::Allowance, async |sp| {
        export_in(rc, sp, &recipient, month)
            .await
            .map(Written::unlogged)
    })
    .await
}

/// Key of the PostgreSQL advisory lock that serialises exports ("typgexpo").
const EXPORT_LOCK: i64 = 0x7479_7067_6578_706f;

/// Serialises exports across requests and replicas: two at once on PostgreSQL (read
/// committed) would each find a month undelivered and both carry it. The lock is held until
/// the request's transaction ends; on SQLite the request holds the write lock from its
/// start already.
async fn serialise_exports(sp: &DatabaseTransaction) -> AppResult<()> {
    if sp.get_database_backend() == sea_orm::DbBackend::Postgres {
        let lock = Query::select()
            .expr(sea_orm::sea_query::Func::cust("pg_advisory_xact_lock").arg(EXPORT_LOCK))
            .to_owned();
        sp.execute(&lock).await?;
    }
    Ok(())
}

async fn export_in(
    rc: &RequestContext,
    sp: &DatabaseTransaction,
    recipient: &Recipient,
    month: &str,
) -> AppResult<String> {
    serialise_exports(sp).await?;
    let mut entries: BTreeMap<(String, String, String), Entry> = BTreeMap::new();
    // The lines now, of this month and before.
    for row in sp.query_all(&current(rc, recipient, month)).await? {
        let key = (
            row.try_get::<String>("", "month")?,
            row.try_get::<String>("", "period_id")?,
            row.try_get::<String>("", "kind")?,
        );
        let e = entries.entry(key).or_insert(entry(&row)?);
        e.days += i64::from(row.try_get::<i32>("", "days")?);
        e.cents += row.try_get::<i64>("", "amount_cents")?;
    }
    // What was delivered to this recipient, per period, month and kind.
    for row in sp.query_all(&delivered(rc, recipient, month)).await? {
        let key = (
            row.try_get::<String>("", "month")?,
            row.try_get::<String>("", "period_id")?,
            row.try_get::<String>("", "kind")?,
        );
        let days: i64 = row.try_get("", "days")?;
        let cents: i64 = row.try_get("", "cents")?;
        entries.entry(key).or_insert(entry(&row)?).delivered = Some((days, cents));
    }
    // The export that first delivered each month of each period, and each month.
    let earlier = allowance_export::Entity::find()
        .filter(allowance_export::Column::Recipient.eq(recipient.payer()))
        .filter(match recipient.fund() {
            Some(f) => allowance_export::Column::FundName.eq(f),
            None => allowance_export::Column::FundName.is_null(),
        })
        .filter(allowance_export::Column::Month.lte(month))
        .order_by_asc(allowance_export::Column::ExportedAt)
        .order_by_asc(allowance_export::Column::Id)
        .all(sp)
        .await?;
    let mut first_of_month: BTreeMap<String, String> = BTreeMap::new();
    for e in &earlier {
        first_of_month
            .entry(e.month.clone())
            .or_insert_with(|| e.id.clone());
    }
    let export_id = uuid::Uuid::new_v4().to_string();
    allowance_export::Entity::insert(allowance_export::ActiveModel {
        id: Set(export_id.clone()),
        recipient: Set(recipient.payer().to_owned()),
        fund_name: Set(recipient.fund().map(str::to_owned)),
        month: Set(month.to_owned()),
        exported_by: Set(rc.principal().official_id.clone()),
        exported_at: Set(rc.now),
    })
    .exec_without_returning(sp)
    .await?;
    let mut csv = String::from(if recipient.is_disclosure() {
        CONFIRMATION_HEADER
    } else {
        PAYMENT_HEADER
    });
    csv.push('\n');
    let mut lines = Vec::new();
    // This month's lines first, then the corrections by month.
    let mut ordered: Vec<(&(String, String, String), &Entry)> = entries.iter().collect();
    ordered.sort_by_key(|((m, _, kind), e)| {
        (
            m.as_str() != month,
            m.clone(),
            e.last_name.clone(),
            e.first_name.clone(),
            e.decision_number.clone(),
            kind.clone(),
        )
    });
    for ((m, period, kind), e) in ordered {
        let (days, cents, corrects) = match e.delivered {
            None if m == month => (e.days, e.cents, None),
            // A month delivered before, whose line came later: an addition to it.
            None => match first_of_month.get(m) {
                Some(first) => (e.days, e.cents, Some(first.clone())),
                None => continue,
            },
            Some((d, c)) if (d, c) == (e.days, e.cents) => continue,
            Some((d, c)) => (e.days - d, e.cents - c, first_of_month.get(m).cloned()),
        };
        if days == 0 && cents == 0 {
            continue;
        }
        let line = if corrects.is_some() {
            "CORRECTION"
        } else {
            "MONTH"
        };
        let corrects_cell = corrects.clone().unwrap_or_default();
        // Text through the CSV guard; numbers as they are (a correction may be negative).
        let text = |v: &str| super::allowance_statement::cell(v);
        let cells: Vec<String> = if recipient.is_disclosure() {
            vec![
                text(&export_id),
                text(recipient.payer()),
                text(recipient.fund().unwrap_or_default()),
                text(m),
                text(line),
                text(&corrects_cell),
                text(&e.decision_number),
                text(&e.personal_identity_code),
                text(&e.last_name),
                text(&e.first_name),
                text(&e.starts_on),
                text(&e.ends_on),
                days.to_string(),
            ]
        } else {
            vec![
                text(&export_id),
                text(m),
                text(line),
                text(&corrects_cell),
                text(&e.decision_number),
                text(&e.personal_identity_code),
                text(&e.last_name),
                text(&e.first_name),
                text(kind),
                days.to_string(),
                cents.to_string(),
                super::allowance_statement::euros(cents),
            ]
        };
        csv.push_str(&cells.join(","));
        csv.push('\n');
        lines.push(allowance_export_line::ActiveModel {
            export_id: Set(export_id.clone()),
            period_id: Set(period.clone()),
            month: Set(m.clone()),
            kind: Set(kind.clone()),
            days: Set(days as i32),
            amount_cents: Set(cents),
            corrects_export_id: Set(corrects),
        });
        log_client(rc, recipient, &e.client_id);
    }
    for chunk in lines.chunks(500) {
        allowance_export_line::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(sp)
            .await?;
    }
    Ok(csv)
}

/// The statute on which the county discloses participation days to the benefit's payer,
/// as we read it: the payer's right to the information it needs to pay the benefit and its
/// kulukorvaus (Unemployment Security Act 1290/2002 ch. 13 s. 1; the kulukorvaus ch. 10,
/// act 189/2001 s. 17).
pub const CONFIRMATION_BASIS: &str = "1290/2002 ch. 13 s. 1";

/// The access log of a client listed: identity, names and allowances read; to Kela or a
/// fund, disclosed on [`CONFIRMATION_BASIS`] (a disclosure-log row per group, naming the
/// recipient); the county's own payment list is a read.
fn log_client(rc: &RequestContext, recipient: &Recipient, client_id: &str) {
    for group in [
        FieldGroup::Identity,
        FieldGroup::Contact,
        FieldGroup::Allowance,
    ] {
        match recipient {
            Recipient::County => rc.recorder.read(client_id, group, None),
            Recipient::Kela => rc.recorder.disclose_statutory(
                client_id,
                crate::audit::Recipient::Agency(Agency::Kela),
                group,
                CONFIRMATION_BASIS,
            ),
            Recipient::Fund(fund) => rc.recorder.disclose_statutory(
                client_id,
                crate::audit::Recipient::Body(fund.clone()),
                group,
                CONFIRMATION_BASIS,
            ),
        }
    }
}

fn entry(row: &sea_orm::QueryResult) -> AppResult<Entry> {
    Ok(Entry {
        client_id: row.try_get("", "client_id")?,
        decision_number: row.try_get("", "decision_number")?,
        personal_identity_code: row.try_get("", "personal_identity_code")?,
        last_name: row.try_get("", "last_name")?,
        first_name: row.try_get("", "first_name")?,
        starts_on: row
            .try_get::<chrono::NaiveDate>("", "starts_on")?
            .to_string(),
        ends_on: row.try_get::<chrono::NaiveDate>("", "ends_on")?.to_string(),
        ..Entry::default()
    })
}

/// Selects the period's decision and the client's identity beside `from`'s rows (aliased
/// `x`, with a `period_id` column), within the caller's scope.
fn with_person(rc: &RequestContext, mut select: SelectStatement, period: Expr) -> SelectStatement {
    use client::Column as C;
    use rehab_period::Column as T;
    let (t, c) = (Alias::new("t"), Alias::new("c"));
    select
        .expr_as(Expr::col((c.clone(), C::Id)), "client_id")
        .columns([C::PersonalIdentityCode, C::LastName, C::FirstName].map(|x| (c.clone(), x)))
        .columns([T::DecisionNumber, T::StartsOn].map(|x| (t.clone(), x)))
        .expr_as(
            sea_orm::sea_query::Func::coalesce([
                Expr::col((t.clone(), T::EndedEarlyOn)),
                Expr::col((t.clone(), T::EndsOn)),
            ]),
            "ends_on",
        )
        .join_as(
            sea_orm::JoinType::InnerJoin,
            rehab_period::Entity,
            t.clone(),
            Expr::col((t.clone(), T::Id)).eq(period),
        )
        .join_as(
            sea_orm::JoinType::InnerJoin,
            client::Entity,
            c.clone(),
            Expr::col((c.clone(), C::Id)).equals((t.clone(), T::ClientId)),
        )
        // The client row is joined: its own columns decide, with no probe of another.
        .and_where(rc.scope.visible_row("c"))
        .and_where(loads::periods_in_scope(&rc.scope, "t"))
        .order_by((c, C::LastName), Order::Asc)
        .to_owned()
}

/// The recipient's lines now, of `month` and before.
fn current(rc: &RequestContext, recipient: &Recipient, month: &str) -> SelectStatement {
    use allowance_line::Column as A;
    let a = Alias::new("a");
    let mut select = Query::select()
        .expr_as(Expr::col((a.clone(), A::PeriodId)), "period_id")
        .columns([A::Month, A::Kind, A::Days, A::AmountCents].map(|x| (a.clone(), x)))
        .from_as(allowance_line::Entity, a.clone())
        .and_where(Expr::col((a.clone(), A::Payer)).eq(recipient.payer()))
        .and_where(Expr::col((a.clone(), A::Month)).lte(month))
        .to_owned();
    match recipient.fund() {
        Some(f) => select.and_where(Expr::col((a.clone(), A::FundName)).eq(f)),
        None => select.and_where(Expr::col((a.clone(), A::FundName)).is_null()),
    };
    with_person(rc, select, Expr::col((a, A::PeriodId)))
}

/// What the recipient's exports delivered, summed per period, month and kind.
fn delivered(rc: &RequestContext, recipient: &Recipient, month: &str) -> SelectStatement {
    use allowance_export::Column as X;
    use allowance_export_line::Column as L;
    let (l, x) = (Alias::new("l"), Alias::new("x"));
    let mut select = Query::select()
        .expr_as(Expr::col((l.clone(), L::PeriodId)), "period_id")
        .column((l.clone(), L::Month))
        .column((l.clone(), L::Kind))
        .expr_as(
            sea_orm::sea_query::Func::cast_as(
                sea_orm::sea_query::Func::sum(Expr::col((l.clone(), L::Days))),
                "BIGINT",
            ),
            "days",
        )
        .expr_as(
            sea_orm::sea_query::Func::cast_as(
                sea_orm::sea_query::Func::sum(Expr::col((l.clone(), L::AmountCents))),
                "BIGINT",
            ),
            "cents",
        )
        .from_as(allowance_export_line::Entity, l.clone())
        .join_as(
            sea_orm::JoinType::InnerJoin,
            allowance_export::Entity,
            x.clone(),
            Expr::col((x.clone(), X::Id)).equals((l.clone(), L::ExportId)),
        )
        .and_where(Expr::col((x.clone(), X::Recipient)).eq(recipient.payer()))
        .and_where(Expr::col((l.clone(), L::Month)).lte(month))
        .to_owned();
    match recipient.fund() {
        Some(f) => select.and_where(Expr::col((x.clone(), X::FundName)).eq(f)),
        None => select.and_where(Expr::col((x.clone(), X::FundName)).is_null()),
    };
    let mut select = with_person(rc, select, Expr::col((l.clone(), L::PeriodId)));
    select.group_by_columns([
        (l.clone(), L::PeriodId),
        (l.clone(), L::Month),
        (l.clone(), L::Kind),
    ]);
    use client::Column as C;
    use rehab_period::Column as T;
    let (t, c) = (Alias::new("t"), Alias::new("c"));
    select.group_by_columns([
        (c.clone(), C::Id),
        (c.clone(), C::PersonalIdentityCode),
        (c.clone(), C::LastName),
        (c, C::FirstName),
    ]);
    select.group_by_columns([
        (t.clone(), T::DecisionNumber),
        (t.clone(), T::StartsOn),
        (t.clone(), T::EndedEarlyOn),
        (t, T::EndsOn),
    ]);
    select
}

/// A recorded export as its list shows it: to whom, which month, who made it and when, and
/// how much it carried (no person).
pub struct ExportSummary {
    pub row: allowance_export::Model,
    /// Lines carried, corrections included.
    pub lines: i64,
    /// Lines that correct a month delivered before.
    pub corrections: i64,
    /// Participation days carried (a correction's difference counted with its sign).
    pub days: i64,
    /// Cents carried (the county's payment list; none on a confirmation of days).
    pub cents: i64,
}

/// The exports recorded so far that the caller may make (the county's officials every
/// recipient's, Kela's officials Kela's), newest first, `recipient` narrowing them: so
/// that whoever exports sees what each recipient has received and when. Readers of the
/// allowances only; the list names no client, so it writes no access-log row.
pub async fn exports(
    rc: &RequestContext,
    recipient: Option<Recipient>,
) -> AppResult<Vec<ExportSummary>> {
    if rc.principal().field_access(FieldId::RehabAllowance) != ReadAccess::Read {
        return Err(AppError::Forbidden(None));
    }
    let agency = rc.principal().agency;
    let mut may: Vec<&'static str> = Vec::new();
    for (payer, r) in [
        (KELA, Recipient::Kela),
        (FUND, Recipient::Fund(String::new())),
        (COUNTY, Recipient::County),
    ] {
        if r.may_export(agency) {
            may.push(payer);
        }
    }
    if may.is_empty() {
        return Err(AppError::Forbidden(None));
    }
    let mut q = allowance_export::Entity::find()
        .filter(allowance_export::Column::Recipient.is_in(may))
        .order_by_desc(allowance_export::Column::ExportedAt)
        .order_by_desc(allowance_export::Column::Id);
    if let Some(r) = &recipient {
        q = q.filter(allowance_export::Column::Recipient.eq(r.payer()));
        if let Some(f) = r.fund() {
            q = q.filter(allowance_export::Column::FundName.eq(f));
        }
    }
    let rows = q.all(rc.db()).await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    // What each carried, summed in the database in one statement.
    let sums: Vec<(String, i64, i64, i64, i64)> = allowance_export_line::Entity::find()
        .select_only()
        .column(allowance_export_line::Column::ExportId)
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "lines")
        .column_as(
            Expr::cust("CAST(COUNT(corrects_export_id) AS BIGINT)"),
            "corrections",
        )
        .column_as(Expr::cust("CAST(COALESCE(SUM(days), 0) AS BIGINT)"), "days")
        .column_as(
            Expr::cust("CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT)"),
            "cents",
        )
        .filter(allowance_export_line::Column::ExportId.is_in(rows.iter().map(|r| r.id.clone())))
        .group_by(allowance_export_line::Column::ExportId)
        .into_tuple()
        .all(rc.db())
        .await?;
    let sums: BTreeMap<String, (i64, i64, i64, i64)> = sums
        .into_iter()
        .map(|(id, l, c, d, s)| (id, (l, c, d, s)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let (lines, corrections, days, cents) = sums.get(&row.id).copied().unwrap_or_default();
            ExportSummary {
                row,
                lines,
                corrections,
                days,
                cents,
            }
        })
        .collect())
}
