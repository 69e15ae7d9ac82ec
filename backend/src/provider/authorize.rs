//! The authorization endpoint (RFC 6749 3.1, OIDC Core 3.1.2 and 3.3.2) with its login and
//! consent pages.
//!
//! A request is checked in the order that decides where errors may go: first the client and its
//! exact redirect URI (until both are trusted, errors are a page at the provider), then every
//! other parameter (errors go back to the client, RFC 6749 4.1.2.1). A request waiting for login
//! or consent is kept server-side under a random id that the forms carry.

use std::sync::Arc;

use axum::Form;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use subtle::ConstantTimeEq;

use super::Provider;
use super::claims::{self, ClaimsRequest};
use super::error::{ProviderError, RedirectError, unreadable};
use super::mint;
use super::pages::{self, ConsentGroup, ConsentLine, PageReason, ResponseMode};
use super::session;
use super::store::{Code, Footprint, Grant, Pending, Session, random_value, token_key};
use super::world::{Api, Client, User, World};

/// How long a login or consent form stays usable.
pub const PENDING_LIFETIME: u64 = 600;

/// The response types the provider supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    /// `code`: the authorization code flow.
    Code,
    /// `code id_token`: the hybrid flow, an ID token on the front channel beside the code.
    CodeIdToken,
}

/// The `prompt` values asked for (OIDC Core 3.1.2.1).
#[derive(Debug, Clone, Copy, Default)]
pub struct Prompt {
    /// No page may be shown.
    pub none: bool,
    /// Ask for the password even with a live session.
    pub login: bool,
    /// Ask for consent even when it was given before.
    pub consent: bool,
}

/// A checked authorization request.
#[derive(Debug, Clone)]
pub struct AuthRequest {
    /// The client.
    pub client_id: String,
    /// The exact registered redirect URI.
    pub redirect_uri: String,
    /// `code` or `code id_token`.
    pub response_type: ResponseType,
    /// How the response travels back.
    pub response_mode: ResponseMode,
    /// The scopes requested, in order, without repeats.
    pub scope: Vec<String>,
    /// The API named by `audience` or `resource`.
    pub api: Option<String>,
    /// Echoed back.
    pub state: Option<String>,
    /// Put into the ID token.
    pub nonce: Option<String>,
    /// The PKCE S256 challenge.
    pub code_challenge: Option<String>,
    /// `prompt`.
    pub prompt: Prompt,
    /// `max_age` in seconds.
    pub max_age: Option<u64>,
    /// Pre-fills the username.
    pub login_hint: Option<String>,
    /// The `claims` parameter (OIDC Core 5.5), read.
    pub claims: ClaimsRequest,
    /// MISCHIEF (issue 6): a shorter access token lifetime a broken scenario asked for.
    pub lab_lifetime: Option<u64>,
    /// The user entered their password during this request.
    pub fresh_login: bool,
    /// The user approved the consent page during this request.
    pub consent_given: bool,
    /// The session (store key) the consent page was shown to.
    pub browser: Option<String>,
}

impl Footprint for AuthRequest {
    fn heap_bytes(&self) -> usize {
        let strings = [&self.client_id, &self.redirect_uri].map(Footprint::heap_bytes);
        let optional =
            [&self.api, &self.state, &self.nonce, &self.code_challenge, &self.login_hint]
                .map(Footprint::heap_bytes);
        strings.iter().chain(&optional).sum::<usize>()
            + self.scope.heap_bytes()
            + self.claims.requested.id_token.heap_bytes()
            + self.claims.requested.userinfo.heap_bytes()
            + self.claims.subject.heap_bytes()
            + self.browser.heap_bytes()
    }
}

/// `GET /idp/authorize` (RFC 6749 4.1.1, OIDC Core 3.1.2.1).
pub async fn authorize_get(
    State(provider): State<Arc<Provider>>,
    headers: HeaderMap,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    let query = query.map_err(|rejection| ProviderError::unreadable_page(&rejection));
    query
        .and_then(|Query(params)| start(&provider, &headers, &params))
        .unwrap_or_else(IntoResponse::into_response)
}

/// `POST /idp/authorize`, form-encoded (OIDC Core 3.1.2.1: GET and POST are both supported).
pub async fn authorize_post(
    State(provider): State<Arc<Provider>>,
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let form = form.map_err(|rejection| ProviderError::unreadable_page(&rejection));
    form.and_then(|Form(params)| start(&provider, &headers, &params))
        .unwrap_or_else(IntoResponse::into_response)
}

