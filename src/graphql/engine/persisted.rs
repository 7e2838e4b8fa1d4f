//! Persisted operations: a request may name its document by SHA-256 instead of sending it.
//!
//! - **Automatic persisted queries** (Apollo's protocol, on by default): a request with
//!   `extensions.persistedQuery.sha256Hash` and no query runs the document registered under
//!   that hash, or answers `PERSISTED_QUERY_NOT_FOUND` (HTTP 200, so that the client resends
//!   the hash with the full text, which registers it once it passes the query limits). The
//!   registry is bounded in entries and bytes; when full it is emptied and refills with
//!   what is in use.
//! - **Trusted documents** (`TYPGRAPH_TRUSTED_DOCUMENTS=FILE`, for production): only the
//!   documents of that allow-list run, named by hash (`documentId` or the APQ extension)
//!   or sent in full; any other text is `PERSISTED_QUERY_NOT_IN_LIST` and nothing is
//!   registered. The file is the map of hash to document that GraphQL Code Generator's
//!   client preset writes (`persisted-documents.json`), or an Apollo persisted query
//!   manifest; each hash is checked against its document when the server starts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::error::AppError;

/// Registered documents kept at most.
const MAX_ENTRIES: usize = 1024;
/// Bytes of registered text kept at most.
const MAX_BYTES: usize = 8 * 1024 * 1024;

/// The lower-case hex SHA-256 of a document's text.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// How a request named its document.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Named {
    /// The full text, when sent.
    pub query: Option<String>,
    /// The hash it was named by (APQ's `sha256Hash`, or `documentId` without its
    /// `sha256:` prefix).
    pub hash: Option<String>,
}

/// Where documents may come from.
pub enum Persisted {
    /// Any document; hashes registered automatically.
    Automatic(Registry),
    /// Only the documents of the allow-list.
    Trusted(HashMap<String, Arc<str>>),
}

impl Default for Persisted {
    fn default() -> Self {
        Persisted::Automatic(Registry::default())
    }
}

#[derive(Default)]
pub struct Registry {
    inner: Mutex<(HashMap<String, Arc<str>>, usize)>,
}

impl Persisted {
    /// The allow-list in `json` (see the module's documentation for its two forms).
    pub fn trusted(json: &str) -> Result<Persisted, String> {
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
        let pairs: Vec<(String, String)> = match &value {
            serde_json::Value::Object(map) if map.contains_key("operations") => map["operations"]
                .as_array()
                .ok_or("`operations` is not a list")?
                .iter()
                .map(|op| {
                    let id = op["id"].as_str().ok_or("an operation without `id`")?;
                    let body = op["body"].as_str().ok_or("an operation without `body`")?;
                    Ok((id.to_owned(), body.to_owned()))
                })
                .collect::<Result<_, &str>>()?,
            serde_json::Value::Object(map) => map
                .iter()
                .map(|(id, body)| {
                    let body = body.as_str().ok_or("a document that is not a string")?;
                    Ok((id.clone(), body.to_owned()))
                })
                .collect::<Result<_, &str>>()?,
            _ => return Err("expected an object of hash to document".to_owned()),
        };
        let mut documents = HashMap::new();
        for (id, body) in pairs {
            let id = id
                .strip_prefix("sha256:")
                .unwrap_or(&id)
                .to_ascii_lowercase();
            if sha256_hex(&body) != id {
                return Err(format!("the document listed as {id} has another SHA-256"));
            }
            documents.insert(id, Arc::from(body));
        }
        if documents.is_empty() {
            return Err("the list is empty".to_owned());
        }
        Ok(Persisted::Trusted(documents))
    }

    /// The text of the document a request names, checked against its hash.
    pub fn resolve(&self, named: Named) -> Result<String, AppError> {
        match (self, named.query, named.hash) {
            (_, None, None) => Err(AppError::bad_input(
                "query",
                "the body needs a query string or a persisted query's hash",
            )),
            (Persisted::Automatic(_), Some(query), None) => Ok(query),
            (_, Some(query), Some(hash)) if sha256_hex(&query) != hash => Err(AppError::bad_input(
                "extensions",
                "provided sha does not match query",
            )),
            (Persisted::Automatic(registry), Some(query), Some(hash)) => {
                registry.register(hash, &query);
                Ok(query)
            }
            (Persisted::Automatic(registry), None, Some(hash)) => registry
                .get(&hash)
                .map(|q| q.to_string())
                .ok_or(AppError::PersistedQueryNotFound),
            (Persisted::Trusted(list), None, Some(hash)) => list
                .get(&hash)
                .map(|q| q.to_string())
                .ok_or(AppError::PersistedQueryNotFound),
            (Persisted::Trusted(list), Some(query), hash) => {
                let hash = hash.unwrap_or_else(|| sha256_hex(&query));
                if list.contains_key(&hash) {
                    Ok(query)
                } else {
                    Err(AppError::PersistedQueryNotInList)
                }
            }
        }
    }

