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
use sea_orm::sea_query::{Expr, ExprTrait, Func, Order, Query, SelectStatement, SubQueryStatement};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Iterable, QueryResult,
    TransactionOptions, TransactionTrait,
};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use sha2::{Digest, Sha256};

use super::tables::{AccessLogClient, AccessLogSeal, BreakGlassAccess};

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

/// The disclosure as hashed. A row of the shape every disclosure had before the log
/// recorded its basis (on a consent, to an agency, the disclosing agency unrecorded) is
/// hashed as it was then, `[recipient agency, group, consent]`, so rows sealed then still
/// verify; any other row as an object of every column, keys in alphabetical order, which
/// no such array can equal.
impl Serialize for Disclosure {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if let ("CONSENT", Some(agency), None, None, Some(consent), None) = (
            self.basis.as_str(),
            &self.recipient_agency,
            &self.recipient_name,
            &self.disclosing_agency,
            &self.consent_id,
            &self.legal_section,
        ) {
            return (agency, &self.field_group, consent).serialize(s);
        }
        let mut map = s.serialize_map(Some(7))?;
        map.serialize_entry("basis", &self.basis)?;
        map.serialize_entry("consentId", &self.consent_id)?;
        map.serialize_entry("disclosingAgency", &self.disclosing_agency)?;
        map.serialize_entry("fieldGroup", &self.field_group)?;
        map.serialize_entry("legalSection", &self.legal_section)?;
        map.serialize_entry("recipientAgency", &self.recipient_agency)?;
        map.serialize_entry("recipientName", &self.recipient_name)?;
        map.end()
    }
}

/// What is hashed with a row besides its columns: its disclosure rows, the break-glass
/// grant it was read under and the clients it lists (a row that names no client of its own).
#[derive(Debug, Default, Clone)]
struct Attached {
    disclosures: Vec<Disclosure>,
    grant: Option<String>,
    /// In ascending order.
    clients: Vec<String>,
}

/// The link hash of a row after `prev`: every column in a fixed order, as a JSON array, so
/// no two different rows serialise alike; then the break-glass grant and the basis of the
/// access, each only when there is one (rows logged before the basis was recorded hash as
/// they did); last the clients the row lists, only when it lists any (so every row written
/// before rows listed clients hashes as it did).
/// Times are hashed to the microsecond, the precision both databases keep.
///
/// The canonical JSON is written straight into the hash, with no document built first;
/// its bytes are fixed here (the order of every array and object key), not left to how a
/// JSON value happens to order an object's keys.
///
/// Writing into a hash does not fail and every value here serialises, but were that ever
/// to change the error is returned: a seal over part of a row would be a broken link.
fn link(prev: &str, row: &LogRow, attached: &Attached) -> Result<String, DbErr> {
    let mut hash = HashWriter(Sha256::new());
    let canonical = Canonical {
        prev,
        row,
        attached,
    };
    serde_json::to_writer(&mut hash, &canonical)
        .map_err(|e| DbErr::Custom(format!("serialising access-log row {}: {e}", row.id)))?;
    Ok(hex::encode(hash.0.finalize()))
}

/// A row's canonical JSON (see [`link`]).
struct Canonical<'a> {
    prev: &'a str,
    row: &'a LogRow,
    attached: &'a Attached,
}

impl Serialize for Canonical<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let row = self.row;
        let mut items = s.serialize_seq(None)?;
        items.serialize_element(self.prev)?;
        items.serialize_element(&row.id)?;
        items.serialize_element(&format_args!("{}", row.at.format("%Y-%m-%dT%H:%M:%S%.6fZ")))?;
        items.serialize_element(&row.official_id)?;
        items.serialize_element(&row.agency)?;
        items.serialize_element(&row.roles)?;
        items.serialize_element(&row.client_id)?;
        items.serialize_element(&row.action)?;
        items.serialize_element(&row.field_groups)?;
        items.serialize_element(&row.operation)?;
        items.serialize_element(&row.reason)?;
        items.serialize_element(&self.attached.disclosures)?;
        if let Some(grant) = &self.attached.grant {
            items.serialize_element(&Tagged("breakGlass", grant))?;
        }
        if let Some(basis) = &row.basis {
            items.serialize_element(&Tagged("basis", basis))?;
        }
        if !self.attached.clients.is_empty() {
            items.serialize_element(&Listed(&self.attached.clients))?;
        }
        items.end()
    }
}

/// `{"key": value}`.
struct Tagged<'a>(&'static str, &'a str);

impl Serialize for Tagged<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry(self.0, self.1)?;
        map.end()
    }
}

/// `{"clients": [...]}`.
struct Listed<'a>(&'a [String]);

impl Serialize for Listed<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry("clients", self.0)?;
        map.end()
    }
}

/// Feeds what is written into a SHA-256.
struct HashWriter(Sha256);

impl std::io::Write for HashWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The hashed columns: every column of the access log, on its rows aliased `a`.
fn row_columns() -> impl Iterator<Item = (&'static str, access_log::Column)> {
    access_log::Column::iter().map(|c| ("a", c))
}

