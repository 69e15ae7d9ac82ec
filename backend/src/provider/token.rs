//! The token endpoint (RFC 6749 3.2): the authorization code (4.1.3, with PKCE, RFC 7636
//! 4.6), refresh (6, with rotation and reuse detection, RFC 9700 4.14; the API named again
//! per RFC 8707 2.2) and client credentials (4.4) grants.

use std::sync::Arc;

use axum::Form;
use axum::extract::State;
use axum::extract::rejection::FormRejection;
use axum::http::header::{CACHE_CONTROL, PRAGMA};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::Provider;
use super::authorize::named_api;
use super::claims::Requested;
use super::client_auth::{Params, authenticate};
use super::error::ProviderError;
use super::mint::{self, IdTokenExtras};
use super::store::{Grant, token_key};
use super::world::Client;

/// `POST /idp/token` (RFC 6749 3.2): every answer, success or error, is `no-store`.
pub async fn token(
    State(provider): State<Arc<Provider>>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let result = match form {
        Ok(Form(params)) => grant(&provider, &headers, &Params(params)),
        Err(rejection) => Err(ProviderError::unreadable_form(&rejection)),
    };
    match result {
        Ok(body) => no_store(axum::Json(body).into_response()),
        Err(error) => error.into_response(),
    }
}

/// Marks a response uncacheable (RFC 6749 5.1).
pub fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

fn grant(
    provider: &Provider,
    headers: &HeaderMap,
    params: &Params,
) -> Result<Value, ProviderError> {
    // 1. Authenticate the client (RFC 6749 3.2.1).
    let client = authenticate(provider, headers, params)?;

    // 2. A grant type this client is registered for.
    let grant_type = params.require("grant_type")?;
    let known = ["authorization_code", "refresh_token", "client_credentials"];
    if !known.contains(&grant_type) {
        return Err(ProviderError::token(
            "unsupported_grant_type",
            format!("`grant_type` `{grant_type}` is not supported"),
        ));
    }
    if !client.allows_grant(grant_type) {
        return Err(ProviderError::token(
            "unauthorized_client",
            format!("`{}` may not use the `{grant_type}` grant", client.client_id),
        ));
    }

    match grant_type {
        "authorization_code" => code_grant(provider, client, params),
        "refresh_token" => refresh_grant(provider, client, params),
        _ => client_credentials_grant(provider, client, params),
    }
}

/// The authorization code grant (RFC 6749 4.1.3).
fn code_grant(
    provider: &Provider,
    client: &Client,
    params: &Params,
) -> Result<Value, ProviderError> {
    let code = params.require("code")?;
    let redirect_uri = params.get("redirect_uri")?;
    let verifier = params.get("code_verifier")?;
    let invalid_grant = |description: &str| ProviderError::token("invalid_grant", description);
    let now = provider.now();
    let mut store = provider.store.lock();
    store.make_room(now)?;
    let key = token_key(code);
    let Some(record) = store.codes.get(&key).cloned() else {
        return Err(invalid_grant("the code is unknown or expired"));
    };

    // 1. Single use: a replay revokes what the code issued (RFC 6749 4.1.2).
    if record.used {
        for access in &record.issued {
            if let Some(token) = store.access.get_mut(access) {
                token.revoked = true;
            }
        }
        if let Some(family) = record.family {
            store.revoke_family(family);
        }
        tracing::warn!(client_id = %client.client_id, "authorization code replayed; revoked");
        return Err(invalid_grant(
            "the code was already used; the tokens it issued are now revoked (RFC 6749 4.1.2)",
        ));
    }

    // 2. Bound to the client it was issued to.
    if record.grant.client_id != client.client_id {
        return Err(invalid_grant("the code was issued to another client"));
    }

    // 3. The same redirect URI as the authorization request (RFC 6749 4.1.3).
    match redirect_uri {
        Some(uri) if uri == record.redirect_uri => {}
        Some(uri) => {
            return Err(invalid_grant(&format!(
                "`redirect_uri` `{uri}` differs from the authorization request's"
            )));
        }
        None => {
            return Err(invalid_grant(
                "`redirect_uri` is missing; it must repeat the \
                                          authorization request's",
            ));
        }
    }

    // 4. PKCE (RFC 7636 4.6): BASE64URL(SHA256(verifier)) must equal the challenge.
    match (&record.code_challenge, verifier) {
        (Some(challenge), Some(verifier)) => {
            let well_formed = (43..=128).contains(&verifier.len())
                && verifier.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
            if !well_formed {
                return Err(ProviderError::token(
                    "invalid_request",
                    "`code_verifier` must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~",
                ));
            }
            let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
            if &computed != challenge {
                return Err(invalid_grant(
                    "PKCE failed: SHA-256 of `code_verifier` does not match `code_challenge`",
                ));
            }
        }
        (Some(_), None) => {
            return Err(invalid_grant("`code_verifier` is missing; the code has a PKCE challenge"));
        }
        (None, Some(_)) => {
            return Err(invalid_grant(
                "a `code_verifier` was sent but the authorization request had no challenge",
            ));
        }
        (None, None) => {}
    }

    // 5. A resource named again must be the one the code is for (RFC 8707 2.2).
    same_api(provider, params, record.grant.api.as_deref(), "code")?;

    // 6. Issue: access token, refresh token with offline_access, ID token with openid.
    let grant = record.grant.clone();
    let family = grant
        .scope
        .iter()
        .any(|scope| scope == "offline_access")
        .then(|| mint::family(&mut store, client, &grant, now));
    let access = mint::access_token(provider, &mut store, &grant, family, now)?;
    let refresh = family.map(|family| mint::refresh_token(&mut store, client, &grant, family, now));
    if let Some(stored) = store.codes.get_mut(&key) {
        stored.used = true;
        stored.issued.push(access.key());
        stored.family = family;
    }
    store.codes.recount(&key);
    drop(store);
    let access = access.sign(provider)?;

    let id_token = if grant.scope.contains("openid") {
        let extras = IdTokenExtras {
            nonce: record.nonce.as_deref(),
            access_token: Some(&access.token),
            code: None,
        };
        Some(mint::id_token(provider, client, &grant, extras, now)?)
    } else {
        None
    };
    tracing::info!(client_id = %client.client_id, "tokens issued for a code");
    Ok(response(&grant, access, refresh, id_token))
}

