//! How a resource server validates a JWT access token (RFC 6750 2, RFC 9068 4), one named
//! check at a time, so the sandbox can show the API's side of every answer.
//!
//! The keys come from the issuer's JWKS, found through discovery and fetched over real HTTP,
//! cached by `kid`: the API is a separate resource server in spirit, even when it shares the
//! process with the provider.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::Mutex;

use super::error::ApiError;
use crate::bearer::{bearer_credentials, jwt_fault};

/// The clock skew allowed on `exp` and `nbf`, in seconds: small, so 10 s tokens still expire.
pub const LEEWAY: u64 = 5;

/// How soon an unknown `kid` may trigger another JWKS fetch.
const REFETCH_AFTER: Duration = Duration::from_secs(10);

/// One check the API ran on a request.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// What was checked, as `aud contains https://expenses-api`.
    pub name: String,
    /// Whether it held.
    pub passed: bool,
    /// What the API expected.
    pub expected: String,
    /// What it found.
    pub found: String,
}

impl Check {
    fn new(
        name: &str,
        passed: bool,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        Self { name: name.to_owned(), passed, expected: expected.into(), found: found.into() }
    }
}

/// A token that passed every check.
#[derive(Debug)]
pub struct Accepted {
    /// The checks, all passed.
    pub checks: Vec<Check>,
    /// The verified claims.
    pub claims: Value,
}

/// A resource server: its identifier, the issuer it trusts, and the cached keys.
pub struct ResourceServer {
    /// The identifier the token's `aud` must contain.
    pub identifier: String,
    /// The issuer it trusts.
    pub issuer: String,
    http: reqwest::Client,
    keys: Mutex<KeyCache>,
}

#[derive(Default)]
struct KeyCache {
    keys: HashMap<String, DecodingKey>,
    fetched_at: Option<Instant>,
}

impl ResourceServer {
    /// A resource server for `identifier`, trusting `issuer`, fetching with `http`.
    pub fn new(identifier: &str, issuer: &str, http: reqwest::Client) -> Self {
        Self {
            identifier: identifier.to_owned(),
            issuer: issuer.to_owned(),
            http,
            keys: Mutex::new(KeyCache::default()),
        }
    }

