//! The unit of work every data endpoint runs (GraphQL for officials and for clients, CSV
//! exports): the bearer token's claims; then one transaction for the whole request, the
//! caller signed in inside it, their budget, and the request context; after the endpoint's
//! work, the access log written into that same transaction, the commit, the metrics and the
//! sealer's wake-up. The endpoint's answer leaves only if the commit succeeded.

use std::future::Future;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use sea_orm::{
    ConnectionTrait, DatabaseTransaction, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};

use crate::app::AppState;
use crate::audit::AccessRecorder;
use crate::authz::{Caller, Principal};
use crate::domain::Role;
use crate::error::AppError;
use crate::http::auth::Claims;
use crate::services::{officials, self_service, RequestContext};

/// Why a request ends without the endpoint's answer.
pub enum Stop {
    /// An error, for the endpoint to answer in its own format.
    Failed(AppError),
    /// An answer already made (the caller's budget is spent).
    Answered(Response),
}

impl From<AppError> for Stop {
    fn from(err: AppError) -> Self {
        Stop::Failed(err)
    }
}

/// One request of a signed token, before anything touched the database.
pub struct UnitOfWork<'a> {
    app: &'a AppState,
    claims: Claims,
}

impl<'a> UnitOfWork<'a> {
    /// Verifies the request's bearer token (no database needed).
    pub fn claims(app: &'a AppState, headers: &HeaderMap) -> Result<Self, AppError> {
        let token = bearer(headers).ok_or(AppError::Unauthenticated(None))?;
        let claims = app
            .verifier
            .verify(token)
            .map_err(|refusal| AppError::Unauthenticated(Some(refusal.description())))?;
        Ok(UnitOfWork { app, claims })
    }

    /// Whether the token is a client's (for their own data) rather than an official's.
    pub fn is_client(&self) -> bool {
        self.claims.roles.iter().any(|r| r == Role::Client.code())
    }

    /// Runs `work` in the request's transaction for the signed-in caller, then writes the
    /// access log into that transaction and commits. `work` answers with its result and the
    /// number of objects it returns, charged to the caller's object budget once committed.
    /// `clients`: whether the endpoint serves a client's own token; where it does not, the
    /// token must be an official's. `reason`: what the log rows give as the reason.
    pub async fn run<T, W, F>(self, reason: &str, clients: bool, work: W) -> Result<T, Stop>
    where
        W: FnOnce(RequestContext) -> F,
        F: Future<Output = Result<(T, usize), AppError>>,
    {
        let app = self.app;
        let client = clients && self.is_client();
        // A token is a client's or an official's, never both.
        if client && self.claims.roles.len() != 1 {
            tracing::info!("sign-in refused: a client token with other roles");
            return Err(
                AppError::Unauthenticated(Some("a client's token carries no other role")).into(),
            );
        }
        let tx = Arc::new(begin(app).await?);
        let caller = if client {
            Caller::Client(sign_in_client(app, &*tx, &self.claims).await?)
        } else {
            Caller::Official(sign_in(app, &*tx, &self.claims).await?)
        };
        let budget = caller.budget_key();
        if let Some(refused) = super::ratelimit::refusal_for_official(app, &budget) {
            return Err(Stop::Answered(refused));
        }
        let rc = RequestContext::new(
            caller.clone(),
            app.settings.clone(),
            tx.clone(),
            chrono::Utc::now(),
        )
        .with_reports_replica(app.reports_db.clone())
        .with_cursor_key(app.cursors.clone());
        let recorder = rc.recorder.clone();
        let policy_changed = rc.policy_changed.clone();
        let (answer, objects) = work(rc).await?;
        commit(app, tx, &recorder, &caller, reason).await?;
        if policy_changed.load(Ordering::Relaxed) {
            if let Err(e) = app.policy.refresh(&app.db).await {
                // The watcher retries; the version is stored and will take effect.
                tracing::warn!(cause = %e, "new policy version not yet in force here");
            }
        }
        // Only what leaves is charged to the caller's object budget.
        app.rate.charge_objects(&budget, objects);
        Ok(answer)
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The official a verified token names, active and holding a role, read in the request's
/// own transaction (one connection and one statement per request).
async fn sign_in(
    app: &AppState,
    conn: &impl ConnectionTrait,
    claims: &Claims,
) -> Result<Principal, AppError> {
    match officials::principal(
        conn,
        &app.policy,
        &claims.sub,
        &claims.roles,
        chrono::Utc::now(),
    )
    .await?
    {
        Ok(p) => Ok(p),
        Err(refusal) => {
            tracing::info!(?refusal, "sign-in refused");
            Err(AppError::Unauthenticated(Some(
                "the token does not name an active official with these roles",
            )))
        }
    }
}

/// The client a verified client token names, who must exist and be alive.
async fn sign_in_client(
    app: &AppState,
    conn: &impl ConnectionTrait,
    claims: &Claims,
) -> Result<crate::authz::ClientCaller, AppError> {
    self_service::sign_in(conn, &app.policy, &claims.sub)
        .await?
        .ok_or_else(|| {
            tracing::info!("sign-in refused: unknown client");
            AppError::Unauthenticated(Some("the token does not name a registered client"))
        })
}

/// Starts the request's transaction. On SQLite it takes the write lock at once (IMMEDIATE),
/// so the access-log insert at the end never meets a stale snapshot.
async fn begin(app: &AppState) -> Result<DatabaseTransaction, AppError> {
    let opts = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    Ok(app.db.begin_with_options(opts).await?)
}

/// Writes the access-log rows into the request's transaction and commits, counts the rows
/// and wakes the sealer. On failure the endpoint must not send the answer it made.
async fn commit(
    app: &AppState,
    tx: Arc<DatabaseTransaction>,
    recorder: &AccessRecorder,
    caller: &Caller,
    reason: &str,
) -> Result<(), AppError> {
    let done = async {
        let tx = Arc::try_unwrap(tx)
            .map_err(|_| AppError::internal("request transaction still shared"))?;
        let rows = recorder
            .flush(&tx, caller, reason, chrono::Utc::now())
            .await?;
        tx.commit().await?;
        Ok::<usize, AppError>(rows)
    }
    .await;
    done.map(|rows| {
        app.metrics.access_log_rows.inc_by(rows as u64);
        if rows > 0 {
            app.sealer.notify_one();
        }
    })
    .map_err(|err| {
        app.metrics.access_log_failures.inc();
        tracing::error!(
            code = err.code(),
            "response withheld: access log not committed"
        );
        match err {
            AppError::Unavailable => AppError::Unavailable,
            _ => AppError::Internal(String::new()),
        }
    })
}

/// The HTTP status of an error answered outside GraphQL's 200.
pub fn status_of(err: &AppError) -> StatusCode {
    match err {
        AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::BadUserInput { .. } | AppError::PersistedQueryNotInList => {
            StatusCode::BAD_REQUEST
        }
        AppError::PersistedQueryNotFound => StatusCode::OK,
        AppError::LimitExceeded(_) => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::Conflict(_)
        | AppError::ConflictWithExisting(..)
        | AppError::ConflictWithRecords(..) => StatusCode::CONFLICT,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
