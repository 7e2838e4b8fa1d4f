//! The policy in force, shared by every replica through the database: versions live in
//! `policy_version`, the newest is in force. Every sign-in reads the newest version's
//! number in its own statement, and a request that finds it newer than the version
//! compiled here compiles that version before it goes on: no request that began after a
//! version was committed runs under an older one, on any replica. So that this is rarely a
//! request's cost, an idle replica learns of a new version beforehand from PostgreSQL
//! `NOTIFY` (within milliseconds; a poll every 30 s backs it up across reconnects), or on
//! SQLite from a poll every second. The compiled policy is the only in-process copy of
//! shared state, and it is swapped whole.

use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, Func, Order, Query, SubQueryStatement};
use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, DeriveIden};

use super::policy::{Policy, PolicyError, DEFAULT_MODEL, DEFAULT_POLICY};

/// The stored policy versions (a table without an entity: only this store writes and
/// reads it).
#[derive(DeriveIden, Clone, Copy)]
enum PolicyVersion {
    Table,
    Version,
    Model,
    Policy,
    Source,
    Comment,
    BeyondContract,
    CreatedBy,
    CreatedAt,
}

/// The PostgreSQL channel on which a new version's number is announced.
pub const CHANNEL: &str = "typgraph_policy";

/// A compiled policy and the version it came from.
pub struct InForce {
    pub version: i64,
    /// The casbin model text of this version (a new version may reuse it).
    pub model: String,
    pub policy: Policy,
}

pub struct PolicyStore {
    current: RwLock<Arc<InForce>>,
    /// Held while a version is compiled: requests that meet a new version together
    /// compile it once. Never held across a database call.
    compiling: tokio::sync::Mutex<()>,
}

/// A start-up failure of the store.
#[derive(Debug)]
pub enum StoreError {
    Policy(PolicyError),
    Db(DbErr),
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Policy(e) => e.fmt(f),
            StoreError::Db(e) => {
                write!(f, "policy versions: {}", crate::error::db_error_summary(e))
            }
        }
    }
}

impl From<DbErr> for StoreError {
    fn from(e: DbErr) -> Self {
        StoreError::Db(e)
    }
}

impl From<PolicyError> for StoreError {
    fn from(e: PolicyError) -> Self {
        StoreError::Policy(e)
    }
}

impl From<StoreError> for crate::error::AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Db(e) => crate::error::AppError::from(e),
            StoreError::Policy(e) => {
                crate::error::AppError::internal(format!("stored policy version: {e}"))
            }
        }
    }
}

/// Reads `model.conf` and `policy.csv` from a directory, or the built-in copies.
pub fn read_files(dir: Option<&Path>) -> Result<(String, String), PolicyError> {
    match dir {
        None => Ok((DEFAULT_MODEL.to_owned(), DEFAULT_POLICY.to_owned())),
        Some(dir) => {
            let read = |name: &str| {
                std::fs::read_to_string(dir.join(name))
                    .map_err(|e| PolicyError(format!("cannot read {name}: {e}")))
            };
            Ok((read("model.conf")?, read("policy.csv")?))
        }
    }
}

/// The newest stored version: (version, model, policy).
async fn newest(db: &impl ConnectionTrait) -> Result<Option<(i64, String, String)>, DbErr> {
    let select = Query::select()
        .columns([
            PolicyVersion::Version,
            PolicyVersion::Model,
            PolicyVersion::Policy,
        ])
        .from(PolicyVersion::Table)
        .order_by(PolicyVersion::Version, Order::Desc)
        .limit(1)
        .to_owned();
    let Some(row) = db.query_one(&select).await? else {
        return Ok(None);
    };
    Ok(Some((
        row.try_get::<i64>("", "version")?,
        row.try_get("", "model")?,
        row.try_get("", "policy")?,
    )))
}

/// The newest stored version's number (0 when none is), as a scalar subquery: sign-in
/// statements carry it, so that a request learns of a new version without a statement of
/// its own.
pub fn newest_number_expr() -> Expr {
    let select = Query::select()
        .expr(Func::coalesce([
            Func::max(Expr::col(PolicyVersion::Version)).into(),
            Expr::val(0i64),
        ]))
        .from(PolicyVersion::Table)
        .to_owned();
    Expr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(select)))
}