fn start(
    provider: &Provider,
    headers: &HeaderMap,
    params: &[(String, String)],
) -> Result<Response, ProviderError> {
    let request = check(provider, params)?;
    let session = session::current(provider, headers);
    proceed(provider, session::key(headers), session, request)
}

/// The value of `name`, or an error when it is repeated (RFC 6749 3.1).
fn one<'a>(params: &'a [(String, String)], name: &str) -> Result<Option<&'a str>, String> {
    let mut values = params.iter().filter(|(key, _)| key == name).map(|(_, value)| value);
    let first = values.next();
    if values.next().is_some() {
        return Err(format!("`{name}` is repeated"));
    }
    Ok(first.map(String::as_str).filter(|value| !value.is_empty()))
}

/// Checks an authorization request, in the order that decides where its errors go.
fn check(provider: &Provider, params: &[(String, String)]) -> Result<AuthRequest, ProviderError> {
    let world = &provider.world;
    let page = ProviderError::Page;

    // 1. The client must be registered; until it is, errors stay at the provider.
    let client_id = one(params, "client_id").map_err(page)?;
    let client_id = client_id.ok_or_else(|| page("`client_id` is missing".to_owned()))?;
    let client = world
        .client(client_id)
        .ok_or_else(|| page(format!("no client `{client_id}` is registered at this provider")))?;

    // 2. The redirect URI must be sent and match a registered one exactly (RFC 9700 4.1.3).
    let redirect_uri = one(params, "redirect_uri").map_err(page)?.ok_or_else(|| {
        page("`redirect_uri` is missing; the lab provider always requires it".to_owned())
    })?;
    if !client.redirect_uris.iter().any(|registered| registered == redirect_uri) {
        return Err(page(format!(
            "`{redirect_uri}` is not a registered redirect URI of `{client_id}`; registered: {}",
            client.redirect_uris.join(", ")
        )));
    }

    // From here on, errors go back to the client with `state`.
    let raw_type = one(params, "response_type");
    let response_type =
        raw_type.as_ref().ok().and_then(|raw| parse_response_type(raw.unwrap_or("")));
    let default_mode = match response_type {
        Some(ResponseType::CodeIdToken) => ResponseMode::Fragment,
        _ => ResponseMode::Query,
    };
    let mut back = RedirectError {
        redirect_uri: redirect_uri.to_owned(),
        response_mode: default_mode,
        state: None,
        code: "invalid_request",
        description: String::new(),
        issuer: provider.issuer.clone(),
    };
    let fail = |back: &RedirectError, code: &'static str, description: String| {
        ProviderError::Redirect(Box::new(RedirectError {
            redirect_uri: back.redirect_uri.clone(),
            response_mode: back.response_mode,
            state: back.state.clone(),
            code,
            description,
            issuer: back.issuer.clone(),
        }))
    };
    let get = |back: &RedirectError, name: &str| {
        one(params, name).map_err(|message| fail(back, "invalid_request", message))
    };

    // 3. state and response_mode, needed to send any later error.
    back.state = get(&back, "state")?.map(str::to_owned);
    if let Some(mode) = get(&back, "response_mode")? {
        let parsed = ResponseMode::parse(mode).ok_or_else(|| {
            fail(&back, "invalid_request", format!("`response_mode` `{mode}` is not supported"))
        })?;
        back.response_mode = parsed;
    }

    // 4. response_type: supported, and registered for this client.
    let Some(response_type) = response_type else {
        let (code, description) = match raw_type {
            Err(repeated) => ("invalid_request", repeated),
            Ok(None) => ("invalid_request", "`response_type` is missing".to_owned()),
            Ok(Some(raw)) => (
                "unsupported_response_type",
                format!("`response_type` `{raw}` is not supported: use `code` or `code id_token`"),
            ),
        };
        return Err(fail(&back, code, description));
    };
    let canonical = match response_type {
        ResponseType::Code => "code",
        ResponseType::CodeIdToken => "code id_token",
    };
    if !client.response_types.iter().any(|allowed| allowed == canonical) {
        return Err(fail(
            &back,
            "unauthorized_client",
            format!("`{client_id}` may not use response_type `{canonical}`"),
        ));
    }
    if response_type == ResponseType::CodeIdToken && back.response_mode == ResponseMode::Query {
        return Err(fail(
            &back,
            "invalid_request",
            "response_mode `query` cannot carry an ID token (OAuth 2.0 Multiple Response \
             Types 5); use `fragment` or `form_post`"
                .to_owned(),
        ));
    }

    // 5. Request objects, which the lab provider does not implement, fail loudly.
    if get(&back, "request")?.is_some() {
        return Err(fail(&back, "request_not_supported", "`request` is not supported".into()));
    }
    if get(&back, "request_uri")?.is_some() {
        let description = "`request_uri` is not supported".to_owned();
        return Err(fail(&back, "request_uri_not_supported", description));
    }

    // 6. The claims asked for by name (OIDC Core 5.5).
    let claims = match get(&back, "claims")? {
        Some(raw) => claims::parse(raw).map_err(|error| fail(&back, "invalid_request", error))?,
        None => ClaimsRequest::default(),
    };

    // 7. scope, and the API named by `audience` (as Auth0 takes it) or `resource` (RFC 8707).
    let mut scope: Vec<String> = Vec::new();
    for word in get(&back, "scope")?.unwrap_or_default().split(' ').filter(|w| !w.is_empty()) {
        if !scope.iter().any(|known| known == word) {
            scope.push(word.to_owned());
        }
    }
    let api = named_api(world, get(&back, "audience")?, &all(params, "resource"))
        .map_err(|(code, description)| fail(&back, code, description))?;

    // 8. The hybrid flow needs openid and a nonce (OIDC Core 3.3.2.11).
    let nonce = get(&back, "nonce")?.map(str::to_owned);
    if response_type == ResponseType::CodeIdToken {
        if !scope.iter().any(|word| word == "openid") {
            let description = "`code id_token` needs the `openid` scope".to_owned();
            return Err(fail(&back, "invalid_request", description));
        }
        if nonce.is_none() {
            let description =
                "`nonce` is required when an ID token comes from the front channel".to_owned();
            return Err(fail(&back, "invalid_request", description));
        }
    }

    // 9. PKCE (RFC 7636 4.3): S256 only; required unless the client is registered without it.
    let code_challenge = get(&back, "code_challenge")?;
    let method = get(&back, "code_challenge_method")?;
    let code_challenge = match (code_challenge, method) {
        (Some(challenge), Some("S256")) => {
            if challenge.len() != 43 || !challenge.bytes().all(is_base64url) {
                let description =
                    "`code_challenge` must be 43 base64url characters (SHA-256 of the verifier)";
                return Err(fail(&back, "invalid_request", description.to_owned()));
            }
            Some(challenge.to_owned())
        }
        (Some(_), Some(other)) => {
            let description =
                format!("`code_challenge_method` `{other}` is not supported; use S256");
            return Err(fail(&back, "invalid_request", description));
        }
        (Some(_), None) => {
            let description = "`code_challenge_method` is missing, which means `plain`; \
                               the lab provider supports only S256"
                .to_owned();
            return Err(fail(&back, "invalid_request", description));
        }
        (None, _) if client.require_pkce => {
            let description =
                format!("`{client_id}` must send a PKCE `code_challenge` (S256, RFC 7636)");
            return Err(fail(&back, "invalid_request", description));
        }
        (None, _) => None,
    };

    // 10. prompt, max_age, login_hint (OIDC Core 3.1.2.1).
    let mut prompt = Prompt::default();
    for word in get(&back, "prompt")?.unwrap_or_default().split(' ').filter(|w| !w.is_empty()) {
        match word {
            "none" => prompt.none = true,
            "login" => prompt.login = true,
            "consent" => prompt.consent = true,
            "select_account" => {
                let description = "the lab provider has no account chooser".to_owned();
                return Err(fail(&back, "account_selection_required", description));
            }
            other => {
                let description = format!("`prompt` `{other}` is not supported");
                return Err(fail(&back, "invalid_request", description));
            }
        }
    }
    if prompt.none && (prompt.login || prompt.consent) {
        let description = "`prompt=none` cannot be combined with other values".to_owned();
        return Err(fail(&back, "invalid_request", description));
    }
    let max_age = match get(&back, "max_age")? {
        Some(value) => Some(value.parse::<u64>().map_err(|_| {
            let description = format!("`max_age` must be a number of seconds, found `{value}`");
            fail(&back, "invalid_request", description)
        })?),
        None => None,
    };
    let login_hint = get(&back, "login_hint")?.map(str::to_owned);

    // 11. MISCHIEF (issue 6): the lab-only parameter of the short-lifetime scenario.
    let lab_lifetime = lab_lifetime(get(&back, LAB_LIFETIME_PARAM)?, client_id)
        .map_err(|description| fail(&back, "invalid_request", description))?;

    Ok(AuthRequest {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        response_type,
        response_mode: back.response_mode,
        scope,
        api: api.map(|api| api.identifier.clone()),
        state: back.state,
        nonce,
        code_challenge,
        prompt,
        max_age,
        login_hint,
        claims,
        lab_lifetime,
        fresh_login: false,
        consent_given: false,
        browser: None,
    })
}

