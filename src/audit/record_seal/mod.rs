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

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Iden, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::chain::GENESIS;
use super::tables::RecordSeal;

mod kinds;
mod seal;
mod verify;

pub use kinds::Kind;
use kinds::{Col, Spec};
pub(super) use seal::Sealer;
pub use seal::{seal_all, seal_recent};
pub(super) use verify::verify;
pub use verify::{RecordBroken, RecordVerification};

/// Key of the PostgreSQL advisory lock held while sealing records ("typgrecs").
const RECORD_LOCK: i64 = 0x7479_7067_7265_6373;

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

/// The selected columns of a spec (its key among them), on its rows aliased `a`.
fn selected(spec: &Spec) -> Vec<(&'static str, &'static str)> {
    let mut names: Vec<&'static str> = spec.columns.iter().map(|&(name, _)| name).collect();
    if !names.contains(&spec.key) {
        names.push(spec.key);
    }
    names.into_iter().map(|name| ("a", name)).collect()
}

/// [`selected`] as a select list's text.
fn select_list(spec: &Spec) -> String {
    selected(spec)
        .iter()
        .map(|(a, name)| format!("{a}.{name}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `SELECT seq, hash FROM table ORDER BY seq DESC LIMIT 1`: the last seal of a chain.
fn last_seal<T: Iden + Copy + 'static>(table: T, seq: T, hash: T) -> SelectStatement {
    Query::select()
        .columns([seq, hash])
        .from(table)
        .order_by(seq, Order::Desc)
        .limit(1)
        .to_owned()
}

/// The head of the record chain.
pub async fn head(conn: &impl ConnectionTrait) -> Result<Head, DbErr> {
    let row = conn
        .query_one(&last_seal(
            RecordSeal::Table,
            RecordSeal::Seq,
            RecordSeal::Hash,
        ))
        .await?;
    match row {
        Some(r) => Ok(Head {
            seq: r.try_get("", "seq")?,
            hash: r.try_get("", "hash")?,
        }),
        None => Ok(Head::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::kinds::TABLE_KINDS;
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
