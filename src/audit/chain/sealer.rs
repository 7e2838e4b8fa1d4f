//! The sealer task in the server, and the published head of the record chain.

use std::time::{Duration, Instant};

use sea_orm::{DatabaseConnection, DbErr};

use super::seal::seal;
use super::Floor;

/// Seals in the background: soon after each commit that wrote log rows (`wake`), and every
/// second in any case (rows written by other replicas). Each round reads the new rows above
/// the floor, and at most once a second one slice of the pass over the older ids.
///
/// At most once a second it also seals the other records into the record chain, with a
/// checkpoint of this chain's head ([`crate::audit::record_seal`]), and publishes the record chain's
/// head when it moved: a log line and the `audit_sealed_seq` / `audit_head` metrics.
pub fn spawn_sealer(
    db: DatabaseConnection,
    wake: std::sync::Arc<tokio::sync::Notify>,
    metrics: std::sync::Arc<crate::telemetry::Metrics>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut floor = Floor::default();
        let mut records = crate::audit::record_seal::Sealer::default();
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
pub fn publish(metrics: &crate::telemetry::Metrics, head: &crate::audit::record_seal::Head) {
    tracing::info!(seq = head.seq, hash = %head.hash, "audit chain head");
    metrics.publish_audit_head(head.seq, &head.hash);
}
