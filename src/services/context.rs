//! The per-request context: the caller, the request's transaction and its access recorder.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    AccessMode, DatabaseConnection, DatabaseTransaction, IsolationLevel, TransactionOptions,
    TransactionTrait,
};

use crate::audit::AccessRecorder;
use crate::authz::scope::RowScope;
use crate::authz::{Caller, FieldGroup, Principal};
use crate::domain::settings::Settings;

/// Everything a service needs to act for one caller within one request. All reads and
/// writes of the request go through `tx`, and the access log is written into it before
/// commit, so data and log rows commit together or not at all.
pub struct RequestContext {
    /// An official, or a client signed in to their own data.
    pub caller: Caller,
    pub scope: RowScope,
    pub now: DateTime<Utc>,
    pub today: NaiveDate,
    pub settings: Arc<Settings>,
    pub tx: Arc<DatabaseTransaction>,
    pub recorder: Arc<AccessRecorder>,
    /// Set when the request stored a new policy version: after the commit, this replica
    /// swaps it in at once instead of waiting for the notification.
    pub policy_changed: Arc<std::sync::atomic::AtomicBool>,
    /// The read replica for reports, when configured.
    reports_db: Option<DatabaseConnection>,
    /// The request's read-only transaction on that replica, begun at the first report query.
    reports_tx: tokio::sync::OnceCell<DatabaseTransaction>,
    /// The key connection cursors are sealed with; none where nothing is paged.
    cursors: Option<Arc<crate::services::cursor::CursorKey>>,
}

impl RequestContext {
    pub fn new(
        caller: impl Into<Caller>,
        settings: Arc<Settings>,
        tx: Arc<DatabaseTransaction>,
        now: DateTime<Utc>,
    ) -> Self {
        let caller = caller.into();
        let today = now.date_naive();
        // A client reaches their own rows by their id, never through the officials' scope.
        let scope = match &caller {
            Caller::Official(p) => RowScope::for_principal(p, &settings, today),
            Caller::Client(_) => RowScope::Nothing,
        };
        RequestContext {
            caller,
            scope,
            now,
            today,
            settings,
            tx,
            recorder: Arc::new(AccessRecorder::default()),
            policy_changed: Arc::default(),
            reports_db: None,
            reports_tx: tokio::sync::OnceCell::new(),
            cursors: None,
        }
    }

    /// This request's context for running its query a second time: the same caller, scope,
    /// time, transaction and access recorder (a replica's report transaction is begun anew).
    pub fn again(&self) -> RequestContext {
        RequestContext {
            caller: self.caller.clone(),
            scope: self.scope.clone(),
            now: self.now,
            today: self.today,
            settings: self.settings.clone(),
            tx: self.tx.clone(),
            recorder: self.recorder.clone(),
            policy_changed: self.policy_changed.clone(),
            reports_db: self.reports_db.clone(),
            reports_tx: tokio::sync::OnceCell::new(),
            cursors: self.cursors.clone(),
        }
    }

    /// Lets this request page connections (seal and open their cursors).
    pub fn with_cursor_key(mut self, key: Arc<crate::services::cursor::CursorKey>) -> Self {
        self.cursors = Some(key);
        self
    }

    /// The cursor key; an internal error where the request was not given one.
    pub fn cursor_key(&self) -> crate::error::AppResult<&crate::services::cursor::CursorKey> {
        self.cursors
            .as_deref()
            .ok_or_else(|| crate::error::AppError::internal("no cursor key in this context"))
    }

    /// Sends this request's report queries to a read replica.
    pub fn with_reports_replica(mut self, db: Option<DatabaseConnection>) -> Self {
        self.reports_db = db;
        self
    }

    /// Where report (aggregate) queries run: a read-only, repeatable-read transaction on the
    /// reports replica when one is configured (one snapshot for the whole request), else
    /// the request's own transaction. Aggregates touch no person, so they write no
    /// access-log rows and need nothing from the primary.
    pub async fn report_db(&self) -> crate::error::AppResult<&DatabaseTransaction> {
        let Some(replica) = &self.reports_db else {
            return Ok(&self.tx);
        };
        self.reports_tx
            .get_or_try_init(|| async {
                let opts = TransactionOptions {
                    isolation_level: Some(IsolationLevel::RepeatableRead),
                    access_mode: Some(AccessMode::ReadOnly),
                    sqlite_transaction_mode: None,
                };
                Ok(replica.begin_with_options(opts).await?)
            })
            .await
    }

    pub fn db(&self) -> &DatabaseTransaction {
        &self.tx
    }

    /// The official the request acts for (see [`Caller::principal`] for a client).
    pub fn principal(&self) -> &Principal {
        self.caller.principal()
    }
}

/// What the caller may see of one client, decided in SQL when the client was loaded.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClientScope {
    pub client_id: String,
    /// False for a client outside the caller's scope that an answer had to name: only its
    /// id is shown, every field is `OUT_OF_SCOPE`. (A duplicate registration outside the
    /// scope is not named at all.)
    pub visible: bool,
    /// The client is a TYP client (case open or within retention): the agency sees the
    /// shared data, not only its own records.
    pub typ: bool,
    /// Consents in force naming the caller's agency: (group, consent id).
    pub consents: Vec<(FieldGroup, String)>,
}

impl ClientScope {
    pub fn consent_for(&self, group: FieldGroup) -> Option<&str> {
        self.consents
            .iter()
            .find(|(g, _)| *g == group)
            .map(|(_, id)| id.as_str())
    }

    /// The key by which this client's nested records are loaded.
    pub fn key(&self) -> ScopedClient {
        ScopedClient {
            client_id: self.client_id.clone(),
            typ: self.typ,
        }
    }
}

/// A client id with its TYP flag: the DataLoader key for a client's records.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScopedClient {
    pub client_id: String,
    pub typ: bool,
}

impl RequestContext {
    /// The caller's role may write `group` (checked before any data is touched).
    pub fn require_write(&self, group: FieldGroup) -> Result<(), crate::error::AppError> {
        if self.principal().mask.may_write(group) {
            Ok(())
        } else {
            Err(crate::error::AppError::Forbidden(None))
        }
    }
}

/// Whether a database error is a unique-constraint violation (a duplicate).
pub fn is_unique_violation(e: &sea_orm::DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}
