//! The provider's memory: login sessions, pending authorization requests, codes, access and
//! refresh tokens, and the consents each session gave. All in memory, all with an expiry, all
//! bounded.
//!
//! Codes and tokens are kept under the SHA-256 of their value, never the value itself, so a
//! memory dump does not hand out live credentials. Each map is indexed by expiry
//! ([`Expiring`]): before each insert the expired entries are popped off the index's front, in
//! O(log n) each. Each map counts the bytes its entries take ([`Footprint`]), and the store
//! keeps them all under one memory budget (`--store-budget-mib`), so no workload can exhaust
//! the server's memory: see [`Inner::make_room`].

mod expiring;
mod footprint;

use std::sync::{Arc, Mutex, MutexGuard};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use oauth2::CsrfToken;
use sha2::{Digest, Sha256};

use super::claims::Requested;
use super::error::ProviderError;

pub use self::expiring::{Expires, Expiring};
pub use self::footprint::{Footprint, block};

/// The pending requests and the browsers nobody logged in from yet may each take this share
/// of the budget (one sixteenth); the rest holds sessions, codes, tokens and families.
const OPEN_SHARE: usize = 16;

/// The least time between two warnings that the budget is reached, in seconds.
const WARNING_INTERVAL: u64 = 60;

/// A new random value: 32 bytes, base64url (codes, tokens, session and request ids).
pub fn random_value() -> String {
    CsrfToken::new_random_len(32).secret().clone()
}

/// The key a secret value is stored under.
pub fn digest(value: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(value.as_bytes()))
}

/// The key of a code or token: the SHA-256 of its value (of its `jti` for a JWT), as raw
/// bytes, which take a third of the base64 [`digest`]'s memory.
pub type TokenKey = [u8; 32];

/// The key a code or token is stored under.
pub fn token_key(value: &str) -> TokenKey {
    Sha256::digest(value.as_bytes()).into()
}

/// A refresh token family's id: a counter, never shown outside the store.
pub type FamilyId = u64;

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
    /// The consents given during this login: they end with it.
    pub consents: Consents,
}

/// The consents one login gave, per client: each consented key (`identifier#permission` for
/// an API permission, `claim:name` for a claim asked for by name, else the scope) kept in a
/// [`Scope`], as none holds a space.
///
/// They are kept per login, not per user, so that every learner of a workshop who logs in as
/// the same lab user sees the consent page once; a real provider keeps them per account.
#[derive(Debug, Clone, Default)]
pub struct Consents(Vec<(Box<str>, Scope)>);

impl Consents {
    /// The keys consented for `client_id`, if any.
    pub fn get(&self, client_id: &str) -> Option<&Scope> {
        self.0.iter().find(|(client, _)| **client == *client_id).map(|(_, keys)| keys)
    }

    /// Adds `keys` to what `client_id` was consented.
    pub fn add(&mut self, client_id: &str, keys: &[String]) {
        let known = self.get(client_id).map(|known| known.iter().map(str::to_owned));
        let mut all: Vec<String> = known.into_iter().flatten().collect();
        for key in keys {
            if !all.contains(key) {
                all.push(key.clone());
            }
        }
        self.remove(client_id);
        self.0.push((client_id.into(), all.into_iter().collect()));
        self.0.shrink_to_fit();
    }

    /// Forgets the consent given to `client_id`.
    pub fn remove(&mut self, client_id: &str) {
        self.0.retain(|(client, _)| **client != *client_id);
        self.0.shrink_to_fit();
    }

    /// Each client and its consented keys.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Scope)> {
        self.0.iter().map(|(client, keys)| (&**client, keys))
    }
}

