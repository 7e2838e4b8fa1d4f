//! Limits on a GraphQL document, checked on the parsed document before anything runs:
//! size, depth, aliases, fields after fragment expansion (fan-out and repeated fields),
//! directives per field and fragment cycles. Each refusal is `LIMIT_EXCEEDED` (or
//! `BAD_USER_INPUT` for a fragment cycle or an unknown fragment), so abuse costs one parse.
//! async-graphql's own complexity limit stays on behind these; its depth limit does not
//! tell introspection from data, so depth is this walk's alone.

use std::collections::HashMap;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{Name, Value};

use crate::error::AppError;

/// Longest query text accepted, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 32 * 1024;
/// Deepest selection nesting (the root field is depth 1).
pub const MAX_DEPTH: usize = crate::graphql::MAX_DEPTH;
/// Aliased fields in one document, counted after fragment expansion.
pub const MAX_ALIASES: usize = 30;
/// Fields in one operation after fragment expansion.
pub const MAX_FIELDS: usize = 1_000;
/// Times one response key may be selected in one selection set.
pub const MAX_SAME_KEY: usize = 5;
/// Directives on one field, fragment spread or inline fragment.
pub const MAX_DIRECTIVES: usize = 4;
/// Operations and fragments defined in one document.
pub const MAX_DEFINITIONS: usize = 50;
/// Deepest nesting inside `__schema` / `__type`: the standard introspection queries of
/// graphql-js, Apollo and Relay tools follow `ofType` nine levels down (about 15 in all).
/// Those levels are single objects drawn from the schema, not data.
pub const MAX_INTROSPECTION_DEPTH: usize = 32;
/// Introspection lists nested in one another (`types` → `fields` → `args` is three): the
/// fan-out a query can ask of the schema's description stays polynomial and small.
pub const MAX_INTROSPECTION_LISTS: usize = 3;

/// The introspection fields that answer lists.
const INTROSPECTION_LISTS: [&str; 8] = [
    "types",
    "fields",
    "inputFields",
    "interfaces",
    "possibleTypes",
    "enumValues",
    "args",
    "directives",
];

/// Where a selection set stands: in the data, or inside introspection with how many
/// introspection lists enclose it.
#[derive(Clone, Copy)]
enum Within {
    Data,
    Introspection { lists: usize },
}

/// Refuses a query text too long to parse.
pub fn check_size(query: &str) -> Result<(), AppError> {
    if query.len() > MAX_DOCUMENT_BYTES {
        return Err(AppError::LimitExceeded(format!(
            "the query is longer than {MAX_DOCUMENT_BYTES} bytes"
        )));
    }
    Ok(())
}

/// Walks every operation of a parsed document, expanding fragments, and refuses it when
/// it goes over a limit. The walk stops as soon as a limit is passed, so a document built
/// to expand exponentially costs no more than `MAX_FIELDS` steps.
pub fn check_document(doc: &ExecutableDocument) -> Result<(), AppError> {
    let operations: Vec<&SelectionSet> = match &doc.operations {
        DocumentOperations::Single(op) => vec![&op.node.selection_set.node],
        DocumentOperations::Multiple(ops) => {
            ops.values().map(|op| &op.node.selection_set.node).collect()
        }
    };
    if operations.len() + doc.fragments.len() > MAX_DEFINITIONS {
        return Err(AppError::LimitExceeded(format!(
            "at most {MAX_DEFINITIONS} operations and fragments"
        )));
    }
    for set in operations {
        let mut walk = Walk {
            doc,
            fields: 0,
            aliases: 0,
            stack: Vec::new(),
        };
        walk.set(set, 1, Within::Data)?;
    }
    Ok(())
}

struct Walk<'d> {
    doc: &'d ExecutableDocument,
    fields: usize,
    aliases: usize,
    /// Fragments being expanded, outermost first (a repeat is a cycle).
    stack: Vec<&'d Name>,
}

impl<'d> Walk<'d> {
    fn set(&mut self, set: &'d SelectionSet, depth: usize, within: Within) -> Result<(), AppError> {
        let mut keys: HashMap<&str, usize> = HashMap::new();
        self.items(set, depth, within, &mut keys)
    }

