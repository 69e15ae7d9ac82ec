//! Token revocation (RFC 7009) and introspection (RFC 7662), both for authenticated clients.

use std::sync::Arc;

use axum::Form;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Provider;
use super::client_auth::{Params, authenticate};
use super::error::ProviderError;
use super::mint;
use super::store::token_key;
use super::token::no_store;
use super::userinfo::access_key;
use super::world::Client;

/// `POST /idp/revoke` (RFC 7009 2.1): revoking a refresh token revokes its family and the
/// access tokens issued from it; an unknown token is answered 200 all the same (2.2).
pub async fn revoke(
    State(provider): State<Arc<Provider>>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let form = form.map_err(|rejection| ProviderError::unreadable_form(&rejection));
    match form.and_then(|Form(params)| revoke_inner(&provider, &headers, &Params(params))) {
        Ok(()) => no_store(().into_response()),
        Err(error) => error.into_response(),
    }
}

fn revoke_inner(
    provider: &Provider,
    headers: &HeaderMap,
    params: &Params,
) -> Result<(), ProviderError> {
    let client = authenticate(provider, headers, params)?;
    let token = params.require("token")?;
    let refused =
        || ProviderError::token("unauthorized_client", "the token was issued to another client");
    let mut store = provider.store.lock();

    // 1. A refresh token: revoke its whole family.
    if let Some(record) = store.refresh.get(&token_key(token)).cloned() {
        if record.grant.client_id != client.client_id {
            return Err(refused());
        }
        store.revoke_family(record.family);
        tracing::info!(client_id = %client.client_id, "refresh token family revoked");
        return Ok(());
    }

    // 2. An access token.
    if let Ok((key, _)) = access_key(provider, token)
        && let Some(record) = store.access.get_mut(&key)
    {
        if record.grant.client_id != client.client_id {
            return Err(refused());
        }
        record.revoked = true;
        tracing::info!(client_id = %client.client_id, "access token revoked");
    }
    Ok(())
}

/// `POST /idp/introspect` (RFC 7662 2): `active` and the token's claims, for the client it was
/// issued to or the API it is for; anything else is `{"active": false}`.
pub async fn introspect(
    State(provider): State<Arc<Provider>>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let form = form.map_err(|rejection| ProviderError::unreadable_form(&rejection));
    match form.and_then(|Form(params)| introspect_inner(&provider, &headers, &Params(params))) {
        Ok(body) => no_store(Json(body).into_response()),
        Err(error) => error.into_response(),
    }
}

fn introspect_inner(
    provider: &Provider,
    headers: &HeaderMap,
    params: &Params,
) -> Result<Value, ProviderError> {
    let client = authenticate(provider, headers, params)?;
    let token = params.require("token")?;
    let now = provider.now();
    let inactive = json!({ "active": false });
    let store = provider.store.lock();

    // 1. A refresh token: live if unused, in a live family, within its idle lifetime.
    if let Some(record) = store.refresh.get(&token_key(token)) {
        let family = store.families.get(&record.family);
        let live = !record.used
            && record.idle_expires_at > now
            && family.is_some_and(|family| !family.revoked && family.expires_at > now);
        if !live || record.grant.client_id != client.client_id {
            return Ok(inactive);
        }
        return Ok(json!({
            "active": true,
            "token_type": "refresh_token",
            "scope": record.grant.scope.as_str(),
            "client_id": record.grant.client_id,
            "sub": record.grant.sub,
            "iat": record.issued_at,
            "exp": record.idle_expires_at,
            "iss": provider.issuer,
        }));
    }

    // 2. An access token: live, and visible to this client.
    let Ok((key, jti)) = access_key(provider, token) else { return Ok(inactive) };
    let Some(record) = store.access.get(&key) else { return Ok(inactive) };
    let audience = mint::audience(provider, &record.grant);
    if record.revoked
        || record.expires_at <= now
        || !may_see(provider, client, &record.grant.client_id, &audience)
    {
        return Ok(inactive);
    }
    let mut body = json!({
        "active": true,
        "token_type": "Bearer",
        "scope": record.grant.scope.as_str(),
        "client_id": record.grant.client_id,
        "iat": record.issued_at,
        "exp": record.expires_at,
        "iss": provider.issuer,
    });

    // A machine's opaque token has no subject: no user, and no JWT `sub` to repeat.
    if record.jwt || !record.grant.machine {
        body["sub"] = json!(record.grant.sub);
    }
    if !audience.is_empty() {
        body["aud"] = json!(audience);
    }
    if let Some(jti) = jti {
        body["jti"] = json!(jti);
    }
    Ok(body)
}

/// Whether `client` may introspect a token: it holds it, or it is the API's own client.
fn may_see(provider: &Provider, client: &Client, holder: &str, audience: &[String]) -> bool {
    holder == client.client_id
        || audience
            .iter()
            .filter_map(|aud| provider.world.api(aud))
            .any(|api| api.client_id.as_deref() == Some(client.client_id.as_str()))
}
