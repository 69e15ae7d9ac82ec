//! The provider's memory: login sessions, pending authorization requests, codes, access and
//! refresh tokens, consents. All in memory, all with an expiry, all bounded.
//!
//! Codes and tokens are kept under the SHA-256 of their value, never the value itself, so a
//! memory dump does not hand out live credentials. Every map is purged of expired entries on
//! each insert and refuses new entries past [`MAX_ENTRIES`], so a workshop cannot exhaust memory.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oauth2::CsrfToken;
use sha2::{Digest, Sha256};

use super::error::ProviderError;

/// The most entries any one map holds.
pub const MAX_ENTRIES: usize = 20_000;

/// A new random value: 32 bytes, base64url (codes, tokens, session and request ids).
pub fn random_value() -> String {
    CsrfToken::new_random_len(32).secret().clone()
}

/// The key a secret value is stored under.
pub fn digest(value: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(value.as_bytes()))
}

/// A login at the provider.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who logged in.
    pub sub: String,
    /// When they entered their password (`auth_time`).
    pub auth_time: u64,
    /// The session id shown to clients as `sid`; not the cookie's value.
    pub sid: String,
    /// The anti-forgery token every form shown to this session carries.
    pub csrf: String,
    /// When the session ends.
    pub expires_at: u64,
}

/// A browser's IdP session before anyone logs in: only the anti-forgery token its login
/// form carries, so a forged login (RFC 6749 10.12) fails.
#[derive(Debug, Clone)]
pub struct Browser {
    /// The anti-forgery token of its login forms.
    pub csrf: String,
    /// When it is dropped.
    pub expires_at: u64,
}

/// What an authorization code or a refresh token stands for.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The client it was issued to.
    pub client_id: String,
    /// The user, or the client itself for client credentials.
    pub sub: String,
    /// The granted scopes: OIDC scopes and the API's permissions.
    pub scope: Vec<String>,
    /// The API named by `audience` or `resource`, if any.
    pub api: Option<String>,
    /// When the user entered their password.
    pub auth_time: Option<u64>,
    /// The provider session's `sid`.
    pub sid: Option<String>,
    /// MISCHIEF (issue 6): an access token lifetime shorter than the API's, asked for by a
    /// lesson scenario with `lab_access_token_lifetime`; `None` for every normal grant.
    pub lab_lifetime: Option<u64>,
}

/// An authorization code.
#[derive(Debug, Clone)]
pub struct Code {
    /// What it grants.
    pub grant: Grant,
    /// The redirect URI of the authorization request.
    pub redirect_uri: String,
    /// The PKCE challenge (S256), if one was sent.
    pub code_challenge: Option<String>,
    /// The nonce of the authorization request.
    pub nonce: Option<String>,
    /// When it stops being redeemable.
    pub expires_at: u64,
    /// Whether it was redeemed already.
    pub used: bool,
    /// The access tokens (store keys) issued for it, revoked on replay.
    pub issued: Vec<String>,
    /// The refresh token family started with it, revoked on replay.
    pub family: Option<String>,
}

/// An access token the provider issued (opaque or JWT), for userinfo, introspection and
/// revocation.
#[derive(Debug, Clone)]
pub struct AccessToken {
    /// What it grants.
    pub grant: Grant,
    /// The audience: the API's identifier, or none for an opaque token.
    pub audience: Vec<String>,
    /// `jti` for a JWT.
    pub jti: Option<String>,
    /// Issue and expiry times.
    pub issued_at: u64,
    /// When it expires.
    pub expires_at: u64,
    /// The refresh token family it came from.
    pub family: Option<String>,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// A refresh token.
#[derive(Debug, Clone)]
pub struct RefreshToken {
    /// What it grants.
    pub grant: Grant,
    /// Its family: every token rotated from the same login.
    pub family: String,
    /// Whether it was used already (rotated away).
    pub used: bool,
    /// When it expires unless used (idle lifetime).
    pub idle_expires_at: u64,
    /// When it was issued.
    pub issued_at: u64,
}

/// A refresh token family.
#[derive(Debug, Clone)]
pub struct Family {
    /// Whether the whole family was revoked (reuse detected, logout, revocation).
    pub revoked: bool,
    /// When every token of the family expires, used or not (absolute lifetime).
    pub expires_at: u64,
    /// The user and client, so revoking consent revokes the family.
    pub sub: String,
    /// The client it was issued to.
    pub client_id: String,
}

/// A pending authorization request, waiting for login or consent.
#[derive(Debug, Clone)]
pub struct Pending<T> {
    /// The checked request.
    pub request: T,
    /// When it is dropped.
    pub expires_at: u64,
}

/// Every map, behind one lock.
pub struct Store<T> {
    inner: Mutex<Inner<T>>,
}

/// The maps. Keys of codes and tokens are [`digest`]s.
pub struct Inner<T> {
    /// Cookie value digest to session.
    pub sessions: HashMap<String, Session>,
    /// Cookie value digest to a browser nobody has logged in from yet.
    pub browsers: HashMap<String, Browser>,
    /// Request id to pending request.
    pub pending: HashMap<String, Pending<T>>,
    /// Code digest to code.
    pub codes: HashMap<String, Code>,
    /// Opaque token digest or JWT `jti` to access token.
    pub access: HashMap<String, AccessToken>,
    /// Refresh token digest to refresh token.
    pub refresh: HashMap<String, RefreshToken>,
    /// Family id to family.
    pub families: HashMap<String, Family>,
    /// (sub, client_id) to the consented scopes, API scopes written `identifier#permission`.
    pub consents: HashMap<(String, String), BTreeSet<String>>,
}

impl<T> Default for Store<T> {
    fn default() -> Self {
        Self {
            inner: Mutex::new(Inner {
                sessions: HashMap::new(),
                browsers: HashMap::new(),
                pending: HashMap::new(),
                codes: HashMap::new(),
                access: HashMap::new(),
                refresh: HashMap::new(),
                families: HashMap::new(),
                consents: HashMap::new(),
            }),
        }
    }
}

impl<T> std::fmt::Debug for Store<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Store { .. }")
    }
}

