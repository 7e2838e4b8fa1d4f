//! The axum edge: routes, request metrics, body limits.

pub mod auth;
pub mod dashboard;
pub mod decisions;
pub mod explorer;
pub mod exports;
pub mod graphql;
pub mod health;
pub mod meetings;
pub mod pages;
pub mod proxies;
pub mod ratelimit;
mod request_body;
pub mod transport;
pub mod unit_of_work;

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

use crate::app::AppState;
use crate::telemetry::HttpLabels;

/// Largest request body accepted on `/graphql`.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

pub fn router(state: Arc<AppState>) -> Router {
    let mut router = Router::new()
        .route(
            "/graphql",
            get(graphql::get_not_allowed).post(graphql::post),
        )
        .route(
            "/exports/allowance-statement.csv",
            get(exports::allowance_statement),
        )
        .route(
            "/exports/allowance-export.csv",
            axum::routing::post(exports::allowance_export),
        )
        .route("/exports/reports/{file}", get(exports::report))
        .route(
            "/exports/voucher-statement.csv",
            get(exports::voucher_statement),
        )
        .route("/dashboard", get(dashboard::page))
        .route("/dashboard/demo-logins", get(dashboard::demo_logins))
        .route("/meetings", get(meetings::page))
        .route("/decisions/{id}", get(decisions::decision))
        .route("/assets/{file}", get(pages::asset))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics_with_token));
    if state.explorer {
        router = router.route("/", get(explorer::page));
    }
    let cors = cors(&state.cors_origins);
    router
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            transport::read_body,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            limit_addresses,
        ))
        .layer(cors)
        .layer(middleware::from_fn_with_state(state.clone(), track))
        .layer(middleware::from_fn(request_id))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// The policy of every response that does not set its own (JSON, CSV, errors): it loads
/// nothing and may not be framed.
const DEFAULT_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// Headers on every response: no MIME sniffing (a JSON or CSV answer is never run as a
/// page), never in a frame (clickjacking), no `Referer` leaving for another site, and a
/// Content-Security-Policy unless the page brought its own (`pages`).
async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(DEFAULT_CSP));
    res
}

/// The router of the metrics listener (`TYPGRAPH_METRICS_LISTEN`): `/metrics` only, without
/// a token, for a network only the scraper reaches.
pub fn metrics_router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/metrics", get(health::metrics))
        .layer(middleware::from_fn(security_headers))
        .with_state(state)
}

/// The JSON error body every endpoint answers with: one error, its message and code.
pub fn error_json(err: &crate::error::AppError) -> serde_json::Value {
    let mut extensions = serde_json::json!({ "code": err.code() });
    if let crate::error::AppError::BadUserInput { field, .. } = err {
        extensions["field"] = serde_json::Value::from(field.as_str());
    }
    serde_json::json!({ "errors": [{ "message": err.message(), "extensions": extensions }] })
}

/// An error as a plain JSON response (the endpoints outside GraphQL's media types).
pub fn error_response(err: crate::error::AppError) -> Response {
    use axum::response::IntoResponse;
    let mut res = (unit_of_work::status_of(&err), error_json(&err).to_string()).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(challenge) = err.challenge().and_then(|c| HeaderValue::try_from(c).ok()) {
        h.insert(header::WWW_AUTHENTICATE, challenge);
    }
    res
}

/// CORS for the configured origins only; any other origin gets no CORS headers, so a
/// browser will not hand it the response.
fn cors(origins: &[String]) -> tower_http::cors::CorsLayer {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::AllowOrigin::list(allowed))
        .allow_methods([Method::POST, Method::GET])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::ACCEPT])
        .max_age(std::time::Duration::from_secs(600))
}

/// Requests per client address, before any token is verified or body read; health and
/// metrics probes are not counted.
async fn limit_addresses(State(app): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let probe = matches!(req.uri().path(), "/healthz" | "/readyz" | "/metrics");
    if !probe {
        if let Some(ConnectInfo(addr)) = req.extensions().get::<ConnectInfo<std::net::SocketAddr>>()
        {
            let client = proxies::client_address(addr.ip(), req.headers(), &app.trusted_proxies);
            if let Err(wait) = app.rate.request(client) {
                return ratelimit::refused(&app, wait);
            }
        }
    }
    next.run(req).await
}

/// The header that carries a request's id, both ways.
pub const REQUEST_ID: &str = "x-request-id";

/// Gives every request an id: the caller's `X-Request-Id` when it is a plain token (up to
/// 64 of `A-Z a-z 0-9 - _ .`, so nothing odd reaches a log line), a new UUID otherwise. Every
/// log line of the request carries it (its span), and the response returns it.
async fn request_id(req: Request, next: Next) -> Response {
    use tracing::Instrument;
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        route = tracing::field::Empty,
        status = tracing::field::Empty
    );
    let mut res = next.run(req).instrument(span).await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    res
}

/// Counts requests by route and status, and their duration, and logs each one (route
/// pattern, never the query string).
async fn track(State(app): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let started = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16();
    app.metrics
        .http_requests
        .get_or_create(&HttpLabels {
            route: route.clone(),
            status,
        })
        .inc();
    let elapsed = started.elapsed();
    let span = tracing::Span::current();
    span.record("route", route.as_str());
    span.record("status", status);
    app.metrics.http_duration.observe(elapsed.as_secs_f64());
    tracing::info!(
        route = %route,
        status = status,
        ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    res
}
