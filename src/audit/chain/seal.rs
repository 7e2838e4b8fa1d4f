//! Sealing: each round appends a seal for every committed log row not sealed yet.

use chrono::Utc;
use sea_orm::sea_query::Query;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, IdenStatic};

use super::{
    attached_of, begin_sealing, head, link, row_columns, Attached, Floor, LogRow, PAGE, SEAL_LOCK,
};
use crate::audit::tables::AccessLogSeal;
use crate::db::Sql;

/// What one call of [`seal`] did.
#[derive(Debug, Default)]
pub(super) struct Round {
    /// The log ids it sealed, in order.
    pub(super) sealed: Vec<i64>,
    /// The highest log id sealed before it, by any process (`None` when another process
    /// held the lock and nothing was read).
    pub(super) top: Option<i64>,
    /// Each page: the id its read started above, and the rows it sealed.
    pub(super) pages: Vec<(i64, usize)>,
}

/// Seals every committed row with an id above `floor` that has no seal yet; returns how
/// many. Returns 0 at once when another process is sealing (PostgreSQL).
pub async fn seal_pending(db: &DatabaseConnection, floor: i64) -> Result<usize, DbErr> {
    Ok(seal(db, Some(floor), None).await?.sealed.len())
}

/// Seals the rows committed lately: those above the highest sealed id less
/// [`Floor::MAX_GAP`], read through the primary key (at shutdown: not the whole log).
pub async fn seal_recent(db: &DatabaseConnection) -> Result<usize, DbErr> {
    Ok(seal(db, None, None).await?.sealed.len())
}

/// [`seal_pending`], answering page by page where its read started and how many rows it
/// sealed: a catch-up reads the log once, each page from the last one's end.
pub async fn seal_pending_by_page(
    db: &DatabaseConnection,
    floor: i64,
) -> Result<Vec<(i64, usize)>, DbErr> {
    Ok(seal(db, Some(floor), None).await?.pages)
}

/// [`seal_pending`], answering what it did ([`Round`]): the sealer's floor is derived from
/// that, with no query of its own. Reads the ids above `floor` (none: above the highest
/// sealed id less [`Floor::MAX_GAP`]) and up to `upto` when given (a slice of a pass).
pub(super) async fn seal(
    db: &DatabaseConnection,
    floor: Option<i64>,
    upto: Option<i64>,
) -> Result<Round, DbErr> {
    let mut round = Round::default();
    // Where this page's read starts. Rows are read in id order, so once a full page is
    // sealed every row below its last id that had committed was in it: the next page reads
    // on from there, not from `floor` again (which made a catch-up of n rows read the log
    // above the floor n / PAGE times: ~1 s a page at a million rows). A row still in flight
    // below that id is a hole for the next round's floor (see `Floor`).
    let mut from = floor;
    loop {
        let Some(tx) = begin_sealing(db, SEAL_LOCK).await? else {
            return Ok(round);
        };
        let (mut seq, mut prev, top) = head(&tx).await?;
        round.top.get_or_insert(top);
        let start = *from.get_or_insert((top - Floor::MAX_GAP).max(0));
        let rows = tx
            .query_all_raw(unsealed_above(start, upto).build_for(&tx))
            .await?
            .iter()
            .map(LogRow::from_row)
            .collect::<Result<Vec<_>, _>>()?;
        if rows.is_empty() {
            tx.commit().await?;
            return Ok(round);
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let attached = attached_of(&tx, &ids).await?;
        let now = Utc::now();
        let mut insert = Query::insert()
            .into_table(AccessLogSeal::Table)
            .columns([
                AccessLogSeal::Seq,
                AccessLogSeal::AccessLogId,
                AccessLogSeal::Hash,
                AccessLogSeal::SealedAt,
            ])
            .to_owned();
        for row in &rows {
            seq += 1;
            prev = link(
                &prev,
                row,
                attached.get(&row.id).unwrap_or(&Attached::default()),
            )?;
            insert.values_panic([seq.into(), row.id.into(), prev.as_str().into(), now.into()]);
        }
        tx.execute(&insert).await?;
        tx.commit().await?;
        round.sealed.extend(rows.iter().map(|r| r.id));
        round.pages.push((start, rows.len()));
        if rows.len() < PAGE {
            return Ok(round);
        }
        if let Some(&last) = ids.last() {
            from = Some(last);
        }
    }
}

/// One round's read: the first unsealed log rows above `floor` (and up to `upto`), in id
/// order. The seals are bounded alike (implied by `s.access_log_id = a.id`): without that
/// bound the planner may hash every seal ever written to find the few rows above the floor,
/// which took ~45 ms of both cores per round at 120,000 seals and grew with the log.
///
/// Text, not sea-query: sea-query binds `LIMIT` as a parameter, and this statement is
/// prepared once and planned for any floor, so its page stays a literal.
pub fn unsealed_above(floor: i64, upto: Option<i64>) -> Sql {
    let columns = row_columns()
        .map(|(a, c)| format!("{a}.{}", c.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut sql = Sql::new(&format!("SELECT {columns} FROM access_log a WHERE a.id > "));
    sql.bind(floor);
    if let Some(upto) = upto {
        sql.push(" AND a.id <= ").bind(upto);
    }
    sql.push(" AND NOT EXISTS (SELECT 1 FROM access_log_seal s WHERE s.access_log_id = a.id AND s.access_log_id > ")
        .bind(floor);
    if let Some(upto) = upto {
        sql.push(" AND s.access_log_id <= ").bind(upto);
    }
    sql.push(") ORDER BY a.id LIMIT ").push(&PAGE.to_string());
    sql
}
