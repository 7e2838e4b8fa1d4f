//! A cache of parsed documents that passed the query limits.
//!
//! Front ends send the same few query texts over and over with different variables; parsing
//! one (pest, then the AST) costs more than a clone of the parsed tree. Only documents that
//! parsed and passed [`limits::check_document`] are kept, keyed by their exact text, so a hit
//! is the same document the checks accepted. Variables are never part of the key or the
//! value: they are checked on every request. The cache is bounded in entries and in bytes of
//! query text; when full it is emptied and fills again with what is in use.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::ExecutableDocument;

use super::limits;
use crate::error::AppError;

/// Documents kept at most.
const MAX_ENTRIES: usize = 512;
/// Bytes of query text kept at most (every text is already under the document size limit).
const MAX_BYTES: usize = 8 * 1024 * 1024;

/// Why a query text was refused.
pub enum Refused {
    /// It does not parse (the parser's message, for a debug log).
    Parse(String),
    /// It parses but breaks a query limit.
    Limits(AppError),
}

#[derive(Default)]
struct Inner {
    documents: HashMap<Arc<str>, ExecutableDocument>,
    bytes: usize,
}

/// Parsed and checked documents by query text.
#[derive(Default)]
pub struct DocumentCache {
    inner: Mutex<Inner>,
}

impl DocumentCache {
    /// The parsed document of `query`, checked against the query limits: from the cache when
    /// this text was accepted before, else parsed, checked and kept.
    pub fn parse_checked(&self, query: &str) -> Result<ExecutableDocument, Refused> {
        if let Some(doc) = self.lock().documents.get(query) {
            return Ok(doc.clone());
        }
        let doc =
            async_graphql::parser::parse_query(query).map_err(|e| Refused::Parse(e.to_string()))?;
        limits::check_document(&doc).map_err(Refused::Limits)?;
        let mut inner = self.lock();
        if inner.documents.len() >= MAX_ENTRIES || inner.bytes + query.len() > MAX_BYTES {
            inner.documents.clear();
            inner.bytes = 0;
        }
        if inner
            .documents
            .insert(Arc::from(query), doc.clone())
            .is_none()
        {
            inner.bytes += query.len();
        }
        Ok(doc)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_accepted_document_is_kept_and_a_refused_one_is_not() {
        let cache = DocumentCache::default();
        let q = "query A($c: ID!) { client(id: $c) { id } }";
        let first = cache
            .parse_checked(q)
            .ok()
            .map(|d| d.operations.iter().count());
        assert_eq!(first, Some(1));
        assert_eq!(cache.len(), 1);
        let again = cache
            .parse_checked(q)
            .ok()
            .map(|d| d.operations.iter().count());
        assert_eq!(again, Some(1));
        assert_eq!(cache.len(), 1);

        assert!(matches!(
            cache.parse_checked("{ client("),
            Err(Refused::Parse(_))
        ));
        let deep = format!("{{ {} b {} }}", "a {".repeat(20), "}".repeat(20));
        assert!(matches!(
            cache.parse_checked(&deep),
            Err(Refused::Limits(_))
        ));
        assert_eq!(cache.len(), 1, "refused documents are never kept");
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = DocumentCache::default();
        for i in 0..(MAX_ENTRIES + 10) {
            let q = format!("query Q{i} {{ viewer {{ id }} }}");
            assert!(cache.parse_checked(&q).is_ok());
            assert!(cache.len() <= MAX_ENTRIES);
        }
    }
}