    /// Runs every check on the request's bearer token and the permission `scope`.
    pub async fn validate(
        &self,
        headers: &HeaderMap,
        scope: &'static str,
    ) -> Result<Accepted, ApiError> {
        let mut checks = Vec::new();
        let invalid = |checks: &mut Vec<Check>, check: Check, explanation: String| {
            checks.push(check);
            ApiError::InvalidToken { checks: std::mem::take(checks), explanation }
        };

        // 1. A bearer token in the Authorization header (RFC 6750 2.1).
        let expected = "Authorization: Bearer <access token>";
        let Some(value) = headers.get(AUTHORIZATION) else {
            checks.push(Check::new(
                "bearer token present",
                false,
                expected,
                "no Authorization header",
            ));
            return Err(ApiError::NoToken {
                checks,
                explanation: "no access token was sent: this API needs one in the \
                              Authorization header"
                    .to_owned(),
            });
        };
        let token = match bearer_credentials(value.as_bytes()) {
            Ok(token) => token.to_owned(),
            Err(wrong) => {
                checks.push(Check::new("bearer token present", false, expected, wrong.found()));
                return Err(ApiError::InvalidRequest {
                    checks,
                    explanation: format!(
                        "the Authorization header must read `Bearer <token>` (RFC 6750 2.1): {}",
                        wrong.explanation()
                    ),
                });
            }
        };
        checks.push(Check::new("bearer token present", true, expected, "Bearer token"));

        // 2. A JWT: a token of three dot-separated parts must parse as one; others are opaque.
        let header = match jsonwebtoken::decode_header(&token) {
            Ok(header) => header,
            Err(_) if token.split('.').count() == 3 => {
                let fault = jwt_fault(&token);
                let check =
                    Check::new("token is a JWT", false, "header.payload.signature", fault.clone());
                return Err(invalid(
                    &mut checks,
                    check,
                    format!(
                        "this access token is shaped like a JWT (three parts) but is malformed: \
                         {fault}"
                    ),
                ));
            }
            Err(_) => {
                let check = Check::new(
                    "token is a JWT",
                    false,
                    "header.payload.signature",
                    "an opaque value",
                );
                return Err(invalid(
                    &mut checks,
                    check,
                    "this access token is opaque: the API cannot read or validate it. It is only \
                     good at the provider: at userinfo (when a user stands behind it) and \
                     introspection. Ask for a token for this API by naming it with `audience` or \
                     `resource`."
                        .to_owned(),
                ));
            }
        };
        checks.push(Check::new("token is a JWT", true, "header.payload.signature", "a JWT"));

        // 3. The signature, with the issuer's key named by `kid`, RS256 only.
        let kid = header.kid.clone().unwrap_or_default();
        let key_check = format!("signature verifies (RS256, kid `{kid}`)");
        if header.alg != Algorithm::RS256 {
            let check = Check::new(&key_check, false, "alg RS256", format!("alg {:?}", header.alg));
            return Err(invalid(
                &mut checks,
                check,
                "the token is not signed with RS256".to_owned(),
            ));
        }
        let key = match self.key(&kid).await {
            Ok(Some(key)) => key,
            Ok(None) => {
                let check = Check::new(
                    &key_check,
                    false,
                    "a key of the issuer's JWKS",
                    "no key with this kid",
                );
                return Err(invalid(
                    &mut checks,
                    check,
                    "the token was signed with a key the issuer does not publish".to_owned(),
                ));
            }
            Err(error) => {
                checks.push(Check::new(&key_check, false, "the issuer's JWKS", "cannot fetch it"));
                return Err(ApiError::Upstream {
                    checks,
                    what: format!("cannot fetch the issuer's keys: {error:#}"),
                });
            }
        };
        let mut validation = Validation::new(Algorithm::RS256);
        validation.validate_exp = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        let claims: Value = match jsonwebtoken::decode::<Value>(&token, &key, &validation) {
            Ok(data) => data.claims,
            Err(error) => {
                let check = Check::new(&key_check, false, "a valid signature", error.to_string());
                return Err(invalid(
                    &mut checks,
                    check,
                    "the signature does not verify: the token was changed or forged".to_owned(),
                ));
            }
        };
        checks.push(Check::new(&key_check, true, "a valid signature", "valid"));

        // 4. An access token, not an ID token (RFC 9068 4: typ at+jwt).
        let typ = header.typ.clone().unwrap_or_default();
        if !typ.eq_ignore_ascii_case("at+jwt") {
            let check = Check::new("typ is at+jwt", false, "at+jwt", typ.clone());
            let aud = audience(&claims).join(" ");
            let explanation = if claims.get("nonce").is_some()
                || claims.get("azp").is_some()
                || typ == "JWT"
            {
                format!(
                    "this is an ID token, not an access token. An ID token tells the client who \
                     logged in; its audience is the client (`{aud}`), not this API. Send the \
                     access token instead."
                )
            } else {
                "the token's type is not at+jwt, so it is not an access token (RFC 9068)".to_owned()
            };
            return Err(invalid(&mut checks, check, explanation));
        }
        checks.push(Check::new("typ is at+jwt", true, "at+jwt", typ));

        // 5. The issuer.
        let iss = claims["iss"].as_str().unwrap_or_default().to_owned();
        if iss != self.issuer {
            let check = Check::new("iss", false, self.issuer.clone(), iss);
            return Err(invalid(
                &mut checks,
                check,
                "the token comes from another issuer".to_owned(),
            ));
        }
        checks.push(Check::new("iss", true, self.issuer.clone(), iss));

        // 6. The audience contains this API.
        let aud = audience(&claims);
        let aud_name = format!("aud contains {}", self.identifier);
        if !aud.iter().any(|aud| aud == &self.identifier) {
            let check = Check::new(&aud_name, false, self.identifier.clone(), aud.join(" "));
            return Err(invalid(
                &mut checks,
                check,
                format!(
                    "the token is for another audience ({}), not for this API ({}); ask for a \
                     token naming this API",
                    aud.join(" "),
                    self.identifier
                ),
            ));
        }
        checks.push(Check::new(&aud_name, true, self.identifier.clone(), aud.join(" ")));

        // 7. exp and nbf, with a small leeway.
        let now = jsonwebtoken::get_current_timestamp();
        let exp = claims["exp"].as_u64();
        match exp {
            Some(exp) if exp + LEEWAY > now => {
                checks.push(Check::new(
                    "not expired (exp)",
                    true,
                    format!("after {now}"),
                    exp.to_string(),
                ));
            }
            _ => {
                let found = exp.map_or("no exp".to_owned(), |exp| {
                    format!("{exp}, {} s ago", now.saturating_sub(exp))
                });
                let check = Check::new("not expired (exp)", false, format!("after {now}"), found);
                return Err(invalid(
                    &mut checks,
                    check,
                    "the access token has expired: the client must refresh it or ask for a new one"
                        .to_owned(),
                ));
            }
        }
        if let Some(nbf) = claims["nbf"].as_u64() {
            if nbf > now + LEEWAY {
                let check =
                    Check::new("valid yet (nbf)", false, format!("before {now}"), nbf.to_string());
                return Err(invalid(&mut checks, check, "the token is not valid yet".to_owned()));
            }
            checks.push(Check::new(
                "valid yet (nbf)",
                true,
                format!("before {now}"),
                nbf.to_string(),
            ));
        }

        // 8. The permission this route needs (RFC 6750 3.1, insufficient_scope).
        let granted = claims["scope"].as_str().unwrap_or_default().to_owned();
        let scope_name = format!("scope includes {scope}");
        if !granted.split(' ').any(|word| word == scope) {
            checks.push(Check::new(&scope_name, false, scope, granted.clone()));
            return Err(ApiError::InsufficientScope {
                checks,
                scope,
                explanation: format!(
                    "the token is valid but was not granted `{scope}` (it has `{granted}`); the \
                     user may not hold that permission, or the client did not ask for it"
                ),
            });
        }
        checks.push(Check::new(&scope_name, true, scope, granted));

        tracing::info!(
            api = %self.identifier,
            iat = claims["iat"].as_u64().unwrap_or_default(),
            sub = claims["sub"].as_str().unwrap_or_default(),
            "accepted an access token"
        );
        Ok(Accepted { checks, claims })
    }