/// MISCHIEF (issue 6): the lab-only authorization parameter by which the sandbox asks for
/// access tokens shorter-lived than the API's setting, when a learner's scenario wants to see
/// one expire. Only the sandbox client may send it; 10 seconds is the least.
pub const LAB_LIFETIME_PARAM: &str = "lab_access_token_lifetime";

/// Reads [`LAB_LIFETIME_PARAM`]: `None` when absent, an error naming what was expected.
fn lab_lifetime(value: Option<&str>, client_id: &str) -> Result<Option<u64>, String> {
    let Some(value) = value else { return Ok(None) };
    if client_id != crate::SANDBOX_CLIENT_ID {
        return Err(format!("`{LAB_LIFETIME_PARAM}` is for the sandbox's own client only"));
    }

    let seconds = value.parse::<u64>().ok().filter(|seconds| *seconds >= 10);
    let seconds = seconds.ok_or_else(|| {
        format!("`{LAB_LIFETIME_PARAM}` must be a number of seconds, 10 or more; found `{value}`")
    })?;
    tracing::warn!(seconds, "mischief: short-lived access tokens asked by a lesson scenario");
    Ok(Some(seconds))
}

/// The API named by `audience` and/or `resource`; both must agree when both are sent.
///
/// RFC 8707 §2 lets `resource` repeat, and lets a server refuse a set it cannot serve in one
/// token. The lab provider issues an access token for one resource at a time: a token names
/// one API in `aud` and carries that API's permissions in `scope`, so each API checks a token
/// meant for it alone and the lessons on audience and scope stuffing stay true. Several
/// resources are `invalid_target`; the client asks for one token per API instead.
pub fn named_api<'w>(
    world: &'w World,
    audience: Option<&str>,
    resources: &[&str],
) -> Result<Option<&'w Api>, (&'static str, String)> {
    // 1. Each resource is an absolute URI without a fragment (RFC 8707 §2).
    for resource in resources {
        if !is_resource_uri(resource) {
            let description = format!(
                "`resource` `{resource}` must be an absolute URI without a fragment \
                 (RFC 8707 §2)"
            );
            return Err(("invalid_target", description));
        }
    }

    // 2. One resource per token here.
    let mut distinct: Vec<&str> = resources.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let resource = match distinct.as_slice() {
        [] => None,
        [one] => Some(*one),
        _ => {
            let description = format!(
                "the lab provider issues an access token for one resource at a time, and \
                 `resource` names {}; ask for one token per API (RFC 8707 §2)",
                distinct.join(", ")
            );
            return Err(("invalid_target", description));
        }
    };

    // 3. `audience` and `resource` name the same API, and it is one the provider knows.
    let (field, identifier) = match (audience, resource) {
        (Some(audience), Some(resource)) if audience != resource => {
            let description = "`audience` and `resource` name different APIs".to_owned();
            return Err(("invalid_target", description));
        }
        (Some(identifier), _) => ("audience", identifier),
        (None, Some(identifier)) => ("resource", identifier),
        (None, None) => return Ok(None),
    };
    match world.api(identifier) {
        Some(api) => Ok(Some(api)),
        None => Err(("invalid_target", format!("`{field}` `{identifier}` names no known API"))),
    }
}

