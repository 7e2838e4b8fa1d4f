//! Database connection (SQLite file by default, PostgreSQL by URL), migrations, and the
//! small SQL builder for the scoped queries whose conditions come from the policy layer.

mod statement;

use std::sync::Arc;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr, TransactionTrait};

/// How long a request waits for a connection before it fails with `UNAVAILABLE`.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);
/// How long SQLite waits for the write lock held by another connection.
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Connections a PostgreSQL pool opens at most, unless configured
/// (`TYPGRAPH_DATABASE_MAX_CONNECTIONS`). A request holds its connection for its whole
/// transaction, and further requests queue for one (up to [`ACQUIRE_TIMEOUT`]). On the
/// 2-core benchmark machine 8 connections served 32 concurrent case views ~9 % faster than
/// 32 did, with a third lower closed-loop p99: beyond a few per database core, more
/// backends only take turns on the same cores.
pub const DEFAULT_POSTGRES_CONNECTIONS: u32 = 8;
/// Connections a SQLite pool opens at most, unless configured: one writer at a time.
pub const DEFAULT_SQLITE_CONNECTIONS: u32 = 4;

/// A callback told of every SQL statement run (for metrics).
pub type StatementObserver = Arc<dyn Fn(Duration, bool) + Send + Sync>;

/// Connects to the database named by `url` with the settings each backend needs, with at
/// most `max_connections` pooled connections (the backend's default when `None`).
pub async fn connect(
    url: &str,
    observer: Option<StatementObserver>,
    max_connections: Option<u32>,
) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_timeout(ACQUIRE_TIMEOUT)
        // A connection busy a moment ago is alive: pinging it on every acquire cost a round
        // trip per request (5 % of a case view). One idle for a second (as after an outage)
        // is still pinged, and a dead one replaced.
        .test_before_acquire_if_idle_for(Duration::from_secs(1))
        .sqlx_logging(false);
    if url.starts_with("sqlite:") {
        // One writer at a time is SQLite's model; requests queue for the write lock
        // (busy timeout) instead of failing with `database is locked`.
        let max = max_connections.unwrap_or(DEFAULT_SQLITE_CONNECTIONS);
        opts.max_connections(max).min_connections(1);
        opts.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true)
                .create_if_missing(true)
        });
    } else {
        let max = max_connections.unwrap_or(DEFAULT_POSTGRES_CONNECTIONS);
        opts.max_connections(max).min_connections(max.min(2));
        // JIT compilation costs tens of milliseconds per query and pays off only for long
        // analytical scans; typgraph's queries are short, so it is off for its sessions.
        opts.map_sqlx_postgres_opts(|o| o.options([("jit", "off")]));
    }
    let mut db = Database::connect(opts).await?;
    if let Some(observer) = observer {
        db.set_metric_callback(move |info| observer(info.elapsed, info.failed));
    }
    Ok(db)
}

/// The migration that creates the monthly KTT summaries, which are derived from the rows
/// already stored.
const KTT_MONTH_MIGRATION: &str = "009_create_ktt_month";

/// The migration that splits the summaries' allowances by payer (filled from the lines).
const PAYER_SPLIT_MIGRATION: &str = "022_create_benefit_status";

/// Applies pending migrations, and fills the monthly KTT summaries from the stored periods
/// when the migration creating them was among those applied.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    let creates_summaries = Migrator::get_pending_migrations(db)
        .await?
        .iter()
        .any(|m| [KTT_MONTH_MIGRATION, PAYER_SPLIT_MIGRATION].contains(&m.name()));
    Migrator::up(db, None).await?;
    if creates_summaries {
        let tx = db.begin().await?;
        crate::store::ktt_month::rebuild(&tx, None).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// The URL of the database `name` on the server of `base`, a PostgreSQL URL that names any
/// database (or none).
pub fn database_url_in(base: &str, name: &str) -> String {
    let authority = base.find("//").map_or(0, |i| i + 2);
    match base[authority..].find('/') {
        Some(i) => format!("{}/{name}", &base[..authority + i]),
        None => format!("{}/{name}", base.trim_end_matches('/')),
    }
}

/// Whether the database answers (for `/readyz`).
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}

pub use statement::{month_of, Rendered, Sql, Template};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_url_names_the_database_on_the_same_server() {
        for base in [
            "postgres://postgres@127.0.0.1:5432/postgres",
            "postgres://postgres@127.0.0.1:5432/",
            "postgres://postgres@127.0.0.1:5432",
        ] {
            assert_eq!(
                database_url_in(base, "t1"),
                "postgres://postgres@127.0.0.1:5432/t1",
                "{base}"
            );
        }
    }
}