    /// The key `kid`, fetching the JWKS when it is unknown (at most every ten seconds).
    async fn key(&self, kid: &str) -> anyhow::Result<Option<DecodingKey>> {
        let mut cache = self.keys.lock().await;
        if let Some(key) = cache.keys.get(kid) {
            return Ok(Some(key.clone()));
        }
        if cache.fetched_at.is_some_and(|at| at.elapsed() < REFETCH_AFTER) {
            return Ok(None);
        }

        let jwks = self.fetch_jwks().await?;
        cache.fetched_at = Some(Instant::now());
        cache.keys.clear();
        for jwk in &jwks.keys {
            if let (Some(id), Ok(key)) = (&jwk.common.key_id, DecodingKey::from_jwk(jwk)) {
                cache.keys.insert(id.clone(), key);
            }
        }
        tracing::info!(api = %self.identifier, keys = cache.keys.len(), "fetched the JWKS");
        Ok(cache.keys.get(kid).cloned())
    }

    /// Discovery, then the JWKS it names.
    async fn fetch_jwks(&self) -> anyhow::Result<JwkSet> {
        let discovery_url = format!("{}/.well-known/openid-configuration", self.issuer);
        let discovery: Value = self
            .http
            .get(&discovery_url)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await
            .with_context(|| format!("discovery at {discovery_url}"))?;
        let jwks_uri = discovery["jwks_uri"].as_str().context("discovery has no jwks_uri")?;
        let jwks = self
            .http
            .get(jwks_uri)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await
            .with_context(|| format!("JWKS at {jwks_uri}"))?;
        Ok(jwks)
    }
}

/// `aud` as a list, whether the token holds a string or an array.
fn audience(claims: &Value) -> Vec<String> {
    match &claims["aud"] {
        Value::String(aud) => vec![aud.clone()],
        Value::Array(list) => list.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}