/// Whether `value` is an absolute URI without a fragment, as RFC 8707 §2 asks of `resource`.
fn is_resource_uri(value: &str) -> bool {
    url::Url::parse(value).is_ok_and(|uri| uri.fragment().is_none())
}

/// Every non-empty value of `name`, for the parameters that may repeat (RFC 8707 `resource`).
pub fn all<'a>(params: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    let values = params.iter().filter(|(key, _)| key == name).map(|(_, value)| value.as_str());
    values.filter(|value| !value.is_empty()).collect()
}

fn parse_response_type(raw: &str) -> Option<ResponseType> {
    let mut words: Vec<&str> = raw.split(' ').filter(|word| !word.is_empty()).collect();
    words.sort_unstable();
    match words.as_slice() {
        ["code"] => Some(ResponseType::Code),
        ["code", "id_token"] => Some(ResponseType::CodeIdToken),
        _ => None,
    }
}

fn is_base64url(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
}

/// What a request may get: each requested scope, granted or withheld with the reason, and the
/// user claims asked for by name that no granted scope gives.
pub struct Offer {
    /// `(scope, API identifier for a permission, reason withheld)`.
    pub lines: Vec<(String, Option<String>, Option<String>)>,
    /// Claims asked for with `claims` (OIDC Core 5.5) beyond the granted scopes.
    pub claims: Vec<&'static str>,
}

