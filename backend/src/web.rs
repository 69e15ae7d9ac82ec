//! The built frontend and `/healthz`.
//!
//! Deep links (`/lessons/3`) get `index.html` so the Yew router can take over. A missing asset
//! (`/app.js`) gets a real 404 instead, so a broken build shows up as one.
//!
//! Every answer carries the app's Content Security Policy, made from the inline scripts of
//! the `index.html` found at start.

use std::path::Path;

use axum::Router;
use axum::handler::HandlerWithoutStateExt;
use axum::http::header::{REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::middleware::map_response;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tower_http::services::{ServeDir, ServeFile};

use crate::csp;

/// An empty icon for the server's own HTML pages, so the browser asks for no `/favicon.ico`
/// (which would be a 404 and a console error on every page).
pub const NO_FAVICON: &str = "<link rel=\"icon\" href=\"data:,\">";

/// Shown when no frontend was built: the server still works, and says how to fix it.
const NOT_BUILT: &str = "<!doctype html><html lang=en><meta charset=utf-8>\
<title>Grantlab</title><h1>Grantlab</h1>\
<p>The frontend has not been built. Run <code>cargo xtask run</code> from the repository root.";

/// The router for `/healthz` and every path no other area claims.
///
/// Known shortcoming: the policy hashes `index.html` as it was at start, so a frontend rebuilt
/// under a running server loads with its boot script blocked until the server restarts.
pub fn router(dist: &Path) -> Router {
    let index = dist.join("index.html");
    let frontend = if index.is_file() {
        let html = std::fs::read_to_string(&index).unwrap_or_default();
        let policy = csp::app_policy(&csp::inline_scripts(&html));
        let deep_link = ServeFile::new(index);
        let assets = ServeDir::new(dist).fallback(
            (move |uri: Uri| {
                let deep_link = deep_link.clone();
                async move { deep_link_or_404(uri, deep_link).await }
            })
            .into_service(),
        );
        Router::new().fallback_service(assets).layer(map_response(move |response: Response| {
            let policy = policy.clone();
            async move { secure(response, policy) }
        }))
    } else {
        tracing::warn!(dist = %dist.display(), "no frontend build found; serving a notice");
        Router::new().fallback(|| async { Html(NOT_BUILT) })
    };

    Router::new().route("/healthz", get(healthz)).merge(frontend)
}

/// Adds the page's policy, and keeps the browser from guessing types or sending the URL on.
fn secure(mut response: Response, policy: HeaderValue) -> Response {
    let headers = response.headers_mut();
    headers.insert(csp::HEADER, policy);
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// Liveness probe for operators and scripts.
async fn healthz() -> &'static str {
    "ok"
}

/// `index.html` for a route of the app; 404 for what looks like a file.
async fn deep_link_or_404(uri: Uri, mut index: ServeFile) -> Response {
    let last = uri.path().rsplit('/').next().unwrap_or_default();
    if last.contains('.') {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }

    match tower::Service::call(&mut index, axum::http::Request::new(axum::body::Body::empty()))
        .await
    {
        Ok(response) => response.into_response(),
        Err(error) => match error {},
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;

    /// A dist folder whose `index.html` boots with one inline module script.
    fn dist_with(script: &str) -> tempfile::TempDir {
        let dist = tempfile::tempdir().unwrap();
        let html = format!("<!doctype html><script type=\"module\">{script}</script>");
        std::fs::write(dist.path().join("index.html"), html).unwrap();
        std::fs::write(dist.path().join("app.js"), "export {}").unwrap();
        dist
    }

    async fn policy_of(router: Router, path: &str) -> String {
        let request = Request::get(path).body(Body::empty()).unwrap();
        let response = router.oneshot(request).await.unwrap();
        let policy = response.headers().get(csp::HEADER).map(|value| value.to_str());
        policy.and_then(Result::ok).unwrap_or_default().to_owned()
    }

    #[tokio::test]
    async fn deep_links_and_assets_carry_the_hash_of_the_boot_script() {
        let dist = dist_with("import('/app.js')");
        let expected = csp::hash_source("import('/app.js')");

        for path in ["/", "/lessons/3", "/app.js"] {
            let policy = policy_of(router(dist.path()), path).await;
            assert!(policy.contains(&expected), "{path}: {policy}");
        }
    }

    #[tokio::test]
    async fn a_missing_asset_is_a_404() {
        let dist = dist_with("");
        let request = Request::get("/missing.js").body(Body::empty()).unwrap();

        let response = router(dist.path()).oneshot(request).await.unwrap();

        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
}
