//! `GET /decisions/{id}`: a KTT decision as the document people read, HTML for print in the
//! decision's language, signed in and access-logged like every read of its fields
//! ([`crate::services::ktt_decision::document`]). Out of scope and missing are the same 404.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::error_response as fail;
use super::unit_of_work::{Stop, UnitOfWork};
use crate::app::AppState;
use crate::services::ktt_decision::document;

pub async fn decision(
    State(app): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let work = match UnitOfWork::claims(&app, &headers) {
        Ok(w) => w,
        Err(err) => return fail(err),
    };
    let html = work
        .run("decisionDocument", false, |rc| async move {
            rc.recorder.operation("decisionDocument");
            Ok((document::render(&rc, &id).await?, 1))
        })
        .await;
    let html = match html {
        Ok(html) => html,
        Err(Stop::Failed(err)) => return fail(err),
        Err(Stop::Answered(res)) => return res,
    };
    let csp = HeaderValue::from_str(&super::pages::policy(&html))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"));
    let mut res = (StatusCode::OK, html).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::CONTENT_SECURITY_POLICY, csp);
    res
}
