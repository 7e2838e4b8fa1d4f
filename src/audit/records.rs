//! The record chain: seals over the append-only records that accountability rests on besides
//! the access log (the administration log, policy versions, break-glass grants and their
//! reviews, the clients' own access log), and checkpoints of the access-log chain.
//!
//! One chain, `record_seal`: `hash = SHA-256(previous hash, kind, key, the record)`, seq 1,
//! 2, 3… A checkpoint seal carries the access-log chain's head (its seq as the key, its hash
//! as the record), so this chain's head commits to both chains. The sealer publishes that
//! head (seq and hash) after each round that moved it, as a log line and in `/metrics`:
//! kept outside the database, it shows a tail cut from either chain, which a chain read on
//! its own cannot (`typgraph audit verify --head SEQ:HASH`).
//!
//! A grant is sealed twice: its opening (who, for whom, why, until when) when it is
//! written, and its review once closed. Only the review columns of a grant are ever
//! updated, and only once, from open to closed.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, QueryResult};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::chain::{Floor, GENESIS, PAGE};
use crate::db::Sql;

/// Key of the PostgreSQL advisory lock held while sealing records ("typgrecs").
const RECORD_LOCK: i64 = 0x7479_7067_7265_6373;

/// A class of sealed records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    AdminLog,
    PolicyVersion,
    ClientAccessLog,
    BreakGlass,
    BreakGlassReview,
    /// A checkpoint of the access-log chain: its head seal's seq and hash.
    AccessChain,
}

/// The kinds whose records are rows of a table, in the order a round seals them.
const TABLE_KINDS: [Kind; 5] = [
    Kind::AdminLog,
    Kind::PolicyVersion,
    Kind::ClientAccessLog,
    Kind::BreakGlass,
    Kind::BreakGlassReview,
];

/// How a column is read and hashed.
#[derive(Debug, Clone, Copy)]
enum Col {
    Text,
    OptText,
    Int,
    Bool,
    Ts,
    OptTs,
}

/// Where a kind's records are and which of their columns are hashed.
struct Spec {
    table: &'static str,
    /// The key column: an integer (named by `row_id`) or text (`row_key`).
    key: &'static str,
    integer: bool,
    columns: &'static [(&'static str, Col)],
    /// Which rows are records of the kind (empty: all).
    filter: &'static str,
    /// The order rows are sealed in, for text keys (integer keys: by key).
    order: &'static str,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::AdminLog => "ADMIN_LOG",
            Kind::PolicyVersion => "POLICY_VERSION",
            Kind::ClientAccessLog => "CLIENT_ACCESS_LOG",
            Kind::BreakGlass => "BREAK_GLASS",
            Kind::BreakGlassReview => "BREAK_GLASS_REVIEW",
            Kind::AccessChain => "ACCESS_CHAIN",
        }
    }

    fn from_code(code: &str) -> Option<Kind> {
        TABLE_KINDS
            .into_iter()
            .chain([Kind::AccessChain])
            .find(|k| k.code() == code)
    }

    /// What the kind is, for a verifier's message.
    fn what(self) -> &'static str {
        match self {
            Kind::AdminLog => "administration-log row",
            Kind::PolicyVersion => "policy version",
            Kind::ClientAccessLog => "client access-log row",
            Kind::BreakGlass => "break-glass grant",
            Kind::BreakGlassReview => "break-glass review",
            Kind::AccessChain => "access-log seal",
        }
    }

    fn spec(self) -> Spec {
        use Col::*;
        match self {
            Kind::AdminLog => Spec {
                table: "admin_log",
                key: "id",
                integer: true,
                columns: &[
                    ("id", Int),
                    ("at", Ts),
                    ("official_id", OptText),
                    ("action", Text),
                    ("target", Text),
                    ("detail", Text),
                ],
                filter: "",
                order: "a.id",
            },
            Kind::PolicyVersion => Spec {
                table: "policy_version",
                key: "version",
                integer: true,
                columns: &[
                    ("version", Int),
                    ("model", Text),
                    ("policy", Text),
                    ("source", Text),
                    ("comment", Text),
                    ("beyond_contract", Bool),
                    ("created_by", OptText),
                    ("created_at", Ts),
                ],
                filter: "",
                order: "a.version",
            },
            Kind::ClientAccessLog => Spec {
                table: "client_access_log",
                key: "id",
                integer: true,
                columns: &[
                    ("id", Int),
                    ("at", Ts),
                    ("client_id", Text),
                    ("action", Text),
                    ("field_groups", Text),
                    ("operation", Text),
                    ("reason", Text),
                ],
                filter: "",
                order: "a.id",
            },
            Kind::BreakGlass => Spec {
                table: "break_glass",
                key: "id",
                integer: false,
                columns: &[
                    ("id", Text),
                    ("official_id", Text),
                    ("agency", Text),
                    ("roles", Text),
                    ("client_id", Text),
                    ("reason", Text),
                    ("opened_at", Ts),
                    ("expires_at", Ts),
                ],
                filter: "",
                order: "a.opened_at, a.id",
            },
            Kind::BreakGlassReview => Spec {
                table: "break_glass",
                key: "id",
                integer: false,
                columns: &[
                    ("id", Text),
                    ("review_status", Text),
                    ("reviewed_by", OptText),
                    ("reviewed_at", OptTs),
                    ("review_note", OptText),
                ],
                filter: "a.review_status = 'CLOSED'",
                order: "a.reviewed_at, a.id",
            },
            Kind::AccessChain => Spec {
                table: "access_log_seal",
                key: "seq",
                integer: true,
                columns: &[("hash", Text)],
                filter: "",
                order: "a.seq",
            },
        }
    }
}

