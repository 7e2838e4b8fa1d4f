//! The body of `POST /graphql`: the document, or the hash of a persisted one, with its
//! operation name and variables; and the answer to a document that does not parse.

use crate::error::AppError;
use crate::graphql::engine::persisted::Named;

/// The code of a document that does not parse.
pub const PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";

/// The answer to a document that does not parse: where, and what the parser expected
/// there, without quoting the caller's text.
pub fn parse_failed(err: &async_graphql::parser::Error) -> serde_json::Value {
    use async_graphql::parser::Error;
    let what = match err {
        // pest's message ends with the expectation ("= expected selection_set"), above it
        // the caller's line.
        Error::Syntax { message, .. } => message
            .lines()
            .rev()
            .find_map(|l| l.trim().strip_prefix("= "))
            .map(|e| e.replace('_', " "))
            .unwrap_or_else(|| "unexpected input".to_owned()),
        Error::MultipleRoots { .. } => "the schema has several roots".to_owned(),
        Error::MissingQueryRoot { .. } => "the query root is missing".to_owned(),
        Error::MultipleOperations { .. } => "operations without names".to_owned(),
        Error::OperationDuplicated { .. } => "an operation name is used twice".to_owned(),
        Error::FragmentDuplicated { .. } => "a fragment name is used twice".to_owned(),
        Error::MissingOperation => "no operation".to_owned(),
        _ => "unexpected input".to_owned(),
    };
    let locations: Vec<serde_json::Value> = err
        .positions()
        .map(|p| serde_json::json!({ "line": p.line, "column": p.column }))
        .collect();
    serde_json::json!({ "errors": [{
        "message": format!("Syntax Error: {what}"),
        "locations": locations,
        "extensions": { "code": PARSE_FAILED },
    }] })
}

/// A request's body: the document (or its hash), operation name and variables.
pub struct Body {
    pub named: Named,
    pub operation_name: Option<String>,
    pub variables: async_graphql::Variables,
}

/// Parses the JSON body: one request object; arrays (batches) are refused. The document is
/// its `query`, or named by a persisted query's hash (`extensions.persistedQuery`, version
/// 1) or a `documentId`.
pub fn parse_request(body: &[u8]) -> Result<Body, AppError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|_| AppError::bad_input("body", "the body is not valid JSON"))?;
    let map = match value {
        serde_json::Value::Array(_) => {
            return Err(AppError::bad_input(
                "body",
                "batched requests are not supported",
            ))
        }
        serde_json::Value::Object(map) => map,
        _ => {
            return Err(AppError::bad_input(
                "body",
                "the body must be a JSON object",
            ))
        }
    };
    let query = match map.get("query") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(q)) => Some(q.clone()),
        Some(_) => return Err(AppError::bad_input("query", "the query must be a string")),
    };
    let persisted = &map.get("extensions").unwrap_or(&serde_json::Value::Null)["persistedQuery"];
    let hash = if !persisted.is_null() {
        if persisted["version"] != 1 {
            return Err(AppError::bad_input(
                "extensions",
                "only version 1 of persisted queries is supported",
            ));
        }
        Some(persisted["sha256Hash"].as_str().ok_or_else(|| {
            AppError::bad_input("extensions", "a persisted query needs its sha256Hash")
        })?)
    } else {
        match map.get("documentId") {
            None | Some(serde_json::Value::Null) => None,
            Some(serde_json::Value::String(id)) => Some(id.strip_prefix("sha256:").unwrap_or(id)),
            Some(_) => return Err(AppError::bad_input("documentId", "must be a string")),
        }
    };
    if hash.is_some_and(|h| h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit())) {
        return Err(AppError::bad_input(
            "extensions",
            "a document's hash is 64 hex digits of SHA-256",
        ));
    }
    let operation_name = match map.get("operationName") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(name)) => Some(name.clone()),
        Some(_) => {
            return Err(AppError::bad_input(
                "operationName",
                "the operation name must be a string",
            ))
        }
    };
    let variables = match map.get("variables") {
        None | Some(serde_json::Value::Null) => async_graphql::Variables::default(),
        Some(v @ serde_json::Value::Object(_)) => async_graphql::Variables::from_json(v.clone()),
        Some(_) => {
            return Err(AppError::bad_input(
                "variables",
                "variables must be an object",
            ))
        }
    };
    Ok(Body {
        named: Named {
            query,
            hash: hash.map(str::to_ascii_lowercase),
        },
        operation_name,
        variables,
    })
}
