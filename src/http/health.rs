//! `/healthz` (the process runs), `/readyz` (the database answers) and `/metrics`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;

pub async fn healthz() -> impl IntoResponse {
    (StatusCode::OK, "ok\n")
}

/// 200 only when the database answers within half a second, so a load balancer sees an
/// outage within a second of it starting.
pub async fn readyz(State(app): State<Arc<AppState>>) -> impl IntoResponse {
    let ready = tokio::time::timeout(Duration::from_millis(500), crate::db::ping(&app.db))
        .await
        .unwrap_or(false);
    if ready {
        (StatusCode::OK, "ready\n")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n")
    }
}

/// `/metrics` on the main listener: only with the configured bearer token
/// (`TYPGRAPH_METRICS_TOKEN`), 401 without it or with another; not served (404) when no
/// token is configured. Request and statement counts are no one's business but the
/// operator's: they tell one request's work from another's.
pub async fn metrics_with_token(State(app): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let Some(token) = &app.metrics_token else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let offered = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !same_secret(offered.as_bytes(), token.0.as_bytes()) {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "metrics need the metrics token\n",
        )
            .into_response();
    }
    metrics(State(app)).await.into_response()
}

/// Compares two secrets in time independent of where they differ (HMAC-SHA-256 of each
/// under a fresh key, then compared).
fn same_secret(a: &[u8], b: &[u8]) -> bool {
    use hmac::{Hmac, KeyInit, Mac};
    let key = uuid::Uuid::new_v4();
    let digest = |v: &[u8]| {
        <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key.as_bytes()).map(|mut m| {
            m.update(v);
            m
        })
    };
    match (digest(a), digest(b)) {
        (Ok(a), Ok(b)) => a.verify_slice(&b.finalize().into_bytes()).is_ok(),
        _ => false,
    }
}

/// `/metrics` as the metrics listener serves it.
pub async fn metrics(State(app): State<Arc<AppState>>) -> impl IntoResponse {
    app.metrics.observe_pool(&app.db);
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        app.metrics.render(),
    )
}