/// The reads of what is attached to the log rows `ids`: their disclosure rows (in id
/// order), break-glass grants and listed clients; `None` for no ids.
///
/// Each read names the ids and also the range they lie in: these tables grow with every
/// request, and where the planner has no statistics of them yet (a new table, or
/// autovacuum behind) it guesses that a list of a few hundred ids matches most of the
/// table and reads it whole, in every sealing round; the range on the index's leading
/// column holds the plan to the index whatever the statistics say.
pub fn attached_reads(ids: &[i64]) -> Option<AttachedReads> {
    let (Some(&lowest), Some(&highest)) = (ids.iter().min(), ids.iter().max()) else {
        return None;
    };
    let of_ids = |column: Expr| {
        column
            .clone()
            .between(lowest, highest)
            .and(column.is_in(ids.iter().copied()))
    };
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
        .and_where(of_ids(Expr::col(D::AccessLogId)))
        .order_by(D::AccessLogId, Order::Asc)
        .order_by(D::Id, Order::Asc)
        .to_owned();
    let grants = Query::select()
        .columns([
            BreakGlassAccess::AccessLogId,
            BreakGlassAccess::BreakGlassId,
        ])
        .from(BreakGlassAccess::Table)
        .and_where(of_ids(Expr::col(BreakGlassAccess::AccessLogId)))
        .to_owned();
    let listed = Query::select()
        .columns([AccessLogClient::AccessLogId, AccessLogClient::ClientId])
        .from(AccessLogClient::Table)
        .and_where(of_ids(Expr::col(AccessLogClient::AccessLogId)))
        .to_owned();
    Some(AttachedReads {
        disclosures,
        grants,
        listed,
    })
}

/// See [`attached_reads`].
pub struct AttachedReads {
    pub disclosures: SelectStatement,
    pub grants: SelectStatement,
    pub listed: SelectStatement,
}

