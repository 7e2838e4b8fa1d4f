//! The access log's hash chain: seals, and their verification. The other audit records
//! are sealed in the record chain ([`super::records`]), which checkpoints this one.
//!
//! Requests only insert log rows; they never wait for one another. A sealer (one task per
//! process, and at most one at a time across replicas: a PostgreSQL advisory lock, SQLite's
//! write lock) appends a seal for every committed row it has not sealed yet, in id order:
//! `hash = SHA-256(previous hash, the row, its disclosure rows)`, seq 1, 2, 3… `verify`
//! walks the seals in order and recomputes every hash: a row changed after sealing, a row
//! removed, or a seal removed or changed shows as the first broken link. A row is covered
//! once sealed, normally within a second of its commit; rows not yet sealed are counted.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use entity::{access_log, disclosure_log};
use sea_orm::sea_query::{Expr, ExprTrait, Func, Order, Query, SubQueryStatement};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Iterable, QueryResult,
    TransactionOptions, TransactionTrait,
};
use sha2::{Digest, Sha256};

use super::tables::{AccessLogSeal, BreakGlassAccess};

mod floor;
mod seal;
mod sealer;
mod verify;

pub(super) use floor::Floor;
pub use seal::{seal_pending, seal_pending_by_page, seal_recent, unsealed_above};
pub use sealer::{publish, spawn_sealer};
pub use verify::{verify, verify_against, Broken, Verification};

/// The hash before the first seal.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Rows sealed (or verified) per statement.
pub(super) const PAGE: usize = 2000;

/// Key of the PostgreSQL advisory lock held while sealing ("typgseal").
const SEAL_LOCK: i64 = 0x7479_7067_7365_616c;

/// One access-log row, as hashed.
#[derive(Debug, Clone, PartialEq)]
struct LogRow {
    id: i64,
    at: DateTime<Utc>,
    official_id: String,
    agency: String,
    roles: String,
    client_id: Option<String>,
    action: String,
    field_groups: String,
    operation: String,
    reason: String,
    /// What admitted the access; `None` on rows logged before it was recorded.
    basis: Option<String>,
}

impl LogRow {
    fn from_row(row: &QueryResult) -> Result<LogRow, DbErr> {
        Ok(LogRow {
            id: row.try_get("", "id")?,
            at: row.try_get("", "at")?,
            official_id: row.try_get("", "official_id")?,
            agency: row.try_get("", "agency")?,
            roles: row.try_get("", "roles")?,
            client_id: row.try_get("", "client_id")?,
            action: row.try_get("", "action")?,
            field_groups: row.try_get("", "field_groups")?,
            operation: row.try_get("", "operation")?,
            reason: row.try_get("", "reason")?,
            basis: row.try_get("", "basis")?,
        })
    }
}

/// One disclosure row of a log row, as hashed.
#[derive(Debug, Clone, PartialEq)]
struct Disclosure {
    basis: String,
    recipient_agency: Option<String>,
    recipient_name: Option<String>,
    disclosing_agency: Option<String>,
    field_group: String,
    consent_id: Option<String>,
    legal_section: Option<String>,
}

impl Disclosure {
    /// The disclosure as hashed. A row of the shape every disclosure had before the log
    /// recorded its basis (on a consent, to an agency, the disclosing agency unrecorded)
    /// is hashed as it was then, `[recipient agency, group, consent]`, so rows sealed
    /// then still verify; any other row as an object of every column, which no such array
    /// can equal.
    fn hashed(&self) -> serde_json::Value {
        if let ("CONSENT", Some(agency), None, None, Some(consent), None) = (
            self.basis.as_str(),
            &self.recipient_agency,
            &self.recipient_name,
            &self.disclosing_agency,
            &self.consent_id,
            &self.legal_section,
        ) {
            return serde_json::json!([agency, self.field_group, consent]);
        }
        serde_json::json!({
            "basis": self.basis,
            "recipientAgency": self.recipient_agency,
            "recipientName": self.recipient_name,
            "disclosingAgency": self.disclosing_agency,
            "fieldGroup": self.field_group,
            "consentId": self.consent_id,
            "legalSection": self.legal_section,
        })
    }
}

/// What is hashed with a row besides its columns: its disclosure rows and the break-glass
/// grant it was read under.
#[derive(Debug, Default, Clone)]
struct Attached {
    disclosures: Vec<Disclosure>,
    grant: Option<String>,
}

