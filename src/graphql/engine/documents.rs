//! A cache of parsed documents that passed the query limits, and of which of them have
//! passed async-graphql's full validation.
//!
//! Front ends send the same few query texts over and over with different variables; parsing
//! one (pest, then the AST) costs more than a clone of the parsed tree. Only documents that
//! parsed and passed [`limits::check_document`] are kept, keyed by their exact text, so a hit
//! is the same document the checks accepted. Variables are never part of the key or the
//! value: they are checked on every request. The cache is bounded in entries and in bytes of
//! query text; when full it is emptied and fills again with what is in use.
//!
//! Full validation (async-graphql's `ValidationMode::Strict`, some twenty rules over the
//! whole document) took ~6 % of the server's CPU per case view, and its verdict depends on
//! the document alone except for one rule: argument values, where variables are put in. So
//! once a text has run under an operation name with full validation (the response had data),
//! a later request of the same text and operation whose variables
//! [`variables_plainly_valid`] are executed by the schema built with the fast mode (fragment
//! cycles, depth and complexity still checked); every other request is validated in full.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::{BaseType, ExecutableDocument, OperationDefinition};
use async_graphql::{Value, Variables};

use super::limits;
use crate::error::AppError;

/// Documents kept at most.
const MAX_ENTRIES: usize = 512;
/// Bytes of query text kept at most (every text is already under the document size limit).
const MAX_BYTES: usize = 8 * 1024 * 1024;

/// Why a query text was refused.
pub enum Refused {
    /// It does not parse.
    Parse(async_graphql::parser::Error),
    /// It parses but breaks a query limit.
    Limits(AppError),
}

/// A document the query limits accepted.
pub struct Checked {
    pub document: ExecutableDocument,
    /// Whether this text already ran under the operation asked for after full validation.
    pub validated: bool,
    /// The callers' schemas this text was found to fit (kept with the text).
    pub fits: Arc<Fits>,
}

/// The callers' schemas (by [`VisibleSchema::id`](super::role_schema::VisibleSchema::id))
/// a document's every field and type is in: the check walks the document, and a text
/// that fitted a schema fits it again.
#[derive(Default)]
pub struct Fits(Mutex<Vec<u64>>);

impl Fits {
    pub fn contains(&self, schema: u64) -> bool {
        self.lock().contains(&schema)
    }

