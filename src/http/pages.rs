//! The HTML pages compiled into the binary (dashboard, explorer) and the headers they are
//! served with. Their scripts and styles stay inline, so each page is one self-contained
//! file; the Content-Security-Policy names the SHA-256 of each inline `<script>` and
//! `<style>` block, so the browser runs those and nothing else: no injected script, no
//! inline handler, no other origin, and no page may frame them.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};

/// A page and its policy, computed once.
pub struct Page {
    html: &'static str,
    csp: HeaderValue,
}

impl Page {
    pub fn new(html: &'static str) -> Page {
        let csp = policy(html);
        Page {
            html,
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
            self.html,
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
/// own origin (the API), nothing else, and never in a frame.
pub fn policy(html: &str) -> String {
    format!(
        "default-src 'none'; script-src {}; style-src {}; connect-src 'self'; img-src 'self'; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        hashes(html, "script"),
        hashes(html, "style")
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
        ] {
            assert!(!page.contains(" style=\""), "inline style attribute");
            assert!(!page.contains(" onclick=\"") && !page.contains(" onload=\""));
            assert_eq!(blocks(page, "script").len(), 1);
            assert_eq!(page.matches("<script").count(), 1, "every script is hashed");
            assert_eq!(page.matches("<style").count(), 1, "every style is hashed");
        }
    }
}
