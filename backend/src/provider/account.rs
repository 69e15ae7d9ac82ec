//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) and the account page, where a
//! user sees and revokes the consents they gave.

use std::sync::Arc;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;
use serde_json::Value;
use subtle::ConstantTimeEq;

use super::Provider;
use super::error::ProviderError;
use super::pages::{self, ConsentEntry, ResponseMode};
use super::session;

/// The logout request's parameters (RP-Initiated Logout 2).
#[derive(Deserialize, Default)]
pub struct LogoutParams {
    id_token_hint: Option<String>,
    client_id: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
}

/// `GET /idp/logout` (RP-Initiated Logout 2).
pub async fn logout_get(
    State(provider): State<Arc<Provider>>,
    headers: HeaderMap,
    Query(params): Query<LogoutParams>,
) -> Response {
    logout(&provider, &headers, params).unwrap_or_else(IntoResponse::into_response)
}

/// `POST /idp/logout`, form-encoded: from a client, or from the account page's button.
pub async fn logout_post(
    State(provider): State<Arc<Provider>>,
    headers: HeaderMap,
    Form(params): Form<LogoutParams>,
) -> Response {
    logout(&provider, &headers, params).unwrap_or_else(IntoResponse::into_response)
}

fn logout(
    provider: &Provider,
    headers: &HeaderMap,
    params: LogoutParams,
) -> Result<Response, ProviderError> {
    let page = ProviderError::Page;

    // 1. The client: from the ID token hint (our signature; it may have expired) or client_id.
    let hinted = match &params.id_token_hint {
        Some(hint) => {
            let mut validation = Validation::new(Algorithm::RS256);
            validation.set_issuer(&[&provider.issuer]);
            validation.validate_exp = false;
            validation.validate_aud = false;
            let claims: Value = provider.keys.verify(hint, &validation).map_err(|error| {
                page(format!("`id_token_hint` is not an ID token from this provider: {error}"))
            })?;
            claims["aud"].as_str().map(str::to_owned)
        }
        None => None,
    };
    let client_id = match (hinted, params.client_id) {
        (Some(hinted), Some(given)) if hinted != given => {
            return Err(page("`client_id` differs from the ID token hint's audience".to_owned()));
        }
        (Some(id), _) | (None, Some(id)) => Some(id),
        (None, None) => None,
    };

    // 2. The post-logout redirect URI must be registered for that client, exactly.
    let back = match &params.post_logout_redirect_uri {
        Some(uri) => {
            let client =
                client_id.as_deref().and_then(|id| provider.world.client(id)).ok_or_else(|| {
                    page(
                        "`post_logout_redirect_uri` needs `id_token_hint` or a known `client_id`"
                            .to_owned(),
                    )
                })?;
            if !client.post_logout_redirect_uris.iter().any(|registered| registered == uri) {
                return Err(page(format!(
                    "`{uri}` is not a registered post-logout redirect URI of `{}`",
                    client.client_id
                )));
            }
            Some(uri.clone())
        }
        None => None,
    };

    // 3. End the session and clear the cookie.
    // FIXME(#3): no confirmation page when there is no `id_token_hint` (RP-Initiated Logout 2
    // advises one); the lab logs out straight away.
    if let Some((key, _)) = session::current(provider, headers) {
        session::end(provider, &key);
    }
    let mut response = match back {
        Some(uri) => {
            let params: Vec<(&str, String)> =
                params.state.into_iter().map(|state| ("state", state)).collect();
            pages::deliver(&uri, ResponseMode::Query, &params)
        }
        None => pages::logged_out_page(),
    };
    session::clear_cookie(&mut response);
    Ok(response)
}

/// `GET /idp/account`: the logged-in user and the consents they gave, or the login form.
pub async fn account(State(provider): State<Arc<Provider>>, headers: HeaderMap) -> Response {
    let world = &provider.world;
    let current = session::current(&provider, &headers);
    let Some((user, session)) =
        current.and_then(|(_, session)| Some((world.user_by_sub(&session.sub)?, session)))
    else {
        return pages::login_page("", None, &world.users, None, None);
    };

    let store = provider.store.lock();
    let consents: Vec<ConsentEntry> = world
        .clients
        .iter()
        .filter_map(|client| {
            let scopes = store.consents.get(&(user.sub.clone(), client.client_id.clone()))?;
            Some(ConsentEntry {
                client_id: client.client_id.clone(),
                client_name: client.name.clone(),
                scopes: scopes.iter().cloned().collect(),
            })
        })
        .collect();
    drop(store);
    pages::account_page(user, &consents, &session.csrf)
}

/// The revoke button's form.
#[derive(Deserialize)]
pub struct RevokeForm {
    csrf: String,
    client_id: String,
}

/// `POST /idp/account/revoke`: forgets a consent and revokes that client's refresh tokens.
pub async fn revoke_consent(
    State(provider): State<Arc<Provider>>,
    headers: HeaderMap,
    Form(form): Form<RevokeForm>,
) -> Response {
    let Some((_, session)) = session::current(&provider, &headers) else {
        return ProviderError::Page("you are not logged in at the lab provider".to_owned())
            .into_response();
    };
    if !bool::from(session.csrf.as_bytes().ct_eq(form.csrf.as_bytes())) {
        return ProviderError::Page(
            "the form's anti-forgery token is wrong; reload the account page".to_owned(),
        )
        .into_response();
    }

    let mut store = provider.store.lock();
    store.consents.remove(&(session.sub.clone(), form.client_id.clone()));
    let families: Vec<String> = store
        .families
        .iter()
        .filter(|(_, family)| family.sub == session.sub && family.client_id == form.client_id)
        .map(|(id, _)| id.clone())
        .collect();
    for family in families {
        store.revoke_family(&family);
    }
    drop(store);
    tracing::info!(client_id = %form.client_id, "consent revoked on the account page");
    Redirect::to("../account").into_response()
}
