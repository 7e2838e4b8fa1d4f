//! `GET /meetings`: network-meeting preparation, compiled into the binary and built only on
//! the public GraphQL API with the signed-in official's token, as an agency front end would
//! be: upcoming meetings, the brief per agency, the plan and open actions, and the minutes,
//! agency section and agreed actions recorded during the meeting. No request leaves for a CDN.

use axum::response::Response;

static PAGE: std::sync::LazyLock<super::pages::Page> =
    std::sync::LazyLock::new(|| super::pages::Page::new(include_str!("assets/meetings.html")));

pub async fn page() -> Response {
    PAGE.respond()
}
