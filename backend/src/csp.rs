//! Content Security Policy for the server's own HTML (CSP Level 3).
//!
//! Each page lists the exact inline scripts and styles it runs by their SHA-256 hashes, so an
//! injected `<script>` would not run even if an escape were missed somewhere. Nothing is
//! loaded from another origin: the frontend talks only to its own backend.

use axum::http::HeaderValue;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

/// The header's name, for `HeaderMap::insert`.
pub const HEADER: &str = "content-security-policy";

/// A CSP source expression for an inline script or style: `'sha256-…'` of its exact text.
pub fn hash_source(inline: &str) -> String {
    format!("'sha256-{}'", STANDARD.encode(Sha256::digest(inline.as_bytes())))
}

/// The text of each inline `<script>` in `html` (one without `src`), as the browser hashes it.
pub fn inline_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find("<script") {
        let after_open = &rest[open..];
        let Some(tag_end) = after_open.find('>') else { break };
        let tag = &after_open[..tag_end];
        let body = &after_open[tag_end + 1..];
        let Some(close) = body.find("</script>") else { break };
        if !tag.contains("src=") {
            scripts.push(&body[..close]);
        }
        rest = &body[close..];
    }
    scripts
}

/// The policy of the Yew app and the client role's small pages.
///
/// `'wasm-unsafe-eval'` lets the page compile its WebAssembly; it allows no JavaScript eval.
/// Forms may only post to this origin (the callback's relay form does).
pub fn app_policy(scripts: &[&str]) -> HeaderValue {
    let hashes: Vec<String> = scripts.iter().map(|script| hash_source(script)).collect();
    let policy = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' {}; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'",
        hashes.join(" ")
    );
    header_value(&policy)
}

/// The policy of the lab provider's pages: one inline stylesheet, at most one inline script.
///
/// No `form-action`: Chromium applies it to the redirects that follow a submitted form, and
/// the login and consent forms end in a redirect to the client's own redirect URI.
pub fn provider_policy(style: &str, script: Option<&str>) -> HeaderValue {
    let script = script.map_or("'none'".to_owned(), hash_source);
    let policy = format!(
        "default-src 'none'; style-src {}; script-src {script}; img-src data:; \
         base-uri 'none'; frame-ancestors 'none'",
        hash_source(style)
    );
    header_value(&policy)
}

/// Hash sources and keywords are ASCII, so the policy is always a valid header value.
fn header_value(policy: &str) -> HeaderValue {
    HeaderValue::from_str(policy).unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_source_is_the_base64_sha256_of_the_exact_text() {
        // The empty string's SHA-256, as CSP Level 3 §2.3.1 writes a hash source.
        assert_eq!(hash_source(""), "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
    }

    #[test]
    fn inline_scripts_skips_external_ones_and_keeps_whitespace() {
        let html = "<script src=\"/a.js\"></script><p>x</p>\
                    <script type=\"module\">\nimport init from '/b.js';\n</script>\
                    <script>one()</script>";

        assert_eq!(inline_scripts(html), vec!["\nimport init from '/b.js';\n", "one()"]);
    }

    #[test]
    fn inline_scripts_stops_at_an_unclosed_tag_without_panicking() {
        assert_eq!(inline_scripts("<script>never closed"), Vec::<&str>::new());
        assert_eq!(inline_scripts("<script"), Vec::<&str>::new());
    }

    #[test]
    fn app_policy_allows_wasm_and_only_the_listed_scripts() {
        let policy = app_policy(&["run()"]);
        let policy = policy.to_str().unwrap_or_default();

        assert!(policy.contains("'wasm-unsafe-eval'"));
        assert!(policy.contains(&hash_source("run()")));
        assert!(!policy.contains("'unsafe-inline'"));
        assert!(policy.contains("connect-src 'self'"));
        assert!(policy.contains("frame-ancestors 'none'"));
    }

    #[test]
    fn provider_policy_without_a_script_runs_none() {
        let policy = provider_policy("body{}", None);
        let policy = policy.to_str().unwrap_or_default();

        assert!(policy.contains("script-src 'none'"));
        assert!(policy.contains(&hash_source("body{}")));
        assert!(!policy.contains("form-action"));
    }
}