async fn newest_number(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let select = Query::select()
        .expr_as(newest_number_expr(), "v")
        .to_owned();
    match db.query_one(&select).await? {
        Some(row) => row.try_get::<i64>("", "v"),
        None => Ok(0),
    }
}

/// A version to store.
pub struct NewVersion<'a> {
    pub model: &'a str,
    pub policy: &'a str,
    /// FILES or ADMIN.
    pub source: &'a str,
    pub comment: &'a str,
    pub beyond_contract: bool,
    pub created_by: Option<&'a str>,
    pub at: chrono::DateTime<chrono::Utc>,
}

/// Stores a version as the next number; returns it. Two writers racing for one number
/// meet the primary key: the loser's transaction fails and nothing is half-written.
pub async fn insert_version(db: &impl ConnectionTrait, v: &NewVersion<'_>) -> Result<i64, DbErr> {
    let version = newest_number(db).await? + 1;
    let insert = Query::insert()
        .into_table(PolicyVersion::Table)
        .columns([
            PolicyVersion::Version,
            PolicyVersion::Model,
            PolicyVersion::Policy,
            PolicyVersion::Source,
            PolicyVersion::Comment,
            PolicyVersion::BeyondContract,
            PolicyVersion::CreatedBy,
            PolicyVersion::CreatedAt,
        ])
        .values_panic([
            version.into(),
            v.model.into(),
            v.policy.into(),
            v.source.into(),
            v.comment.into(),
            v.beyond_contract.into(),
            v.created_by.map(str::to_owned).into(),
            v.at.into(),
        ])
        .to_owned();
    db.execute(&insert).await?;
    if db.get_database_backend() == DbBackend::Postgres {
        // Delivered to every listening replica when (and only if) the transaction commits.
        let notify = Query::select()
            .expr(
                Func::cust("pg_notify")
                    .arg(CHANNEL)
                    .arg(version.to_string()),
            )
            .to_owned();
        db.execute(&notify).await?;
    }
    Ok(version)
}

impl PolicyStore {
    /// Start-up: the policy files are validated, stored as a new version unless that
    /// exact text is stored already (a deployment's new files take effect once; a restart
    /// does not undo a version loaded since), and the newest version is compiled.
    pub async fn open(db: &DatabaseConnection, dir: Option<&Path>) -> Result<Self, StoreError> {
        let (files_model, files_policy) = read_files(dir)?;
        let compiled_files = Policy::compile(&files_model, &files_policy).await?;
        let (model, policy) = (files_model.as_str(), files_policy.as_str());
        let known = Query::select()
            .expr_as(Expr::col(Asterisk).count(), "n")
            .from(PolicyVersion::Table)
            .and_where(Expr::col(PolicyVersion::Model).eq(model))
            .and_where(Expr::col(PolicyVersion::Policy).eq(policy))
            .to_owned();
        let stored = match db.query_one(&known).await? {
            Some(row) => row.try_get::<i64>("", "n")? > 0,
            None => false,
        };
        if !stored {
            let inserted = insert_version(
                db,
                &NewVersion {
                    model,
                    policy,
                    source: "FILES",
                    comment: "policy files read at start-up",
                    beyond_contract: false,
                    created_by: None,
                    at: chrono::Utc::now(),
                },
            )
            .await;
            // Another replica starting at the same moment may have taken the number.
            if let Err(e) = inserted {
                tracing::warn!(cause = %crate::error::db_error_summary(&e), "policy files not stored; using the newest stored version");
            }
        }
        let (version, model, policy) = newest(db)
            .await?
            .ok_or_else(|| PolicyError("no policy version stored".into()))?;
        let policy = if model == files_model && policy == files_policy {
            compiled_files
        } else {
            Policy::compile(&model, &policy).await?
        };
        tracing::info!(version, "policy in force");
        Ok(PolicyStore {
            current: RwLock::new(Arc::new(InForce {
                version,
                model,
                policy,
            })),
            compiling: tokio::sync::Mutex::new(()),
        })
    }

    /// The policy in force now.
    pub fn current(&self) -> Arc<InForce> {
        self.current
            .read()
            .map(|c| Arc::clone(&c))
            .unwrap_or_else(|e| Arc::clone(&e.into_inner()))
    }

