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

/// How a schema shapes the answer around a field that failed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum FieldErrors {
    /// As the specification says ([`engine::nulls`]): every field and list item passes
    /// through the extension that puts `null` where it belongs.
    Spec,
    /// As async-graphql leaves them, with no extension on any field: cheaper by the
    /// extension's work on every field, and right only for an answer in which no field
    /// failed. For a query's first run, whose answer is discarded when a field failed and
    /// the query run again under [`FieldErrors::Spec`].
    Unshaped,
}

/// Builds the schema. Request data (caller, transaction, loaders) is added per request.
pub fn build_schema(introspection: bool) -> AppSchema {
    build_schema_validating(introspection, ValidationMode::Strict, FieldErrors::Spec)
}

/// The schema, validating documents in `mode` ([`ValidationMode::Fast`] only for documents
/// that passed full validation before, see [`documents`]) and shaping field errors as
/// `errors` says.
pub fn build_schema_validating(
    introspection: bool,
    mode: ValidationMode,
    errors: FieldErrors,
) -> AppSchema {
    let builder = Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .validation_mode(mode);
    let builder = match errors {
        FieldErrors::Spec => builder.extension(engine::nulls::SpecNullsFactory),
        FieldErrors::Unshaped => builder,
    };
    let builder = builder
        .limit_complexity(MAX_COMPLEXITY)
        .limit_recursive_depth(MAX_RECURSIVE_DEPTH);
    let builder = if introspection {
        builder
    } else {
        builder.disable_introspection().disable_suggestions()
    };
    builder.finish()
}

/// The officials' schema as each request may run it: validating in full or not (see
/// [`build_schema_validating`]), and shaping field errors or not ([`FieldErrors`]).
pub struct OfficialSchemas {
    checked: AppSchema,
    prevalidated: AppSchema,
    checked_unshaped: AppSchema,
    prevalidated_unshaped: AppSchema,
}

impl OfficialSchemas {
    pub fn build(introspection: bool) -> OfficialSchemas {
        let build = |mode, errors| build_schema_validating(introspection, mode, errors);
        OfficialSchemas {
            checked: build(ValidationMode::Strict, FieldErrors::Spec),
            prevalidated: build(ValidationMode::Fast, FieldErrors::Spec),
            checked_unshaped: build(ValidationMode::Strict, FieldErrors::Unshaped),
            prevalidated_unshaped: build(ValidationMode::Fast, FieldErrors::Unshaped),
        }
    }

    pub fn get(&self, prevalidated: bool, errors: FieldErrors) -> &AppSchema {
        match (prevalidated, errors) {
            (false, FieldErrors::Spec) => &self.checked,
            (true, FieldErrors::Spec) => &self.prevalidated,
            (false, FieldErrors::Unshaped) => &self.checked_unshaped,
            (true, FieldErrors::Unshaped) => &self.prevalidated_unshaped,
        }
    }
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