/// How a consent to a claim asked for by name is remembered: this prefix, then its name.
const CLAIM_CONSENT: &str = "claim:";

impl Offer {
    /// Works out the granted scope: requested, within the API's permissions, within the
    /// user's privileges when role-based access is on, and within what the client may use.
    pub fn new(world: &World, client: &Client, user: &User, request: &AuthRequest) -> Self {
        let api = request.api.as_deref().and_then(|identifier| world.api(identifier));
        let lines = request
            .scope
            .iter()
            .map(|scope| {
                let (api_id, withheld) = match (scope.as_str(), api) {
                    ("openid" | "profile" | "email", _) => (None, None),
                    ("offline_access", _) if !client.allows_grant("refresh_token") => {
                        (None, Some("this application may not hold refresh tokens".to_owned()))
                    }
                    ("offline_access", Some(api)) if !api.allow_offline_access => {
                        (None, Some(format!("{} does not allow offline access", api.name)))
                    }
                    ("offline_access", _) => (None, None),
                    (permission, Some(api)) if api.permissions.iter().any(|p| p == permission) => {
                        let held = user.permissions.iter().any(|p| p == permission);
                        let withheld = (api.role_based_access && !held)
                            .then(|| format!("{} does not hold this permission", user.username));
                        (Some(api.identifier.clone()), withheld)
                    }
                    (_, Some(api)) => {
                        (None, Some(format!("{} defines no such permission", api.name)))
                    }
                    (_, None) => {
                        (None, Some("no API was named with `audience` or `resource`".to_owned()))
                    }
                };
                (scope.clone(), api_id, withheld)
            })
            .collect();
        let mut offer = Self { lines, claims: Vec::new() };

        // Claims by name are released only with `openid`; those a scope gives are consented,
        // and those the account lacks would never be released, so they are not asked.
        if request.scope.iter().any(|scope| scope == "openid") {
            let granted = offer.granted();
            let given: Vec<&str> =
                granted.iter().flat_map(|scope| claims::of_scope(scope)).copied().collect();
            let asked = &request.claims.requested;
            offer.claims = claims::USER_CLAIMS
                .into_iter()
                .filter(|name| asked.id_token.contains(name) || asked.userinfo.contains(name))
                .filter(|name| !given.contains(name))
                .filter(|name| claims::of_user(user, name).is_some())
                .collect();
        }
        offer
    }

    /// The granted scopes.
    pub fn granted(&self) -> Vec<String> {
        let granted = self.lines.iter().filter(|(_, _, withheld)| withheld.is_none());
        granted.map(|(scope, _, _)| scope.clone()).collect()
    }

    /// The granted scopes as consent keys: `identifier#permission` for API permissions,
    /// `claim:name` for a claim asked for by name.
    pub fn consent_keys(&self) -> Vec<String> {
        let granted = self.lines.iter().filter(|(_, _, withheld)| withheld.is_none());
        let scopes = granted.map(|(scope, api, _)| consent_key(scope, api.as_deref()));
        scopes.chain(self.claims.iter().map(|name| format!("{CLAIM_CONSENT}{name}"))).collect()
    }
}

/// How a consented scope is remembered.
pub fn consent_key(scope: &str, api: Option<&str>) -> String {
    match api {
        Some(api) => format!("{api}#{scope}"),
        None => scope.to_owned(),
    }
}

/// How a remembered consent reads on the account page: the API's name, then the permission.
pub fn consent_label(world: &World, key: &str) -> String {
    if let Some(name) = key.strip_prefix(CLAIM_CONSENT) {
        return format!("{} (the {name} claim, asked for by name)", claims::describe(name));
    }
    match key.rsplit_once('#') {
        Some((identifier, scope)) => {
            let api = world.api(identifier).map_or(identifier, |api| api.name.as_str());
            format!("{api}: {scope}")
        }
        None => key.to_owned(),
    }
}