    pub fn insert(&self, schema: u64) {
        let mut fits = self.lock();
        if !fits.contains(&schema) {
            fits.push(schema);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<u64>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct Entry {
    document: ExecutableDocument,
    /// Operation names (`None`: as sent without one) it ran under after full validation.
    validated: Vec<Option<Box<str>>>,
    fits: Arc<Fits>,
}

#[derive(Default)]
struct Inner {
    documents: HashMap<Arc<str>, Entry>,
    bytes: usize,
}

/// Parsed and checked documents by query text.
#[derive(Default)]
pub struct DocumentCache {
    inner: Mutex<Inner>,
}

impl DocumentCache {
    /// The parsed document of `query`, checked against the query limits: from the cache when
    /// this text was accepted before, else parsed, checked and kept; with whether it already
    /// passed full validation for `operation` (the request's operation name).
    pub fn parse_checked(&self, query: &str, operation: Option<&str>) -> Result<Checked, Refused> {
        if let Some(entry) = self.lock().documents.get(query) {
            return Ok(Checked {
                document: entry.document.clone(),
                validated: entry.validated.iter().any(|v| v.as_deref() == operation),
                fits: entry.fits.clone(),
            });
        }
        let doc = async_graphql::parser::parse_query(query).map_err(Refused::Parse)?;
        limits::check_document(&doc).map_err(Refused::Limits)?;
        let mut inner = self.lock();
        if inner.documents.len() >= MAX_ENTRIES || inner.bytes + query.len() > MAX_BYTES {
            inner.documents.clear();
            inner.bytes = 0;
        }
        let fits = Arc::new(Fits::default());
        let entry = Entry {
            document: doc.clone(),
            validated: Vec::new(),
            fits: fits.clone(),
        };
        if inner.documents.insert(Arc::from(query), entry).is_none() {
            inner.bytes += query.len();
        }
        Ok(Checked {
            document: doc,
            validated: false,
            fits,
        })
    }

    /// Notes that `query` ran under `operation` after passing full validation (a document
    /// no longer kept is left alone: it is validated in full again when it comes back).
    pub fn passed_validation(&self, query: &str, operation: Option<&str>) {
        let mut inner = self.lock();
        let Some(entry) = inner.documents.get_mut(query) else {
            return;
        };
        if !entry.validated.iter().any(|v| v.as_deref() == operation) {
            entry.validated.push(operation.map(Box::from));
        }
    }

    /// How many documents are kept.
    pub fn len(&self) -> usize {
        self.lock().documents.len()
    }

    /// Whether no document is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether full validation could find nothing wrong in `variables` that it would not find
/// in `op`'s document alone. Its only rule that reads variables checks each argument's
/// value with the variable's value put in; a variable may stand only where a type of its
/// own type's name is expected (another rule, on the document), and a value absent is
/// never checked. So it suffices that every value given is non-null and of a kind that
/// the variable's built-in scalar type accepts (the scalars' own `is_valid`). Anything
/// else (null, lists, enums, input objects, custom scalars) is validated in full.
pub fn variables_plainly_valid(op: &OperationDefinition, variables: &Variables) -> bool {
    op.variable_definitions.iter().all(|def| {
        let def = &def.node;
        let Some(value) = variables.get(&def.name.node) else {
            return true;
        };
        let BaseType::Named(name) = &def.var_type.node.base else {
            return false;
        };
        match (name.as_str(), value) {
            ("ID" | "String", Value::String(_)) | ("Boolean", Value::Boolean(_)) => true,
            ("ID" | "Int", Value::Number(n)) => n.is_i64(),
            ("Float", Value::Number(_)) => true,
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::types::DocumentOperations;
    use serde_json::{json, Value as Json};

    use super::*;

    #[test]
    fn an_accepted_document_is_kept_and_a_refused_one_is_not() {
        let cache = DocumentCache::default();
        let q = "query A($c: ID!) { client(id: $c) { id } }";
        let first = cache
            .parse_checked(q, None)
            .ok()
            .map(|d| d.document.operations.iter().count());
        assert_eq!(first, Some(1));
        assert_eq!(cache.len(), 1);
        let again = cache
            .parse_checked(q, None)
            .ok()
            .map(|d| d.document.operations.iter().count());
        assert_eq!(again, Some(1));
        assert_eq!(cache.len(), 1);

        assert!(matches!(
            cache.parse_checked("{ client(", None),
            Err(Refused::Parse(_))
        ));
        let deep = format!("{{ {} b {} }}", "a {".repeat(20), "}".repeat(20));
        assert!(matches!(
            cache.parse_checked(&deep, None),
            Err(Refused::Limits(_))
        ));
        assert_eq!(cache.len(), 1, "refused documents are never kept");
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = DocumentCache::default();
        for i in 0..(MAX_ENTRIES + 10) {
            let q = format!("query Q{i} {{ viewer {{ id }} }}");
            assert!(cache.parse_checked(&q, None).is_ok());
            assert!(cache.len() <= MAX_ENTRIES);
        }
    }

    #[test]
    fn a_text_counts_as_validated_only_under_the_operation_it_ran_under() {
        let cache = DocumentCache::default();
        let q = "query A { viewer { id } } query B { viewer { id } }";
        let validated = |op| cache.parse_checked(q, op).ok().map(|c| c.validated);
        assert_eq!(validated(Some("A")), Some(false));
        cache.passed_validation(q, Some("A"));
        assert_eq!(validated(Some("A")), Some(true));
        assert_eq!(validated(Some("B")), Some(false));
        assert_eq!(validated(None), Some(false));
        // A text not kept is not marked (it would be parsed and validated anew).
        cache.passed_validation("{ viewer { id } }", None);
        assert_eq!(cache.len(), 1);
    }

    fn plainly_valid(definitions: &str, variables: Json) -> bool {
        let q = format!("query{definitions} {{ viewer {{ id }} }}");
        let doc = async_graphql::parser::parse_query(&q).ok();
        let Some(DocumentOperations::Single(op)) = doc.map(|d| d.operations) else {
            panic!("one operation expected");
        };
        variables_plainly_valid(&op.node, &Variables::from_json(variables))
    }

    #[test]
    fn only_non_null_values_of_a_kind_their_built_in_scalar_accepts_skip_validation() {
        assert!(plainly_valid("", json!({ "extra": { "any": 1 } })));
        assert!(plainly_valid("($c: ID!)", json!({ "c": "a" })));
        assert!(plainly_valid("($c: ID!)", json!({ "c": 12 })));
        assert!(plainly_valid("($n: Int, $s: String)", json!({ "n": 100 })));
        assert!(plainly_valid(
            "($b: Boolean!, $f: Float)",
            json!({ "b": true, "f": 1.5 })
        ));
        // Anything else is validated in full.
        assert!(!plainly_valid("($c: ID!)", json!({ "c": 1.5 })));
        assert!(!plainly_valid("($c: ID!)", json!({ "c": { "a": 1 } })));
        assert!(!plainly_valid("($c: ID!)", json!({ "c": ["a"] })));
        assert!(!plainly_valid("($c: ID)", json!({ "c": null })));
        assert!(!plainly_valid("($n: Int!)", json!({ "n": "100" })));
        assert!(!plainly_valid("($n: Int!)", json!({ "n": 1e3 })));
        assert!(!plainly_valid("($s: String!)", json!({ "s": 1 })));
        assert!(!plainly_valid("($b: Boolean!)", json!({ "b": "true" })));
        assert!(!plainly_valid("($c: [ID!]!)", json!({ "c": ["a"] })));
        assert!(!plainly_valid("($d: Date!)", json!({ "d": "2026-11-30" })));
        assert!(!plainly_valid("($r: Role!)", json!({ "r": "TE_EXPERT" })));
        assert!(!plainly_valid("($i: ClientInput!)", json!({ "i": {} })));
    }
}
