//! `POST /graphql`: GraphQL over HTTP (media types, status codes), run in the request's
//! [`UnitOfWork`] against the officials' schema or, on a client's token, the client schema.

use std::sync::Arc;

use async_graphql::dataloader::DataLoader;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, OperationType,
};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::app::AppState;
use crate::authz::Caller;
use crate::error::AppError;
use crate::graphql::engine::batch::{drive, BatchQueue};
use crate::graphql::engine::documents::{variables_plainly_valid, Fits, Refused};
use crate::graphql::engine::limits;
use crate::graphql::engine::nulls::InPlace;
use crate::graphql::{FieldErrors, RecordLoader};
use crate::services::RequestContext;

use super::request_body::{parse_failed, parse_request, PARSE_FAILED};
use super::unit_of_work::{status_of, Stop, UnitOfWork};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// Which media type the response uses.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Media {
    GraphqlResponse,
    Json,
}

impl Media {
    fn content_type(self) -> &'static str {
        match self {
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
        }
    }
}

fn respond(status: StatusCode, media: Media, body: impl Into<axum::body::Body>) -> Response {
    let mut res = (status, body.into()).into_response();
    let headers = res.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media.content_type()),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

fn fail(status: StatusCode, media: Media, err: AppError) -> Response {
    let mut res = respond(status, media, super::error_json(&err).to_string());
    if let Some(challenge) = err.challenge().and_then(|c| HeaderValue::try_from(c).ok()) {
        res.headers_mut()
            .insert(header::WWW_AUTHENTICATE, challenge);
    }
    res
}

/// [`fail`], counted in the errors-by-code metric.
fn failed(app: &AppState, status: StatusCode, media: Media, err: AppError) -> Response {
    app.metrics.error(err.code());
    fail(status, media, err)
}

/// Content negotiation per the GraphQL-over-HTTP specification.
fn negotiate(headers: &HeaderMap) -> Option<Media> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(Media::Json);
    };
    let types: Vec<String> = accept
        .split(',')
        .map(|t| {
            t.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .collect();
    if types.iter().any(|t| t == GRAPHQL_RESPONSE) {
        Some(Media::GraphqlResponse)
    } else if types
        .iter()
        .any(|t| t == JSON || t == "application/*" || t == "*/*")
    {
        Some(Media::Json)
    } else {
        None
    }
}

fn is_json_body(headers: &HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut parts = ct.split(';');
    let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let charset_ok = parts.all(|p| {
        let p = p.trim().to_ascii_lowercase();
        !p.starts_with("charset=") || p == "charset=utf-8" || p == "charset=\"utf-8\""
    });
    essence == JSON && charset_ok
}

/// The operation a request runs, with its name; `None` when the document does not say
/// (async-graphql then reports the error).
fn select_operation<'d>(
    doc: &'d ExecutableDocument,
    wanted: Option<&str>,
) -> Option<(Option<String>, &'d OperationDefinition)> {
    match (&doc.operations, wanted) {
        (DocumentOperations::Single(op), _) => Some((None, &op.node)),
        (DocumentOperations::Multiple(ops), Some(name)) => {
            ops.get(name).map(|op| (Some(name.to_owned()), &op.node))
        }
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops
            .iter()
            .next()
            .map(|(name, op)| (Some(name.to_string()), &op.node)),
        _ => None,
    }
}

/// A required variable without a value is a request error (GraphQL over HTTP: 400).
fn check_required_variables(
    op: &OperationDefinition,
    variables: &async_graphql::Variables,
) -> Result<(), AppError> {
    for def in &op.variable_definitions {
        let def = &def.node;
        let name = def.name.node.as_str();
        let given = variables
            .get(&async_graphql::Name::new(name))
            .is_some_and(|v| *v != async_graphql::Value::Null);
        if !def.var_type.node.nullable && def.default_value.is_none() && !given {
            return Err(AppError::bad_input(
                "variables",
                format!("variable ${name} is required"),
            ));
        }
    }
    Ok(())
}

/// Keeps an operation name fit for a log line: printable, short.
fn loggable(name: Option<&str>) -> String {
    let name = name.unwrap_or("anonymous");
    let clean: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(100)
        .collect();
    if clean.is_empty() {
        "anonymous".to_owned()
    } else {
        clean
    }
}

pub async fn get_not_allowed() -> Response {
    let mut res = fail(
        StatusCode::METHOD_NOT_ALLOWED,
        Media::Json,
        AppError::bad_input(
            "method",
            "use POST with a JSON body: queries in URLs end up in logs",
        ),
    );
    res.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    res
}