/// The link hash of a row after `prev`: every column in a fixed order, as a JSON array, so
/// no two different rows serialise alike; then the break-glass grant and the basis of the
/// access, each only when there is one (rows logged before the basis was recorded hash as
/// they did).
/// Times are hashed to the microsecond, the precision both databases keep.
fn link(prev: &str, row: &LogRow, attached: &Attached) -> String {
    let at = row.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    let disclosures: Vec<serde_json::Value> = attached
        .disclosures
        .iter()
        .map(Disclosure::hashed)
        .collect();
    let mut canonical = serde_json::json!([
        prev,
        row.id,
        at,
        row.official_id,
        row.agency,
        row.roles,
        row.client_id,
        row.action,
        row.field_groups,
        row.operation,
        row.reason,
        disclosures,
    ]);
    if let Some(items) = canonical.as_array_mut() {
        if let Some(grant) = &attached.grant {
            items.push(serde_json::json!({ "breakGlass": grant }));
        }
        if let Some(basis) = &row.basis {
            items.push(serde_json::json!({ "basis": basis }));
        }
    }
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// The hashed columns: every column of the access log, on its rows aliased `a`.
fn row_columns() -> impl Iterator<Item = (&'static str, access_log::Column)> {
    access_log::Column::iter().map(|c| ("a", c))
}

/// Disclosure rows (in id order) and break-glass flags of the given log rows.
async fn attached_of(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<BTreeMap<i64, Attached>, DbErr> {
    let mut out: BTreeMap<i64, Attached> = BTreeMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    use disclosure_log::Column as D;
    let disclosures = Query::select()
        .columns([
            D::AccessLogId,
            D::Basis,
            D::RecipientAgency,
            D::RecipientName,
            D::DisclosingAgency,
            D::FieldGroup,
            D::ConsentId,
            D::LegalSection,
        ])
        .from(disclosure_log::Entity)
        .and_where(Expr::col(D::AccessLogId).is_in(ids.iter().copied()))
        .order_by(D::AccessLogId, Order::Asc)
        .order_by(D::Id, Order::Asc)
        .to_owned();
    for row in conn.query_all(&disclosures).await? {
        let id: i64 = row.try_get("", "access_log_id")?;
        out.entry(id).or_default().disclosures.push(Disclosure {
            basis: row.try_get("", "basis")?,
            recipient_agency: row.try_get("", "recipient_agency")?,
            recipient_name: row.try_get("", "recipient_name")?,
            disclosing_agency: row.try_get("", "disclosing_agency")?,
            field_group: row.try_get("", "field_group")?,
            consent_id: row.try_get("", "consent_id")?,
            legal_section: row.try_get("", "legal_section")?,
        });
    }
    let grants = Query::select()
        .columns([
            BreakGlassAccess::AccessLogId,
            BreakGlassAccess::BreakGlassId,
        ])
        .from(BreakGlassAccess::Table)
        .and_where(Expr::col(BreakGlassAccess::AccessLogId).is_in(ids.iter().copied()))
        .to_owned();
    for row in conn.query_all(&grants).await? {
        let id: i64 = row.try_get("", "access_log_id")?;
        out.entry(id).or_default().grant = Some(row.try_get("", "break_glass_id")?);
    }
    Ok(out)
}

/// The last seal: its seq and hash (0 and [`GENESIS`] when none), and the highest log id
/// sealed so far by any process (0 when none).
async fn head(conn: &impl ConnectionTrait) -> Result<(i64, String, i64), DbErr> {
    let top = Query::select()
        .expr(Expr::col(AccessLogSeal::AccessLogId).max())
        .from(AccessLogSeal::Table)
        .to_owned();
    let last = Query::select()
        .columns([AccessLogSeal::Seq, AccessLogSeal::Hash])
        .expr_as(
            Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(top))),
            "top",
        )
        .from(AccessLogSeal::Table)
        .order_by(AccessLogSeal::Seq, Order::Desc)
        .limit(1)
        .to_owned();
    let row = conn.query_one(&last).await?;
    match row {
        Some(r) => Ok((
            r.try_get("", "seq")?,
            r.try_get("", "hash")?,
            r.try_get("", "top")?,
        )),
        None => Ok((0, GENESIS.to_owned(), 0)),
    }
}

