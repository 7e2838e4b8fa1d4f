//! Verification: a walk over the record chain recomputing every link.

use std::collections::BTreeMap;

use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr};
use serde_json::Value;

use super::kinds::{Kind, TABLE_KINDS};
use super::{key_of, link, selected, values, Head, Key};
use crate::audit::chain::PAGE;
use crate::audit::tables::RecordSeal;

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
pub(in crate::audit) async fn verify(
    tx: &DatabaseTransaction,
    published: Option<&Head>,
) -> Result<RecordVerification, DbErr> {
    let mut at = Head::default();
    let mut seen_published: Option<String> = None;
    let broken = 'walk: loop {
        let seals = Query::select()
            .columns(RecordSeal::LINK)
            .from(RecordSeal::Table)
            .and_where(Expr::col(RecordSeal::Seq).gt(at.seq))
            .order_by(RecordSeal::Seq, Order::Asc)
            .limit(PAGE as u64)
            .to_owned();
        let page = tx.query_all(&seals).await?;
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
            let key = Expr::col(("a", spec.key));
            let by_key = if spec.integer {
                key.is_in(keys.iter().filter_map(|k| match k {
                    Key::Id(id) => Some(*id),
                    Key::Text(_) => None,
                }))
            } else {
                key.is_in(keys.iter().map(|k| k.to_string()))
            };
            let records_of = Query::select()
                .columns(selected(&spec))
                .from_as(spec.table, "a")
                .and_where(by_key)
                .to_owned();
            for row in tx.query_all(&records_of).await? {
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
        let column = if spec.integer {
            RecordSeal::RowId
        } else {
            RecordSeal::RowKey
        };
        let mut count = Query::select()
            .expr_as(Expr::col(Asterisk).count(), "n")
            .from_as(spec.table, "a")
            .and_where(Expr::not_exists(
                Query::select()
                    .expr(Expr::Constant(1.into()))
                    .from_as(RecordSeal::Table, "s")
                    .and_where(Expr::col(("s", RecordSeal::Kind)).eq(kind.code()))
                    .and_where(Expr::col(("s", column)).equals(("a", spec.key)))
                    .to_owned(),
            ))
            .to_owned();
        if !spec.filter.is_empty() {
            // The kind's filter is a condition written in `kinds.rs`, not input.
            count.and_where(Expr::cust(spec.filter));
        }
        unsealed += tx
            .query_one(&count)
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
