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

use chrono::{Months, NaiveDate, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};
use sha2::Sha256;

use crate::db::Sql;
use crate::domain::settings::Settings;

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
    /// The `SET` list, [`ERASED`] bound as a value.
    fn push_set(&self, sql: &mut Sql) {
        let mut first = true;
        let mut next = |sql: &mut Sql, column: &str| {
            if !std::mem::take(&mut first) {
                sql.push(", ");
            }
            sql.push(column);
        };
        for c in self.erase {
            next(sql, c);
            sql.push(" = ").bind(ERASED);
        }
        for c in self.null {
            next(sql, c);
            sql.push(" = NULL");
        }
        for c in self.erase_if_set {
            next(sql, c);
            sql.push(&format!(" = CASE WHEN {c} IS NULL THEN NULL ELSE "))
                .bind(ERASED)
                .push(" END");
        }
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
    scrub("rehab_period", &["goal"], &["support_needs"]),
    scrub(
        "work_ability_assessment",
        &["conclusion"],
        &["restrictions", "details", "override_reason"],
    ),
    scrub("labour_policy_statement", &["content"], &[]),
    scrub("employment_item", &["description"], &[]),
    scrub("agency_note", &["body"], &[]),
    scrub("network_meeting", &[], &["shared_record", "location"]),
    Scrub {
        table: "referral",
        erase: &["reason"],
        null: &[],
        erase_if_set: &["decline_reason", "outcome"],
    },
];