/// Begins a sealing transaction (SQLite: taking the write lock at once) holding the sealer
/// lock `lock` on PostgreSQL; `None` when another process holds it and is sealing.
pub(crate) async fn begin_sealing(
    db: &DatabaseConnection,
    lock: i64,
) -> Result<Option<sea_orm::DatabaseTransaction>, DbErr> {
    let opts = TransactionOptions {
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    let tx = db.begin_with_options(opts).await?;
    if db.get_database_backend() == DbBackend::Postgres {
        let try_lock = Query::select()
            .expr_as(Func::cust("pg_try_advisory_xact_lock").arg(lock), "locked")
            .to_owned();
        let locked = tx
            .query_one(&try_lock)
            .await?
            .map(|r| r.try_get::<bool>("", "locked"))
            .transpose()?
            .unwrap_or(false);
        if !locked {
            return Ok(None);
        }
    }
    Ok(Some(tx))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> LogRow {
        LogRow {
            id: 7,
            at: DateTime::parse_from_rfc3339("2026-11-28T10:00:00.123456789Z")
                .map(|d| d.with_timezone(&Utc))
                .unwrap(),
            official_id: "o1".into(),
            agency: "TE".into(),
            roles: "TE_EXPERT".into(),
            client_id: Some("c1".into()),
            action: "READ".into(),
            field_groups: "CASE".into(),
            operation: "caseView".into(),
            reason: "CaseView".into(),
            basis: None,
        }
    }

    /// A consent-based disclosure as every row had it before the basis was recorded.
    fn consent_disclosure() -> Disclosure {
        Disclosure {
            basis: "CONSENT".into(),
            recipient_agency: Some("KELA".into()),
            recipient_name: None,
            disclosing_agency: None,
            field_group: "HEALTH".into(),
            consent_id: Some("k1".into()),
            legal_section: None,
        }
    }

    #[test]
    fn a_row_sealed_before_disclosures_recorded_their_basis_hashes_as_it_did_then() {
        // The link of this row with one consent disclosure, as the chain computed it when a
        // disclosure was hashed as [recipient agency, group, consent].
        let then = "32aecb91c47243c27b8b54a775645aade5f462b2284a2637a283cfa9195deae7";
        let d = Attached {
            disclosures: vec![consent_disclosure()],
            grant: None,
        };
        assert_eq!(link(GENESIS, &row(), &d), then);
        // The disclosing agency recorded: a different link.
        let mut with_discloser = consent_disclosure();
        with_discloser.disclosing_agency = Some("EKSOTE".into());
        let d = Attached {
            disclosures: vec![with_discloser],
            grant: None,
        };
        assert_ne!(link(GENESIS, &row(), &d), then);
    }

    #[test]
    fn every_column_of_a_statutory_disclosure_changes_the_link() {
        let statutory = Disclosure {
            basis: "STATUTORY".into(),
            recipient_agency: None,
            recipient_name: Some("Fund".into()),
            disclosing_agency: Some("TE".into()),
            field_group: "BENEFIT".into(),
            consent_id: None,
            legal_section: Some("1290/2002 ch. 11 s. 4".into()),
        };
        let with = |d: Disclosure| {
            link(
                GENESIS,
                &row(),
                &Attached {
                    disclosures: vec![d],
                    grant: None,
                },
            )
        };
        let base = with(statutory.clone());
        let changes: [fn(&mut Disclosure); 6] = [
            |d| d.basis = "CONSENT".into(),
            |d| d.recipient_agency = Some("KELA".into()),
            |d| d.recipient_name = Some("Other fund".into()),
            |d| d.disclosing_agency = Some("EKSOTE".into()),
            |d| d.field_group = "CASE".into(),
            |d| d.legal_section = Some("1290/2002 ch. 11 s. 5".into()),
        ];
        for change in changes {
            let mut d = statutory.clone();
            change(&mut d);
            assert_ne!(base, with(d));
        }
        let mut d = statutory.clone();
        d.consent_id = Some("k1".into());
        assert_ne!(base, with(d));
    }

    #[test]
    fn every_column_and_the_previous_hash_change_the_link() {
        let none = Attached::default();
        let base = link(GENESIS, &row(), &none);
        assert_eq!(base.len(), 64);
        assert_eq!(base, link(GENESIS, &row(), &none), "deterministic");
        let mut other = row();
        other.field_groups = "CASE,HEALTH".into();
        assert_ne!(base, link(GENESIS, &other, &none));
        let mut other = row();
        other.client_id = None;
        assert_ne!(base, link(GENESIS, &other, &none));
        let mut other = row();
        other.basis = Some("TYP_CLIENTHOOD".into());
        let typ = link(GENESIS, &other, &none);
        assert_ne!(base, typ);
        other.basis = Some("OWN_RECORD".into());
        assert_ne!(typ, link(GENESIS, &other, &none));
        assert_ne!(base, link(&base, &row(), &none));
        let d = Attached {
            disclosures: vec![consent_disclosure()],
            grant: None,
        };
        assert_ne!(base, link(GENESIS, &row(), &d));
        let g = Attached {
            disclosures: Vec::new(),
            grant: Some("g1".into()),
        };
        assert_ne!(base, link(GENESIS, &row(), &g));
        // Sub-microsecond digits are not kept by PostgreSQL and do not count.
        let mut micro = row();
        micro.at = DateTime::parse_from_rfc3339("2026-11-28T10:00:00.123456Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap();
        assert_eq!(base, link(GENESIS, &micro, &none));
    }
}