impl<T> Store<T> {
    /// Locks the maps. A poisoned lock is recovered: every map stays consistent per entry.
    pub fn lock(&self) -> MutexGuard<'_, Inner<T>> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<T> Inner<T> {
    /// Drops everything expired at `now`, then fails if any map is still full.
    pub fn make_room(&mut self, now: u64) -> Result<(), ProviderError> {
        self.sessions.retain(|_, session| session.expires_at > now);
        self.browsers.retain(|_, browser| browser.expires_at > now);
        self.pending.retain(|_, pending| pending.expires_at > now);
        self.codes.retain(|_, code| code.expires_at > now);
        self.access.retain(|_, token| token.expires_at > now);
        let families = &self.families;
        self.refresh.retain(|_, token| {
            token.idle_expires_at > now
                && families.get(&token.family).is_some_and(|family| family.expires_at > now)
        });
        self.families.retain(|_, family| family.expires_at > now);

        // Anyone may open a login form, so a full pending map drops its oldest form rather
        // than lock everyone out.
        if self.pending.len() >= MAX_ENTRIES {
            let oldest = self.pending.iter().min_by_key(|(_, pending)| pending.expires_at);
            if let Some(id) = oldest.map(|(id, _)| id.clone()) {
                self.pending.remove(&id);
            }
        }

        // Anyone may open a login form, so a full browser map drops its oldest too.
        if self.browsers.len() >= MAX_ENTRIES {
            let oldest = self.browsers.iter().min_by_key(|(_, browser)| browser.expires_at);
            if let Some(key) = oldest.map(|(key, _)| key.clone()) {
                self.browsers.remove(&key);
            }
        }

        let sizes = [
            self.sessions.len(),
            self.browsers.len(),
            self.pending.len(),
            self.codes.len(),
            self.access.len(),
            self.refresh.len(),
            self.families.len(),
            self.consents.len(),
        ];
        if sizes.iter().any(|&size| size >= MAX_ENTRIES) {
            return Err(ProviderError::Busy);
        }
        Ok(())
    }

    /// Revokes a refresh token family and the access tokens issued from it.
    pub fn revoke_family(&mut self, family: &str) {
        if let Some(entry) = self.families.get_mut(family) {
            entry.revoked = true;
        }
        for token in self.access.values_mut() {
            if token.family.as_deref() == Some(family) {
                token.revoked = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(expires_at: u64) -> Session {
        Session { sub: "s".into(), auth_time: 0, sid: "x".into(), csrf: "c".into(), expires_at }
    }

    #[test]
    fn expired_entries_are_purged_on_insert() {
        let store = Store::<()>::default();
        let mut inner = store.lock();
        inner.sessions.insert("old".into(), session(10));
        inner.sessions.insert("new".into(), session(100));

        inner.make_room(50).unwrap();

        assert!(!inner.sessions.contains_key("old"));
        assert!(inner.sessions.contains_key("new"));
    }

    #[test]
    fn full_store_refuses_new_entries() {
        let store = Store::<()>::default();
        let mut inner = store.lock();
        for index in 0..MAX_ENTRIES {
            inner.sessions.insert(index.to_string(), session(100));
        }

        assert!(matches!(inner.make_room(50), Err(ProviderError::Busy)));
    }

    #[test]
    fn full_pending_map_drops_its_oldest_form() {
        let store = Store::<()>::default();
        let mut inner = store.lock();
        for index in 0..MAX_ENTRIES {
            let pending = Pending { request: (), expires_at: 1_000 + index as u64 };
            inner.pending.insert(index.to_string(), pending);
        }

        inner.make_room(50).unwrap();

        assert!(!inner.pending.contains_key("0"));
        assert_eq!(inner.pending.len(), MAX_ENTRIES - 1);
    }

    #[test]
    fn full_browser_map_drops_its_oldest_login_form_session() {
        let store = Store::<()>::default();
        let mut inner = store.lock();
        for index in 0..MAX_ENTRIES {
            let browser = Browser { csrf: "c".into(), expires_at: 1_000 + index as u64 };
            inner.browsers.insert(index.to_string(), browser);
        }

        inner.make_room(50).unwrap();

        assert!(!inner.browsers.contains_key("0"));
        assert_eq!(inner.browsers.len(), MAX_ENTRIES - 1);
    }

    #[test]
    fn stored_keys_are_digests_not_values() {
        assert_ne!(digest("secret-code"), "secret-code");
        assert_eq!(digest("secret-code"), digest("secret-code"));
    }
}
