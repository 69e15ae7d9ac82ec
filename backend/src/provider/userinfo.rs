//! The userinfo endpoint (OIDC Core 5.3): claims by scope and by the `claims` parameter (5.5),
//! for a bearer access token sent in the header or the form body (RFC 6750 2.1 and 2.2), with
//! RFC 6750 3 challenges on failure.

use std::sync::Arc;

use axum::Form;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::response::{IntoResponse, Response};
use jsonwebtoken::{Algorithm, Validation};
use serde_json::{Map, Value, json};

use super::Provider;
use super::error::ProviderError;
use super::mint::user_claims;
use super::store::{AccessToken, TokenKey, token_key};
use crate::bearer::{bearer_credentials, jwt_fault};

/// `GET /idp/userinfo` with `Authorization: Bearer` (OIDC Core 5.3.1).
pub async fn userinfo_get(State(provider): State<Arc<Provider>>, headers: HeaderMap) -> Response {
    answer(&provider, &headers, None)
}

/// `POST /idp/userinfo`, the token in the header or as `access_token` in the form body.
pub async fn userinfo_post(
    State(provider): State<Arc<Provider>>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    // A body that is not a form carries no token; the header may still hold one.
    let params = form.map(|Form(params)| params).unwrap_or_default();
    let mut tokens = params.into_iter().filter(|(name, _)| name == "access_token");
    let body_token = tokens.next().map(|(_, value)| value);
    if tokens.next().is_some() {
        let description = "`access_token` is repeated; send the token once (RFC 6749 3.1)";
        return ProviderError::bearer("invalid_request", description).into_response();
    }
    answer(&provider, &headers, body_token)
}

fn answer(provider: &Provider, headers: &HeaderMap, body_token: Option<String>) -> Response {
    match claims(provider, headers, body_token) {
        Ok(claims) => Json(claims).into_response(),
        Err(error) => error.into_response(),
    }
}

fn claims(
    provider: &Provider,
    headers: &HeaderMap,
    body_token: Option<String>,
) -> Result<Value, ProviderError> {
    // 1. Exactly one bearer token (RFC 6750 2).
    let header_token = bearer(headers)?;
    let token = match (header_token, body_token) {
        (Some(_), Some(_)) => {
            return Err(ProviderError::bearer(
                "invalid_request",
                "the token was sent twice, in the header and the body; send it once",
            ));
        }
        (Some(token), None) | (None, Some(token)) => token,
        (None, None) => {
            return Err(ProviderError::Bearer {
                code: None,
                description: "no access token: send `Authorization: Bearer <token>`".to_owned(),
            });
        }
    };

    // 2. A live access token this provider issued.
    let record =
        find_access(provider, &token).map_err(|why| ProviderError::bearer("invalid_token", why))?;

    // 3. A user behind the token: userinfo describes the End-User (OIDC Core 5.3).
    if record.grant.machine {
        return Err(ProviderError::bearer(
            "invalid_token",
            "this access token was issued to a client for itself (client credentials): no user \
             stands behind it, so there is nothing to describe",
        ));
    }

    // 4. The openid scope (OIDC Core 5.3).
    if !record.grant.scope.iter().any(|scope| scope == "openid") {
        return Err(ProviderError::bearer(
            "insufficient_scope",
            "the access token was not granted the `openid` scope",
        ));
    }

    let mut claims = Map::new();
    claims.insert("sub".into(), json!(record.grant.sub));
    let requested = &record.grant.claims.userinfo;
    claims.extend(user_claims(provider, &record.grant.sub, &record.grant.scope, requested));
    Ok(Value::Object(claims))
}

/// The token of an `Authorization: Bearer <b64token>` header (RFC 6750 2.1), if there is one.
fn bearer(headers: &HeaderMap) -> Result<Option<String>, ProviderError> {
    let Some(value) = headers.get(AUTHORIZATION) else { return Ok(None) };
    match bearer_credentials(value.as_bytes()) {
        Ok(token) => Ok(Some(token.to_owned())),
        Err(wrong) => Err(ProviderError::bearer(
            "invalid_request",
            format!(
                "the Authorization header must read `Bearer <token>` (RFC 6750 2.1): {}",
                wrong.explanation()
            ),
        )),
    }
}

/// The live record of an access token (opaque or JWT), or why it is refused.
pub fn find_access(provider: &Provider, token: &str) -> Result<AccessToken, String> {
    let now = provider.now();
    let (key, _) = access_key(provider, token)?;
    let store = provider.store.lock();
    match store.access.get(&key) {
        Some(record) if record.revoked => Err("the access token was revoked".to_owned()),
        Some(record) if record.expires_at <= now => Err("the access token expired".to_owned()),
        Some(record) => Ok(record.clone()),
        None => Err("the access token is unknown or expired".to_owned()),
    }
}

/// The store key of an access token, and its `jti` for a JWT we signed; the key is that of
/// the `jti` for a JWT, of the value if opaque.
pub fn access_key(provider: &Provider, token: &str) -> Result<(TokenKey, Option<String>), String> {
    if token.split('.').count() != 3 {
        return Ok((token_key(token), None));
    }
    let header = jsonwebtoken::decode_header(token)
        .map_err(|_| format!("a malformed JWT: {}", jwt_fault(token)))?;
    if header.typ.as_deref() != Some("at+jwt") {
        return Err("this is not an access token (its `typ` is not `at+jwt`); an ID token \
                    proves a login to the client and is not sent to APIs"
            .to_owned());
    }
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[&provider.issuer]);
    validation.validate_aud = false;
    validation.validate_exp = false;
    let claims: Value = provider
        .keys
        .verify(token, &validation)
        .map_err(|error| format!("the access token does not verify: {error}"))?;
    let jti = claims["jti"].as_str().ok_or_else(|| "the token has no `jti`".to_owned())?;
    Ok((token_key(jti), Some(jti.to_owned())))
}
