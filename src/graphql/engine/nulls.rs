//! Field errors as the GraphQL specification handles them ("Handling Field Errors",
//! "Errors and Non-Null Fields"): a field whose resolver fails is `null` in `data`, with its
//! error in `errors`; when the field is non-null, the `null` moves up to the nearest nullable
//! parent (or `data` itself).
//!
//! async-graphql 7 leaves a failed field out of its object instead, and turns an object
//! whose every field failed into `null` even where the schema says non-null: a refused
//! field made a key vanish (a client cache cannot read such a response back) and a fully
//! refused row a `null` that generated types declare impossible. This extension sits on
//! every field and list item (the `resolve` hook) and puts the spec's rule in their place,
//! for every type at once.
//!
//! Sitting on every field costs every answer, so the guarded fields, which are nullable and
//! fail the most (refusals), answer their own errors as the rule says ([`in_place`]), and
//! an official's query runs first on a schema without the extension; only when another
//! field failed is it run again with it (`http::graphql`).

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextResolve, ResolveInfo,
};
use async_graphql::{Response, ServerError, ServerResult, Value};

/// A nullable field's error where the field resolves, as the specification has it: the
/// field is `null` and the error, with the field's path, is in `errors`. Every guarded
/// field answers its refusals so (they are nullable by construction), which the extension
/// below would otherwise do; counted in the request's [`InPlace`], when it has one, so
/// that a run without the extension knows whether every error it met was answered so.
pub fn in_place<T>(
    ctx: &async_graphql::Context<'_>,
    answer: async_graphql::Result<Option<T>>,
) -> async_graphql::Result<Option<T>> {
    match answer {
        Ok(value) => Ok(value),
        Err(err) => {
            ctx.add_error(ctx.set_error_path(err.into_server_error(ctx.item.pos)));
            if let Ok(count) = ctx.data::<InPlace>() {
                count.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            Ok(None)
        }
    }
}

/// Request data: how many field errors [`in_place`] answered.
#[derive(Clone, Default)]
pub struct InPlace(pub Arc<std::sync::atomic::AtomicUsize>);

impl InPlace {
    pub fn count(&self) -> usize {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Installs [`SpecNulls`] on a schema.
pub struct SpecNullsFactory;

impl ExtensionFactory for SpecNullsFactory {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(SpecNulls::default())
    }
}

/// One request's field errors and its failed non-null positions.
#[derive(Default)]
pub struct SpecNulls {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Errors of fields that became `null`, added to the response at the end.
    errors: Vec<ServerError>,
    /// Paths of non-null positions that failed and wait for their nullable parent.
    broken: Vec<Vec<String>>,
}

impl SpecNulls {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Whether `path` lies strictly below `parent`.
fn below(path: &[String], parent: &[String]) -> bool {
    path.len() > parent.len() && path.starts_with(parent)
}

#[async_graphql::async_trait::async_trait]
impl Extension for SpecNulls {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        let mut state = self.state();
        if !state.broken.is_empty() {
            // A non-null root field failed: the whole `data` is null.
            response.data = Value::Null;
        }
        response.errors.append(&mut state.errors);
        response
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let nullable = !info.return_type.ends_with('!');
        let path_node = info.path_node;
        let result = next.run(ctx, info).await;
        let mut state = self.state();
        // A non-null child that failed makes this position fail too.
        let child_failed = !state.broken.is_empty() && {
            let path = path_node.to_string_vec();
            let before = state.broken.len();
            state.broken.retain(|b| !below(b, &path));
            state.broken.len() != before
        };
        let failed = match result {
            Ok(value) if !child_failed => return Ok(value),
            Ok(_) => None,
            Err(err) => Some(err),
        };
        if let Some(err) = failed {
            state.errors.push(err);
        }
        if !nullable {
            state.broken.push(path_node.to_string_vec());
        }
        Ok(Some(Value::Null))
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema, SimpleObject};

    use super::SpecNullsFactory;

    #[derive(SimpleObject)]
    struct Row {
        id: i32,
    }

    struct Item(i32);

    #[Object]
    impl Item {
        async fn id(&self) -> i32 {
            self.0
        }
        async fn refused(&self) -> async_graphql::Result<Option<String>> {
            Err("refused".into())
        }
        async fn broken(&self) -> async_graphql::Result<String> {
            Err("broken".into())
        }
        async fn row(&self) -> async_graphql::Result<Row> {
            Err("no row".into())
        }
    }

    struct Query;

    #[Object]
    impl Query {
        async fn item(&self) -> Item {
            Item(1)
        }
        async fn maybe(&self) -> Option<Item> {
            Some(Item(2))
        }
        async fn items(&self) -> Option<Vec<Item>> {
            Some(vec![Item(3), Item(4)])
        }
        async fn fine(&self) -> i32 {
            7
        }
    }

    async fn run(query: &str) -> serde_json::Value {
        let schema = Schema::build(Query, EmptyMutation, EmptySubscription)
            .extension(SpecNullsFactory)
            .finish();
        serde_json::to_value(schema.execute(query).await).unwrap()
    }

    #[tokio::test]
    async fn a_failed_nullable_field_is_null_with_its_error() {
        let r = run("{ item { id refused } }").await;
        assert_eq!(
            r["data"],
            serde_json::json!({ "item": { "id": 1, "refused": null } })
        );
        assert_eq!(
            r["errors"][0]["path"],
            serde_json::json!(["item", "refused"])
        );
        assert_eq!(r["errors"].as_array().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn an_object_whose_only_field_failed_stays_an_object() {
        let r = run("{ item { refused } }").await;
        assert_eq!(
            r["data"],
            serde_json::json!({ "item": { "refused": null } })
        );
    }

    #[tokio::test]
    async fn a_failed_non_null_field_nulls_its_nearest_nullable_parent() {
        let r = run("{ fine maybe { id broken } }").await;
        assert_eq!(r["data"], serde_json::json!({ "fine": 7, "maybe": null }));
        assert_eq!(
            r["errors"][0]["path"],
            serde_json::json!(["maybe", "broken"])
        );
        // Through a non-null list item up to the nullable list.
        let r = run("{ fine items { id row { id } } }").await;
        assert_eq!(r["data"], serde_json::json!({ "fine": 7, "items": null }));
        assert_eq!(r["errors"].as_array().unwrap().len(), 2);
    }

    #[tokio::test]
    async fn a_failed_non_null_root_field_nulls_data() {
        let r = run("{ fine item { broken } }").await;
        assert_eq!(r["data"], serde_json::Value::Null);
        assert_eq!(
            r["errors"][0]["path"],
            serde_json::json!(["item", "broken"])
        );
    }
}
