//! Verification: a walk over both chains recomputing every seal.

use entity::access_log;
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, JoinType, Order, Query};
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, IsolationLevel,
    TransactionTrait,
};

use super::{attached_of, link, row_columns, Attached, LogRow, GENESIS, PAGE};
use crate::audit::tables::AccessLogSeal;

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
    pub records: crate::audit::record_seal::RecordVerification,
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
    published: Option<&crate::audit::record_seal::Head>,
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
        let seals = Query::select()
            .column(("s", AccessLogSeal::Seq))
            .expr_as(Expr::col(("s", AccessLogSeal::AccessLogId)), "sealed_id")
            .column(("s", AccessLogSeal::Hash))
            .columns(row_columns())
            .from_as(AccessLogSeal::Table, "s")
            .join_as(
                JoinType::LeftJoin,
                access_log::Entity,
                "a",
                Expr::col(("a", access_log::Column::Id)).equals(("s", AccessLogSeal::AccessLogId)),
            )
            .and_where(Expr::col(("s", AccessLogSeal::Seq)).gte(expected_seq))
            .order_by(("s", AccessLogSeal::Seq), Order::Asc)
            .limit(PAGE as u64)
            .to_owned();
        let page = tx.query_all(&seals).await?;
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
            )?;
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
    let unsealed = Query::select()
        .expr_as(Expr::col(Asterisk).count(), "n")
        .from_as(access_log::Entity, "a")
        .and_where(Expr::not_exists(
            Query::select()
                .expr(Expr::Constant(1.into()))
                .from_as(AccessLogSeal::Table, "s")
                .and_where(
                    Expr::col(("s", AccessLogSeal::AccessLogId))
                        .equals(("a", access_log::Column::Id)),
                )
                .to_owned(),
        ))
        .to_owned();
    let unsealed = tx
        .query_one(&unsealed)
        .await?
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0);
    let records = crate::audit::record_seal::verify(&tx, published).await?;
    tx.commit().await?;
    Ok(Verification {
        sealed,
        unsealed: u64::try_from(unsealed).unwrap_or(0),
        head: prev,
        broken,
        records,
    })
}
