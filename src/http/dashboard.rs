//! `GET /dashboard`: a small reporting page compiled into the binary. It uses only the public
//! GraphQL API with the bearer token the user signs in with; no request leaves for a CDN.
//! Under `--demo`, `/dashboard/demo-logins` lists the demo tokens for a sign-in menu.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::app::AppState;

static PAGE: std::sync::LazyLock<super::pages::Page> =
    std::sync::LazyLock::new(|| super::pages::Page::new(include_str!("assets/dashboard.html")));

/// A demo sign-in offered by the dashboard under `--demo`.
#[derive(Debug, Clone, Serialize)]
pub struct DemoLogin {
    pub role: String,
    pub token: String,
}

pub async fn page() -> Response {
    PAGE.respond()
}

pub async fn demo_logins(State(app): State<Arc<AppState>>) -> Response {
    match app.demo_logins.get() {
        Some(list) => ([(header::CACHE_CONTROL, "no-store")], Json(list.clone())).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