    /// The items of a selection set; fragments add to the same set's response keys.
    fn items(
        &mut self,
        set: &'d SelectionSet,
        depth: usize,
        within: Within,
        keys: &mut HashMap<&'d str, usize>,
    ) -> Result<(), AppError> {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    directives(field.directives.len())?;
                    let name = field.name.node.as_str();
                    let within = match within {
                        Within::Data if matches!(name, "__schema" | "__type") => {
                            Within::Introspection { lists: 0 }
                        }
                        Within::Introspection { lists } if INTROSPECTION_LISTS.contains(&name) => {
                            Within::Introspection { lists: lists + 1 }
                        }
                        other => other,
                    };
                    match within {
                        Within::Data if depth > MAX_DEPTH => {
                            return Err(AppError::LimitExceeded(format!(
                                "the query is nested deeper than {MAX_DEPTH}"
                            )));
                        }
                        Within::Introspection { .. } if depth > MAX_INTROSPECTION_DEPTH => {
                            return Err(AppError::LimitExceeded(format!(
                                "introspection is nested deeper than {MAX_INTROSPECTION_DEPTH}"
                            )));
                        }
                        Within::Introspection { lists } if lists > MAX_INTROSPECTION_LISTS => {
                            return Err(AppError::LimitExceeded(format!(
                                "introspection nests more than {MAX_INTROSPECTION_LISTS} lists"
                            )));
                        }
                        _ => {}
                    }
                    for (_, value) in &field.arguments {
                        // Variables read as null here; their values are checked apart.
                        let literal = value
                            .node
                            .clone()
                            .into_const_with(|_| Ok::<_, ()>(Value::Null))
                            .unwrap_or(Value::Null);
                        no_nul(&literal).map_err(|_| nul_refused())?;
                    }
                    self.fields += 1;
                    if self.fields > MAX_FIELDS {
                        return Err(AppError::LimitExceeded(format!(
                            "the query selects more than {MAX_FIELDS} fields"
                        )));
                    }
                    if field.alias.is_some() {
                        self.aliases += 1;
                        if self.aliases > MAX_ALIASES {
                            return Err(AppError::LimitExceeded(format!(
                                "at most {MAX_ALIASES} aliases"
                            )));
                        }
                    }
                    let key = field.response_key().node.as_str();
                    let seen = keys.entry(key).or_default();
                    *seen += 1;
                    if *seen > MAX_SAME_KEY {
                        return Err(AppError::LimitExceeded(format!(
                            "a field is selected more than {MAX_SAME_KEY} times"
                        )));
                    }
                    if !field.selection_set.node.items.is_empty() {
                        self.set(&field.selection_set.node, depth + 1, within)?;
                    }
                }
                Selection::InlineFragment(inline) => {
                    directives(inline.node.directives.len())?;
                    self.items(&inline.node.selection_set.node, depth, within, keys)?;
                }
                Selection::FragmentSpread(spread) => {
                    directives(spread.node.directives.len())?;
                    let name = &spread.node.fragment_name.node;
                    if self.stack.contains(&name) {
                        return Err(AppError::bad_input(
                            "query",
                            "a fragment spreads itself (fragment cycle)",
                        ));
                    }
                    let Some(fragment) = self.doc.fragments.get(name) else {
                        return Err(AppError::bad_input("query", "unknown fragment"));
                    };
                    directives(fragment.node.directives.len())?;
                    self.stack.push(name);
                    self.items(&fragment.node.selection_set.node, depth, within, keys)?;
                    self.stack.pop();
                }
            }
        }
        Ok(())
    }
}

/// Text never carries NUL characters (PostgreSQL refuses them, and no field needs one).
fn nul_refused() -> AppError {
    AppError::bad_input("query", "text may not contain NUL characters")
}

fn no_nul(value: &Value) -> Result<(), AppError> {
    match value {
        Value::String(s) if s.contains('\0') => Err(nul_refused()),
        Value::List(items) => items.iter().try_for_each(no_nul),
        Value::Object(map) => map.values().try_for_each(no_nul),
        _ => Ok(()),
    }
}

/// Refuses variables whose text carries NUL characters.
pub fn check_variables(variables: &async_graphql::Variables) -> Result<(), AppError> {
    variables
        .values()
        .try_for_each(no_nul)
        .map_err(|_| AppError::bad_input("variables", "text may not contain NUL characters"))
}

fn directives(n: usize) -> Result<(), AppError> {
    if n > MAX_DIRECTIVES {
        return Err(AppError::LimitExceeded(format!(
            "at most {MAX_DIRECTIVES} directives on a selection"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(q: &str) -> Result<(), String> {
        let doc = async_graphql::parser::parse_query(q).map_err(|e| e.to_string())?;
        check_document(&doc).map_err(|e| format!("{}: {}", e.code(), e.message()))
    }

    #[test]
    fn ordinary_queries_pass() {
        assert_eq!(
            check("query Q { me { name } clients(first: 10) { edges { node { id ...N } } } } fragment N on Client { firstName lastName }"),
            Ok(())
        );
    }

    #[test]
    fn exponential_fragment_fan_out_stops_at_the_field_limit() {
        let mut q = String::from("query Q { me { ...F0 } } fragment F0 on Official { name }");
        for i in 1..30 {
            q.push_str(&format!(
                " fragment F{i} on Official {{ ...F{j} ...F{j} }}",
                j = i - 1
            ));
        }
        q = q.replace("{ me { ...F0 } }", "{ me { ...F29 } }");
        let err = check(&q).unwrap_err();
        assert!(err.starts_with("LIMIT_EXCEEDED"), "{err}");
    }

    #[test]
    fn cycles_aliases_repeats_depth_and_directives_are_refused() {
        let cycle = check(
            "{ me { ...A } } fragment A on Official { ...B } fragment B on Official { ...A }",
        );
        assert!(cycle.unwrap_err().starts_with("BAD_USER_INPUT"));
        let aliases: String = (0..31).map(|i| format!("a{i}: me {{ name }} ")).collect();
        assert!(check(&format!("{{ {aliases} }}"))
            .unwrap_err()
            .contains("aliases"));
        assert!(check("{ me { name name name name name name } }")
            .unwrap_err()
            .contains("selected more"));
        let deep = format!("{{ {}id{} }}", "a { ".repeat(12), " }".repeat(12));
        assert!(check(&deep).unwrap_err().contains("deeper"));
        assert!(check("{ me @a @b @c @d @e { name } }")
            .unwrap_err()
            .contains("directives"));
        assert!(check_size(&"x".repeat(MAX_DOCUMENT_BYTES + 1)).is_err());
        assert!(
            check("{ clients(search: \"a\\u0000b\") { edges { cursor } } }")
                .unwrap_err()
                .contains("NUL")
        );
    }
}