/// Disclosure rows (in id order), break-glass grants and listed clients (in byte order) of
/// the given log rows.
async fn attached_of(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<BTreeMap<i64, Attached>, DbErr> {
    let mut out: BTreeMap<i64, Attached> = BTreeMap::new();
    let Some(AttachedReads {
        disclosures,
        grants,
        listed,
    }) = attached_reads(ids)
    else {
        return Ok(out);
    };
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
    for row in conn.query_all(&grants).await? {
        let id: i64 = row.try_get("", "access_log_id")?;
        out.entry(id).or_default().grant = Some(row.try_get("", "break_glass_id")?);
    }
    for row in conn.query_all(&listed).await? {
        let id: i64 = row.try_get("", "access_log_id")?;
        out.entry(id)
            .or_default()
            .clients
            .push(row.try_get("", "client_id")?);
    }
    // In byte order, whatever the database's collation would sort them by.
    for attached in out.values_mut() {
        attached.clients.sort_unstable();
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

    /// The link, which cannot fail for these rows.
    fn link(prev: &str, row: &LogRow, attached: &Attached) -> String {
        super::link(prev, row, attached).unwrap()
    }

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

    /// The link as the chain computed it before it wrote the JSON straight into the hash:
    /// a `serde_json::Value` built and then printed (objects print their keys sorted).
    fn link_through_a_value(prev: &str, row: &LogRow, attached: &Attached) -> String {
        let disclosure = |d: &Disclosure| {
            if let ("CONSENT", Some(agency), None, None, Some(consent), None) = (
                d.basis.as_str(),
                &d.recipient_agency,
                &d.recipient_name,
                &d.disclosing_agency,
                &d.consent_id,
                &d.legal_section,
            ) {
                return serde_json::json!([agency, d.field_group, consent]);
            }
            serde_json::json!({
                "basis": d.basis,
                "recipientAgency": d.recipient_agency,
                "recipientName": d.recipient_name,
                "disclosingAgency": d.disclosing_agency,
                "fieldGroup": d.field_group,
                "consentId": d.consent_id,
                "legalSection": d.legal_section,
            })
        };
        let at = row.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
        let disclosures: Vec<serde_json::Value> =
            attached.disclosures.iter().map(disclosure).collect();
        let mut items = vec![
            serde_json::json!(prev),
            serde_json::json!(row.id),
            serde_json::json!(at),
            serde_json::json!(row.official_id),
            serde_json::json!(row.agency),
            serde_json::json!(row.roles),
            serde_json::json!(row.client_id),
            serde_json::json!(row.action),
            serde_json::json!(row.field_groups),
            serde_json::json!(row.operation),
            serde_json::json!(row.reason),
            serde_json::json!(disclosures),
        ];
        if let Some(grant) = &attached.grant {
            items.push(serde_json::json!({ "breakGlass": grant }));
        }
        if let Some(basis) = &row.basis {
            items.push(serde_json::json!({ "basis": basis }));
        }
        if !attached.clients.is_empty() {
            items.push(serde_json::json!({ "clients": attached.clients }));
        }
        hex::encode(Sha256::digest(
            serde_json::Value::Array(items).to_string().as_bytes(),
        ))
    }

    fn statutory_disclosure() -> Disclosure {
        Disclosure {
            basis: "STATUTORY".into(),
            recipient_agency: None,
            recipient_name: Some("Fund".into()),
            disclosing_agency: Some("TE".into()),
            field_group: "BENEFIT".into(),
            consent_id: None,
            legal_section: Some("1290/2002 ch. 11 s. 4".into()),
        }
    }

    #[test]
    fn the_link_hashes_the_same_bytes_as_the_json_value_it_replaced() {
        let mut rows = vec![row()];
        let mut r = row();
        r.client_id = None;
        r.basis = Some("TYP_CLIENTHOOD".into());
        rows.push(r);
        let mut r = row();
        // Text that JSON escapes: quotes, a backslash, control characters, non-ASCII.
        r.reason = "\"quoted\" \\ tab\t newline\n bell\u{7} ääkköset ñ 🙂".into();
        r.official_id = "o\u{1f}\u{0}".into();
        r.id = i64::MAX;
        r.basis = Some("BREAK_GLASS".into());
        rows.push(r);
        let mut r = row();
        r.at = DateTime::parse_from_rfc3339("1999-12-31T23:59:59Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap();
        r.id = 1;
        rows.push(r);
        let mut unnamed = statutory_disclosure();
        unnamed.recipient_name = None;
        unnamed.recipient_agency = Some("KELA".into());
        unnamed.field_group = "a \"group\"".into();
        let attachments = [
            Attached::default(),
            Attached {
                disclosures: vec![consent_disclosure()],
                grant: None,
                clients: Vec::new(),
            },
            Attached {
                disclosures: vec![statutory_disclosure()],
                grant: Some("g1".into()),
                clients: Vec::new(),
            },
            Attached {
                disclosures: vec![consent_disclosure(), unnamed, statutory_disclosure()],
                grant: Some("g\"2".into()),
                clients: Vec::new(),
            },
            // A row listing its clients (one that names none).
            Attached {
                disclosures: Vec::new(),
                grant: None,
                clients: vec!["c1".into(), "c\"2\u{e4}".into()],
            },
        ];
        let mut checked = 0;
        for row in &rows {
            for attached in &attachments {
                for prev in [GENESIS, "ab\"c"] {
                    assert_eq!(
                        link(prev, row, attached),
                        link_through_a_value(prev, row, attached),
                        "{row:?} {attached:?}"
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 40);
        // One known answer of the object form, with a grant and a basis, fixed apart from
        // how any JSON library orders keys (computed outside Rust, from the JSON text).
        const KNOWN: &str = "0a871e00ad73699bddf1506e1dca3fbcc4e2dc0434e9a7f8b4d2ef4b0ee1ad77";
        let mut r = row();
        r.basis = Some("STATUTORY".into());
        let attached = &attachments[2];
        assert_eq!(link(GENESIS, &r, attached), KNOWN);
    }

    #[test]
    fn a_row_sealed_before_disclosures_recorded_their_basis_hashes_as_it_did_then() {
        // The link of this row with one consent disclosure, as the chain computed it when a
        // disclosure was hashed as [recipient agency, group, consent].
        let then = "32aecb91c47243c27b8b54a775645aade5f462b2284a2637a283cfa9195deae7";
        let d = Attached {
            disclosures: vec![consent_disclosure()],
            grant: None,
            clients: Vec::new(),
        };
        assert_eq!(link(GENESIS, &row(), &d), then);
        // The disclosing agency recorded: a different link.
        let mut with_discloser = consent_disclosure();
        with_discloser.disclosing_agency = Some("EKSOTE".into());
        let d = Attached {
            disclosures: vec![with_discloser],
            grant: None,
            clients: Vec::new(),
        };
        assert_ne!(link(GENESIS, &row(), &d), then);
    }

    #[test]
    fn the_clients_a_row_lists_change_its_link() {
        let mut listing = row();
        listing.client_id = None;
        let listed = |clients: &[&str]| {
            link(
                GENESIS,
                &listing,
                &Attached {
                    clients: clients.iter().map(|c| (*c).to_owned()).collect(),
                    ..Attached::default()
                },
            )
        };
        let two = listed(&["c1", "c2"]);
        assert_ne!(two, listed(&[]), "a listing row hashes its clients");
        assert_ne!(two, listed(&["c1"]), "a client removed");
        assert_ne!(two, listed(&["c1", "c2", "c3"]), "a client added");
        assert_ne!(two, listed(&["c1", "c3"]), "a client changed");
        assert_ne!(two, listed(&["c1c2"]));
        // No listed clients: the row hashes as every row did before rows listed any.
        assert_eq!(listed(&[]), link(GENESIS, &listing, &Attached::default()));
    }

    #[test]
    fn every_column_of_a_statutory_disclosure_changes_the_link() {
        let statutory = statutory_disclosure();
        let with = |d: Disclosure| {
            link(
                GENESIS,
                &row(),
                &Attached {
                    disclosures: vec![d],
                    grant: None,
                    clients: Vec::new(),
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
            clients: Vec::new(),
        };
        assert_ne!(base, link(GENESIS, &row(), &d));
        let g = Attached {
            disclosures: Vec::new(),
            grant: Some("g1".into()),
            clients: Vec::new(),
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