pub async fn post(State(app): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(media) = negotiate(&headers) else {
        return failed(
            &app,
            StatusCode::NOT_ACCEPTABLE,
            Media::Json,
            AppError::bad_input(
                "accept",
                "accept application/graphql-response+json or application/json",
            ),
        );
    };
    if !is_json_body(&headers) {
        return failed(
            &app,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            media,
            AppError::bad_input("content-type", "the body must be application/json"),
        );
    }
    if headers
        .get(header::CONTENT_ENCODING)
        .is_some_and(|v| !v.as_bytes().eq_ignore_ascii_case(b"identity"))
    {
        // A compressed body's size after decompression is unknown: refused, never inflated.
        return failed(
            &app,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            media,
            AppError::bad_input("content-encoding", "compressed bodies are not accepted"),
        );
    }
    // The token first (no database), the official's row later in the request's transaction.
    let work = match UnitOfWork::claims(&app, &headers) {
        Ok(w) => w,
        Err(err) => return failed(&app, status_of(&err), media, err),
    };
    let body = match parse_request(&body) {
        Ok(b) => b,
        Err(err) => return failed(&app, StatusCode::BAD_REQUEST, media, err),
    };
    let request_error_status = match media {
        Media::GraphqlResponse => StatusCode::BAD_REQUEST,
        Media::Json => StatusCode::OK,
    };
    if let Some(err) = body
        .named
        .query
        .as_deref()
        .and_then(|q| limits::check_size(q).err())
    {
        return failed(&app, request_error_status, media, err);
    }
    let query = match app.persisted.resolve(body.named) {
        Ok(query) => query,
        // Answered with 200 whatever the media type: Apollo's link then resends the text
        // (a 4xx would make it give up persisted queries altogether).
        Err(err @ AppError::PersistedQueryNotFound) => {
            return failed(&app, StatusCode::OK, media, err)
        }
        Err(err) => return failed(&app, request_error_status, media, err),
    };
    let request = async_graphql::Request::new(query).variables(body.variables);
    let mut request = match body.operation_name {
        Some(name) => request.operation_name(name),
        None => request,
    };
    let checked = match app
        .documents
        .parse_checked(&request.query, request.operation_name.as_deref())
    {
        Ok(checked) => checked,
        Err(Refused::Parse(err)) => {
            // The parser's message quotes the query: the caller's text, never logged.
            tracing::debug!("query does not parse");
            app.metrics.error(PARSE_FAILED);
            return respond(request_error_status, media, parse_failed(&err).to_string());
        }
        Err(Refused::Limits(err)) => return failed(&app, request_error_status, media, err),
    };
    if let Err(err) = limits::check_variables(&request.variables) {
        return failed(&app, request_error_status, media, err);
    }
    let (document, fits) = (checked.document, checked.fits);
    let operation = select_operation(&document, request.operation_name.as_deref());
    let reason = loggable(operation.as_ref().and_then(|(name, _)| name.as_deref()));
    let query = operation
        .as_ref()
        .is_some_and(|(_, op)| op.ty == OperationType::Query);
    if let Some((_, op)) = &operation {
        if let Err(err) = check_required_variables(op, &request.variables) {
            return failed(&app, request_error_status, media, err);
        }
    }
    let language = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::labels::Language::from_accept_language);
    // Validated in full unless this text passed that before and the variables cannot
    // change the verdict; then (text, operation) is remembered if it passes now. A client's
    // request is always validated in full.
    let prevalidated = !work.is_client()
        && checked.validated
        && operation
            .as_ref()
            .is_some_and(|(_, op)| variables_plainly_valid(op, &request.variables));
    let to_remember = (!work.is_client() && !prevalidated)
        .then(|| (request.query.clone(), request.operation_name.clone()));
    // The document parsed for the limits is the one executed: parsed once per request.
    request.set_parsed_query(document);
    let app = &*app;
    let answered = work
        .run(&reason, true, |rc| async move {
            let asked = Asked {
                request,
                language,
                prevalidated,
                query,
                fits,
            };
            let mut response = execute(app, rc, asked).await;
            // A document that fails validation gets no data; one that got data passed it.
            if let Some((query, operation)) = to_remember {
                if response.data != async_graphql::Value::Null {
                    app.documents
                        .passed_validation(&query, operation.as_deref());
                }
            }
            let objects = super::ratelimit::count_objects(&response.data);
            Ok((rendered(app, &mut response, media)?, objects))
        })
        .await;
    match answered {
        Ok((status, body)) => respond(status, media, body),
        Err(Stop::Failed(err)) => failed(app, status_of(&err), media, err),
        Err(Stop::Answered(res)) => res,
    }
}

/// A request as [`post`] checked it, to be executed.
struct Asked {
    request: async_graphql::Request,
    language: Option<crate::labels::Language>,
    /// It passed async-graphql's full validation before (see `documents`).
    prevalidated: bool,
    /// Its operation is a query.
    query: bool,
    /// The callers' schemas its text fits.
    fits: Arc<Fits>,
}

