//! The GraphQL schema: types, the field guard, DataLoaders and the query root.

pub mod engine;
pub mod mutation;
pub mod query;
pub mod self_service;
pub mod types;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, EmptySubscription, Schema, ValidationMode};

use crate::error::AppError;
use crate::services::RequestContext;
pub use engine::loader::RecordLoader;
pub use mutation::Mutation;
pub use query::Query;

pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

/// Limits on every document, before any resolver runs (depth: see [`engine::limits`]).
pub const MAX_DEPTH: usize = 12;
pub const MAX_COMPLEXITY: usize = 5000;
pub const MAX_RECURSIVE_DEPTH: usize = 32;

/// Builds the schema. Request data (caller, transaction, loaders) is added per request.
pub fn build_schema(introspection: bool) -> AppSchema {
    build_schema_validating(introspection, ValidationMode::Strict)
}

/// The schema, validating documents in `mode`: [`ValidationMode::Fast`] only for documents
/// that passed full validation before (see [`documents`]).
pub fn build_schema_validating(introspection: bool, mode: ValidationMode) -> AppSchema {
    let builder = Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .validation_mode(mode)
        .extension(engine::nulls::SpecNullsFactory)
        .limit_complexity(MAX_COMPLEXITY)
        .limit_recursive_depth(MAX_RECURSIVE_DEPTH);
    let builder = if introspection {
        builder
    } else {
        builder.disable_introspection().disable_suggestions()
    };
    builder.finish()
}

/// The full SDL, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    build_schema(true).sdl()
}

/// The request's DataLoader.
pub fn request_loader<'a>(ctx: &'a Context<'_>) -> Result<&'a DataLoader<RecordLoader>, AppError> {
    ctx.data::<DataLoader<RecordLoader>>()
        .map_err(|_| AppError::internal("request without loader"))
}

/// The request's context, noting `operation` (the root field) for the access log.
pub fn request<'a>(ctx: &'a Context<'_>, operation: &str) -> Result<&'a RequestContext, AppError> {
    let rc = ctx
        .data::<RequestContext>()
        .map_err(|_| AppError::internal("request without context"))?;
    rc.recorder.operation(operation);
    Ok(rc)
}
