//! The explorer page (`GET /` with `--demo` or `TYPGRAPH_EXPLORER=1`): one self-contained
//! HTML file compiled into the binary; no request leaves for a CDN.

use axum::response::Response;

static PAGE: std::sync::LazyLock<super::pages::Page> =
    std::sync::LazyLock::new(|| super::pages::Page::new(include_str!("assets/explorer.html")));

pub async fn page() -> Response {
    PAGE.respond()
}
