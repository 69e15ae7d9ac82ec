//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) and the account page, where a
//! user sees and revokes the consents they gave.
//!
//! A logout request ends the IdP session at once only when its `id_token_hint` names that
//! session; otherwise the user confirms on a page whose form carries the session's
//! anti-forgery token, so no other site can log them out.

use std::sync::Arc;

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;
use serde_json::Value;

use super::Provider;
use super::authorize::consent_label;
use super::error::{IntoResponseText, ProviderError, unreadable};
use super::pages::{self, ConsentEntry, LogoutQuestion, PageReason, ResponseMode};
use super::session;
use super::store::FamilyId;

/// The logout request's parameters (RP-Initiated Logout 1.0 section 2).
#[derive(Deserialize, Default)]
pub struct LogoutParams {
    id_token_hint: Option<String>,
    client_id: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
}

/// The query of Auth0's own logout URL, `/v2/logout`, which express-openid-connect builds
/// when the app sets `auth0Logout` (the identity lab's app does).
#[derive(Deserialize)]
pub struct Auth0LogoutParams {
    #[serde(rename = "returnTo")]
    return_to: Option<String>,
    client_id: Option<String>,
}

/// The confirmation form's fields: the checked request, carried through the page.
#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    csrf: String,
    client_id: Option<String>,
    post_logout_redirect_uri: Option<String>,
    state: Option<String>,
}

/// `GET /idp/logout` (RP-Initiated Logout 1.0 section 2).
pub async fn logout_get(
    State(provider): State<Arc<Provider>>,
    headers: HeaderMap,
    query: Result<Query<LogoutParams>, QueryRejection>,
) -> Response {
    let query = query.map_err(|rejection| unreadable_logout(&rejection));
    query
        .and_then(|Query(params)| logout(&provider, &headers, params))
        .unwrap_or_else(IntoResponse::into_response)
}

/// `POST /idp/logout`, form-encoded (RP-Initiated Logout 1.0 section 2: GET and POST).
pub async fn logout_post(
    State(provider): State<Arc<Provider>>,
    headers: HeaderMap,
    form: Result<Form<LogoutParams>, FormRejection>,
) -> Response {
    let form = form.map_err(|rejection| unreadable_logout(&rejection));
    form.and_then(|Form(params)| logout(&provider, &headers, params))
        .unwrap_or_else(IntoResponse::into_response)
}

/// `GET /idp/v2/logout`: Auth0's own logout URL, in no standard, so that the identity lab's
/// app (`auth0Logout: true`) runs unchanged. It only renames `returnTo` to
/// `post_logout_redirect_uri` and sends the browser on to `/idp/logout` (RP-Initiated Logout
/// 1.0 section 2), where every rule applies: the URI must be registered for `client_id`, and
/// with no `id_token_hint` the user confirms.
pub async fn auth0_logout(
    State(provider): State<Arc<Provider>>,
    query: Result<Query<Auth0LogoutParams>, QueryRejection>,
) -> Response {
    let params = match query {
        Ok(Query(params)) => params,
        Err(rejection) => return unreadable_logout(&rejection).into_response(),
    };

    // Build the standard request from the proprietary one.
    let standard =
        [("client_id", params.client_id), ("post_logout_redirect_uri", params.return_to)];
    let query = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(standard.iter().filter_map(|(name, value)| Some((name, value.as_ref()?))))
        .finish();

    // On to the standard endpoint, which checks it.
    let target = provider.endpoint("/logout");
    let target = if query.is_empty() { target } else { format!("{target}?{query}") };
    Redirect::to(&target).into_response()
}

/// `POST /idp/logout/confirm`: the user's "Log out" on the confirmation or account page
/// (RP-Initiated Logout 1.0 section 2), anti-forgery token checked.
pub async fn logout_confirm(
    State(provider): State<Arc<Provider>>,
    headers: HeaderMap,
    form: Result<Form<ConfirmForm>, FormRejection>,
) -> Response {
    let form = form.map_err(|rejection| unreadable_logout(&rejection));
    form.and_then(|Form(form)| confirm(&provider, &headers, form))
        .unwrap_or_else(IntoResponse::into_response)
}

/// What an ID token hint says: the client it was issued to and the session it came from.
struct Hint {
    client_id: Option<String>,
    sub: Option<String>,
    sid: Option<String>,
}