/// The refresh token grant (RFC 6749 6), rotating and detecting reuse (RFC 9700 4.14.2).
fn refresh_grant(
    provider: &Provider,
    client: &Client,
    params: &Params,
) -> Result<Value, ProviderError> {
    let token = params.require("refresh_token")?;
    let narrowed = params.get("scope")?;
    let invalid_grant = |description: &str| ProviderError::token("invalid_grant", description);
    let now = provider.now();
    let mut store = provider.store.lock();
    store.make_room(now)?;
    let key = token_key(token);
    let Some(record) = store.refresh.get(&key).cloned() else {
        return Err(invalid_grant("the refresh token is unknown, expired or revoked"));
    };

    // 1. Bound to its client.
    if record.grant.client_id != client.client_id {
        return Err(invalid_grant("the refresh token was issued to another client"));
    }

    // 2. Its family: alive and within the absolute lifetime.
    let Some(family) = store.families.get(&record.family).cloned() else {
        return Err(invalid_grant("the refresh token passed its absolute lifetime"));
    };
    if family.revoked {
        return Err(invalid_grant("the refresh token was revoked"));
    }

    // 3. Reuse of a rotated token revokes the whole family.
    if record.used {
        store.revoke_family(record.family);
        tracing::warn!(client_id = %client.client_id, "refresh token reuse; family revoked");
        return Err(invalid_grant(
            "refresh token reuse detected: this token was already rotated, so the whole family \
             is now revoked (RFC 9700 4.14.2)",
        ));
    }

    // 4. Idle lifetime.
    if record.idle_expires_at <= now {
        return Err(invalid_grant("the refresh token passed its idle lifetime"));
    }

    // 5. A refresh may narrow the scope, never widen it (RFC 6749 6).
    let mut grant = record.grant.clone();
    if let Some(narrowed) = narrowed {
        let asked: Vec<String> =
            narrowed.split(' ').filter(|w| !w.is_empty()).map(str::to_owned).collect();
        if let Some(extra) = asked.iter().find(|scope| !record.grant.scope.contains(scope)) {
            return Err(ProviderError::token(
                "invalid_scope",
                format!(
                    "a refresh may narrow the scope, never widen it: `{extra}` was not granted"
                ),
            ));
        }
        // A claim asked for by name that a dropped scope gave was consented as part of that
        // scope (`Offer`), so it goes with it: nothing beyond the narrowed scope.
        let dropped: Vec<&str> = record
            .grant
            .scope
            .iter()
            .filter(|scope| !asked.iter().any(|kept| kept == scope))
            .flat_map(super::claims::of_scope)
            .copied()
            .collect();
        let narrowed = Arc::make_mut(&mut grant);
        narrowed.scope = asked.iter().collect();
        narrowed.claims = narrowed.claims.without(&dropped);
    }

    // 6. A resource named again must be the API the grant covers (RFC 8707 2.2).
    same_api(provider, params, record.grant.api.as_deref(), "refresh token")?;

    // 7. Rotate: retire this token, issue the next one of the family.
    let refresh = if client.rotate_refresh_tokens {
        if let Some(stored) = store.refresh.get_mut(&key) {
            stored.used = true;
        }
        Some(mint::refresh_token(&mut store, client, &record.grant, record.family, now))
    } else {
        if let Some(stored) = store.refresh.get_mut(&key) {
            stored.idle_expires_at = now + client.refresh_idle_lifetime;
        }
        None
    };
    let access = mint::access_token(provider, &mut store, &grant, Some(record.family), now)?;
    drop(store);
    let access = access.sign(provider)?;

    let id_token = if grant.scope.contains("openid") {
        let extras = IdTokenExtras { access_token: Some(&access.token), ..Default::default() };
        Some(mint::id_token(provider, client, &grant, extras, now)?)
    } else {
        None
    };
    tracing::info!(client_id = %client.client_id, "tokens refreshed");
    Ok(response(&grant, access, refresh, id_token))
}

