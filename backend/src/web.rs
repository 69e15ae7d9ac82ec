//! The built frontend and `/healthz`.
//!
//! Deep links (`/lessons/3`) get `index.html` so the Yew router can take over. A missing asset
//! (`/app.js`) gets a real 404 instead, so a broken build shows up as one.

use std::path::Path;

use axum::Router;
use axum::handler::HandlerWithoutStateExt;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tower_http::services::{ServeDir, ServeFile};

/// An empty icon for the server's own HTML pages, so the browser asks for no `/favicon.ico`
/// (which would be a 404 and a console error on every page).
pub const NO_FAVICON: &str = "<link rel=\"icon\" href=\"data:,\">";

/// Shown when no frontend was built: the server still works, and says how to fix it.
const NOT_BUILT: &str = "<!doctype html><html lang=en><meta charset=utf-8>\
<title>Grantlab</title><h1>Grantlab</h1>\
<p>The frontend has not been built. Run <code>cargo xtask run</code> from the repository root.";

/// The router for `/healthz` and every path no other area claims.
pub fn router(dist: &Path) -> Router {
    let index = dist.join("index.html");
    let frontend = if index.is_file() {
        let deep_link = ServeFile::new(index);
        let assets = ServeDir::new(dist).fallback(
            (move |uri: Uri| {
                let deep_link = deep_link.clone();
                async move { deep_link_or_404(uri, deep_link).await }
            })
            .into_service(),
        );
        Router::new().fallback_service(assets)
    } else {
        tracing::warn!(dist = %dist.display(), "no frontend build found; serving a notice");
        Router::new().fallback(|| async { Html(NOT_BUILT) })
    };

    Router::new().route("/healthz", get(healthz)).merge(frontend)
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