    /// Swaps in the newest stored version if it is newer than the one in force.
    pub async fn refresh(&self, db: &impl ConnectionTrait) -> Result<bool, StoreError> {
        if newest_number(db).await? <= self.current().version {
            return Ok(false);
        }
        self.swap_in_newest(db).await
    }

    /// Reads the newest stored version and, if it is newer than the one in force, compiles
    /// and swaps it in. The database is read before `compiling` is taken: no one holds
    /// that lock while waiting for a connection, so requests holding theirs while they wait
    /// for the lock cannot starve the one that holds it.
    async fn swap_in_newest(&self, db: &impl ConnectionTrait) -> Result<bool, StoreError> {
        let Some((version, model, policy)) = newest(db).await? else {
            return Ok(false);
        };
        let _compiling = self.compiling.lock().await;
        // Whoever held the lock before may have compiled this version or a newer one.
        if self.current().version >= version {
            return Ok(false);
        }
        let policy = Policy::compile(&model, &policy).await?;
        let mut slot = self.current.write().unwrap_or_else(|e| e.into_inner());
        if version > slot.version {
            *slot = Arc::new(InForce {
                version,
                model,
                policy,
            });
            tracing::info!(version, "policy version now in force");
        }
        Ok(true)
    }

    /// The policy in force, compiled from version `seen` or a newer one: a request that read
    /// `seen` as the newest stored version calls this before anything runs under the
    /// policy. `conn` is the request's own transaction, which reads that version.
    pub async fn at_least(
        &self,
        conn: &impl ConnectionTrait,
        seen: i64,
    ) -> Result<Arc<InForce>, StoreError> {
        let current = self.current();
        if current.version >= seen {
            return Ok(current);
        }
        self.swap_in_newest(conn).await?;
        let current = self.current();
        if current.version >= seen {
            Ok(current)
        } else {
            Err(StoreError::Policy(PolicyError(format!(
                "version {seen} was read as the newest, but the newest readable is {}",
                current.version
            ))))
        }
    }

    /// The newest stored version as `conn` sees it (inside a transaction: the version that
    /// transaction reads), put in force here first if it is newer than the one in force.
    /// Checks that must hold under the policy in force read it here after taking their
    /// lock, so that a version loaded by another request or replica meanwhile is not
    /// missed, and this replica enforces it from then on.
    pub async fn newest_in(&self, conn: &impl ConnectionTrait) -> Result<Arc<InForce>, StoreError> {
        let seen = newest_number(conn).await?;
        self.at_least(conn, seen).await
    }

    async fn refresh_logged(&self, db: &DatabaseConnection) {
        if let Err(e) = self.refresh(db).await {
            tracing::warn!(cause = %e, "policy refresh failed; keeping the version in force");
        }
    }

    /// Follows new versions until the returned task is aborted.
    pub fn watch(self: Arc<Self>, db: DatabaseConnection) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            match db.get_database_backend() {
                // Notifications, and a slow poll for any missed while reconnecting.
                DbBackend::Postgres => {
                    tokio::join!(self.listen(&db), self.poll(&db, Duration::from_secs(30)));
                }
                _ => self.poll(&db, Duration::from_secs(1)).await,
            }
        })
    }

    async fn poll(&self, db: &DatabaseConnection, every: Duration) {
        loop {
            tokio::time::sleep(every).await;
            self.refresh_logged(db).await;
        }
    }

    async fn listen(&self, db: &DatabaseConnection) {
        let pool = db.get_postgres_connection_pool();
        loop {
            let mut listener = match PgListener::connect_with(pool).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(cause = %e, "policy listener cannot connect; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            if let Err(e) = listener.listen(CHANNEL).await {
                tracing::warn!(cause = %e, "LISTEN failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
            // Whatever was announced while no one listened.
            self.refresh_logged(db).await;
            loop {
                match listener.try_recv().await {
                    Ok(Some(_)) => self.refresh_logged(db).await,
                    // The connection was lost and is re-established on the next call:
                    // catch up on what it missed.
                    Ok(None) => {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        self.refresh_logged(db).await;
                    }
                    Err(e) => {
                        tracing::warn!(cause = %e, "policy listener lost; reconnecting");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        break;
                    }
                }
            }
        }
    }
}