fn logout(
    provider: &Provider,
    headers: &HeaderMap,
    params: LogoutParams,
) -> Result<Response, ProviderError> {
    let page = |message| ProviderError::page_for(PageReason::LogoutRequest, message);

    // 1. The client: from the ID token hint (our signature; it may have expired) or client_id.
    let hint = params.id_token_hint.as_deref().map(|hint| read_hint(provider, hint)).transpose()?;
    let hinted = hint.as_ref().and_then(|hint| hint.client_id.clone());
    let client_id = match (hinted, params.client_id) {
        (Some(hinted), Some(given)) if hinted != given => {
            return Err(page("`client_id` differs from the ID token hint's audience".to_owned()));
        }
        (Some(id), _) | (None, Some(id)) => Some(id),
        (None, None) => None,
    };

    // 2. The post-logout redirect URI must be registered for that client, exactly.
    let back = registered_back(provider, client_id.as_deref(), params.post_logout_redirect_uri)?;

    // 3. A live session ends at once only when the hint names it; otherwise ask the user.
    let Some((key, session)) = session::current(provider, headers) else {
        let browser = session::key(headers);
        return Ok(finish(provider, browser.as_deref(), back, params.state));
    };
    let hint_matches = hint.is_some_and(|hint| match (hint.sid, hint.sub) {
        (Some(sid), _) => sid == session.sid,
        (None, Some(sub)) => sub == session.sub,
        (None, None) => false,
    });
    if hint_matches {
        return Ok(finish(provider, Some(&key), back, params.state));
    }
    let username = provider.world.user_by_sub(&session.sub).map(|user| user.username.as_str());
    let client_name = client_id
        .as_deref()
        .and_then(|id| provider.world.client(id))
        .map(|client| client.name.as_str());
    let question = LogoutQuestion {
        csrf: &session.csrf,
        client_name,
        client_id: client_id.as_deref(),
        post_logout_redirect_uri: back.as_deref(),
        state: params.state.as_deref(),
    };
    Ok(pages::logout_confirm_page(username.unwrap_or(&session.sub), &question))
}

/// A logout query or form that cannot be read: the provider's page, naming the field.
fn unreadable_logout(rejection: &impl IntoResponseText) -> ProviderError {
    ProviderError::page_for(PageReason::LogoutRequest, unreadable(&rejection.text()))
}

/// Reads an `id_token_hint`: an ID token this provider signed, expired or not.
fn read_hint(provider: &Provider, hint: &str) -> Result<Hint, ProviderError> {
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&[&provider.issuer]);
    validation.validate_exp = false;
    validation.validate_aud = false;
    let claims: Value = provider.keys.verify(hint, &validation).map_err(|error| {
        let why = hint_problem(error.kind());
        let message = format!("`id_token_hint` is not an ID token from this provider: {why}");
        ProviderError::page_for(PageReason::LogoutRequest, message)
    })?;
    let text = |name: &str| claims[name].as_str().map(str::to_owned);

    // An access token (RFC 9068) is signed by the same key; its audience is an API, not a client.
    let client_id = text("aud").filter(|aud| provider.world.client(aud).is_some());
    if client_id.is_none() {
        return Err(ProviderError::page_for(
            PageReason::LogoutRequest,
            "`id_token_hint` is not an ID token: its audience is not a client",
        ));
    }
    Ok(Hint { client_id, sub: text("sub"), sid: text("sid") })
}

/// Why a signed token was refused, in words rather than the JWT library's variant names.
fn hint_problem(kind: &ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidToken => {
            "it is not a JWT (three base64url parts separated by dots: header, claims, signature)"
        }
        ErrorKind::Base64(_) | ErrorKind::Json(_) | ErrorKind::Utf8(_) => {
            "its header or claims are not base64url-encoded JSON"
        }
        ErrorKind::InvalidSignature => "its signature does not match this provider's key",
        ErrorKind::InvalidAlgorithm | ErrorKind::UnsupportedAlgorithm => {
            "it is not signed with RS256, the algorithm this provider signs ID tokens with"
        }
        ErrorKind::InvalidIssuer => "its `iss` is another issuer",
        ErrorKind::MissingRequiredClaim(_) => "a claim this provider puts in ID tokens is missing",
        ErrorKind::InvalidClaimFormat(_) => "a claim has the wrong type",
        ErrorKind::ImmatureSignature => "its `nbf` is in the future",
        _ => "it cannot be verified with this provider's key",
    }
}

fn confirm(
    provider: &Provider,
    headers: &HeaderMap,
    form: ConfirmForm,
) -> Result<Response, ProviderError> {
    // 1. The anti-forgery token must be this session's: no forged logout.
    session::check_csrf(provider, headers, &form.csrf)?;

    // 2. The redirect URI is checked again: the form came back through the browser.
    let back = registered_back(provider, form.client_id.as_deref(), form.post_logout_redirect_uri)?;

    // 3. End the session.
    let key = session::key(headers);
    Ok(finish(provider, key.as_deref(), back, form.state))
}

