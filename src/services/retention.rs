//! Retention and erasure: what is due under each record class, and erasing it (retention
//! periods after the act on processing client data in health and social services, 703/2023).
//!
//! - `SOCIAL_SERVICES`: a client's working-age social services records, 10 years (setting
//!   `TYPGRAPH_TYP_RETENTION_YEARS`) after their last TYP case closed, with no case
//!   open: the free text of every case record is erased.
//! - `BASIC_DATA`: the client's basic data, 2 years (`TYPGRAPH_BASIC_DATA_YEARS_AFTER_DEATH`)
//!   after death: the identity code and names are replaced by keyed pseudonyms (HMAC-SHA-256
//!   under `TYPGRAPH_PSEUDONYM_KEY`), contact details removed.
//! - `FEE_DECISIONS`: allowance (fee) lines 12 years (`TYPGRAPH_FEE_DECISION_YEARS`) after
//!   their month: deleted.
//!
//! Rows are kept, their ids too: the access log refers to clients by id only and is never
//! touched, so its hash chain stays verifiable after any erasure. Each erasure is recorded
//! in `retention_erasure` in the same transaction.
//!
//! One file over 500 lines: each class's rule, the statement that finds what is due and
//! the erasure it allows are read side by side when a period changes.

use chrono::{Months, NaiveDate, Utc};
use entity::{
    allowance_line, attendance_correction, attendance_day, client, meeting_agency_section,
    network_meeting, rehab_period, typ_case,
};
use hmac::{Hmac, KeyInit, Mac};
use sea_orm::sea_query::{
    Asterisk, Expr, ExprTrait, OnConflict, Order, Query, SelectStatement, UpdateStatement,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, DeriveIden, EntityTrait, QueryFilter,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sha2::Sha256;

use crate::domain::settings::Settings;

/// What was erased, by client and class (a table without an entity: only retention writes
/// and reads it).
#[derive(DeriveIden)]
enum RetentionErasure {
    Table,
    ClientId,
    RecordClass,
    DueOn,
    ErasedAt,
    RowsChanged,
}

/// The record classes of the domain's retention rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RecordClass {
    SocialServices,
    BasicData,
    FeeDecisions,
}

impl RecordClass {
    pub fn code(self) -> &'static str {
        match self {
            RecordClass::SocialServices => "SOCIAL_SERVICES",
            RecordClass::BasicData => "BASIC_DATA",
            RecordClass::FeeDecisions => "FEE_DECISIONS",
        }
    }
}

/// One client's records of one class that are due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub class: RecordClass,
    pub client_id: String,
    /// The day retention ended.
    pub due_on: NaiveDate,
    /// Why, without personal data.
    pub basis: String,
}

/// The erasure text put where free text was.
pub const ERASED: &str = "[erased at the end of retention]";

/// What retention does to a table's free-text columns: required ones get [`ERASED`],
/// optional ones NULL, and optional ones whose having been set is itself a fact
/// (a referral was declined, had an outcome) get [`ERASED`] only where set.
struct Scrub {
    table: &'static str,
    erase: &'static [&'static str],
    null: &'static [&'static str],
    erase_if_set: &'static [&'static str],
}

impl Scrub {
    /// `UPDATE table SET ...` of the scrub, [`ERASED`] bound as a value; no condition yet.
    fn update(&self) -> UpdateStatement {
        let mut update = Query::update();
        update.table(self.table);
        for &c in self.erase {
            update.value(c, ERASED);
        }
        for &c in self.null {
            update.value(c, Expr::null());
        }
        for &c in self.erase_if_set {
            update.value(
                c,
                Expr::case(Expr::col(c).is_null(), Expr::null()).finally(ERASED),
            );
        }
        update
    }
}

const fn scrub(
    table: &'static str,
    erase: &'static [&'static str],
    null: &'static [&'static str],
) -> Scrub {
    Scrub {
        table,
        erase,
        null,
        erase_if_set: &[],
    }
}