/// A record's key: the integer or text primary key of its row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    Id(i64),
    Text(String),
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Id(id) => write!(f, "{id}"),
            Key::Text(key) => f.write_str(key),
        }
    }
}

impl Key {
    fn json(&self) -> Value {
        match self {
            Key::Id(id) => Value::from(*id),
            Key::Text(key) => Value::from(key.clone()),
        }
    }
}

/// A chain's head: the last seal's seq and hash (0 and [`GENESIS`] when none). Written and
/// read as `SEQ:HASH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
}

impl Default for Head {
    fn default() -> Self {
        Head {
            seq: 0,
            hash: GENESIS.to_owned(),
        }
    }
}

impl fmt::Display for Head {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

impl FromStr for Head {
    type Err = String;
    fn from_str(s: &str) -> Result<Head, String> {
        let wrong = || "a head is SEQ:HASH (a seal's number and its 64 hex digits)".to_owned();
        let (seq, hash) = s.trim().split_once(':').ok_or_else(wrong)?;
        let seq: i64 = seq.parse().map_err(|_| wrong())?;
        let hash = hash.to_ascii_lowercase();
        if seq < 1 || hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(wrong());
        }
        Ok(Head { seq, hash })
    }
}

fn micros(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// A row's hashed columns, in the spec's order.
fn values(row: &QueryResult, columns: &[(&str, Col)]) -> Result<Vec<Value>, DbErr> {
    columns
        .iter()
        .map(|&(name, col)| {
            Ok(match col {
                Col::Text => Value::from(row.try_get::<String>("", name)?),
                Col::OptText => row
                    .try_get::<Option<String>>("", name)?
                    .map_or(Value::Null, Value::from),
                Col::Int => Value::from(row.try_get::<i64>("", name)?),
                Col::Bool => Value::from(row.try_get::<bool>("", name)?),
                Col::Ts => Value::from(micros(row.try_get::<DateTime<Utc>>("", name)?)),
                Col::OptTs => row
                    .try_get::<Option<DateTime<Utc>>>("", name)?
                    .map_or(Value::Null, |at| Value::from(micros(at))),
            })
        })
        .collect()
}

/// The row's key.
fn key_of(row: &QueryResult, spec: &Spec) -> Result<Key, DbErr> {
    Ok(if spec.integer {
        Key::Id(row.try_get("", spec.key)?)
    } else {
        Key::Text(row.try_get("", spec.key)?)
    })
}

/// The link hash of a record after `prev`: kind, key and every hashed column, as a JSON
/// array, so no two different records serialise alike. Times to the microsecond.
fn link(prev: &str, kind: Kind, key: &Key, values: &[Value]) -> String {
    let canonical = serde_json::json!([prev, kind.code(), key.json(), values]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

/// The selected columns of a spec (its key among them).
fn select_list(spec: &Spec) -> String {
    let mut names: Vec<String> = spec
        .columns
        .iter()
        .map(|(name, _)| format!("a.{name}"))
        .collect();
    if !spec.columns.iter().any(|(name, _)| *name == spec.key) {
        names.push(format!("a.{}", spec.key));
    }
    names.join(", ")
}

/// The head of the record chain.
pub async fn head(conn: &impl ConnectionTrait) -> Result<Head, DbErr> {
    let row = conn
        .query_one_raw(
            Sql::new("SELECT seq, hash FROM record_seal ORDER BY seq DESC LIMIT 1").build_for(conn),
        )
        .await?;
    match row {
        Some(r) => Ok(Head {
            seq: r.try_get("", "seq")?,
            hash: r.try_get("", "hash")?,
        }),
        None => Ok(Head::default()),
    }
}

/// The highest key sealed of an integer kind (0 when none).
async fn top_of(conn: &impl ConnectionTrait, kind: Kind) -> Result<i64, DbErr> {
    let mut sql = Sql::new("SELECT row_id FROM record_seal WHERE kind = ");
    sql.bind(kind.code())
        .push(" AND row_id IS NOT NULL ORDER BY row_id DESC LIMIT 1");
    Ok(conn
        .query_one_raw(sql.build_for(conn))
        .await?
        .map(|r| r.try_get::<i64>("", "row_id"))
        .transpose()?
        .unwrap_or(0))
}

/// One round's read of a kind: its first unsealed records (of an integer kind: with keys
/// above `floor` and up to `upto`, read through the primary key).
fn unsealed(kind: Kind, floor: i64, upto: Option<i64>) -> Sql {
    let spec = kind.spec();
    let mut sql = Sql::new(&format!(
        "SELECT {} FROM {} a WHERE ",
        select_list(&spec),
        spec.table
    ));
    if !spec.filter.is_empty() {
        sql.push(spec.filter).push(" AND ");
    }
    if spec.integer {
        sql.push(&format!("a.{} > ", spec.key)).bind(floor);
        if let Some(upto) = upto {
            sql.push(&format!(" AND a.{} <= ", spec.key)).bind(upto);
        }
        sql.push(" AND ");
    }
    let column = if spec.integer { "row_id" } else { "row_key" };
    sql.push("NOT EXISTS (SELECT 1 FROM record_seal s WHERE s.kind = ")
        .bind(kind.code())
        .push(&format!(" AND s.{column} = a.{})", spec.key));
    let order = if spec.integer {
        format!("a.{}", spec.key)
    } else {
        spec.order.to_owned()
    };
    sql.push(&format!(" ORDER BY {order} LIMIT {PAGE}"));
    sql
}

/// What a round reads of one kind: above `from` (none: above the highest sealed key less
/// [`Floor::MAX_GAP`]) and up to `upto`. Text-keyed kinds (grants, which are few) are read
/// whole.
#[derive(Debug, Clone, Copy)]
struct Want {
    kind: Kind,
    from: Option<i64>,
    upto: Option<i64>,
}

/// What one round of [`seal`] did.
#[derive(Debug, Default)]
struct Round {
    /// Whether it read (false: another process held the lock).
    read: bool,
    /// Per integer kind: the highest key sealed before the round.
    tops: BTreeMap<Kind, i64>,
    /// Per integer kind: the keys it sealed, in order.
    sealed: BTreeMap<Kind, Vec<i64>>,
    /// Seals written.
    count: usize,
}

/// Seals the wanted kinds' unsealed records, page after page while a page comes back full,
/// and with `checkpoint` the access-log chain's head when it moved since the last
/// checkpoint. Does nothing when another process is sealing (PostgreSQL).
async fn seal(db: &DatabaseConnection, wants: &[Want], checkpoint: bool) -> Result<Round, DbErr> {
    let mut round = Round::default();
    let mut wants: Vec<Want> = wants.to_vec();
    let mut checkpoint = checkpoint;
    while !wants.is_empty() || checkpoint {
        let Some(tx) = super::chain::begin_sealing(db, RECORD_LOCK).await? else {
            return Ok(round);
        };
        round.read = true;
        let mut at = head(&tx).await?;
        let now = Utc::now();
        let mut seals: Vec<(Kind, Key, String)> = Vec::new();
        let mut next = Vec::new();
        for want in &wants {
            let spec = want.kind.spec();
            let mut start = 0;
            if spec.integer {
                let top = top_of(&tx, want.kind).await?;
                round.tops.entry(want.kind).or_insert(top);
                start = want.from.unwrap_or((top - Floor::MAX_GAP).max(0));
            }
            let rows = tx
                .query_all_raw(unsealed(want.kind, start, want.upto).build_for(&tx))
                .await?;
            for row in &rows {
                let key = key_of(row, &spec)?;
                at.hash = link(&at.hash, want.kind, &key, &values(row, spec.columns)?);
                at.seq += 1;
                seals.push((want.kind, key, at.hash.clone()));
            }
            if rows.len() >= PAGE {
                let last = seals.last().and_then(|(_, key, _)| match key {
                    Key::Id(id) => Some(*id),
                    Key::Text(_) => None,
                });
                next.push(Want {
                    from: last.or(want.from),
                    ..*want
                });
            }
        }
        if checkpoint {
            checkpoint = false;
            let access = tx
                .query_one_raw(
                    Sql::new("SELECT seq, hash FROM access_log_seal ORDER BY seq DESC LIMIT 1")
                        .build_for(&tx),
                )
                .await?;
            if let Some(access) = access {
                let seq: i64 = access.try_get("", "seq")?;
                let hash: String = access.try_get("", "hash")?;
                if seq > top_of(&tx, Kind::AccessChain).await? {
                    let key = Key::Id(seq);
                    at.hash = link(&at.hash, Kind::AccessChain, &key, &[Value::from(hash)]);
                    at.seq += 1;
                    seals.push((Kind::AccessChain, key, at.hash.clone()));
                }
            }
        }
        let first = at.seq - i64::try_from(seals.len()).unwrap_or(0) + 1;
        for (i, chunk) in seals.chunks(1000).enumerate() {
            let mut insert = Sql::new(
                "INSERT INTO record_seal (seq, kind, row_id, row_key, hash, sealed_at) VALUES ",
            );
            for (j, (kind, key, hash)) in chunk.iter().enumerate() {
                let seq = first + i64::try_from(i * 1000 + j).unwrap_or(0);
                let (row_id, row_key) = match key {
                    Key::Id(id) => (Some(*id), None),
                    Key::Text(key) => (None, Some(key.clone())),
                };
                if j > 0 {
                    insert.push(", ");
                }
                insert
                    .push("(")
                    .bind(seq)
                    .push(", ")
                    .bind(kind.code())
                    .push(", ")
                    .bind(row_id)
                    .push(", ")
                    .bind(row_key)
                    .push(", ")
                    .bind(hash.clone())
                    .push(", ")
                    .bind(now)
                    .push(")");
            }
            tx.execute_raw(insert.build_for(&tx)).await?;
        }
        tx.commit().await?;
        round.count += seals.len();
        for (kind, key, _) in &seals {
            if let Key::Id(id) = key {
                round.sealed.entry(*kind).or_default().push(*id);
            }
        }
        wants = next;
    }
    Ok(round)
}

/// Seals every unsealed record of every kind and checkpoints the access-log chain; returns
/// how many seals were written (0 when another process is sealing). For tests and commands:
/// the server's sealer reads through floors ([`Sealer`]).
pub async fn seal_all(db: &DatabaseConnection) -> Result<usize, DbErr> {
    let wants: Vec<Want> = TABLE_KINDS
        .into_iter()
        .map(|kind| Want {
            kind,
            from: Some(0),
            upto: None,
        })
        .collect();
    Ok(seal(db, &wants, true).await?.count)
}

/// Seals the records committed lately (keys above the highest sealed less
/// [`Floor::MAX_GAP`]) and checkpoints the access-log chain: at shutdown.
pub async fn seal_recent(db: &DatabaseConnection) -> Result<usize, DbErr> {
    let wants: Vec<Want> = TABLE_KINDS
        .into_iter()
        .map(|kind| Want {
            kind,
            from: None,
            upto: None,
        })
        .collect();
    Ok(seal(db, &wants, true).await?.count)
}

/// The record sealer's state in the server: a floor per integer kind (as for the access
/// log: each round reads new keys and recent holes, and a pass rereads older keys a slice
/// at a time), and the head it last published.
#[derive(Default)]
pub(super) struct Sealer {
    floors: BTreeMap<Kind, Floor>,
    published: Option<Head>,
}

impl Sealer {
    /// One round: the records committed since the last, a slice of the pass if one is due,
    /// and a checkpoint of the access-log chain.
    pub(super) async fn round(&mut self, db: &DatabaseConnection) -> Result<(), DbErr> {
        let mut wants = Vec::new();
        for kind in TABLE_KINDS {
            let from = if kind.spec().integer {
                self.floors.entry(kind).or_default().next()
            } else {
                None
            };
            wants.push(Want {
                kind,
                from,
                upto: None,
            });
        }
        let round = seal(db, &wants, true).await?;
        self.note(&round);
        let mut slices = Vec::new();
        for (kind, floor) in self.floors.iter_mut() {
            if let Some((from, upto)) = floor.slice() {
                slices.push(Want {
                    kind: *kind,
                    from: Some(from),
                    upto: Some(upto),
                });
            }
        }
        if !slices.is_empty() {
            let round = seal(db, &slices, false).await?;
            self.note(&round);
            if round.read {
                for want in &slices {
                    if let (Some(floor), Some(upto)) = (self.floors.get_mut(&want.kind), want.upto)
                    {
                        floor.slice_done(upto);
                    }
                }
            }
        }
        Ok(())
    }

    fn note(&mut self, round: &Round) {
        let none = Vec::new();
        for (kind, floor) in self.floors.iter_mut() {
            let top = if round.read {
                Some(round.tops.get(kind).copied().unwrap_or(0))
            } else {
                None
            };
            floor.sealed(top, round.sealed.get(kind).unwrap_or(&none));
        }
    }

    /// The head now, if it moved since last published: to be published.
    pub(super) async fn moved(&mut self, db: &DatabaseConnection) -> Result<Option<Head>, DbErr> {
        let now = head(db).await?;
        if now.seq == 0 || self.published.as_ref() == Some(&now) {
            return Ok(None);
        }
        self.published = Some(now.clone());
        Ok(Some(now))
    }
}

/// Where the record chain does not hold.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordBroken {
    pub seq: i64,
    /// The kind and key of the record sealed there, when known.
    pub record: Option<(String, String)>,
    pub problem: String,
}

/// What the walk over the record chain found.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordVerification {
    /// Seals checked, in order.
    pub sealed: u64,
    /// Records that have no seal yet.
    pub unsealed: u64,
    /// The last seal verified.
    pub head: Head,
    /// The first broken link, or a cut before the published head.
    pub broken: Option<RecordBroken>,
}

/// Walks the record chain in `tx`'s snapshot, recomputing every link; with `published`,
/// also checks that the chain reaches that head and passes through it.
pub(super) async fn verify(
    tx: &DatabaseTransaction,
    published: Option<&Head>,
) -> Result<RecordVerification, DbErr> {
    let mut at = Head::default();
    let mut seen_published: Option<String> = None;
    let broken = 'walk: loop {
        let mut sql =
            Sql::new("SELECT seq, kind, row_id, row_key, hash FROM record_seal WHERE seq > ");
        sql.bind(at.seq)
            .push(&format!(" ORDER BY seq LIMIT {PAGE}"));
        let page = tx.query_all_raw(sql.build_for(tx)).await?;
        if page.is_empty() {
            break None;
        }
        let mut seals = Vec::with_capacity(page.len());
        let mut keys: BTreeMap<Kind, Vec<Key>> = BTreeMap::new();
        for r in &page {
            let seq: i64 = r.try_get("", "seq")?;
            let code: String = r.try_get("", "kind")?;
            let hash: String = r.try_get("", "hash")?;
            let key = match (
                r.try_get::<Option<i64>>("", "row_id")?,
                r.try_get::<Option<String>>("", "row_key")?,
            ) {
                (Some(id), _) => Key::Id(id),
                (None, Some(key)) => Key::Text(key),
                (None, None) => Key::Text(String::new()),
            };
            let kind = Kind::from_code(&code);
            if let Some(kind) = kind {
                keys.entry(kind).or_default().push(key.clone());
            }
            seals.push((seq, code, kind, key, hash));
        }
        let mut records: BTreeMap<(Kind, Key), Vec<Value>> = BTreeMap::new();
        for (kind, keys) in keys {
            let spec = kind.spec();
            let mut sql = Sql::new(&format!(
                "SELECT {} FROM {} a WHERE a.{} IN ",
                select_list(&spec),
                spec.table,
                spec.key
            ));
            if spec.integer {
                let ids: Vec<i64> = keys
                    .iter()
                    .filter_map(|k| match k {
                        Key::Id(id) => Some(*id),
                        Key::Text(_) => None,
                    })
                    .collect();
                sql.bind_list(&ids);
            } else {
                let texts: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
                sql.bind_list(&texts);
            }
            for row in tx.query_all_raw(sql.build_for(tx)).await? {
                records.insert((kind, key_of(&row, &spec)?), values(&row, spec.columns)?);
            }
        }
        for (seq, code, kind, key, hash) in seals {
            let record = Some((code.clone(), key.to_string()));
            if seq != at.seq + 1 {
                break 'walk Some(RecordBroken {
                    seq: at.seq + 1,
                    record: None,
                    problem: format!("seal {} is missing (next is {seq})", at.seq + 1),
                });
            }
            let Some(kind) = kind else {
                break 'walk Some(RecordBroken {
                    seq,
                    record,
                    problem: "the seal names no known kind of record".into(),
                });
            };
            let Some(values) = records.get(&(kind, key.clone())) else {
                let problem = if kind == Kind::AccessChain {
                    format!(
                        "access-log seal {key} is missing: the access log's chain was cut or rewritten"
                    )
                } else {
                    format!("the sealed {} was removed", kind.what())
                };
                break 'walk Some(RecordBroken {
                    seq,
                    record,
                    problem,
                });
            };
            let computed = link(&at.hash, kind, &key, values);
            if computed != hash {
                break 'walk Some(RecordBroken {
                    seq,
                    record,
                    problem: format!("the {} or its seal was changed after sealing", kind.what()),
                });
            }
            at = Head { seq, hash };
            if published.is_some_and(|p| p.seq == seq) {
                seen_published = Some(at.hash.clone());
            }
        }
    };
    let broken = broken.or_else(|| {
        let p = published?;
        match &seen_published {
            None => Some(RecordBroken {
                seq: p.seq,
                record: None,
                problem: format!(
                    "the chain ends at seal {}, before the published head {}: its tail was cut",
                    at.seq, p.seq
                ),
            }),
            Some(hash) if *hash != p.hash => Some(RecordBroken {
                seq: p.seq,
                record: None,
                problem: format!(
                    "seal {} is not the published head: the chain was rewritten",
                    p.seq
                ),
            }),
            Some(_) => None,
        }
    });
    let mut unsealed = 0i64;
    for kind in TABLE_KINDS {
        let spec = kind.spec();
        let column = if spec.integer { "row_id" } else { "row_key" };
        let mut sql = Sql::new(&format!(
            "SELECT COUNT(*) AS n FROM {} a WHERE {}NOT EXISTS (SELECT 1 FROM record_seal s WHERE s.kind = ",
            spec.table,
            if spec.filter.is_empty() {
                String::new()
            } else {
                format!("{} AND ", spec.filter)
            }
        ));
        sql.bind(kind.code())
            .push(&format!(" AND s.{column} = a.{})", spec.key));
        unsealed += tx
            .query_one_raw(sql.build_for(tx))
            .await?
            .map(|r| r.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or(0);
    }
    Ok(RecordVerification {
        sealed: u64::try_from(at.seq).unwrap_or(0),
        unsealed: u64::try_from(unsealed).unwrap_or(0),
        head: at,
        broken,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_reads_back_as_written_and_refuses_anything_else() {
        let head = Head {
            seq: 42,
            hash: "ab".repeat(32),
        };
        assert_eq!(head.to_string().parse::<Head>(), Ok(head.clone()));
        assert_eq!(
            format!(" 42:{} ", "AB".repeat(32)).parse::<Head>(),
            Ok(head)
        );
        for wrong in [
            "",
            "42",
            "x:ab",
            "0:00",
            &format!("-1:{}", "0".repeat(64)),
            &format!("3:{}", "g".repeat(64)),
        ] {
            assert!(wrong.parse::<Head>().is_err(), "{wrong}");
        }
    }

    #[test]
    fn kind_key_previous_hash_and_every_value_change_the_link() {
        let values = [Value::from("a"), Value::Null];
        let base = link(GENESIS, Kind::AdminLog, &Key::Id(1), &values);
        assert_eq!(base.len(), 64);
        assert_ne!(
            base,
            link(GENESIS, Kind::ClientAccessLog, &Key::Id(1), &values)
        );
        assert_ne!(base, link(GENESIS, Kind::AdminLog, &Key::Id(2), &values));
        assert_ne!(
            base,
            link(GENESIS, Kind::AdminLog, &Key::Text("1".into()), &values)
        );
        assert_ne!(base, link(&base, Kind::AdminLog, &Key::Id(1), &values));
        assert_ne!(
            base,
            link(
                GENESIS,
                Kind::AdminLog,
                &Key::Id(1),
                &[Value::from("a"), Value::from("")]
            )
        );
        for kind in TABLE_KINDS.into_iter().chain([Kind::AccessChain]) {
            assert_eq!(Kind::from_code(kind.code()), Some(kind));
        }
    }
}
