//! Documents are validated against the caller's own schema: the types and fields their
//! roles see (the same schema introspection shows them and `schema/roles/` holds). A field
//! the caller may never read is an unknown field, refused before anything runs, as
//! `GRAPHQL_VALIDATION_FAILED`; it never reaches a resolver to be refused row by row.
//!
//! What a set of roles sees is read once, by introspection run in-process as those roles
//! under the policy in force, and kept per (roles, agency, policy version).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use async_graphql::{Pos, ServerError};
use serde_json::Value as Json;

use crate::authz::{Policy, Principal};
use crate::domain::{Agency, Role};
use crate::error::AppError;

/// At most this many validation errors are reported for one document.
const MAX_ERRORS: usize = 20;

/// The code every validation error carries.
pub const VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";

/// What introspection asks to learn the types and fields a caller sees.
pub const INTROSPECTION: &str = r#"{ __schema { queryType { name } mutationType { name }
  types { kind name
  fields(includeDeprecated: true) { name args { name type { ...T } defaultValue } type { ...T } }
  inputFields { name type { ...T } defaultValue }
  enumValues(includeDeprecated: true) { name }
  possibleTypes { name } interfaces { name } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }"#;

/// One caller's schema: each visible type's fields, with the named type each returns.
#[derive(Debug, Default)]
pub struct VisibleSchema {
    /// Unique among the schemas this process built: documents remember the ones they fit.
    id: u64,
    query: String,
    mutation: Option<String>,
    types: HashMap<String, HashMap<String, String>>,
}

/// The innermost named type of a type reference.
fn named(t: &Json) -> &str {
    match t["ofType"].is_object() {
        true => named(&t["ofType"]),
        false => t["name"].as_str().unwrap_or_default(),
    }
}

impl VisibleSchema {
    /// From the answer to [`INTROSPECTION`].
    pub fn from_introspection(data: &Json) -> VisibleSchema {
        let schema = &data["__schema"];
        let mut types = HashMap::new();
        for t in schema["types"].as_array().into_iter().flatten() {
            let fields = t["fields"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| {
                    Some((f["name"].as_str()?.to_owned(), named(&f["type"]).to_owned()))
                })
                .collect();
            if let Some(name) = t["name"].as_str() {
                types.insert(name.to_owned(), fields);
            }
        }
        static BUILT: AtomicU64 = AtomicU64::new(1);
        VisibleSchema {
            id: BUILT.fetch_add(1, Ordering::Relaxed),
            query: schema["queryType"]["name"]
                .as_str()
                .unwrap_or("Query")
                .to_owned(),
            mutation: schema["mutationType"]["name"].as_str().map(str::to_owned),
            types,
        }
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    /// The errors of fields and types in `doc` that this schema does not have (empty when
    /// every selection is visible). The rest of validation is async-graphql's.
    pub fn check(&self, doc: &ExecutableDocument) -> Vec<ServerError> {
        let mut errors = Vec::new();
        let operations: Vec<_> = match &doc.operations {
            DocumentOperations::Single(op) => vec![&op.node],
            DocumentOperations::Multiple(ops) => ops.values().map(|op| &op.node).collect(),
        };
        for op in operations {
            let root = match op.ty {
                OperationType::Query => Some(self.query.as_str()),
                OperationType::Mutation => self.mutation.as_deref(),
                OperationType::Subscription => None,
            };
            match root {
                Some(root) => self.set(root, &op.selection_set.node, &mut errors),
                None => errors.push(error(
                    format!("Schema is not configured to execute {} operation.", op.ty),
                    op.selection_set.pos,
                )),
            }
        }
        for fragment in doc.fragments.values() {
            let on = fragment.node.type_condition.node.on.node.as_str();
            if self.types.contains_key(on) {
                self.set(on, &fragment.node.selection_set.node, &mut errors);
            } else {
                errors.push(error(format!("Unknown type \"{on}\"."), fragment.pos));
            }
        }
        errors.truncate(MAX_ERRORS);
        errors
    }

    fn set(&self, ty: &str, set: &SelectionSet, errors: &mut Vec<ServerError>) {
        let Some(fields) = self.types.get(ty) else {
            return;
        };
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let name = field.node.name.node.as_str();
                    if name.starts_with("__") {
                        // Introspection and __typename: the same for every caller.
                        continue;
                    }
                    match fields.get(name) {
                        Some(returns) => self.set(returns, &field.node.selection_set.node, errors),
                        None => errors.push(error(
                            format!("Cannot query field \"{name}\" on type \"{ty}\"."),
                            field.pos,
                        )),
                    }
                }
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(ty, |c| c.node.on.node.as_str());
                    if self.types.contains_key(on) {
                        self.set(on, &inline.node.selection_set.node, errors);
                    } else {
                        errors.push(error(format!("Unknown type \"{on}\"."), inline.pos));
                    }
                }
                // Fragments are checked once each, on their own type condition.
                Selection::FragmentSpread(_) => {}
            }
        }
    }
}

fn error(message: String, pos: Pos) -> ServerError {
    let mut e = ServerError::new(message, Some(pos));
    let mut ext = async_graphql::ErrorExtensionValues::default();
    ext.set("code", VALIDATION_FAILED);
    e.extensions = Some(ext);
    e
}

/// Which schema a caller sees depends on these (the visibility rules read the roles' mask
/// and the caller's agency).
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    roles: Vec<Role>,
    agency: Agency,
    policy_version: i64,
}

/// The schemas of the callers seen so far.
pub struct RoleSchemas {
    schema: crate::graphql::AppSchema,
    cache: Mutex<HashMap<Key, Arc<VisibleSchema>>>,
}

impl Default for RoleSchemas {
    fn default() -> Self {
        RoleSchemas {
            schema: crate::graphql::build_schema(true),
            cache: Mutex::default(),
        }
    }
}

/// Different keys kept at most (a new policy version fills it again).
const MAX_KEPT: usize = 256;

impl RoleSchemas {
    /// The schema of `principal`'s roles and agency under `policy` (version
    /// `policy_version`).
    pub async fn of(
        &self,
        policy: &Policy,
        policy_version: i64,
        principal: &Principal,
    ) -> Result<Arc<VisibleSchema>, AppError> {
        let mut roles = principal.roles.clone();
        roles.sort_by_key(|r| r.code());
        roles.dedup();
        let key = Key {
            roles,
            agency: principal.agency,
            policy_version,
        };
        if let Some(found) = self.lock().get(&key) {
            return Ok(found.clone());
        }
        // Built from the policy itself, not the request's principal, so that what is kept
        // under a version is that version's.
        let as_roles = Principal {
            official_id: String::new(),
            name: String::new(),
            agency: key.agency,
            provider_id: None,
            roles: key.roles.clone(),
            mask: policy.mask_for(&key.roles),
            emergency: Vec::new(),
        };
        let response = self
            .schema
            .execute(async_graphql::Request::new(INTROSPECTION).data(as_roles))
            .await;
        if !response.errors.is_empty() {
            return Err(AppError::internal(format!(
                "introspection of a role's schema failed: {:?}",
                response.errors
            )));
        }
        let data = response.data.into_json().map_err(AppError::internal)?;
        let visible = Arc::new(VisibleSchema::from_introspection(&data));
        let mut cache = self.lock();
        if cache.len() >= MAX_KEPT || cache.keys().any(|k| k.policy_version != policy_version) {
            cache.retain(|k, _| k.policy_version == policy_version);
            if cache.len() >= MAX_KEPT {
                cache.clear();
            }
        }
        cache.insert(key, visible.clone());
        Ok(visible)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Arc<VisibleSchema>>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }
}