/// Tables with the client's id, scrubbed at the end of social-services retention.
const BY_CLIENT: &[Scrub] = &[
    scrub(
        "typ_case",
        &[],
        &["special_arrangements", "education_history", "work_history"],
    ),
    Scrub {
        table: "rehab_period",
        erase: &["goal"],
        null: &["support_needs"],
        erase_if_set: &["end_reason"],
    },
    scrub(
        "work_ability_assessment",
        &["conclusion"],
        &["restrictions", "details", "override_reason"],
    ),
    scrub("labour_policy_statement", &["content"], &[]),
    scrub("employment_item", &["description"], &["follow_up_note"]),
    scrub("competence_record", &["competence_areas"], &[]),
    scrub("agency_note", &["body"], &[]),
    scrub("network_meeting", &[], &["shared_record", "location"]),
    Scrub {
        table: "referral",
        erase: &["reason"],
        null: &[],
        erase_if_set: &["decline_reason", "outcome"],
    },
    Scrub {
        table: "ktt_decision",
        erase: &[],
        null: &["hearing_omitted_reason"],
        erase_if_set: &["reasoning"],
    },
];

/// Tables keyed by the client's cases.
const BY_CASE: &[Scrub] = &[
    scrub("employment_plan", &["goals"], &[]),
    scrub("agreed_action", &["description"], &[]),
    scrub("plan_ktt_item", &["goal", "support"], &[]),
];

