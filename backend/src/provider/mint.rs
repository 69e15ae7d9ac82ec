//! Making tokens: ID tokens (OIDC Core 2), JWT access tokens (RFC 9068), opaque access tokens
//! and refresh tokens. Each issued token is recorded in the store for introspection,
//! userinfo and revocation.

use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::Provider;
use super::authorize::AuthRequest;
use super::claims::{of_scope, of_user};
use super::keys::half_hash;
use super::store::{
    AccessToken, Family, FamilyId, Grant, Inner, RefreshToken, Scope, TokenKey, random_value,
    token_key,
};
use super::world::{Client, MIN_LIFETIME};

/// What goes into an ID token besides the grant.
#[derive(Default)]
pub struct IdTokenExtras<'a> {
    /// The authorization request's nonce.
    pub nonce: Option<&'a str>,
    /// The access token issued with it, for `at_hash`.
    pub access_token: Option<&'a str>,
    /// The code issued with it on the front channel, for `c_hash`.
    pub code: Option<&'a str>,
}

/// Signs an ID token for `grant` (OIDC Core 2 and 3.1.3.6 / 3.3.2.11).
pub fn id_token(
    provider: &Provider,
    client: &Client,
    grant: &Grant,
    extras: IdTokenExtras<'_>,
    now: u64,
) -> anyhow::Result<String> {
    let mut claims = Map::new();
    claims.insert("iss".into(), json!(provider.issuer));
    claims.insert("sub".into(), json!(grant.sub));
    claims.insert("aud".into(), json!(client.client_id));
    claims.insert("azp".into(), json!(client.client_id));
    claims.insert("iat".into(), json!(now));
    claims.insert("exp".into(), json!(now + client.id_token_lifetime));
    if let Some(auth_time) = grant.auth_time {
        claims.insert("auth_time".into(), json!(auth_time));
    }
    if let Some(sid) = &grant.sid {
        claims.insert("sid".into(), json!(sid));
    }
    if let Some(nonce) = extras.nonce {
        claims.insert("nonce".into(), json!(nonce));
    }
    if let Some(access_token) = extras.access_token {
        claims.insert("at_hash".into(), json!(half_hash(access_token)));
    }
    if let Some(code) = extras.code {
        claims.insert("c_hash".into(), json!(half_hash(code)));
    }
    claims.extend(user_claims(provider, &grant.sub, &grant.scope, &grant.claims.id_token));

    provider.keys.sign("JWT", &Value::Object(claims))
}

/// The user claims the scopes allow (OIDC Core 5.4) and those `requested` by name (5.5.1),
/// each only when the account record holds it.
pub fn user_claims(
    provider: &Provider,
    sub: &str,
    scope: &Scope,
    requested: &[&str],
) -> Map<String, Value> {
    let mut claims = Map::new();
    let Some(user) = provider.world.user_by_sub(sub) else { return claims };
    let by_scope = scope.iter().flat_map(|scope| of_scope(scope).iter().copied());
    for name in by_scope.chain(requested.iter().copied()) {
        if let Some(value) = of_user(user, name) {
            claims.insert(name.to_owned(), value);
        }
    }
    claims
}

/// An access token just made.
pub struct Minted {
    /// The token itself.
    pub token: String,
    /// Seconds until it expires.
    pub expires_in: u64,
    /// Its key in the store (of its `jti`, or of the opaque value).
    pub key: TokenKey,
}

/// An access token recorded in the store; a JWT is signed by [`Recorded::sign`] once the
/// store is unlocked, so that no request waits on the lock while another one signs.
pub struct Recorded {
    minted: Minted,
    /// The JWT's claims, still to sign; `None` for an opaque token.
    claims: Option<Value>,
}

impl Recorded {
    /// Its key in the store.
    pub fn key(&self) -> TokenKey {
        self.minted.key
    }

