//! The HTML pages compiled into the binary (dashboard, meetings, explorer), the static files
//! they load from `/assets/` (a shared script, and GraphiQL with React vendored by
//! `scripts/update-graphiql`), and the headers they are served with. The
//! Content-Security-Policy names the SHA-256 of each inline `<script>` and `<style>` block
//! and allows files of the page's own origin, so the browser runs those and nothing else:
//! no injected script, no inline handler, no other origin, and no page may frame them.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};

/// A file served at `/assets/{name}`: name, content type, bytes.
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const TEXT: &str = "text/plain; charset=utf-8";

macro_rules! assets {
    ($($name:literal $kind:ident $path:literal),* $(,)?) => {
        &[$(Asset { name: $name, content_type: $kind, bytes: include_bytes!($path) }),*]
    };
}

/// Every file under `/assets/`. The vendored ones are checked against `vendor/SHA256SUMS`.
pub static ASSETS: &[Asset] = assets![
    "pages.js" JS "assets/pages.js",
    "pages.css" CSS "assets/pages.css",
    "graphiql.min.js" JS "assets/vendor/graphiql.min.js",
    "graphiql.min.css" CSS "assets/vendor/graphiql.min.css",
    "react.production.min.js" JS "assets/vendor/react.production.min.js",
    "react-dom.production.min.js" JS "assets/vendor/react-dom.production.min.js",
    "LICENSE.graphiql" TEXT "assets/vendor/LICENSE.graphiql",
    "LICENSE.react" TEXT "assets/vendor/LICENSE.react",
    "LICENSE.react-dom" TEXT "assets/vendor/LICENSE.react-dom",
];

/// The first 16 hex digits of a file's SHA-256: the `?v=` a page names it with, so a
/// changed file has a new address and the year-long cache never serves a stale one.
fn version(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `GET /assets/{name}`: cached for a year (pages name each file with its content's hash).
pub async fn asset(Path(name): Path<String>) -> Response {
    let Some(asset) = ASSETS.iter().find(|a| a.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        asset.bytes,
    )
        .into_response()
}

/// The page with each `"/assets/NAME"` it names given its content version.
fn versioned(html: &str) -> String {
    ASSETS.iter().fold(html.to_owned(), |html, a| {
        let path = format!("\"/assets/{}\"", a.name);
        let with = format!("\"/assets/{}?v={}\"", a.name, version(a.bytes));
        html.replace(&path, &with)
    })
}

/// A page and its policy, computed once.
pub struct Page {
    html: String,
    csp: HeaderValue,
}

impl Page {
    pub fn new(html: &'static str) -> Page {
        let csp = policy(html);
        Page {
            html: versioned(html),
            // Hashes are base64 and the rest is ASCII: always a valid header value.
            csp: HeaderValue::from_str(&csp)
                .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'")),
        }
    }

    pub fn respond(&self) -> Response {
        (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/html; charset=utf-8"),
                ),
                (header::CONTENT_SECURITY_POLICY, self.csp.clone()),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            self.html.clone(),
        )
            .into_response()
    }
}

/// The text of every `<tag>…</tag>` block (tags without attributes, as the pages write them).
fn blocks<'h>(html: &'h str, tag: &str) -> Vec<&'h str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&open) {
        let after = &rest[start + open.len()..];
        let Some(end) = after.find(&close) else {
            break;
        };
        found.push(&after[..end]);
        rest = &after[end + close.len()..];
    }
    found
}