/// Executes the request: a client's against the client schema, an official's against the
/// officials' schema, as their roles see it, with the request's record loader. A query
/// (`query`: the operation reads only) runs first on the schema without the field-error
/// extension, which would otherwise sit on every field and list item of every answer; only
/// when a field failed is that answer dropped and the query run again, in the same
/// transaction, with field errors shaped as the specification says.
async fn execute(app: &AppState, rc: RequestContext, asked: Asked) -> async_graphql::Response {
    let Asked {
        mut request,
        language,
        prevalidated,
        query,
        fits,
    } = asked;
    let language = crate::graphql::types::labels::RequestLanguage(language);
    let Caller::Official(principal) = &rc.caller else {
        return app
            .client_schema
            .execute(request.data(language).data(rc))
            .await;
    };
    let principal = principal.clone();
    let in_force = app.policy.current();
    match app
        .role_schemas
        .of(&in_force.policy, in_force.version, &principal)
        .await
    {
        // Checked once per text and schema: the walk costs more than the look-up.
        Ok(visible) if !fits.contains(visible.id()) => {
            if let Ok(doc) = request.parsed_query() {
                let unknown = visible.check(doc);
                if !unknown.is_empty() {
                    return async_graphql::Response::from_errors(unknown);
                }
                fits.insert(visible.id());
            }
        }
        Ok(_) => {}
        Err(err) => {
            return async_graphql::Response::from_errors(vec![
                async_graphql::Error::from(err).into_server_error(async_graphql::Pos::default())
            ])
        }
    }
    if prevalidated {
        app.metrics.graphql_prevalidated.inc();
    }
    if !query {
        let request = request.data(language);
        return run(app, rc, principal, request, prevalidated, FieldErrors::Spec).await;
    }
    // What the second run needs; the document is parsed again there from the same text.
    let again = (
        rc.again(),
        request.query.clone(),
        request.operation_name.clone(),
        request.variables.clone(),
    );
    let in_place = InPlace::default();
    let first = run(
        app,
        rc,
        principal.clone(),
        request.data(language).data(in_place.clone()),
        prevalidated,
        FieldErrors::Unshaped,
    )
    .await;
    // Errors without a path failed the whole document, and the guarded fields' errors
    // were answered where they stood: the answer is as the extension would have made it.
    let field_errors = first.errors.iter().filter(|e| !e.path.is_empty()).count();
    if field_errors == in_place.count() {
        return first;
    }
    app.metrics.graphql_reshaped.inc();
    let (rc, text, operation_name, variables) = again;
    // The first answer is never sent: what it read is not what the caller received.
    rc.recorder.forget();
    let mut request = async_graphql::Request::new(text)
        .variables(variables)
        .data(language);
    request.operation_name = operation_name;
    run(app, rc, principal, request, prevalidated, FieldErrors::Spec).await
}

/// Runs an official's request once, on the schema `prevalidated` and `errors` select, with
/// a record loader of its own.
async fn run(
    app: &AppState,
    rc: RequestContext,
    principal: crate::authz::Principal,
    request: async_graphql::Request,
    prevalidated: bool,
    errors: FieldErrors,
) -> async_graphql::Response {
    let batches = BatchQueue::default();
    let loader = DataLoader::new(
        RecordLoader::new(Arc::downgrade(&rc.tx), rc.scope.clone(), principal.agency),
        batches.spawner(),
    )
    // No timer before a batch: the queue already holds each batch until the resolvers that
    // feed it can go no further (see `batch`), and the default 1 ms wait, on async-io's
    // timer thread, cost a millisecond or more per level of nesting in every request.
    .delay(std::time::Duration::ZERO);
    let request = request
        .data(rc)
        .data(principal)
        .data(loader)
        .data(app.policy.clone());
    let schema = app.schemas.get(prevalidated, errors);
    drive(schema.execute(request), batches).await
}

/// The `extensions.code` of a GraphQL error.
fn error_code(e: &async_graphql::ServerError) -> Option<&str> {
    e.extensions
        .as_ref()
        .and_then(|x| x.get("code"))
        .and_then(|v| match v {
            async_graphql::Value::String(s) => Some(s.as_str()),
            _ => None,
        })
}

/// Gives every error its `extensions.code`: async-graphql's own carry none. Those without a
/// path come from validating the document (nothing ran); those with one, from coercing an
/// input value where it was used.
fn coded(response: &mut async_graphql::Response) {
    for e in &mut response.errors {
        if error_code(e).is_none() {
            let code = if e.path.is_empty() {
                crate::graphql::engine::role_schema::VALIDATION_FAILED
            } else {
                "BAD_USER_INPUT"
            };
            e.extensions
                .get_or_insert_with(Default::default)
                .set("code", code);
        }
    }
}

/// Counts the response's errors and serialises it (straight from the response, so fields
/// keep the order of the query), with its HTTP status.
fn rendered(
    app: &AppState,
    response: &mut async_graphql::Response,
    media: Media,
) -> Result<(StatusCode, Vec<u8>), AppError> {
    coded(response);
    for e in &response.errors {
        app.metrics.error(error_code(e).unwrap_or("INTERNAL"));
    }
    let body = if is_request_error(response) {
        // Nothing ran: the answer has no `data` entry (GraphQL over HTTP).
        serde_json::to_vec(&serde_json::json!({ "errors": &response.errors }))
    } else {
        serde_json::to_vec(response)
    }
    .map_err(AppError::internal)?;
    Ok((status_for(response, media), body))
}

/// A request error: no data and errors without a path (the document was refused).
fn is_request_error(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
}

/// 400 for a request error (no data, errors without a path) under the GraphQL media type.
fn status_for(response: &async_graphql::Response, media: Media) -> StatusCode {
    if is_request_error(response) && media == Media::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    }
}