    /// The token, signed if it is a JWT (RS256 takes about a millisecond).
    pub fn sign(self, provider: &Provider) -> anyhow::Result<Minted> {
        let Some(claims) = self.claims else { return Ok(self.minted) };
        let token = provider.keys.sign("at+jwt", &claims)?;
        Ok(Minted { token, ..self.minted })
    }
}

/// The audience of an access token for `grant` (RFC 9068 3): the API's identifier, and the
/// userinfo endpoint too with `openid`; none for an opaque token (no API, or one unknown).
pub fn audience(provider: &Provider, grant: &Grant) -> Vec<String> {
    let Some(api) = grant.api.as_deref().and_then(|identifier| provider.world.api(identifier))
    else {
        return Vec::new();
    };
    let mut audience = vec![api.identifier.clone()];
    if grant.scope.contains("openid") {
        audience.push(provider.endpoint("/userinfo"));
    }
    audience
}

/// Records an access token: a JWT for the named API (RFC 9068), or an opaque value when none
/// was named, only good at userinfo and introspection. Its record is in the store before the
/// JWT is signed, so a code replay in between still revokes it.
pub fn access_token(
    provider: &Provider,
    store: &mut Inner<AuthRequest>,
    grant: &Arc<Grant>,
    family: Option<FamilyId>,
    now: u64,
) -> anyhow::Result<Recorded> {
    let api = grant.api.as_deref().and_then(|identifier| provider.world.api(identifier));
    let (token, claims, key, lifetime) = match api {
        Some(api) => {
            // MISCHIEF (issue 6): a scenario's shorter lifetime, never a longer one.
            let configured = api.access_token_lifetime;
            let lifetime = grant.lab_lifetime.map_or(configured, |short| short.min(configured));
            let jti = random_value();
            let audience = audience(provider, grant);
            let mut claims = Map::new();
            claims.insert("iss".into(), json!(provider.issuer));
            claims.insert("sub".into(), json!(grant.sub));
            claims.insert("aud".into(), json!(audience));
            claims.insert("client_id".into(), json!(grant.client_id));
            claims.insert("scope".into(), json!(grant.scope.as_str()));
            claims.insert("iat".into(), json!(now));
            claims.insert("exp".into(), json!(now + lifetime));
            claims.insert("jti".into(), json!(jti));
            if let Some(auth_time) = grant.auth_time {
                claims.insert("auth_time".into(), json!(auth_time));
            }
            (String::new(), Some(Value::Object(claims)), token_key(&jti), lifetime)
        }
        None => {
            let token = random_value();
            let key = token_key(&token);
            let lifetime = provider
                .world
                .client(&grant.client_id)
                .map_or(MIN_LIFETIME, |client| client.opaque_token_lifetime);
            (token, None, key, lifetime)
        }
    };

    let record = AccessToken {
        grant: Arc::clone(grant),
        jwt: claims.is_some(),
        issued_at: now,
        expires_at: now + lifetime,
        family,
        revoked: false,
    };
    store.access.insert(key, record);
    if let Some(family) = family {
        store.add_to_family(family, key);
    }
    Ok(Recorded { minted: Minted { token, expires_in: lifetime, key }, claims })
}

/// Starts a refresh token family for `grant`.
pub fn family(
    store: &mut Inner<AuthRequest>,
    client: &Client,
    grant: &Arc<Grant>,
    now: u64,
) -> FamilyId {
    store.add_family(Family {
        revoked: false,
        expires_at: now + client.refresh_absolute_lifetime,
        grant: Arc::clone(grant),
        access: Vec::new(),
    })
}

/// Makes a refresh token in `family`.
pub fn refresh_token(
    store: &mut Inner<AuthRequest>,
    client: &Client,
    grant: &Arc<Grant>,
    family: FamilyId,
    now: u64,
) -> String {
    let token = random_value();
    let record = RefreshToken {
        grant: Arc::clone(grant),
        family,
        used: false,
        idle_expires_at: now + client.refresh_idle_lifetime,
        issued_at: now,
    };
    store.refresh.insert(token_key(&token), record);
    token
}