/// Checks the API a code or refresh request names again, by `resource` (RFC 8707 2.2) or
/// Auth0's `audience`: it must be the one API `granted` covers; naming none is fine. Each
/// refusal is `invalid_target` and says what `what` (the code or refresh token) was granted for.
fn same_api(
    provider: &Provider,
    params: &Params,
    granted: Option<&str>,
    what: &str,
) -> Result<(), ProviderError> {
    let audience = params.get("audience")?;
    let expected = match granted {
        Some(api) => format!("the {what} was granted for `{api}`"),
        None => format!("the {what} was granted for no API, so name none"),
    };

    // 1. The same rules as every request that names an API: one, absolute, known.
    let named = named_api(&provider.world, audience, &params.all("resource")).map_err(
        |(code, description)| ProviderError::token(code, format!("{description}; {expected}")),
    )?;

    // 2. That API is the granted one.
    match named {
        Some(api) if granted != Some(api.identifier.as_str()) => {
            let field = if audience.is_some() { "audience" } else { "resource" };
            Err(ProviderError::token(
                "invalid_target",
                format!("`{field}` `{}` is not the expected API: {expected}", api.identifier),
            ))
        }
        _ => Ok(()),
    }
}

/// The client credentials grant (RFC 6749 4.4): an API is required, unless the client's
/// `opaque_token_without_api` is on; no refresh token, no ID token.
fn client_credentials_grant(
    provider: &Provider,
    client: &Client,
    params: &Params,
) -> Result<Value, ProviderError> {
    // 1. The API, by audience or resource, and what the client was granted for it; with no
    //    API, an opaque token within everything it was granted, if its scenario allows it.
    let api = named_api(&provider.world, params.get("audience")?, &params.all("resource"))
        .map_err(|(code, description)| ProviderError::token(code, description))?;
    let granted: Vec<&String> = match api {
        Some(api) => match client.grants.get(&api.identifier) {
            Some(granted) => granted.iter().collect(),
            None => {
                return Err(ProviderError::token(
                    "unauthorized_client",
                    format!("`{}` has no grant for `{}`", client.client_id, api.identifier),
                ));
            }
        },
        None if client.opaque_token_without_api => client.grants.values().flatten().collect(),
        None => {
            return Err(ProviderError::token(
                "invalid_request",
                "name the API with `audience` or `resource`: client credentials tokens are for \
                 an API",
            ));
        }
    };
    let target = api.map_or("any API", |api| api.identifier.as_str());

    // 2. The scope, within what the client was granted.
    let scope: Vec<String> = match params.get("scope")? {
        None => {
            let mut all: Vec<String> = Vec::new();
            for permission in granted {
                if !all.contains(permission) {
                    all.push(permission.clone());
                }
            }
            all
        }
        Some(asked) => {
            let asked: Vec<String> =
                asked.split(' ').filter(|w| !w.is_empty()).map(str::to_owned).collect();
            if let Some(extra) = asked.iter().find(|scope| !granted.contains(scope)) {
                return Err(ProviderError::token(
                    "invalid_scope",
                    format!("`{}` was not granted `{extra}` for {target}", client.client_id),
                ));
            }
            asked
        }
    };

    // 3. The access token alone.
    let grant = Arc::new(Grant {
        client_id: client.client_id.clone(),
        sub: client.client_id.clone(),
        scope: scope.iter().collect(),
        api: api.map(|api| api.identifier.clone()),
        auth_time: None,
        sid: None,
        machine: true,
        lab_lifetime: None,
        claims: Requested::default(),
    });
    let now = provider.now();
    let mut store = provider.store.lock();
    store.make_room(now)?;
    let access = mint::access_token(provider, &mut store, &grant, None, now)?;
    drop(store);
    let access = access.sign(provider)?;
    tracing::info!(client_id = %client.client_id, api = %target, "machine token issued");
    Ok(response(&grant, access, None, None))
}

/// The successful response (RFC 6749 5.1, OIDC Core 3.1.3.3).
fn response(
    grant: &Grant,
    access: mint::Minted,
    refresh: Option<String>,
    id_token: Option<String>,
) -> Value {
    let mut body = Map::new();
    body.insert("access_token".into(), json!(access.token));
    body.insert("token_type".into(), json!("Bearer"));
    body.insert("expires_in".into(), json!(access.expires_in));
    body.insert("scope".into(), json!(grant.scope.as_str()));
    if let Some(refresh) = refresh {
        body.insert("refresh_token".into(), json!(refresh));
    }
    if let Some(id_token) = id_token {
        body.insert("id_token".into(), json!(id_token));
    }
    Value::Object(body)
}
