//! The explorer page (`GET /` with `--demo` or `TYPGRAPH_EXPLORER=1`): one self-contained
//! HTML file compiled into the binary; no request leaves for a CDN.

use axum::http::header;
use axum::response::IntoResponse;

const PAGE: &str = include_str!("assets/explorer.html");

pub async fn page() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
            ),
        ],
        PAGE,
    )
}