impl Footprint for Consents {
    fn heap_bytes(&self) -> usize {
        let own = block(self.0.capacity() * size_of::<(Box<str>, Scope)>());
        let each = self.0.iter().map(|(client, keys)| block(client.len()) + keys.heap_bytes());
        own + each.sum::<usize>()
    }
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

/// Granted scopes in their wire form, space-separated (RFC 6749 3.3): one heap block, not one
/// per scope plus a vector.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope(Box<str>);

impl Scope {
    /// Each scope, in the order granted.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.split(' ').filter(|scope| !scope.is_empty())
    }

    /// Whether `scope` was granted.
    pub fn contains(&self, scope: &str) -> bool {
        self.iter().any(|granted| granted == scope)
    }

    /// The `scope` value of a response: the scopes joined by spaces.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<S: AsRef<str>> FromIterator<S> for Scope {
    fn from_iter<I: IntoIterator<Item = S>>(scopes: I) -> Self {
        let mut joined = String::new();
        for scope in scopes {
            if !joined.is_empty() {
                joined.push(' ');
            }
            joined.push_str(scope.as_ref());
        }
        Self(joined.into_boxed_str())
    }
}

impl Footprint for Scope {
    fn heap_bytes(&self) -> usize {
        block(self.0.len())
    }
}

/// What an authorization code or a refresh token stands for.
#[derive(Debug, Clone)]
pub struct Grant {
    /// The client it was issued to.
    pub client_id: String,
    /// The user, or the client itself for client credentials.
    pub sub: String,
    /// The granted scopes: OIDC scopes and the API's permissions.
    pub scope: Scope,
    /// The API named by `audience` or `resource`, if any.
    pub api: Option<String>,
    /// When the user entered their password.
    pub auth_time: Option<u64>,
    /// The provider session's `sid`.
    pub sid: Option<String>,
    /// Whether the client holds it for itself (client credentials): no user stands behind it.
    pub machine: bool,
    /// MISCHIEF (issue 6): an access token lifetime shorter than the API's, asked for by a
    /// lesson scenario with `lab_access_token_lifetime`; `None` for every normal grant.
    pub lab_lifetime: Option<u64>,
    /// The user claims asked for by name with `claims` (OIDC Core 5.5), per target.
    pub claims: Requested,
}

/// An authorization code.
#[derive(Debug, Clone)]
pub struct Code {
    /// What it grants, shared with the tokens it is redeemed for.
    pub grant: Arc<Grant>,
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
    pub issued: Vec<TokenKey>,
    /// The refresh token family started with it, revoked on replay.
    pub family: Option<FamilyId>,
}