/// The keyed pseudonym of a value: HMAC-SHA-256 under the key, hex. The same value under
/// the same key always gives the same pseudonym (a returning person can be recognised by
/// whoever holds the key); without the key it reveals nothing.
pub fn pseudonym(key: &str, value: &str) -> Result<String, String> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key.as_bytes())
        .map_err(|e| format!("pseudonym key: {e}"))?;
    mac.update(value.as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// A pseudonymised identity code: `#` and ten hex digits, eleven characters like a code.
fn code_pseudonym(key: &str, code: &str) -> Result<String, String> {
    Ok(format!("#{}", &pseudonym(key, code)?[..10].to_uppercase()))
}

fn years_before(today: NaiveDate, years: u32) -> NaiveDate {
    today
        .checked_sub_months(Months::new(years * 12))
        .unwrap_or(NaiveDate::MIN)
}

fn years_after(day: NaiveDate, years: u32) -> NaiveDate {
    day.checked_add_months(Months::new(years * 12))
        .unwrap_or(NaiveDate::MAX)
}

/// Allowance lines of months before this (`YYYY-MM`) are past retention.
fn fee_cutoff(settings: &Settings, today: NaiveDate) -> String {
    years_before(today, settings.fee_decision_years)
        .format("%Y-%m")
        .to_string()
}

/// The erasure of `class` recorded for the client whose id is the column `client`.
fn erased(class: RecordClass, client: impl sea_orm::sea_query::IntoColumnRef) -> SelectStatement {
    Query::select()
        .expr(Expr::Constant(1.into()))
        .from_as(RetentionErasure::Table, "e")
        .and_where(Expr::col(("e", RetentionErasure::ClientId)).equals(client))
        .and_where(Expr::col(("e", RetentionErasure::RecordClass)).eq(class.code()))
        .to_owned()
}

/// What is due on `today`, by class and client.
pub async fn due(
    db: &impl ConnectionTrait,
    settings: &Settings,
    today: NaiveDate,
) -> Result<Vec<Due>, DbErr> {
    let mut out = Vec::new();
    // Social services records: the last case closed long enough ago, none open. A closure
    // counts from the later of its closing date and the day it was recorded, so a
    // backdated closure does not make the records due any sooner.
    let social = settings.typ_case_retention_years;
    let t = |c: typ_case::Column| Expr::col(("t", c));
    let last_closed = Expr::case(
        t(typ_case::Column::ClosureRecordedOn).gt(t(typ_case::Column::EndedOn)),
        t(typ_case::Column::ClosureRecordedOn),
    )
    .finally(t(typ_case::Column::EndedOn))
    .max();
    let open = Query::select()
        .expr(Expr::Constant(1.into()))
        .from_as(typ_case::Entity, "o")
        .and_where(
            Expr::col(("o", typ_case::Column::ClientId)).equals(("t", typ_case::Column::ClientId)),
        )
        .and_where(Expr::col(("o", typ_case::Column::EndedOn)).is_null())
        .to_owned();
    let social_due = Query::select()
        .expr_as(t(typ_case::Column::ClientId), "client_id")
        .expr_as(last_closed.clone(), "last_closed")
        .from_as(typ_case::Entity, "t")
        .and_where(Expr::not_exists(open))
        .and_where(Expr::not_exists(erased(
            RecordClass::SocialServices,
            ("t", typ_case::Column::ClientId),
        )))
        .group_by_col(("t", typ_case::Column::ClientId))
        .and_having(last_closed.lte(years_before(today, social)))
        .order_by(("t", typ_case::Column::ClientId), Order::Asc)
        .to_owned();
    for r in db.query_all(&social_due).await? {
        let last: NaiveDate = r.try_get("", "last_closed")?;
        out.push(Due {
            class: RecordClass::SocialServices,
            client_id: r.try_get("", "client_id")?,
            due_on: years_after(last, social),
            basis: format!("last TYP case closed (or recorded closed) {last}; {social} years"),
        });
    }
    // Basic data: years after death.
    let after_death = settings.basic_data_years_after_death;
    let basic_due = Query::select()
        .columns([client::Column::Id, client::Column::DateOfDeath])
        .from(client::Entity)
        .and_where(client::Column::DateOfDeath.is_not_null())
        .and_where(Expr::not_exists(erased(
            RecordClass::BasicData,
            (client::Entity, client::Column::Id),
        )))
        .and_where(client::Column::DateOfDeath.lte(years_before(today, after_death)))
        .order_by(client::Column::Id, Order::Asc)
        .to_owned();
    for r in db.query_all(&basic_due).await? {
        let died: NaiveDate = r.try_get("", "date_of_death")?;
        out.push(Due {
            class: RecordClass::BasicData,
            client_id: r.try_get("", "id")?,
            due_on: years_after(died, after_death),
            basis: format!("died {died}; {after_death} years"),
        });
    }
    // Fee decisions: allowance lines of months long enough ago.
    let fee = settings.fee_decision_years;
    let client_of_period = (rehab_period::Entity, rehab_period::Column::ClientId);
    let fee_due = Query::select()
        .expr_as(Expr::col(client_of_period), "client_id")
        .expr_as(Expr::col(allowance_line::Column::Month).max(), "last_month")
        .expr_as(Expr::col(Asterisk).count(), "n")
        .from(allowance_line::Entity)
        .inner_join(
            rehab_period::Entity,
            Expr::col((rehab_period::Entity, rehab_period::Column::Id))
                .equals((allowance_line::Entity, allowance_line::Column::PeriodId)),
        )
        .and_where(allowance_line::Column::Month.lt(fee_cutoff(settings, today)))
        .group_by_col(client_of_period)
        .order_by(client_of_period, Order::Asc)
        .to_owned();
    for r in db.query_all(&fee_due).await? {
        let month: String = r.try_get("", "last_month")?;
        let n: i64 = r.try_get("", "n")?;
        let first_of =
            NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").unwrap_or(NaiveDate::MIN);
        out.push(Due {
            class: RecordClass::FeeDecisions,
            client_id: r.try_get("", "client_id")?,
            due_on: years_after(first_of, fee)
                .checked_add_months(Months::new(1))
                .unwrap_or(NaiveDate::MAX),
            basis: format!("{n} allowance lines up to {month}; {fee} years"),
        });
    }
    out.sort_by(|a, b| (a.class, &a.client_id).cmp(&(b.class, &b.client_id)));
    Ok(out)
}

/// `SELECT id FROM table WHERE client_id = id`: the client's rows of a table keyed by client.
macro_rules! of_client {
    ($t:ident, $id:expr) => {
        Query::select()
            .column($t::Column::Id)
            .from($t::Entity)
            .and_where($t::Column::ClientId.eq($id))
            .to_owned()
    };
}

/// Erases one due item in its own transaction; returns the rows changed.
pub async fn erase(
    db: &DatabaseConnection,
    key: &str,
    settings: &Settings,
    today: NaiveDate,
    item: &Due,
) -> Result<u64, String> {
    let opts = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    let tx = db
        .begin_with_options(opts)
        .await
        .map_err(|e| e.to_string())?;
    let err = |e: DbErr| e.to_string();
    let id = item.client_id.clone();
    let mut changed = 0u64;
    match item.class {
        RecordClass::SocialServices => {
            // Free text of every case record of the client; facts (dates, codes) stay for
            // the statistics, which name no one.
            for scrub in BY_CLIENT {
                let update = scrub
                    .update()
                    .and_where(Expr::col("client_id").eq(id.as_str()))
                    .to_owned();
                changed += tx.execute(&update).await.map_err(err)?.rows_affected();
            }
            for scrub in BY_CASE {
                let update = scrub
                    .update()
                    .and_where(Expr::col("case_id").in_subquery(of_client!(typ_case, id.as_str())))
                    .to_owned();
                changed += tx.execute(&update).await.map_err(err)?.rows_affected();
            }
            changed += meeting_agency_section::Entity::update_many()
                .col_expr(meeting_agency_section::Column::Body, Expr::value(ERASED))
                .filter(
                    meeting_agency_section::Column::MeetingId
                        .in_subquery(of_client!(network_meeting, id.as_str())),
                )
                .exec(&tx)
                .await
                .map_err(err)?
                .rows_affected;
            changed += attendance_day::Entity::update_many()
                .col_expr(attendance_day::Column::AbsenceReason, Expr::value(ERASED))
                .filter(attendance_day::Column::AbsenceReason.is_not_null())
                .filter(
                    attendance_day::Column::PeriodId
                        .in_subquery(of_client!(rehab_period, id.as_str())),
                )
                .exec(&tx)
                .await
                .map_err(err)?
                .rows_affected;
            // Why days were voided (the free text of an early end or an interruption) and
            // what a voided day said: erased alike.
            changed += attendance_day::Entity::update_many()
                .col_expr(attendance_day::Column::VoidReason, Expr::value(ERASED))
                .filter(attendance_day::Column::VoidReason.is_not_null())
                .filter(
                    attendance_day::Column::PeriodId
                        .in_subquery(of_client!(rehab_period, id.as_str())),
                )
                .exec(&tx)
                .await
                .map_err(err)?
                .rows_affected;
            let was = attendance_correction::Column::WasAbsenceReason;
            changed += attendance_correction::Entity::update_many()
                .col_expr(attendance_correction::Column::Reason, Expr::value(ERASED))
                .col_expr(
                    was,
                    Expr::case(Expr::col(was).is_null(), Expr::null())
                        .finally(ERASED)
                        .into(),
                )
                .filter(
                    attendance_correction::Column::PeriodId
                        .in_subquery(of_client!(rehab_period, id.as_str())),
                )
                .exec(&tx)
                .await
                .map_err(err)?
                .rows_affected;
        }
        RecordClass::BasicData => {
            let code = client::Entity::find_by_id(id.clone())
                .one(&tx)
                .await
                .map_err(err)?
                .ok_or("the client is gone")?
                .personal_identity_code;
            let name = format!(
                "Pseudonym {}",
                &pseudonym(key, &format!("name:{id}"))?[..12]
            );
            use client::Column as C;
            changed += client::Entity::update_many()
                .col_expr(
                    C::PersonalIdentityCode,
                    Expr::value(code_pseudonym(key, &code)?),
                )
                .col_expr(C::FirstName, Expr::value(name.clone()))
                .col_expr(C::LastName, Expr::value(name))
                .col_expr(C::Phone, Expr::null())
                .col_expr(C::Email, Expr::null())
                .col_expr(C::StreetAddress, Expr::null())
                .col_expr(C::PostalCode, Expr::null())
                .col_expr(C::Municipality, Expr::null())
                .col_expr(C::Version, Expr::col(C::Version).add(1))
                .col_expr(C::UpdatedAt, Expr::value(Utc::now()))
                .filter(C::Id.eq(id.as_str()))
                .exec(&tx)
                .await
                .map_err(err)?
                .rows_affected;
        }
        RecordClass::FeeDecisions => {
            changed += allowance_line::Entity::delete_many()
                .filter(allowance_line::Column::Month.lt(fee_cutoff(settings, today)))
                .filter(
                    allowance_line::Column::PeriodId
                        .in_subquery(of_client!(rehab_period, id.as_str())),
                )
                .exec(&tx)
                .await
                .map_err(err)?
                .rows_affected;
            // What the exports of those months carried goes with them (the export rows,
            // which name no client, stay).
            entity::allowance_export_line::Entity::delete_many()
                .filter(
                    entity::allowance_export_line::Column::Month.lt(fee_cutoff(settings, today)),
                )
                .filter(
                    entity::allowance_export_line::Column::PeriodId
                        .in_subquery(of_client!(rehab_period, id.as_str())),
                )
                .exec(&tx)
                .await
                .map_err(err)?;
        }
    }
    use RetentionErasure as R;
    let record = Query::insert()
        .into_table(R::Table)
        .columns([
            R::ClientId,
            R::RecordClass,
            R::DueOn,
            R::ErasedAt,
            R::RowsChanged,
        ])
        .values_panic([
            id.into(),
            item.class.code().into(),
            item.due_on.into(),
            Utc::now().into(),
            i64::try_from(changed).unwrap_or(i64::MAX).into(),
        ])
        .on_conflict(
            OnConflict::columns([R::ClientId, R::RecordClass])
                .update_columns([R::ErasedAt, R::DueOn])
                .value(
                    R::RowsChanged,
                    Expr::col((R::Table, R::RowsChanged))
                        .add(Expr::col(("excluded", R::RowsChanged))),
                )
                .to_owned(),
        )
        .to_owned();
    tx.execute(&record).await.map_err(err)?;
    tx.commit().await.map_err(|e| e.to_string())?;
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_keyed_stable_and_code_shaped() {
        let a = pseudonym("key-one-0123456789abcdef0123456789", "131052-308T").unwrap();
        assert_eq!(
            a,
            pseudonym("key-one-0123456789abcdef0123456789", "131052-308T").unwrap()
        );
        assert_ne!(
            a,
            pseudonym("key-two-0123456789abcdef0123456789", "131052-308T").unwrap()
        );
        assert_eq!(a.len(), 64);
        let code = code_pseudonym("k", "131052-308T").unwrap();
        assert_eq!(code.len(), 11);
        assert!(code.starts_with('#'));
    }

    #[test]
    fn retention_scrubs_exactly_the_free_text_columns_it_always_did_the_end_reason_and_the_new_notes(
    ) {
        // The SET lists as they were written out before they became data (as sea-query
        // renders them, identifiers unquoted here), 'ERASED' bound.
        let expected = [
            ("typ_case", "special_arrangements = NULL, education_history = NULL, work_history = NULL"),
            ("rehab_period", "goal = $1, support_needs = NULL, end_reason = (CASE WHEN (end_reason IS NULL) THEN NULL ELSE $2 END)"),
            ("work_ability_assessment", "conclusion = $1, restrictions = NULL, details = NULL, override_reason = NULL"),
            ("labour_policy_statement", "content = $1"),
            ("employment_item", "description = $1, follow_up_note = NULL"),
            ("competence_record", "competence_areas = $1"),
            ("agency_note", "body = $1"),
            ("network_meeting", "shared_record = NULL, location = NULL"),
            ("referral", "reason = $1, decline_reason = (CASE WHEN (decline_reason IS NULL) THEN NULL ELSE $2 END), outcome = (CASE WHEN (outcome IS NULL) THEN NULL ELSE $3 END)"),
            ("ktt_decision", "hearing_omitted_reason = NULL, reasoning = (CASE WHEN (reasoning IS NULL) THEN NULL ELSE $1 END)"),
            ("employment_plan", "goals = $1"),
            ("agreed_action", "description = $1"),
            ("plan_ktt_item", "goal = $1, support = $2"),
        ];
        let all: Vec<&Scrub> = BY_CLIENT.iter().chain(BY_CASE).collect();
        assert_eq!(all.len(), expected.len());
        for (scrub, (table, set)) in all.into_iter().zip(expected) {
            assert_eq!(scrub.table, table);
            let statement = sea_orm::DbBackend::Postgres.build(&scrub.update());
            assert_eq!(
                statement.sql.replace('"', ""),
                format!("UPDATE {table} SET {set}"),
                "{table}"
            );
            let values = statement.values.map(|v| v.0).unwrap_or_default();
            assert!(
                values.iter().all(|v| *v == sea_orm::Value::from(ERASED)),
                "{table}: {values:?}"
            );
            assert_eq!(values.len(), set.matches('$').count(), "{table}");
        }
    }
}
