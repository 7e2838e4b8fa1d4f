//! Database connection (SQLite file by default, PostgreSQL by URL), migrations, and a small
//! SQL builder for the scoped queries whose conditions come from the policy layer.

use std::sync::Arc;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement,
    Value,
};

/// How long a request waits for a connection before it fails with `UNAVAILABLE`.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);
/// How long SQLite waits for the write lock held by another connection.
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// A callback told of every SQL statement run (for metrics).
pub type StatementObserver = Arc<dyn Fn(Duration, bool) + Send + Sync>;

/// Connects to the database named by `url` with the settings each backend needs.
pub async fn connect(
    url: &str,
    observer: Option<StatementObserver>,
) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_timeout(ACQUIRE_TIMEOUT)
        .sqlx_logging(false);
    if url.starts_with("sqlite:") {
        // One writer at a time is SQLite's model; requests queue for the write lock
        // (busy timeout) instead of failing with `database is locked`.
        opts.max_connections(4).min_connections(1);
        opts.map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true)
                .create_if_missing(true)
        });
    } else {
        opts.max_connections(32).min_connections(2);
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

/// Applies pending migrations.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Whether the database answers (for `/readyz`).
pub async fn ping(db: &DatabaseConnection) -> bool {
    db.ping().await.is_ok()
}

/// A SQL statement assembled from trusted text and bound values. Placeholders are written
/// as `?` and numbered for PostgreSQL when built; user input only ever goes into `bind`.
#[derive(Debug, Default, Clone)]
pub struct Sql {
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql {
            text: text.to_owned(),
            values: Vec::new(),
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        self.text.push('?');
        self.values.push(value.into());
        self
    }

    /// Binds a value to the next `?` already written into the text (for text repeated with
    /// its placeholders, such as one condition used in several aggregates).
    pub fn bind_value(&mut self, value: impl Into<Value>) -> &mut Self {
        self.values.push(value.into());
        self
    }

    /// Binds a list as `(?, ?, ...)`; an empty list becomes `(NULL)`, which matches nothing.
    pub fn bind_list<V: Into<Value> + Clone>(&mut self, values: &[V]) -> &mut Self {
        self.text.push('(');
        if values.is_empty() {
            self.text.push_str("NULL");
        }
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(v.clone());
        }
        self.text.push(')');
        self
    }

    pub fn build(&self, backend: DbBackend) -> Statement {
        let text = match backend {
            DbBackend::Postgres => {
                let mut out = String::with_capacity(self.text.len() + 16);
                let mut n = 0;
                for ch in self.text.chars() {
                    if ch == '?' {
                        n += 1;
                        out.push('$');
                        out.push_str(&n.to_string());
                    } else {
                        out.push(ch);
                    }
                }
                out
            }
            _ => self.text.clone(),
        };
        Statement::from_sql_and_values(backend, text, self.values.clone())
    }

    pub fn build_for(&self, conn: &impl ConnectionTrait) -> Statement {
        self.build(conn.get_database_backend())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_placeholders_for_postgres_only() {
        let mut sql = Sql::new("SELECT 1 WHERE a = ");
        sql.bind(1).push(" AND b IN ").bind_list(&["x", "y"]);
        assert_eq!(
            sql.build(DbBackend::Postgres).sql,
            "SELECT 1 WHERE a = $1 AND b IN ($2, $3)"
        );
        assert_eq!(
            sql.build(DbBackend::Sqlite).sql,
            "SELECT 1 WHERE a = ? AND b IN (?, ?)"
        );
    }
}