/// Tables keyed by the client's cases.
const BY_CASE: &[Scrub] = &[
    scrub("employment_plan", &["goals"], &[]),
    scrub("agreed_action", &["description"], &[]),
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
    let mut sql = Sql::new(
        "SELECT t.client_id, MAX(CASE WHEN t.closure_recorded_on > t.ended_on THEN t.closure_recorded_on ELSE t.ended_on END) AS last_closed FROM typ_case t \
         WHERE NOT EXISTS (SELECT 1 FROM typ_case o WHERE o.client_id = t.client_id AND o.ended_on IS NULL) \
         AND NOT EXISTS (SELECT 1 FROM retention_erasure e WHERE e.client_id = t.client_id AND e.record_class = 'SOCIAL_SERVICES') \
         GROUP BY t.client_id HAVING MAX(CASE WHEN t.closure_recorded_on > t.ended_on THEN t.closure_recorded_on ELSE t.ended_on END) <= ",
    );
    sql.bind(years_before(today, social))
        .push(" ORDER BY t.client_id");
    for r in db.query_all_raw(sql.build_for(db)).await? {
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
    let mut sql = Sql::new(
        "SELECT c.id, c.date_of_death FROM client c WHERE c.date_of_death IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM retention_erasure e WHERE e.client_id = c.id AND e.record_class = 'BASIC_DATA') \
         AND c.date_of_death <= ",
    );
    sql.bind(years_before(today, after_death))
        .push(" ORDER BY c.id");
    for r in db.query_all_raw(sql.build_for(db)).await? {
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
    let last_month = fee_cutoff(settings, today);
    let mut sql = Sql::new(
        "SELECT p.client_id, MAX(l.month) AS last_month, COUNT(*) AS n FROM allowance_line l \
         JOIN rehab_period p ON p.id = l.period_id WHERE l.month < ",
    );
    sql.bind(last_month)
        .push(" GROUP BY p.client_id ORDER BY p.client_id");
    for r in db.query_all_raw(sql.build_for(db)).await? {
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
    let run = |sql: Sql| {
        let tx = &tx;
        async move {
            tx.execute_raw(sql.build_for(tx))
                .await
                .map(|r| r.rows_affected())
                .map_err(|e| e.to_string())
        }
    };
    let id = item.client_id.clone();
    let mut changed = 0u64;
    match item.class {
        RecordClass::SocialServices => {
            // Free text of every case record of the client; facts (dates, codes) stay for
            // the statistics, which name no one.
            for scrub in BY_CLIENT {
                let mut sql = Sql::new(&format!("UPDATE {} SET ", scrub.table));
                scrub.push_set(&mut sql);
                sql.push(" WHERE client_id = ").bind(id.clone());
                changed += run(sql).await?;
            }
            for scrub in BY_CASE {
                let mut sql = Sql::new(&format!("UPDATE {} SET ", scrub.table));
                scrub.push_set(&mut sql);
                sql.push(" WHERE case_id IN (SELECT t.id FROM typ_case t WHERE t.client_id = ")
                    .bind(id.clone())
                    .push(")");
                changed += run(sql).await?;
            }
            let mut sql = Sql::new("UPDATE meeting_agency_section SET body = ");
            sql.bind(ERASED)
                .push(
                    " WHERE meeting_id IN (SELECT m.id FROM network_meeting m WHERE m.client_id = ",
                )
                .bind(id.clone())
                .push(")");
            changed += run(sql).await?;
            let mut sql = Sql::new("UPDATE attendance_day SET absence_reason = ");
            sql.bind(ERASED)
                .push(" WHERE absence_reason IS NOT NULL AND period_id IN (SELECT p.id FROM rehab_period p WHERE p.client_id = ")
                .bind(id.clone())
                .push(")");
            changed += run(sql).await?;
        }
        RecordClass::BasicData => {
            let mut sql = Sql::new("SELECT c.personal_identity_code FROM client c WHERE c.id = ");
            sql.bind(id.clone());
            let row = tx
                .query_one_raw(sql.build_for(&tx))
                .await
                .map_err(|e| e.to_string())?
                .ok_or("the client is gone")?;
            let code: String = row
                .try_get("", "personal_identity_code")
                .map_err(|e| e.to_string())?;
            let name = format!(
                "Pseudonym {}",
                &pseudonym(key, &format!("name:{id}"))?[..12]
            );
            let mut sql = Sql::new("UPDATE client SET personal_identity_code = ");
            sql.bind(code_pseudonym(key, &code)?)
                .push(", first_name = ")
                .bind(name.clone())
                .push(", last_name = ")
                .bind(name)
                .push(", phone = NULL, email = NULL, street_address = NULL, postal_code = NULL, municipality = NULL, version = version + 1, updated_at = ")
                .bind(Utc::now())
                .push(" WHERE id = ")
                .bind(id.clone());
            changed += run(sql).await?;
        }
        RecordClass::FeeDecisions => {
            let month = fee_cutoff(settings, today);
            let mut sql = Sql::new("DELETE FROM allowance_line WHERE month < ");
            sql.bind(month)
                .push(" AND period_id IN (SELECT p.id FROM rehab_period p WHERE p.client_id = ")
                .bind(id.clone())
                .push(")");
            changed += run(sql).await?;
        }
    }
    let mut sql = Sql::new(
        "INSERT INTO retention_erasure (client_id, record_class, due_on, erased_at, rows_changed) VALUES (",
    );
    sql.bind(id.clone())
        .push(", ")
        .bind(item.class.code())
        .push(", ")
        .bind(item.due_on)
        .push(", ")
        .bind(Utc::now())
        .push(", ")
        .bind(i64::try_from(changed).unwrap_or(i64::MAX))
        .push(
            ") ON CONFLICT (client_id, record_class) DO UPDATE SET erased_at = excluded.erased_at, due_on = excluded.due_on, rows_changed = retention_erasure.rows_changed + excluded.rows_changed",
        );
    run(sql).await?;
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
    fn retention_scrubs_exactly_the_free_text_columns_it_always_did() {
        // The SET lists as they were written out before they became data, 'ERASED' bound.
        let expected = [
            ("typ_case", "special_arrangements = NULL, education_history = NULL, work_history = NULL"),
            ("rehab_period", "goal = $1, support_needs = NULL"),
            ("work_ability_assessment", "conclusion = $1, restrictions = NULL, details = NULL, override_reason = NULL"),
            ("labour_policy_statement", "content = $1"),
            ("employment_item", "description = $1"),
            ("agency_note", "body = $1"),
            ("network_meeting", "shared_record = NULL, location = NULL"),
            ("referral", "reason = $1, decline_reason = CASE WHEN decline_reason IS NULL THEN NULL ELSE $2 END, outcome = CASE WHEN outcome IS NULL THEN NULL ELSE $3 END"),
            ("employment_plan", "goals = $1"),
            ("agreed_action", "description = $1"),
        ];
        let all: Vec<&Scrub> = BY_CLIENT.iter().chain(BY_CASE).collect();
        assert_eq!(all.len(), expected.len());
        for (scrub, (table, set)) in all.into_iter().zip(expected) {
            assert_eq!(scrub.table, table);
            let mut sql = Sql::new("");
            scrub.push_set(&mut sql);
            let statement = sql.build(sea_orm::DbBackend::Postgres);
            assert_eq!(statement.sql, set, "{table}");
            let values = statement.values.map(|v| v.0).unwrap_or_default();
            assert!(
                values.iter().all(|v| *v == sea_orm::Value::from(ERASED)),
                "{table}: {values:?}"
            );
            assert_eq!(values.len(), set.matches('$').count(), "{table}");
        }
    }
}