    /// Documents registered or listed.
    pub fn len(&self) -> usize {
        match self {
            Persisted::Automatic(r) => r.lock().0.len(),
            Persisted::Trusted(list) => list.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, (HashMap<String, Arc<str>>, usize)> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn get(&self, hash: &str) -> Option<Arc<str>> {
        self.lock().0.get(hash).cloned()
    }

    fn register(&self, hash: String, query: &str) {
        let mut inner = self.lock();
        if inner.0.contains_key(&hash) {
            return;
        }
        if inner.0.len() >= MAX_ENTRIES || inner.1 + query.len() > MAX_BYTES {
            inner.0.clear();
            inner.1 = 0;
        }
        inner.1 += query.len();
        inner.0.insert(hash, Arc::from(query));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const Q: &str = "{ me { name } }";

    fn named(query: Option<&str>, hash: Option<&str>) -> Named {
        Named {
            query: query.map(str::to_owned),
            hash: hash.map(str::to_owned),
        }
    }

    #[test]
    fn a_hash_is_not_found_until_its_text_was_sent_once() {
        let p = Persisted::default();
        let h = sha256_hex(Q);
        assert!(matches!(
            p.resolve(named(None, Some(&h))),
            Err(AppError::PersistedQueryNotFound)
        ));
        assert_eq!(p.resolve(named(Some(Q), Some(&h))).unwrap(), Q);
        assert_eq!(p.resolve(named(None, Some(&h))).unwrap(), Q);
    }

    #[test]
    fn a_text_under_another_hash_is_refused_and_not_registered() {
        let p = Persisted::default();
        let wrong = sha256_hex("{ other }");
        assert!(matches!(
            p.resolve(named(Some(Q), Some(&wrong))),
            Err(AppError::BadUserInput { .. })
        ));
        assert!(p.is_empty());
    }

    #[test]
    fn the_registry_stays_bounded() {
        let p = Persisted::default();
        for i in 0..(MAX_ENTRIES + 10) {
            let q = format!("{{ n{i} }}");
            p.resolve(named(Some(&q), Some(&sha256_hex(&q)))).unwrap();
        }
        assert!(p.len() <= MAX_ENTRIES);
    }

    #[test]
    fn trusted_documents_run_only_what_is_listed() {
        let list = serde_json::json!({ sha256_hex(Q): Q }).to_string();
        let p = Persisted::trusted(&list).unwrap();
        assert_eq!(p.resolve(named(None, Some(&sha256_hex(Q)))).unwrap(), Q);
        assert_eq!(p.resolve(named(Some(Q), None)).unwrap(), Q);
        assert!(matches!(
            p.resolve(named(Some("{ clients { totalCount } }"), None)),
            Err(AppError::PersistedQueryNotInList)
        ));
        let other = "{ other }";
        assert!(matches!(
            p.resolve(named(Some(other), Some(&sha256_hex(other)))),
            Err(AppError::PersistedQueryNotInList)
        ));
        assert!(matches!(
            p.resolve(named(None, Some(&sha256_hex(other)))),
            Err(AppError::PersistedQueryNotFound)
        ));
    }

    #[test]
    fn an_apollo_manifest_is_read_and_a_wrong_hash_refused_at_start() {
        let manifest = serde_json::json!({
            "format": "apollo-persisted-query-manifest", "version": 1,
            "operations": [{ "id": sha256_hex(Q), "name": "Me", "type": "query", "body": Q }]
        });
        assert_eq!(Persisted::trusted(&manifest.to_string()).unwrap().len(), 1);
        let wrong = serde_json::json!({ sha256_hex("{ x }"): Q }).to_string();
        assert!(Persisted::trusted(&wrong).is_err());
    }
}