/// Takes a checked request as far as it can go: login, consent, or the code. `browser` is the
/// store key of the request's IdP session cookie, logged in or not.
fn proceed(
    provider: &Provider,
    browser: Option<String>,
    session: Option<(String, Session)>,
    mut request: AuthRequest,
) -> Result<Response, ProviderError> {
    let world = &provider.world;
    let client = world.client(&request.client_id).ok_or_else(|| {
        ProviderError::Page(format!("no client `{}` is registered", request.client_id))
    })?;
    let now = provider.now();
    let back = |code: &'static str, description: &str| {
        ProviderError::Redirect(Box::new(RedirectError {
            redirect_uri: request.redirect_uri.clone(),
            response_mode: request.response_mode,
            state: request.state.clone(),
            code,
            description: description.to_owned(),
            issuer: provider.issuer.clone(),
        }))
    };
    // The redirect URI is trusted from here, so a full store goes back to the client as
    // `temporarily_unavailable` (RFC 6749 4.1.2.1), not as a bare 503 in the browser.
    let busy = |error: ProviderError| match error {
        ProviderError::Busy => back("temporarily_unavailable", &ProviderError::Busy.to_string()),
        other => other,
    };

    // 1. Login: no session, prompt=login, a login older than max_age, or another user than
    //    the one a `sub` value in `claims` names (OIDC Core 5.5.1).
    let other_user =
        |sub: &str| request.claims.subject.as_deref().is_some_and(|asked| asked != sub);
    let needs_login = match &session {
        None => true,
        Some((_, session)) => {
            (request.prompt.login && !request.fresh_login)
                || request.max_age.is_some_and(|max_age| now > session.auth_time + max_age)
                || (other_user(&session.sub) && !request.fresh_login)
        }
    };
    let user = session.as_ref().and_then(|(_, session)| world.user_by_sub(&session.sub));
    let (Some((key, session)), Some(user), false) = (session.clone(), user, needs_login) else {
        if request.prompt.none {
            return Err(back("login_required", "the user must log in, and prompt=none"));
        }
        let hint = request.login_hint.clone();
        let (csrf, cookie) = session::form_token(provider, browser.as_deref())?;
        let id = save_pending(provider, request.clone()).map_err(busy)?;
        let mut page =
            pages::login_page(&id, &csrf, Some(&client.name), &world.users, hint.as_deref(), None);
        if let Some(cookie) = cookie {
            page.headers_mut().append(SET_COOKIE, cookie);
        }
        return Ok(page);
    };

    // 2. Never tokens for another user than the one `claims` names (OIDC Core 5.5.1).
    if other_user(&user.sub) {
        let description =
            format!("`claims` asks for another user's `sub`, and {} logged in", user.username);
        return Err(back("access_denied", &description));
    }

    // 3. Consent: every grantable scope and claim consented before, unless prompt=consent.
    let offer = Offer::new(world, client, user, &request);
    let known = session.consents.get(&client.client_id);
    let consented =
        offer.consent_keys().iter().all(|key| known.is_some_and(|known| known.contains(key)));
    if !consented || (request.prompt.consent && !request.consent_given) {
        if request.prompt.none {
            return Err(back("consent_required", "the user must consent, and prompt=none"));
        }
        request.browser = Some(key);
        let groups = consent_groups(world, &offer, user);
        let id = save_pending(provider, request.clone()).map_err(busy)?;
        return Ok(pages::consent_page(&id, &session.csrf, &client.name, &user.username, &groups));
    }

    // 4. The code, bound to client, redirect URI, PKCE challenge and nonce.
    let code = random_value();
    let grant = Grant {
        client_id: client.client_id.clone(),
        sub: user.sub.clone(),
        scope: offer.granted().iter().collect(),
        api: request.api.clone(),
        auth_time: Some(session.auth_time),
        sid: Some(session.sid.clone()),
        machine: false,
        lab_lifetime: request.lab_lifetime,
        claims: request.claims.requested.clone(),
    };
    let mut params = vec![("code", code.clone())];
    if request.response_type == ResponseType::CodeIdToken {
        let id_token = mint::id_token(
            provider,
            client,
            &grant,
            mint::IdTokenExtras {
                nonce: request.nonce.as_deref(),
                code: Some(&code),
                ..Default::default()
            },
            now,
        )?;
        params.push(("id_token", id_token));
    }
    let record = Code {
        grant: Arc::new(grant),
        redirect_uri: request.redirect_uri.clone(),
        code_challenge: request.code_challenge.clone(),
        nonce: request.nonce.clone(),
        expires_at: now + world.provider.code_lifetime,
        used: false,
        issued: Vec::new(),
        family: None,
    };
    {
        let mut store = provider.store.lock();
        store.make_room(now).map_err(busy)?;
        store.codes.insert(token_key(&code), record);
    }
    if let Some(state) = &request.state {
        params.push(("state", state.clone()));
    }
    params.push(("iss", provider.issuer.clone()));
    tracing::info!(client_id = %client.client_id, user = %user.username, "code issued");
    Ok(pages::deliver(&request.redirect_uri, request.response_mode, &params))
}