fn hashes(html: &str, tag: &str) -> String {
    let sources: Vec<String> = blocks(html, tag)
        .into_iter()
        .map(|text| {
            let digest = Sha256::digest(text.as_bytes());
            format!(
                "'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    if sources.is_empty() {
        "'none'".to_owned()
    } else {
        sources.join(" ")
    }
}

/// The page's Content-Security-Policy: its own inline scripts and styles, requests to its
/// own origin (the API), nothing else, and never in a frame. A page that loads files from
/// `/assets/` may also run and style with files of its own origin, and use the fonts and
/// images GraphiQL's stylesheet carries inline (`data:`).
pub fn policy(html: &str) -> String {
    let loads_assets = html.contains("\"/assets/");
    let sources = |tag: &str| match (hashes(html, tag), loads_assets) {
        (h, false) => h,
        (h, true) if h == "'none'" => "'self'".to_owned(),
        (h, true) => format!("{h} 'self'"),
    };
    let (images, fonts) = if loads_assets {
        ("'self' data:", "; font-src data:")
    } else {
        ("'self'", "")
    };
    format!(
        "default-src 'none'; script-src {}; style-src {}; connect-src 'self'; \
         img-src {images}{fonts}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        sources("script"),
        sources("style")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_names_each_inline_block_by_its_hash() {
        let html =
            "<style>a{}</style><p style=\"x\"></p><script>one()</script><script>two()</script>";
        let csp = policy(html);
        let h = |s: &str| {
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()))
        };
        assert!(
            csp.contains(&format!(
                "script-src 'sha256-{}' 'sha256-{}';",
                h("one()"),
                h("two()")
            )),
            "{csp}"
        );
        assert!(
            csp.contains(&format!("style-src 'sha256-{}';", h("a{}"))),
            "{csp}"
        );
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe"),
            "{csp}"
        );
        assert!(policy("<p>").contains("script-src 'none'"));
    }

    #[test]
    fn the_pages_have_no_inline_style_attributes_or_handlers_the_policy_would_block() {
        for page in [
            include_str!("assets/dashboard.html"),
            include_str!("assets/explorer.html"),
            include_str!("assets/meetings.html"),
        ] {
            assert!(!page.contains(" style=\""), "inline style attribute");
            assert!(!page.contains(" onclick=\"") && !page.contains(" onload=\""));
            assert_eq!(blocks(page, "script").len(), 1);
            let files = page.matches("<script src=\"/assets/").count();
            assert_eq!(
                page.matches("<script").count(),
                1 + files,
                "every script is hashed or a file of /assets/"
            );
            assert_eq!(page.matches("<style").count(), 1, "every style is hashed");
            assert_eq!(
                page.matches("<link").count(),
                page.matches("<link rel=\"stylesheet\" href=\"/assets/")
                    .count(),
                "every stylesheet is a file of /assets/"
            );
            for attr in ["src=\"http", "href=\"http", "src=\"//", "href=\"//"] {
                assert!(!page.contains(attr), "a file from another origin: {attr}");
            }
        }
    }

    #[test]
    fn every_asset_a_page_names_is_served_and_named_with_its_version() {
        for page in [
            include_str!("assets/dashboard.html"),
            include_str!("assets/explorer.html"),
            include_str!("assets/meetings.html"),
        ] {
            let served = versioned(page);
            for named in page.split("\"/assets/").skip(1) {
                let name = named.split('"').next().unwrap_or("");
                let asset = ASSETS.iter().find(|a| a.name == name);
                assert!(asset.is_some(), "/assets/{name} is not served");
                let v = version(asset.map(|a| a.bytes).unwrap_or_default());
                assert!(
                    served.contains(&format!("\"/assets/{name}?v={v}\"")),
                    "{name}"
                );
            }
        }
    }

    #[test]
    fn the_vendored_files_are_those_update_graphiql_fetched() {
        let sums = include_str!("assets/vendor/SHA256SUMS");
        let mut checked = 0;
        for line in sums.lines() {
            let (sum, name) = line.split_once("  ").unwrap();
            let asset = ASSETS.iter().find(|a| a.name == name).unwrap();
            let actual: String = Sha256::digest(asset.bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(
                actual, sum,
                "{name} differs from what scripts/update-graphiql vendored"
            );
            checked += 1;
        }
        assert_eq!(checked, 4);
    }
}
