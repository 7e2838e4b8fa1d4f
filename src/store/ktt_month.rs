//! The monthly KTT summaries the reports read instead of millions of attendance rows:
//! `ktt_month` per (client, provider, month) and `ktt_client_month` per (client, month), each
//! with days in force, in force at the month's end, recorded and attended days, allowance
//! and travel cents. One row per client (and provider) per month, so persons are counted
//! with COUNT(*) and never by sorting for COUNT(DISTINCT).
//!
//! [`rebuild`] derives them from `rehab_period`, `attendance_day` and `allowance_line`:
//! for one client after every write that touches those (in the same transaction), or for
//! everyone after a bulk load and when the migration creating the tables has run
//! ([`crate::db::migrate`]). Each row also carries its client's facts that the reports'
//! filters and the callers' scopes read ([`Facts`]), copied from the client's row as it is
//! read here and kept by a trigger on `client` since (`migration::summary_facts`).

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Months, NaiveDate};
use entity::{allowance_line, attendance_day, rehab_period};
use sea_orm::sea_query::{
    Asterisk, ConditionalStatement, Expr, ExprTrait, Func, IntoIden, IntoTableRef, JoinType, Query,
    SelectStatement, Value,
};
use sea_orm::{ConnectionTrait, DbErr, DeriveIden};

use migration::summary_facts::{Kind, FACTS};

use crate::db::month_of;

/// Rows per INSERT statement (21 columns each).
const ROWS_PER_INSERT: usize = 1_000;

/// A client's facts on its summary rows, in the order of `migration::summary_facts::FACTS`.
#[derive(Clone)]
struct Facts(Vec<Value>);

impl Facts {
    /// The client's facts from a row selected with [`select_facts`].
    fn of(row: &sea_orm::QueryResult) -> Result<Facts, DbErr> {
        FACTS
            .iter()
            .map(|(column, kind)| {
                Ok(match kind {
                    Kind::Text => row.try_get::<Option<String>>("", column)?.into(),
                    Kind::Code => row.try_get::<String>("", column)?.into(),
                    Kind::Day => row.try_get::<Option<NaiveDate>>("", column)?.into(),
                    Kind::Flag => row.try_get::<bool>("", column)?.into(),
                })
            })
            .collect::<Result<_, DbErr>>()
            .map(Facts)
    }

    /// The values to insert.
    fn values(&self) -> impl Iterator<Item = Expr> + '_ {
        self.0.iter().cloned().map(Expr::from)
    }
}

/// Selects the facts of the client row aliased `c`, under their own names.
fn select_facts(select: &mut SelectStatement) {
    for (column, _) in FACTS {
        select.expr_as(Expr::col(("c", column)), column);
    }
}

#[derive(Default, Clone, Copy)]
struct Measures {
    days_in_force: i64,
    in_force_at_end: bool,
    recorded_days: i64,
    attended_days: i64,
    allowance_cents: i64,
    travel_cents: i64,
    kela_cents: i64,
    fund_cents: i64,
    toimintaraha_cents: i64,
}

type Key = (String, String, String);

/// The per-(client, provider, month) summary (derived tables without an entity: only this
/// module writes them, the reports read them).
#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum KttMonth {
    Table,
    ClientId,
    ProviderId,
    Month,
    DaysInForce,
    InForceAtEnd,
    RecordedDays,
    AttendedDays,
    AllowanceCents,
    TravelCents,
    /// The daily allowance by payer: Kela's and the funds' kulukorvaus, the county's
    /// toimintaraha (together `AllowanceCents`).
    KelaCents,
    FundCents,
    ToimintarahaCents,
}

/// The per-(client, month) summary: the columns of [`KttMonth`] but the provider.
#[derive(DeriveIden, Clone, Copy)]
pub(crate) enum KttClientMonth {
    Table,
}

/// The measures, in the order both summaries list them after their key.
const MEASURES: [KttMonth; 9] = [
    KttMonth::DaysInForce,
    KttMonth::InForceAtEnd,
    KttMonth::RecordedDays,
    KttMonth::AttendedDays,
    KttMonth::AllowanceCents,
    KttMonth::TravelCents,
    KttMonth::KelaCents,
    KttMonth::FundCents,
    KttMonth::ToimintarahaCents,
];

/// The facts' columns on the summaries.
fn fact_columns() -> impl Iterator<Item = sea_orm::sea_query::DynIden> {
    FACTS
        .iter()
        .map(|(column, _)| sea_orm::sea_query::Alias::new(*column).into_iden())
}

/// Restricts a statement to one client's rows (by `column`) when given.
fn scoped<S: ConditionalStatement>(statement: &mut S, column: Expr, client: Option<&str>) {
    if let Some(id) = client {
        statement.and_where(column.eq(id));
    }
}