/// The consent page's groups: OpenID Connect scopes first, then each API's permissions.
fn consent_groups(world: &World, offer: &Offer, user: &User) -> Vec<ConsentGroup> {
    let mut groups: Vec<ConsentGroup> = Vec::new();
    for (scope, api, withheld) in &offer.lines {
        let (title, meaning) = match (api, scope.as_str()) {
            (Some(api), _) => {
                let name = world.api(api).map_or(api.as_str(), |api| api.name.as_str());
                (name.to_owned(), format!("use this permission of {name}"))
            }
            (None, "openid") => ("Your identity".to_owned(), "log you in".to_owned()),
            (None, "profile") => ("Your identity".to_owned(), "see your name".to_owned()),
            (None, "email") => ("Your identity".to_owned(), "see your email address".to_owned()),
            (None, "offline_access") => (
                "Your identity".to_owned(),
                "keep access while you are away (a refresh token)".to_owned(),
            ),
            (None, _) => ("Other requests".to_owned(), "unknown to this provider".to_owned()),
        };
        // A scope whose claims the account lacks is granted, but shares nothing.
        let given = claims::of_scope(scope);
        let meaning = if !given.is_empty()
            && given.iter().all(|name| claims::of_user(user, name).is_none())
        {
            format!("{meaning} (your account has none, so nothing is shared)")
        } else {
            meaning
        };
        let line = ConsentLine { scope: scope.clone(), meaning, withheld: withheld.clone() };
        add_line(&mut groups, title, line);
    }
    for name in &offer.claims {
        let meaning = format!("see {}, asked for by name", claims::describe(name));
        let line = ConsentLine { scope: (*name).to_owned(), meaning, withheld: None };
        add_line(&mut groups, "Your identity".to_owned(), line);
    }
    groups
}

/// Adds `line` to the group titled `title`, opening that group when it is new.
fn add_line(groups: &mut Vec<ConsentGroup>, title: String, line: ConsentLine) {
    match groups.iter_mut().find(|group| group.title == title) {
        Some(group) => group.lines.push(line),
        None => groups.push(ConsentGroup { title, lines: vec![line] }),
    }
}

fn save_pending(provider: &Provider, request: AuthRequest) -> Result<String, ProviderError> {
    let id = random_value();
    let now = provider.now();
    let mut store = provider.store.lock();
    store.make_room(now)?;
    store.pending.insert(id.clone(), Pending { request, expires_at: now + PENDING_LIFETIME });
    Ok(id)
}

fn take_pending(provider: &Provider, id: &str) -> Result<AuthRequest, ProviderError> {
    let now = provider.now();
    let pending = provider.store.lock().pending.remove(id);
    match pending {
        Some(pending) if pending.expires_at > now => Ok(pending.request),
        _ => Err(ProviderError::page_for(
            PageReason::Form,
            "this form has expired or was already used; start again from the application",
        )),
    }
}

/// The login form's fields.
#[derive(Deserialize)]
pub struct LoginForm {
    /// The pending request's id; empty for a login to the account page.
    #[serde(default)]
    request: String,
    /// The browser's anti-forgery token.
    #[serde(default)]
    csrf: String,
    username: String,
    password: String,
}

/// `POST /idp/login`: checks the password, starts a session, and continues the request.
pub async fn login(
    State(provider): State<Arc<Provider>>,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let form = form.map_err(|rejection| {
        ProviderError::page_for(PageReason::Form, unreadable(&rejection.body_text()))
    });
    form.and_then(|Form(form)| login_inner(&provider, &headers, form))
        .unwrap_or_else(IntoResponse::into_response)
}

fn login_inner(
    provider: &Provider,
    headers: &HeaderMap,
    form: LoginForm,
) -> Result<Response, ProviderError> {
    let world = &provider.world;

    // 1. The anti-forgery token must be this browser's: no forged login (RFC 6749 10.12).
    session::check_csrf(provider, headers, &form.csrf)?;
    let request =
        if form.request.is_empty() { None } else { Some(take_pending(provider, &form.request)?) };
    let client_name = request
        .as_ref()
        .and_then(|request| world.client(&request.client_id))
        .map(|client| client.name.clone());

    // 2. The password, compared in constant time.
    let user = world
        .user(&form.username)
        .filter(|user| bool::from(user.password.as_bytes().ct_eq(form.password.as_bytes())));
    let Some(user) = user else {
        tracing::info!(username = %form.username, "lab login refused");
        let id = match request {
            Some(request) => save_pending(provider, request)?,
            None => String::new(),
        };
        return Ok(pages::login_page(
            &id,
            &form.csrf,
            client_name.as_deref(),
            &world.users,
            Some(&form.username),
            Some("Wrong username or password."),
        ));
    };

    // 3. A new session replaces any previous one, logged in or not (no session fixation).
    if let Some(old) = session::key(headers) {
        session::end(provider, &old);
    }
    let (key, cookie) = session::start(provider, &user.sub)?;
    let new_session = provider.store.lock().sessions.get(&key).cloned();
    tracing::info!(user = %user.username, "lab login");

    // 4. Back to the request, or to the account page.
    let mut response = match request {
        Some(mut request) => {
            request.fresh_login = true;
            let session = new_session.map(|session| (key.clone(), session));
            proceed(provider, Some(key), session, request)
                .unwrap_or_else(IntoResponse::into_response)
        }
        None => axum::response::Redirect::to("account").into_response(),
    };
    response.headers_mut().append(SET_COOKIE, cookie);
    Ok(response)
}

