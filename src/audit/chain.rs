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
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, IsolationLevel, QueryResult,
    TransactionOptions, TransactionTrait,
};
use sha2::{Digest, Sha256};

use crate::db::Sql;

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
        })
    }
}

/// One disclosure row of a log row: recipient agency, group, consent.
type Disclosure = (String, String, String);

/// What is hashed with a row besides its columns: its disclosure rows and the break-glass
/// grant it was read under.
#[derive(Debug, Default, Clone)]
struct Attached {
    disclosures: Vec<Disclosure>,
    grant: Option<String>,
}

/// The link hash of a row after `prev`: every column in a fixed order, as a JSON array, so
/// no two different rows serialise alike; the break-glass grant, when there is one, last.
/// Times are hashed to the microsecond, the precision both databases keep.
fn link(prev: &str, row: &LogRow, attached: &Attached) -> String {
    let at = row.at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    let disclosures = &attached.disclosures;
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
    if let (Some(grant), Some(items)) = (&attached.grant, canonical.as_array_mut()) {
        items.push(serde_json::json!({ "breakGlass": grant }));
    }
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

const ROW_COLUMNS: &str = "a.id, a.at, a.official_id, a.agency, a.roles, a.client_id, a.action, a.field_groups, a.operation, a.reason";

/// Disclosure rows (in id order) and break-glass flags of the given log rows.
async fn attached_of(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<BTreeMap<i64, Attached>, DbErr> {
    let mut out: BTreeMap<i64, Attached> = BTreeMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut sql = Sql::new(
        "SELECT d.access_log_id, d.recipient_agency, d.field_group, d.consent_id FROM disclosure_log d WHERE d.access_log_id IN ",
    );
    sql.bind_list(ids).push(" ORDER BY d.access_log_id, d.id");
    for row in conn.query_all_raw(sql.build_for(conn)).await? {
        let id: i64 = row.try_get("", "access_log_id")?;
        out.entry(id).or_default().disclosures.push((
            row.try_get("", "recipient_agency")?,
            row.try_get("", "field_group")?,
            row.try_get("", "consent_id")?,
        ));
    }
    let mut sql = Sql::new(
        "SELECT b.access_log_id, b.break_glass_id FROM break_glass_access b WHERE b.access_log_id IN ",
    );
    sql.bind_list(ids);
    for row in conn.query_all_raw(sql.build_for(conn)).await? {
        let id: i64 = row.try_get("", "access_log_id")?;
        out.entry(id).or_default().grant = Some(row.try_get("", "break_glass_id")?);
    }
    Ok(out)
}

/// The last seal: its seq and hash (0 and [`GENESIS`] when none), and the highest log id
/// sealed so far by any process (0 when none).
async fn head(conn: &impl ConnectionTrait) -> Result<(i64, String, i64), DbErr> {
    let row = conn
        .query_one_raw(
            Sql::new("SELECT seq, hash, (SELECT MAX(m.access_log_id) FROM access_log_seal m) AS top FROM access_log_seal ORDER BY seq DESC LIMIT 1")
                .build_for(conn),
        )
        .await?;
    match row {
        Some(r) => Ok((
            r.try_get("", "seq")?,
            r.try_get("", "hash")?,
            r.try_get("", "top")?,
        )),
        None => Ok((0, GENESIS.to_owned(), 0)),
    }
}

/// What one call of [`seal`] did.
#[derive(Debug, Default)]
struct Round {
    /// The log ids it sealed, in order.
    sealed: Vec<i64>,
    /// The highest log id sealed before it, by any process (`None` when another process
    /// held the lock and nothing was read).
    top: Option<i64>,
    /// Each page: the id its read started above, and the rows it sealed.
    pages: Vec<(i64, usize)>,
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
async fn seal(
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
        let sql = unsealed_above(start, upto);
        let rows = tx
            .query_all_raw(sql.build_for(&tx))
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
        let mut insert =
            Sql::new("INSERT INTO access_log_seal (seq, access_log_id, hash, sealed_at) VALUES ");
        for (i, row) in rows.iter().enumerate() {
            seq += 1;
            prev = link(
                &prev,
                row,
                attached.get(&row.id).unwrap_or(&Attached::default()),
            );
            if i > 0 {
                insert.push(", ");
            }
            insert
                .push("(")
                .bind(seq)
                .push(", ")
                .bind(row.id)
                .push(", ")
                .bind(prev.clone())
                .push(", ")
                .bind(now)
                .push(")");
        }
        tx.execute_raw(insert.build_for(&tx)).await?;
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
pub fn unsealed_above(floor: i64, upto: Option<i64>) -> Sql {
    let mut sql = Sql::new(&format!(
        "SELECT {ROW_COLUMNS} FROM access_log a WHERE a.id > "
    ));
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

/// Seals in the background: soon after each commit that wrote log rows (`wake`), and every
/// second in any case (rows written by other replicas). Each round reads the new rows above
/// the floor, and at most once a second one slice of the pass over the older ids.
///
/// At most once a second it also seals the other records into the record chain, with a
/// checkpoint of this chain's head ([`super::records`]), and publishes the record chain's
/// head when it moved: a log line and the `audit_sealed_seq` / `audit_head` metrics.
pub fn spawn_sealer(
    db: DatabaseConnection,
    wake: std::sync::Arc<tokio::sync::Notify>,
    metrics: std::sync::Arc<crate::telemetry::Metrics>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut floor = Floor::default();
        let mut records = super::records::Sealer::default();
        let mut records_at: Option<Instant> = None;
        loop {
            match seal(&db, floor.next(), None).await {
                Ok(round) => floor.sealed(round.top, &round.sealed),
                Err(e) => round_failed(&e),
            }
            if let Some((from, upto)) = floor.slice() {
                match seal(&db, Some(from), Some(upto)).await {
                    Ok(round) => {
                        let read = round.top.is_some();
                        floor.sealed(round.top, &round.sealed);
                        if read {
                            floor.slice_done(upto);
                        }
                    }
                    Err(e) => round_failed(&e),
                }
            }
            if records_at.is_none_or(|t| t.elapsed() >= RECORD_ROUND_EVERY) {
                records_at = Some(Instant::now());
                if let Err(e) = records.round(&db).await {
                    round_failed(&e);
                }
                match records.moved(&db).await {
                    Ok(Some(head)) => publish(&metrics, &head),
                    Ok(None) => {}
                    Err(e) => round_failed(&e),
                }
            }
            tokio::select! {
                _ = wake.notified() => {
                    // Let a burst of commits finish, then seal them together.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    })
}

/// How often the record chain is sealed and its head published.
const RECORD_ROUND_EVERY: Duration = Duration::from_secs(1);

fn round_failed(e: &DbErr) {
    tracing::warn!(cause = %crate::error::db_error_summary(e), "sealing the audit logs failed; retrying");
}

/// Publishes the record chain's head outside the database: a log line (keep it, or let the
/// log collector keep it) and the metrics. A later verify given this head reports a chain
/// that ends before it, or does not pass through it.
pub fn publish(metrics: &crate::telemetry::Metrics, head: &super::records::Head) {
    tracing::info!(seq = head.seq, hash = %head.hash, "audit chain head");
    metrics.publish_audit_head(head.seq, &head.hash);
}

/// Where the sealer starts looking for unsealed rows. Ids are taken at insert and rows
/// commit in any order, so a row below the highest sealed id may still be on its way; but a
/// request inserts its log rows as its last statement before COMMIT, so that window is a
/// few milliseconds. The floor is therefore the highest id sealed, or just below the oldest
/// id skipped on the way there (a hole) while that hole is younger than `LAG`: each round
/// reads only new rows and recent holes through the primary key, not seconds of the log. A
/// hole older than `LAG` is an id whose transaction rolled back. Only ids above the highest
/// id sealed before the round (by any process: another replica, an earlier run) can be
/// holes: the ids below it were sealed, or are the holes of the process that sealed past
/// them. The first round reads from [`Self::MAX_GAP`] ids below the highest sealed one.
///
/// As a safety net (a row whose transaction took longer than `LAG`, rows left by a process
/// that stopped), a pass reads every id below the floor again, on start and then `RESCAN`
/// after the last pass ended: one slice of `SLICE` ids at most every `SLICE_EVERY`, so that
/// the pass costs the database a bounded share of a core however long the log (one read of
/// the whole log at a million rows took 0.74 s of a core at once, and grows with the log).
#[derive(Default)]
pub(super) struct Floor {
    highest: i64,
    /// Whether a round has read the head yet (the first starts below it).
    begun: bool,
    holes: BTreeMap<i64, Instant>,
    /// The pass in progress: the ids up to here have been read again.
    pass: Option<i64>,
    last_slice: Option<Instant>,
    /// When the last pass ended.
    passed: Option<Instant>,
}

impl Floor {
    const LAG: Duration = Duration::from_secs(5);
    const RESCAN: Duration = Duration::from_secs(600);
    /// The most ids one jump of the highest sealed id records as holes.
    pub(super) const MAX_GAP: i64 = 10_000;
    const SLICE: i64 = 100_000;
    const SLICE_EVERY: Duration = Duration::from_secs(1);

    /// Notes one round: the highest id sealed before it (`None` when it did not read), and
    /// the ids it sealed, in ascending order.
    pub(super) fn sealed(&mut self, top: Option<i64>, ids: &[i64]) {
        let now = Instant::now();
        self.begun |= top.is_some();
        self.highest = self.highest.max(top.unwrap_or(0));
        for &id in ids {
            self.holes.remove(&id);
            if id > self.highest {
                for gap in (self.highest + 1).max(id - Self::MAX_GAP)..id {
                    self.holes.insert(gap, now);
                }
                self.highest = id;
            }
        }
    }

    /// The floor for the next round; `None` until a round has read the head.
    pub(super) fn next(&mut self) -> Option<i64> {
        if !self.begun {
            return None;
        }
        let now = Instant::now();
        self.holes
            .retain(|_, at| now.duration_since(*at) < Self::LAG);
        Some(match self.holes.keys().next() {
            Some(oldest) => oldest - 1,
            None => self.highest,
        })
    }

    /// The ids above `.0` and up to `.1` that the pass reads next, if a slice is due: a
    /// pass starts on the first round and `RESCAN` after the last ended, and ends at the
    /// highest id sealed (the rounds read above it).
    pub(super) fn slice(&mut self) -> Option<(i64, i64)> {
        let now = Instant::now();
        if !self.begun
            || self
                .last_slice
                .is_some_and(|t| now.duration_since(t) < Self::SLICE_EVERY)
        {
            return None;
        }
        let from = match self.pass {
            Some(from) => from,
            None if self
                .passed
                .is_none_or(|t| now.duration_since(t) >= Self::RESCAN) =>
            {
                0
            }
            None => return None,
        };
        if from >= self.highest {
            self.pass = None;
            self.passed = Some(now);
            return None;
        }
        self.pass = Some(from);
        self.last_slice = Some(now);
        Some((from, (from + Self::SLICE).min(self.highest)))
    }

    /// The pass has read every id up to `upto`.
    pub(super) fn slice_done(&mut self, upto: i64) {
        if upto >= self.highest {
            self.pass = None;
            self.passed = Some(Instant::now());
        } else {
            self.pass = Some(upto);
        }
    }
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq)]
pub struct Verification {
    /// Seals checked, in order.
    pub sealed: u64,
    /// Log rows that have no seal yet.
    pub unsealed: u64,
    /// The hash of the last seal: keep it elsewhere to detect a cut-off tail.
    pub head: String,
    /// The first broken link, if any.
    pub broken: Option<Broken>,
    /// The record chain (the other audit records, and checkpoints of this chain), checked
    /// against a published head when one was given.
    pub records: super::records::RecordVerification,
}

impl Verification {
    /// Whether both chains hold (and reach the published head, when one was given).
    pub fn intact(&self) -> bool {
        self.broken.is_none() && self.records.broken.is_none()
    }
}

/// The first place where the chain does not hold.
#[derive(Debug, Clone, PartialEq)]
pub struct Broken {
    pub seq: i64,
    pub access_log_id: Option<i64>,
    pub problem: String,
}

/// Walks every seal of both chains in order and recomputes them, in one read-only snapshot.
pub async fn verify(db: &DatabaseConnection) -> Result<Verification, DbErr> {
    verify_against(db, None).await
}

/// [`verify`], and checks that the record chain reaches `published` (a head published
/// earlier and kept outside the database) and passes through it: a chain that ends before
/// it had its tail cut.
pub async fn verify_against(
    db: &DatabaseConnection,
    published: Option<&super::records::Head>,
) -> Result<Verification, DbErr> {
    // One snapshot: repeatable read on PostgreSQL; a SQLite read transaction is one already.
    let tx = if db.get_database_backend() == DbBackend::Postgres {
        db.begin_with_config(
            Some(IsolationLevel::RepeatableRead),
            Some(AccessMode::ReadOnly),
        )
        .await?
    } else {
        db.begin().await?
    };
    let mut prev = GENESIS.to_owned();
    let mut expected_seq = 1i64;
    let mut sealed = 0u64;
    let broken = 'walk: loop {
        let mut sql = Sql::new(&format!(
            "SELECT s.seq, s.access_log_id AS sealed_id, s.hash, {ROW_COLUMNS} FROM access_log_seal s LEFT JOIN access_log a ON a.id = s.access_log_id WHERE s.seq >= "
        ));
        sql.bind(expected_seq)
            .push(" ORDER BY s.seq LIMIT ")
            .push(&PAGE.to_string());
        let page = tx.query_all_raw(sql.build_for(&tx)).await?;
        if page.is_empty() {
            break None;
        }
        let mut ids = Vec::with_capacity(page.len());
        for r in &page {
            if let Some(id) = r.try_get::<Option<i64>>("", "id")? {
                ids.push(id);
            }
        }
        let attached = attached_of(&tx, &ids).await?;
        for r in &page {
            let seq: i64 = r.try_get("", "seq")?;
            let sealed_id: i64 = r.try_get("", "sealed_id")?;
            let hash: String = r.try_get("", "hash")?;
            if seq != expected_seq {
                break 'walk Some(Broken {
                    seq: expected_seq,
                    access_log_id: None,
                    problem: format!("seal {expected_seq} is missing (next is {seq})"),
                });
            }
            if r.try_get::<Option<i64>>("", "id")?.is_none() {
                break 'walk Some(Broken {
                    seq,
                    access_log_id: Some(sealed_id),
                    problem: "the sealed access-log row was removed".into(),
                });
            }
            let row = LogRow::from_row(r)?;
            let computed = link(
                &prev,
                &row,
                attached.get(&row.id).unwrap_or(&Attached::default()),
            );
            if computed != hash {
                break 'walk Some(Broken {
                    seq,
                    access_log_id: Some(sealed_id),
                    problem: "the access-log row or its seal was changed after sealing".into(),
                });
            }
            prev = hash;
            expected_seq += 1;
            sealed += 1;
        }
    };
    let unsealed = tx
        .query_one_raw(
            Sql::new(
                "SELECT COUNT(*) AS n FROM access_log a WHERE NOT EXISTS (SELECT 1 FROM access_log_seal s WHERE s.access_log_id = a.id)",
            )
            .build_for(&tx),
        )
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    let records = super::records::verify(&tx, published).await?;
    tx.commit().await?;
    Ok(Verification {
        sealed,
        unsealed: u64::try_from(unsealed).unwrap_or(0),
        head: prev,
        broken,
        records,
    })
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
        let locked = tx
            .query_one_raw(
                Sql::new("SELECT pg_try_advisory_xact_lock(")
                    .bind(lock)
                    .push(") AS locked")
                    .build_for(&tx),
            )
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
        }
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
        assert_ne!(base, link(&base, &row(), &none));
        let d = Attached {
            disclosures: vec![("KELA".to_owned(), "HEALTH".to_owned(), "k1".to_owned())],
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

    #[test]
    fn the_floor_follows_the_sealed_ids_and_waits_for_holes_only_so_long() {
        let mut f = Floor::default();
        assert_eq!(f.next(), None, "the first round starts below the head");
        f.sealed(Some(0), &[1, 2, 3, 5, 6]);
        assert_eq!(
            f.next(),
            Some(3),
            "4 may still commit: read from just below it"
        );
        f.sealed(Some(6), &[4, 7]);
        assert_eq!(f.next(), Some(7), "no hole left: only newer ids");
        f.sealed(Some(7), &[9]);
        assert_eq!(f.next(), Some(7));
        for at in f.holes.values_mut() {
            *at -= Floor::LAG;
        }
        assert_eq!(
            f.next(),
            Some(9),
            "a hole older than the lag was rolled back"
        );
        f.sealed(Some(9), &[30_000]);
        assert_eq!(
            f.holes.len() as i64,
            Floor::MAX_GAP,
            "a jump records a bounded gap"
        );
    }

    #[test]
    fn a_pass_reads_the_older_ids_again_a_slice_at_a_time() {
        let mut f = Floor::default();
        assert_eq!(f.slice(), None, "nothing before the first round");
        f.sealed(Some(250_000), &[]);
        let mut slices = Vec::new();
        while let Some((from, upto)) = f.slice() {
            assert_eq!(f.slice(), None, "at most one slice every SLICE_EVERY");
            slices.push((from, upto));
            f.slice_done(upto);
            f.last_slice = f.last_slice.map(|t| t - Floor::SLICE_EVERY);
        }
        assert_eq!(
            slices,
            vec![(0, 100_000), (100_000, 200_000), (200_000, 250_000)],
            "the pass ends at the highest id sealed"
        );
        assert_eq!(f.slice(), None, "the next pass waits RESCAN");
        // A slice not read (another process held the lock) is read again.
        f.passed = f.passed.map(|t| t - Floor::RESCAN);
        assert_eq!(f.slice(), Some((0, 100_000)));
        f.last_slice = f.last_slice.map(|t| t - Floor::SLICE_EVERY);
        assert_eq!(f.slice(), Some((0, 100_000)));
    }

    #[test]
    fn ids_sealed_before_a_round_are_never_holes() {
        // Started on a long log: the first round seals two stragglers below the head and one
        // new row; only the id skipped above the head is a hole.
        let mut f = Floor::default();
        assert_eq!(f.next(), None);
        f.sealed(Some(500_000), &[495_120, 495_130, 500_002]);
        assert_eq!(f.holes.keys().copied().collect::<Vec<_>>(), vec![500_001]);
        assert_eq!(f.next(), Some(500_000));
        // Another replica sealed up to 600,000 meanwhile: none of it is a hole here.
        f.sealed(Some(600_000), &[600_001]);
        assert_eq!(f.next(), Some(500_000), "500,001 is still young");
        f.sealed(Some(600_001), &[500_001]);
        assert_eq!(f.next(), Some(600_001));
        // A round that found the lock taken read nothing and changes nothing.
        f.sealed(None, &[]);
        assert_eq!(f.next(), Some(600_001));
    }
}
