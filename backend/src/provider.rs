//! The provider role: the embedded lab identity provider (authorization server) under `/idp`.
//!
//! It behaves like a real OpenID provider closely enough that certified client libraries accept
//! it: discovery and JWKS ([`discovery`]), the authorization endpoint with login and consent
//! pages ([`authorize`]), the token endpoint ([`token`]), userinfo ([`userinfo`]), revocation
//! and introspection ([`inspect`]), logout (Auth0's `/v2/logout` renamed to it) and the account
//! page ([`account`]). The lab world it serves comes from a scenario ([`world`]).

pub mod account;
pub mod authorize;
pub mod claims;
pub mod client_auth;
pub mod discovery;
pub mod error;
pub mod inspect;
pub mod keys;
pub mod mint;
pub mod pages;
pub mod session;
pub mod store;
pub mod token;
pub mod userinfo;
pub mod world;

#[cfg(test)]
pub(crate) mod tests;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::routing::{get, post};

use self::authorize::AuthRequest;
use self::keys::Keys;
use self::store::Store;
use self::world::World;
use crate::Site;

/// The provider's state, shared by every handler.
#[derive(Debug)]
pub struct Provider {
    /// The issuer identifier, `{public_url}/idp`.
    pub issuer: String,
    /// The lab world: APIs, users, clients.
    pub world: World,
    /// The signing key.
    pub keys: Keys,
    /// Sessions, codes, tokens, consents.
    pub store: Store<AuthRequest>,
    /// Whether the session cookie is `Secure` (the public URL is https).
    pub secure_cookies: bool,
    /// Seconds added to the wall clock; tests move time forward with it.
    clock_offset: AtomicU64,
}

impl Provider {
    /// Loads the world and the signing key for `site`.
    pub fn new(site: &Site) -> anyhow::Result<Self> {
        let world = World::load(site)?;
        let keys = Keys::load_or_create(&site.config.data_dir)?;
        Ok(Self::with(site, world, keys))
    }

    /// A provider with a given world and key.
    pub fn with(site: &Site, world: World, keys: Keys) -> Self {
        Self {
            issuer: site.issuer(),
            world,
            keys,
            store: Store::new(site.config.store_budget()),
            secure_cookies: site.public_url.starts_with("https://"),
            clock_offset: AtomicU64::new(0),
        }
    }

    /// Now, in seconds since the Unix epoch.
    pub fn now(&self) -> u64 {
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs())
            .unwrap_or_default();
        wall + self.clock_offset.load(Ordering::Relaxed)
    }

    /// Moves the provider's clock forward, for tests of expiry.
    #[cfg(test)]
    pub fn advance_clock(&self, seconds: u64) {
        self.clock_offset.fetch_add(seconds, Ordering::Relaxed);
    }

    /// The absolute URL of an endpoint, as `endpoint("/token")`.
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.issuer)
    }
}

/// The `/idp` router.
pub fn router(provider: Arc<Provider>) -> Router {
    Router::new()
        .route("/.well-known/openid-configuration", get(discovery::configuration))
        .route("/jwks", get(discovery::jwks))
        .route("/authorize", get(authorize::authorize_get).post(authorize::authorize_post))
        .route("/login", post(authorize::login))
        .route("/consent", post(authorize::consent))
        .route("/token", post(token::token))
        .route("/userinfo", get(userinfo::userinfo_get).post(userinfo::userinfo_post))
        .route("/revoke", post(inspect::revoke))
        .route("/introspect", post(inspect::introspect))
        .route("/logout", get(account::logout_get).post(account::logout_post))
        .route("/logout/confirm", post(account::logout_confirm))
        .route("/v2/logout", get(account::auth0_logout))
        .route("/account", get(account::account))
        .route("/account/revoke", post(account::revoke_consent))
        .fallback(|| async {
            (axum::http::StatusCode::NOT_FOUND, "no such endpoint at the lab provider")
        })
        .with_state(provider)
}
