//! What every data endpoint shares: sign-in (bearer token -> [`Principal`]), the request's
//! transaction, and the commit that writes the access log first and withholds the response
//! if it fails.

use std::sync::Arc;

use axum::http::{header, HeaderMap, StatusCode};
use sea_orm::{
    ConnectionTrait, DatabaseTransaction, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};

use crate::app::AppState;
use crate::audit::AccessRecorder;
use crate::authz::Principal;
use crate::error::AppError;
use crate::http::auth::Claims;
use crate::services::officials;

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The verified claims of the request's bearer token (no database needed).
pub fn claims(app: &AppState, headers: &HeaderMap) -> Result<Claims, AppError> {
    bearer(headers)
        .and_then(|t| app.verifier.verify(t))
        .ok_or(AppError::Unauthenticated)
}

/// The caller of a request: a verified token whose official is active and holds a role,
/// read in the request's own transaction (one connection and one statement per request).
pub async fn sign_in(
    app: &AppState,
    conn: &impl ConnectionTrait,
    claims: &Claims,
) -> Result<Principal, AppError> {
    let policy = app.policy.current();
    match officials::principal(
        conn,
        &policy.policy,
        &claims.sub,
        &claims.roles,
        chrono::Utc::now(),
    )
    .await?
    {
        Ok(p) => Ok(p),
        Err(refusal) => {
            tracing::info!(?refusal, "sign-in refused");
            Err(AppError::Unauthenticated)
        }
    }
}

/// Starts the request's transaction. On SQLite it takes the write lock at once (IMMEDIATE),
/// so the access-log insert at the end never meets a stale snapshot.
pub async fn begin(app: &AppState) -> Result<DatabaseTransaction, AppError> {
    let opts = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    Ok(app.db.begin_with_options(opts).await?)
}

/// Writes the access-log rows into the request's transaction and commits. On failure the
/// caller must not send the data it produced.
pub async fn commit(
    app: &AppState,
    tx: Arc<DatabaseTransaction>,
    recorder: &AccessRecorder,
    principal: &Principal,
    reason: &str,
) -> Result<(), AppError> {
    let done = async {
        let tx = Arc::try_unwrap(tx)
            .map_err(|_| AppError::internal("request transaction still shared"))?;
        let rows = recorder
            .flush(&tx, principal, reason, chrono::Utc::now())
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
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::BadUserInput { .. } => StatusCode::BAD_REQUEST,
        AppError::LimitExceeded(_) => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::Conflict(_) | AppError::ConflictWithExisting(..) => StatusCode::CONFLICT,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