/// The post-logout redirect URI, when sent: registered for `client_id`, exactly
/// (RP-Initiated Logout 1.0 section 2).
fn registered_back(
    provider: &Provider,
    client_id: Option<&str>,
    uri: Option<String>,
) -> Result<Option<String>, ProviderError> {
    let Some(uri) = uri.filter(|uri| !uri.is_empty()) else {
        return Ok(None);
    };
    let client = client_id.and_then(|id| provider.world.client(id)).ok_or_else(|| {
        ProviderError::page_for(
            PageReason::LogoutRedirect,
            "`post_logout_redirect_uri` needs `id_token_hint` or a known `client_id`",
        )
    })?;
    if !client.post_logout_redirect_uris.contains(&uri) {
        return Err(ProviderError::page_for(
            PageReason::LogoutRedirect,
            format!(
                "`{uri}` is not a registered post-logout redirect URI of `{}`",
                client.client_id
            ),
        ));
    }
    Ok(Some(uri))
}

/// Ends the IdP session under `key`, clears its cookie, and goes back with `state` or says so.
fn finish(
    provider: &Provider,
    key: Option<&str>,
    back: Option<String>,
    state: Option<String>,
) -> Response {
    if let Some(key) = key {
        session::end(provider, key);
    }
    let mut response = match back {
        Some(uri) => {
            let params: Vec<(&str, String)> =
                state.into_iter().map(|state| ("state", state)).collect();
            pages::deliver(&uri, ResponseMode::Query, &params)
        }
        None => pages::logged_out_page(),
    };
    session::clear_cookie(&mut response);
    response
}

/// `GET /idp/account`: the logged-in user and the consents they gave, or the login form.
pub async fn account(State(provider): State<Arc<Provider>>, headers: HeaderMap) -> Response {
    let world = &provider.world;
    let current = session::current(&provider, &headers);
    let Some((user, session)) =
        current.and_then(|(_, session)| Some((world.user_by_sub(&session.sub)?, session)))
    else {
        return match session::form_token(&provider, session::key(&headers).as_deref()) {
            Ok((csrf, cookie)) => {
                let mut page = pages::login_page("", &csrf, None, &world.users, None, None);
                if let Some(cookie) = cookie {
                    page.headers_mut().append(SET_COOKIE, cookie);
                }
                page
            }
            Err(error) => error.into_response(),
        };
    };

    let consents: Vec<ConsentEntry> = world
        .clients
        .iter()
        .filter_map(|client| {
            let scopes = session.consents.get(&client.client_id)?;
            Some(ConsentEntry {
                client_id: client.client_id.clone(),
                client_name: client.name.clone(),
                scopes: scopes.iter().map(|key| consent_label(world, key)).collect(),
            })
        })
        .collect();
    pages::account_page(user, &consents, &session.csrf)
}

/// The revoke button's form.
#[derive(Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    csrf: String,
    client_id: String,
}

/// `POST /idp/account/revoke`: forgets a consent and revokes that client's refresh tokens.
pub async fn revoke_consent(
    State(provider): State<Arc<Provider>>,
    headers: HeaderMap,
    form: Result<Form<RevokeForm>, FormRejection>,
) -> Response {
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => {
            let message = unreadable(&rejection.body_text());
            return ProviderError::page_for(PageReason::Account, message).into_response();
        }
    };

    // 1. The anti-forgery token, then a logged-in session.
    if let Err(error) = session::check_csrf(&provider, &headers, &form.csrf) {
        return error.into_response();
    }
    let Some((key, session)) = session::current(&provider, &headers) else {
        let message = "you are not logged in at the lab provider";
        return ProviderError::page_for(PageReason::Account, message).into_response();
    };

    // 2. Forget this login's consent and revoke the refresh token families it allowed.
    let mut store = provider.store.lock();
    if let Some(stored) = store.sessions.get_mut(&key) {
        stored.consents.remove(&form.client_id);
    }
    store.sessions.recount(&key);
    // Known shortcoming: this reads every family under the store's lock, the one request that
    // scans a whole map. It is a learner's deliberate click, and a hall's day of families (up
    // to 1.4 million, BENCHMARKS.md) takes some tens of milliseconds; an index of families by
    // login would end it.
    let families: Vec<FamilyId> = store
        .families
        .iter()
        .filter(|(_, family)| {
            let grant = &family.grant;
            grant.sid.as_deref() == Some(session.sid.as_str())
                && grant.sub == session.sub
                && grant.client_id == form.client_id
        })
        .map(|(id, _)| *id)
        .collect();
    for family in families {
        store.revoke_family(family);
    }
    drop(store);
    tracing::info!(client_id = %form.client_id, "consent revoked on the account page");
    Redirect::to("../account").into_response()
}
