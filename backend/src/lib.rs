//! Grantlab's server: the sandbox's confidential client, the embedded lab provider and the
//! sample protected API, all behind one axum router.
//!
//! Each role is an area with its own router and error type:
//! - [`client`]: the sandbox's own JSON API under `/api`, used by the frontend.
//! - [`provider`]: the embedded lab identity provider under `/idp`.
//! - [`api`]: the sample Expenses API under `/expenses-api` and its Reports service under
//!   `/reports-service`.
//! - [`web`]: the built frontend, with deep links falling back to `index.html`, and `/healthz`.
//!
//! [`app`] merges them; tests drive it with `oneshot` or on a socket bound to `127.0.0.1:0`.

pub mod api;
pub mod bearer;
pub mod client;
pub mod config;
pub mod csp;
pub mod lessons;
pub mod provider;
pub mod serve;
pub mod telemetry;
pub mod web;

use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use oauth2::{ClientSecret, CsrfToken};
use tokio::net::TcpListener;
use tower_http::trace::{DefaultOnFailure, TraceLayer};

pub use config::Config;

/// The sandbox's own client id at the embedded lab provider.
pub const SANDBOX_CLIENT_ID: &str = "grantlab-sandbox";

/// What every area may read: the settings, the public URL they resolved to, and the sandbox
/// client's credentials, which the provider registers and the client role presents.
#[derive(Debug, Clone)]
pub struct Site {
    /// The settings the server started with.
    pub config: Config,
    /// The base URL learners reach the server at, with no trailing slash.
    pub public_url: String,
    /// The sandbox client's secret: `--client-secret`, or random. `Debug` redacts it.
    pub client_secret: ClientSecret,
}

impl Site {
    /// Resolves the settings for a server reachable at `public_url`.
    pub fn new(config: Config, public_url: String) -> Self {
        let client_secret = match &config.client_secret {
            Some(secret) => ClientSecret::new(secret.clone()),
            // 32 random bytes, base64url: the same strength as a CSRF token from oauth2.
            None => ClientSecret::new(CsrfToken::new_random_len(32).secret().clone()),
        };
        Self { config, public_url, client_secret }
    }

    /// The lab provider's issuer identifier, `{public_url}/idp`.
    pub fn issuer(&self) -> String {
        format!("{}/idp", self.public_url)
    }
}

/// Builds the whole router for a server reachable at `site.public_url`.
pub async fn app(site: Site) -> anyhow::Result<Router> {
    provider::keys::install_rs256_verifier();
    let provider = Arc::new(provider::Provider::new(&site)?);
    let (expenses_api, reports_service) = api::routers(&site, &provider.world)?;
    let lab_web = provider.world.client(lessons::lab2::LAB_WEB_CLIENT_ID);
    let lab_web = lab_web.map(|client| lessons::lab2::LabWebClient {
        secret: client.client_secret.secret().clone(),
        redirect_uri: client.redirect_uris.first().cloned(),
    });
    let sessions = client::session_layer(&site.public_url);
    let dist = site.config.dist.clone();
    let lessons = lessons::router(&site, lab_web);
    let lab_machine =
        provider.world.client(client::LAB_MACHINE_CLIENT_ID).map(|machine| client::MachineClient {
            client_id: machine.client_id.clone(),
            client_secret: machine.client_secret.clone(),
        });
    let (client_api, callback) = client::routers(site, lab_machine)?;

    // The learner's session cookie covers the sandbox API and the redirect URI; a session's
    // requests run one at a time, the lock outside the session layer so it covers its save.
    let learner = Router::new()
        .nest("/api/lessons", lessons)
        .nest("/api", client_api)
        .merge(callback)
        .layer(axum::extract::DefaultBodyLimit::max(client::lock::LONGEST_BODY))
        .layer(sessions)
        .layer(axum::middleware::from_fn_with_state(
            Arc::new(client::lock::SessionLocks::default()),
            client::lock::serialize,
        ));
    let router = learner
        .nest("/idp", provider::router(provider))
        .nest("/expenses-api", expenses_api)
        .nest("/reports-service", reports_service)
        .merge(web::router(&dist));

    // Errors are logged once, where they are answered, at their own level (a provider the
    // learner chose answering badly is no alarm), so the layer's 5xx line stays at debug.
    let trace = TraceLayer::new_for_http()
        .make_span_with(telemetry::request_span)
        .on_failure(DefaultOnFailure::new().level(tracing::Level::DEBUG));
    Ok(router.layer(trace))
}

/// Binds the configured address, serves until SIGTERM or Ctrl-C, then drains and returns.
pub async fn run(config: Config) -> anyhow::Result<()> {
    config.validate()?;
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let bound = listener.local_addr().context("cannot read the bound address")?;

    let public_url = config.public_url(bound);
    let site = Site::new(config, public_url.clone());
    let router = app(site).await?;

    tracing::info!(%bound, %public_url, "grantlab is listening");
    serve(listener, router).await
}

/// Serves `router` on `listener` until a shutdown signal arrives, closing connections idle
/// for [`serve::IDLE_CONNECTION_TIMEOUT`].
pub async fn serve(listener: TcpListener, router: Router) -> anyhow::Result<()> {
    serve::serve_until(listener, router, serve::Limits::default(), shutdown_signal()).await;

    tracing::info!("grantlab stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM, whichever comes first.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };

    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received, shutting down"),
        () = terminate => tracing::info!("SIGTERM received, shutting down"),
    }
}
