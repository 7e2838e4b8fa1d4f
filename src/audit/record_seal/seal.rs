//! Sealing: each round reads the records not yet sealed, a page at a time, and appends a
//! link per record to the chain.

use std::collections::BTreeMap;

use chrono::Utc;
use sea_orm::sea_query::{Expr, Order, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use serde_json::Value;

use super::kinds::{Kind, TABLE_KINDS};
use super::{head, key_of, last_seal, link, select_list, values, Head, Key, RECORD_LOCK};
use crate::audit::chain::{Floor, PAGE};
use crate::audit::tables::{AccessLogSeal, RecordSeal};
use crate::db::Sql;

/// The highest key sealed of an integer kind (0 when none).
async fn top_of(conn: &impl ConnectionTrait, kind: Kind) -> Result<i64, DbErr> {
    use sea_orm::sea_query::ExprTrait;
    let top = Query::select()
        .column(RecordSeal::RowId)
        .from(RecordSeal::Table)
        .and_where(Expr::col(RecordSeal::Kind).eq(kind.code()))
        .and_where(Expr::col(RecordSeal::RowId).is_not_null())
        .order_by(RecordSeal::RowId, Order::Desc)
        .limit(1)
        .to_owned();
    Ok(conn
        .query_one(&top)
        .await?
        .map(|r| r.try_get::<i64>("", "row_id"))
        .transpose()?
        .unwrap_or(0))
}

/// One round's read of a kind: its first unsealed records (of an integer kind: with keys
/// above `floor` and up to `upto`, read through the primary key). Text, as the access log's
/// round read ([`crate::audit::chain::unsealed_above`]): its page stays a literal.
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
        let Some(tx) = crate::audit::chain::begin_sealing(db, RECORD_LOCK).await? else {
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
                .query_one(&last_seal(
                    AccessLogSeal::Table,
                    AccessLogSeal::Seq,
                    AccessLogSeal::Hash,
                ))
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
            let mut insert = Query::insert()
                .into_table(RecordSeal::Table)
                .columns(RecordSeal::LINK.into_iter().chain([RecordSeal::SealedAt]))
                .to_owned();
            for (j, (kind, key, hash)) in chunk.iter().enumerate() {
                let seq = first + i64::try_from(i * 1000 + j).unwrap_or(0);
                let (row_id, row_key) = match key {
                    Key::Id(id) => (Some(*id), None),
                    Key::Text(key) => (None, Some(key.clone())),
                };
                insert.values_panic([
                    seq.into(),
                    kind.code().into(),
                    row_id.into(),
                    row_key.into(),
                    hash.as_str().into(),
                    now.into(),
                ]);
            }
            tx.execute(&insert).await?;
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
pub(in crate::audit) struct Sealer {
    floors: BTreeMap<Kind, Floor>,
    published: Option<Head>,
}

impl Sealer {
    /// One round: the records committed since the last, a slice of the pass if one is due,
    /// and a checkpoint of the access-log chain.
    pub(in crate::audit) async fn round(&mut self, db: &DatabaseConnection) -> Result<(), DbErr> {
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
    pub(in crate::audit) async fn moved(
        &mut self,
        db: &DatabaseConnection,
    ) -> Result<Option<Head>, DbErr> {
        let now = head(db).await?;
        if now.seq == 0 || self.published.as_ref() == Some(&now) {
            return Ok(None);
        }
        self.published = Some(now.clone());
        Ok(Some(now))
    }
}
