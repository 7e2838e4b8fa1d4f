//! `GET /dashboard`: a small reporting page compiled into the binary. It uses only the public
//! GraphQL API with the bearer token the user signs in with; no request leaves for a CDN.
//! Under `--demo`, `/dashboard/demo-logins` lists the demo tokens for the sign-in menus of
//! the dashboard and the meetings page, each with the pages its role can use.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;

use crate::app::AppState;
use crate::authz::{FieldId, ReadAccess};
use crate::domain::Role;

static PAGE: std::sync::LazyLock<super::pages::Page> =
    std::sync::LazyLock::new(|| super::pages::Page::new(include_str!("assets/dashboard.html")));

/// A demo sign-in offered by the dashboard under `--demo`.
#[derive(Debug, Clone, Serialize)]
pub struct DemoLogin {
    pub role: String,
    pub token: String,
}

/// A demo sign-in with what its role can use, so a menu offers only roles that get an
/// answer (AUDITOR and ADMIN read no reports and no meetings).
#[derive(Serialize)]
struct DemoLoginOffer<'a> {
    role: &'a str,
    token: &'a str,
    /// The role may ask for `reports` (the dashboard).
    reports: bool,
    /// The role may read network meetings (the meetings page).
    meetings: bool,
}

pub async fn page() -> Response {
    PAGE.respond()
}

pub async fn demo_logins(State(app): State<Arc<AppState>>) -> Response {
    let Some(list) = app.demo_logins.get() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let policy = app.policy.current();
    let offers: Vec<DemoLoginOffer> = list
        .iter()
        .map(|l| {
            let role = l.role.parse::<Role>().ok();
            let mask = role.map(|r| policy.policy.mask(r));
            DemoLoginOffer {
                role: &l.role,
                token: &l.token,
                reports: role == Some(Role::Analyst)
                    || mask.as_ref().is_some_and(|m| m.reads_client_data()),
                meetings: mask
                    .as_ref()
                    .is_some_and(|m| m.field(FieldId::MeetingStatus) != ReadAccess::Never),
            }
        })
        .collect();
    ([(header::CACHE_CONTROL, "no-store")], Json(offers)).into_response()
}