/// The consent form's fields.
#[derive(Deserialize)]
pub struct ConsentForm {
    request: String,
    #[serde(default)]
    csrf: String,
    decision: String,
}

/// `POST /idp/consent`: records the user's decision and continues the request.
pub async fn consent(
    State(provider): State<Arc<Provider>>,
    headers: HeaderMap,
    form: Result<Form<ConsentForm>, FormRejection>,
) -> Response {
    let form = form.map_err(|rejection| {
        ProviderError::page_for(PageReason::Form, unreadable(&rejection.body_text()))
    });
    form.and_then(|Form(form)| consent_inner(&provider, &headers, form))
        .unwrap_or_else(IntoResponse::into_response)
}

fn consent_inner(
    provider: &Provider,
    headers: &HeaderMap,
    form: ConsentForm,
) -> Result<Response, ProviderError> {
    // 1. The anti-forgery token, then the form, must come from the session it was shown to.
    session::check_csrf(provider, headers, &form.csrf)?;
    let mut request = take_pending(provider, &form.request)?;
    let mut session = session::current(provider, headers);
    let same_browser =
        matches!((&session, &request.browser), (Some((key, _)), Some(shown)) if key == shown);
    if !same_browser {
        return Err(ProviderError::page_for(
            PageReason::Form,
            "this consent form belongs to another login session; start again",
        ));
    }

    // 2. Deny goes back as access_denied (RFC 6749 4.1.2.1).
    match form.decision.as_str() {
        "approve" => {}
        "deny" => {
            return Err(ProviderError::Redirect(Box::new(RedirectError {
                redirect_uri: request.redirect_uri,
                response_mode: request.response_mode,
                state: request.state,
                code: "access_denied",
                description: "the user denied access".to_owned(),
                issuer: provider.issuer.clone(),
            })));
        }
        other => {
            return Err(ProviderError::page_for(
                PageReason::Form,
                format!("`decision` must be `approve` or `deny`, found `{other}`"),
            ));
        }
    }

    // 3. Remember the consent for this login (see `store::Consents`), then continue.
    let world = &provider.world;
    if let Some((key, current)) = &mut session
        && let (Some(user), Some(client)) =
            (world.user_by_sub(&current.sub), world.client(&request.client_id))
    {
        let keys = Offer::new(world, client, user, &request).consent_keys();
        current.consents.add(&client.client_id, &keys);
        let mut store = provider.store.lock();
        if let Some(stored) = store.sessions.get_mut(key) {
            stored.consents.add(&client.client_id, &keys);
        }
        store.sessions.recount(key);
    }
    request.consent_given = true;
    proceed(provider, session::key(headers), session, request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::Captured;

    #[test]
    fn response_type_words_may_come_in_any_order() {
        assert_eq!(parse_response_type("id_token code"), Some(ResponseType::CodeIdToken));
        assert_eq!(parse_response_type("token"), None);
    }

    #[test]
    fn mischief_lab_lifetime_warns_when_honoured_and_only_then() {
        let log = Captured::default();
        let sink = log.clone();
        let subscriber = tracing_subscriber::fmt().with_writer(move || sink.clone()).finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let read = || log.text();

        let absent = lab_lifetime(None, crate::SANDBOX_CLIENT_ID);
        let refused = lab_lifetime(Some("10"), "lab-web");
        let calm = read();
        let honoured = lab_lifetime(Some("10"), crate::SANDBOX_CLIENT_ID);
        let loud = read();

        assert_eq!((absent, honoured), (Ok(None), Ok(Some(10))));
        assert!(refused.is_err());
        assert!(!calm.contains("WARN"), "{calm}");
        assert!(loud.contains("WARN") && loud.contains("mischief"), "{loud}");
    }
}