/// `SELECT p.client_id AS c, p.provider_id AS v ... FROM table a JOIN rehab_period p ON
/// p.id = a.period_id`, restricted to one client when given.
fn per_period(
    table: impl IntoTableRef,
    period_id: impl IntoIden,
    client: Option<&str>,
) -> SelectStatement {
    let p = |c: rehab_period::Column| Expr::col(("p", c));
    let mut select = Query::select()
        .expr_as(p(rehab_period::Column::ClientId), "c")
        .expr_as(p(rehab_period::Column::ProviderId), "v")
        .from_as(table, "a")
        .join_as(
            JoinType::InnerJoin,
            rehab_period::Entity,
            "p",
            p(rehab_period::Column::Id).equals(("a", period_id)),
        )
        .add_group_by([
            p(rehab_period::Column::ClientId),
            p(rehab_period::Column::ProviderId),
        ])
        .to_owned();
    scoped(&mut select, p(rehab_period::Column::ClientId), client);
    select
}

/// Rebuilds the summaries of one client, or of everyone when `client` is `None`.
pub async fn rebuild(conn: &impl ConnectionTrait, client: Option<&str>) -> Result<(), DbErr> {
    let mut rows: BTreeMap<Key, Measures> = BTreeMap::new();
    let p = |c: rehab_period::Column| Expr::col(("p", c));
    let mut periods = Query::select()
        .expr_as(p(rehab_period::Column::ClientId), "c")
        .expr_as(p(rehab_period::Column::ProviderId), "v")
        .expr_as(p(rehab_period::Column::StartsOn), "s")
        .expr_as(
            Func::coalesce([
                p(rehab_period::Column::EndedEarlyOn),
                p(rehab_period::Column::EndsOn),
            ]),
            "e",
        )
        .from_as(rehab_period::Entity, "p")
        .join_as(
            JoinType::InnerJoin,
            entity::client::Entity,
            "c",
            Expr::col(("c", entity::client::Column::Id))
                .equals(("p", rehab_period::Column::ClientId)),
        )
        .to_owned();
    select_facts(&mut periods);
    scoped(&mut periods, p(rehab_period::Column::ClientId), client);
    let periods = conn.query_all(&periods).await?;
    // Every summary row's client has a period: attendance and allowances are a period's.
    let mut facts: HashMap<String, Facts> = HashMap::new();
    for row in periods {
        let (c, v): (String, String) = (row.try_get("", "c")?, row.try_get("", "v")?);
        if !facts.contains_key(&c) {
            facts.insert(c.clone(), Facts::of(&row)?);
        }
        let (s, e): (NaiveDate, NaiveDate) = (row.try_get("", "s")?, row.try_get("", "e")?);
        let mut month = s.with_day(1).unwrap_or(s);
        while month <= e {
            let next = month
                .checked_add_months(Months::new(1))
                .unwrap_or(NaiveDate::MAX);
            let last = next.pred_opt().unwrap_or(month);
            let days = (Ord::min(e, last) - Ord::max(s, month)).num_days() + 1;
            let m = rows
                .entry((c.clone(), v.clone(), month.format("%Y-%m").to_string()))
                .or_default();
            m.days_in_force += Ord::max(days, 0);
            m.in_force_at_end |= e >= last;
            if next == NaiveDate::MAX {
                break;
            }
            month = next;
        }
    }

    // Attendance and allowances per (client, provider, month), as columns x and y.
    let constant = |n: i32| Expr::Constant(Value::from(n));
    let total = |e: Expr| Func::cast_as(Func::sum(e), "BIGINT");
    // The month of a day is written per backend: a custom expression.
    let day_month = Expr::cust(month_of(conn.get_database_backend(), "a.day"));
    let present = Expr::case(
        Expr::col(("a", attendance_day::Column::Present)),
        constant(1),
    )
    .finally(constant(0));
    let attendance = per_period(
        attendance_day::Entity,
        attendance_day::Column::PeriodId,
        client,
    )
    .expr_as(day_month.clone(), "m")
    .expr_as(Expr::col(Asterisk).count(), "x")
    .expr_as(total(present.into()), "y")
    // A voided day (an early end, an interruption, a closure) counts nowhere.
    .and_where(Expr::col(("a", attendance_day::Column::VoidedAt)).is_null())
    .add_group_by([day_month])
    .to_owned();
    let a = |c: allowance_line::Column| Expr::col(("a", c));
    let travel = || a(allowance_line::Column::Kind).eq("TRAVEL");
    let allowance =
        Expr::case(travel(), constant(0)).finally(a(allowance_line::Column::AmountCents));
    let travel = Expr::case(travel(), a(allowance_line::Column::AmountCents)).finally(constant(0));
    let by = |column: allowance_line::Column, value: &str| {
        let share = Expr::case(a(column).eq(value), a(allowance_line::Column::AmountCents))
            .finally(constant(0));
        total(share.into())
    };
    let allowances = per_period(
        allowance_line::Entity,
        allowance_line::Column::PeriodId,
        client,
    )
    .expr_as(a(allowance_line::Column::Month), "m")
    .expr_as(total(allowance.into()), "x")
    .expr_as(total(travel.into()), "y")
    .expr_as(by(allowance_line::Column::Payer, "KELA"), "k")
    .expr_as(by(allowance_line::Column::Payer, "FUND"), "f")
    .expr_as(by(allowance_line::Column::Kind, "TOIMINTARAHA"), "t")
    .add_group_by([a(allowance_line::Column::Month)])
    .to_owned();
    for (i, select) in [attendance, allowances].iter().enumerate() {
        for row in conn.query_all(select).await? {
            let key = (
                row.try_get("", "c")?,
                row.try_get("", "v")?,
                row.try_get("", "m")?,
            );
            let (x, y): (i64, i64) = (row.try_get("", "x")?, row.try_get("", "y")?);
            let m = rows.entry(key).or_default();
            if i == 0 {
                m.recorded_days += x;
                m.attended_days += y;
            } else {
                m.allowance_cents += x;
                m.travel_cents += y;
                m.kela_cents += row.try_get::<i64>("", "k")?;
                m.fund_cents += row.try_get::<i64>("", "f")?;
                m.toimintaraha_cents += row.try_get::<i64>("", "t")?;
            }
        }
    }

    let client_id = || Expr::col(KttMonth::ClientId);
    for table in [
        KttClientMonth::Table.into_iden(),
        KttMonth::Table.into_iden(),
    ] {
        let mut delete = Query::delete().from_table(table).to_owned();
        scoped(&mut delete, client_id(), client);
        conn.execute(&delete).await?;
    }
    let rows: Vec<(Key, Measures)> = rows.into_iter().collect();
    let error = |e: sea_orm::sea_query::error::Error| DbErr::Custom(format!("ktt_month: {e}"));
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let mut insert = Query::insert()
            .into_table(KttMonth::Table)
            .columns(
                [KttMonth::ClientId, KttMonth::ProviderId, KttMonth::Month]
                    .into_iter()
                    .chain(MEASURES)
                    .map(IntoIden::into_iden)
                    .chain(fact_columns()),
            )
            .to_owned();
        for ((c, v, month), m) in chunk {
            let Some(facts) = facts.get(c) else {
                return Err(DbErr::Custom(format!(
                    "ktt_month: a summary row of a client without a period ({c})"
                )));
            };
            insert
                .values(
                    [
                        c.as_str().into(),
                        v.as_str().into(),
                        month.as_str().into(),
                        (m.days_in_force as i32).into(),
                        i32::from(m.in_force_at_end).into(),
                        (m.recorded_days as i32).into(),
                        (m.attended_days as i32).into(),
                        m.allowance_cents.into(),
                        m.travel_cents.into(),
                        m.kela_cents.into(),
                        m.fund_cents.into(),
                        m.toimintaraha_cents.into(),
                    ]
                    .into_iter()
                    .chain(facts.values()),
                )
                .map_err(error)?;
        }
        conn.execute(&insert).await?;
    }
    // The per-client rows are the sums of the per-provider ones (in force at the end under
    // any provider).
    let mut per_client = Query::select()
        .column(KttMonth::ClientId)
        .column(KttMonth::Month)
        .from(KttMonth::Table)
        .group_by_columns([KttMonth::ClientId, KttMonth::Month])
        .to_owned();
    for measure in MEASURES {
        let column = Expr::col(measure);
        per_client.expr(match measure {
            KttMonth::InForceAtEnd => Func::max(column),
            _ => Func::sum(column),
        });
    }
    // The facts are the client's: one value per group.
    for column in fact_columns() {
        per_client
            .column(column.clone())
            .add_group_by([Expr::col(column)]);
    }
    scoped(&mut per_client, client_id(), client);
    let insert = Query::insert()
        .into_table(KttClientMonth::Table)
        .columns(
            [KttMonth::ClientId, KttMonth::Month]
                .into_iter()
                .chain(MEASURES)
                .map(IntoIden::into_iden)
                .chain(fact_columns()),
        )
        .select_from(per_client)
        .map_err(error)?
        .to_owned();
    conn.execute(&insert).await?;
    Ok(())
}