/// An access token the provider issued (opaque or JWT), for userinfo, introspection and
/// revocation. Its audience follows from the grant ([`super::mint::audience`]) and a JWT's
/// `jti` is its store key, so neither is kept.
#[derive(Debug, Clone)]
pub struct AccessToken {
    /// What it grants, shared with its code, refresh token and family.
    pub grant: Arc<Grant>,
    /// Whether it is a JWT for an API (keyed by `jti`) rather than an opaque value.
    pub jwt: bool,
    /// When it was issued.
    pub issued_at: u64,
    /// When it expires.
    pub expires_at: u64,
    /// The refresh token family it came from.
    pub family: Option<FamilyId>,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// A refresh token.
#[derive(Debug, Clone)]
pub struct RefreshToken {
    /// What it grants, shared with its family and the tokens rotated from it.
    pub grant: Arc<Grant>,
    /// Its family: every token rotated from the same login.
    pub family: FamilyId,
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
    /// The login's grant: its user and client, so revoking consent revokes the family.
    pub grant: Arc<Grant>,
    /// The store keys of the access tokens issued from it, so revoking it finds them at once.
    pub access: Vec<TokenKey>,
}

/// A pending authorization request, waiting for login or consent.
#[derive(Debug, Clone)]
pub struct Pending<T> {
    /// The checked request.
    pub request: T,
    /// When it is dropped.
    pub expires_at: u64,
}

impl Footprint for Session {
    fn heap_bytes(&self) -> usize {
        self.sub.heap_bytes()
            + self.sid.heap_bytes()
            + self.csrf.heap_bytes()
            + self.consents.heap_bytes()
    }
}

impl Footprint for Browser {
    fn heap_bytes(&self) -> usize {
        self.csrf.heap_bytes()
    }
}

impl Footprint for Grant {
    fn heap_bytes(&self) -> usize {
        let strings = self.client_id.heap_bytes() + self.sub.heap_bytes() + self.api.heap_bytes();
        strings
            + self.scope.heap_bytes()
            + self.sid.heap_bytes()
            + self.claims.id_token.heap_bytes()
            + self.claims.userinfo.heap_bytes()
    }
}

impl Footprint for Code {
    fn heap_bytes(&self) -> usize {
        self.grant.heap_bytes()
            + self.redirect_uri.heap_bytes()
            + self.code_challenge.heap_bytes()
            + self.nonce.heap_bytes()
            + self.issued.heap_bytes()
    }
}

impl Footprint for AccessToken {
    fn heap_bytes(&self) -> usize {
        self.grant.heap_bytes()
    }
}

impl Footprint for RefreshToken {
    fn heap_bytes(&self) -> usize {
        self.grant.heap_bytes()
    }
}

impl Footprint for Family {
    fn heap_bytes(&self) -> usize {
        self.grant.heap_bytes() + self.access.heap_bytes()
    }
}

impl<T: Footprint> Footprint for Pending<T> {
    fn heap_bytes(&self) -> usize {
        self.request.heap_bytes()
    }
}

impl Expires for Session {
    fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

impl Expires for Browser {
    fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

impl<T> Expires for Pending<T> {
    fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

impl Expires for Code {
    fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

impl Expires for AccessToken {
    fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

/// A refresh token is reclaimed at its idle expiry; one whose family ended first is refused
/// by the family check until then.
impl Expires for RefreshToken {
    fn expires_at(&self) -> u64 {
        self.idle_expires_at
    }
}

/// A family, revoked or not, stays until its absolute lifetime ends, so a revoked family's
/// tokens stay refused as long as any of them could be used.
impl Expires for Family {
    fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

/// Every map, behind one lock.
pub struct Store<T> {
    inner: Mutex<Inner<T>>,
}

/// The maps. Keys of codes and tokens are [`token_key`]s, of sessions [`digest`]s.
pub struct Inner<T> {
    /// Cookie value digest to session.
    pub sessions: Expiring<String, Session>,
    /// Cookie value digest to a browser nobody has logged in from yet.
    pub browsers: Expiring<String, Browser>,
    /// Request id to pending request.
    pub pending: Expiring<String, Pending<T>>,
    /// Code key to code.
    pub codes: Expiring<TokenKey, Code>,
    /// Opaque token key or JWT `jti` key to access token.
    pub access: Expiring<TokenKey, AccessToken>,
    /// Refresh token key to refresh token.
    pub refresh: Expiring<TokenKey, RefreshToken>,
    /// Family id to family.
    pub families: Expiring<FamilyId, Family>,
    /// The bytes all maps together may take.
    budget: usize,
    /// When the last warning that the budget is reached went to the log.
    warned_at: Option<u64>,
    /// The id the next family gets.
    next_family: FamilyId,
}

impl<T> Store<T> {
    /// An empty store whose maps may take `budget` bytes in all.
    pub fn new(budget: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                sessions: Expiring::default(),
                browsers: Expiring::default(),
                pending: Expiring::default(),
                codes: Expiring::default(),
                access: Expiring::default(),
                refresh: Expiring::default(),
                families: Expiring::default(),
                budget,
                warned_at: None,
                next_family: 0,
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

impl<T: Footprint> Inner<T> {
    /// Drops everything expired at `now` (earliest first, through each map's expiry index),
    /// then fails with [`ProviderError::Busy`] if the live sessions, codes, tokens and families
    /// fill their part of the budget: memory safety, not a rate limit. An operator is told
    /// at warn, at most once a minute, which map is largest and which setting to raise.
    pub fn make_room(&mut self, now: u64) -> Result<(), ProviderError> {
        self.sessions.reclaim(now);
        self.browsers.reclaim(now);
        self.pending.reclaim(now);
        self.codes.reclaim(now);
        self.access.reclaim(now);
        self.refresh.reclaim(now);
        self.families.reclaim(now);

        // Anyone may open a login form, so a full pending or browser map drops the entries that
        // end first rather than lock everyone out.
        let open_share = self.budget / OPEN_SHARE;
        while self.pending.bytes() >= open_share && self.pending.evict_earliest().is_some() {}
        while self.browsers.bytes() >= open_share && self.browsers.evict_earliest().is_some() {}

        // What learners hold refuses new entries at the rest of the budget.
        if self.earned().iter().map(|(_, _, bytes)| bytes).sum::<usize>() < self.earned_budget() {
            return Ok(());
        }
        if let Some(warning) = self.budget_warning(now) {
            tracing::warn!("{warning}");
        }
        Err(ProviderError::Busy)
    }

    /// The part of the budget for sessions, codes, tokens and families.
    fn earned_budget(&self) -> usize {
        self.budget - 2 * (self.budget / OPEN_SHARE)
    }

    /// Name, entry count and bytes of each map that refuses when the budget is reached.
    fn earned(&self) -> [(&'static str, usize, usize); 5] {
        [
            ("sessions", self.sessions.len(), self.sessions.bytes()),
            ("codes", self.codes.len(), self.codes.bytes()),
            ("access tokens", self.access.len(), self.access.bytes()),
            ("refresh tokens", self.refresh.len(), self.refresh.bytes()),
            ("refresh token families", self.families.len(), self.families.bytes()),
        ]
    }

    /// The operator's warning that the budget is reached, naming the largest map; `None` if
    /// one was given less than [`WARNING_INTERVAL`] seconds before `now`.
    fn budget_warning(&mut self, now: u64) -> Option<String> {
        if self.warned_at.is_some_and(|at| now < at + WARNING_INTERVAL) {
            return None;
        }
        self.warned_at = Some(now);

        let earned = self.earned();
        let (map, count, bytes) = earned.iter().max_by_key(|(_, _, bytes)| *bytes)?;
        let mib = |bytes: usize| bytes / (1024 * 1024);
        Some(format!(
            "the lab provider's store is full: {count} live {map} take {} MiB, and sessions, \
             codes and tokens together reach their {} MiB of the memory budget; new logins and \
             tokens are refused (503 Service Unavailable) until some expire. Raise \
             `--store-budget-mib` (GRANTLAB_STORE_BUDGET_MIB) if this workload is honest",
            mib(*bytes),
            mib(self.earned_budget()),
        ))
    }

    /// Stores a new refresh token family; returns its id.
    pub fn add_family(&mut self, family: Family) -> FamilyId {
        let id = self.next_family;
        self.next_family += 1;
        self.families.insert(id, family);
        id
    }

    /// Revokes a refresh token family and the access tokens issued from it.
    pub fn revoke_family(&mut self, family: FamilyId) {
        let Some(entry) = self.families.get_mut(&family) else { return };
        entry.revoked = true;
        for key in &entry.access {
            if let Some(token) = self.access.get_mut(key) {
                token.revoked = true;
            }
        }
    }

    /// Notes that the access token under `key` came from `family`, forgetting the keys of
    /// its tokens already reclaimed.
    pub fn add_to_family(&mut self, family: FamilyId, key: TokenKey) {
        let Inner { families, access, .. } = self;
        let Some(entry) = families.get_mut(&family) else { return };
        entry.access.retain(|known| access.contains_key(known));
        entry.access.push(key);
        families.recount(&family);
    }
}

#[cfg(test)]
mod tests;
