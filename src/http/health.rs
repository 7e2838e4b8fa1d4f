//! `/healthz` (the process runs), `/readyz` (the database answers) and `/metrics`.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;

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
