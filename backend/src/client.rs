//! The client role: the sandbox's confidential web application, and its JSON API under `/api`.
//!
//! Every failure answers in one shape, [`grantlab_shared::ApiError`], unknown routes and
//! malformed JSON included (see [`error`] and [`extract`]). Request and response types are in
//! `grantlab_shared`.
//!
//! Routes (all JSON; the session cookie `grantlab_session` carries the learner's flow):
//!
//! | route | body | answer |
//! |---|---|---|
//! | `GET /api/session` | | `SessionView` |
//! | `DELETE /api/session` | | `SessionView` (a fresh flow, same profile) |
//! | `GET /api/profiles` | | `ProfileList` |
//! | `PUT /api/profile` | `ProfileChoice` | `ProfileView` (the secret is never sent back) |
//! | `GET /api/authorize/draft` | | `AuthorizationDraft` (new state, nonce) |
//! | `POST /api/authorize` | `AuthorizationDraft` | `ComposedRequest` |
//! | `POST /api/callback` | `FragmentCallback` | `SessionView` (the fragment page uses it) |
//! | `POST /api/redeem` | `RedeemRequest` | `Outcome` |
//! | `POST /api/refresh` | `RefreshRequest` | `Outcome` |
//! | `POST /api/userinfo` | | `Outcome` (claims in `fields`) |
//! | `POST /api/call` | `ApiCallRequest` | `ApiCallResult` |
//! | `POST /api/client-credentials` | `ClientCredentialsRequest` | `Outcome` |
//! | `POST /api/revoke` | `TokenRequest` | `Outcome` |
//! | `POST /api/introspect` | `TokenRequest` | `Outcome` (the answer in `fields`) |
//! | `GET /api/timeline` | | `Timeline` |
//! | `DELETE /api/timeline` | | `Timeline` (empty) |
//!
//! And at the top level, the redirect URI `{public_url}/callback`: `GET` with a query
//! (`response_mode=query`), `POST` with a form (`form_post`), and `GET` with neither, which
//! answers a small page that posts `location.hash` to `POST /api/callback`. Each ends with a
//! redirect to the workbench (`/`), which reads the result from `GET /api/session`.

pub mod call;
pub mod callback;
pub mod compose;
pub mod error;
pub mod extract;
pub mod guard;
pub mod http;
pub mod idtoken;
pub mod lenient;
pub mod lock;
pub mod profile;
pub mod redact;
pub mod state;
pub mod token;

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::routing::{get, post, put};
use grantlab_shared::{
    ApiCallRequest, ApiCallResult, AuthorizationDraft, Channel, ClientCredentialsRequest,
    ComposedRequest, Endpoints, FlowStatus, FragmentCallback, JwtView, Outcome, ProfileChoice,
    ProfileKind, ProfileList, ProfileView, RedeemRequest, RefreshRequest, ResponseMode,
    SessionView, Timeline, TokenRequest, TokenSetView,
};
use oauth2::ClientSecret;
use tokio::sync::RwLock;
use tower_sessions::cookie::SameSite;
use tower_sessions::{MemoryStore, Session, SessionManagerLayer};

use self::error::ClientError;
use self::extract::Json;
use self::http::{Outbound, Recorder, request_entry};
use self::profile::Preset;
use self::redact::Redactor;
use self::state::ClientSession;
use crate::Site;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "grantlab_session";

/// What the client role's handlers share.
pub struct ClientState {
    /// The site settings and the sandbox's secret.
    pub site: Site,
    /// The one back-channel HTTP client.
    pub outbound: Outbound,
    /// The host's presets.
    pub presets: Vec<Preset>,
    /// The lab provider's endpoints and `scopes_supported`, once discovered.
    pub lab: RwLock<Option<(Endpoints, Vec<String>)>>,
    /// The lab world's machine client, when the scenario registers it.
    pub lab_machine: Option<MachineClient>,
}

/// The client id of the lab's machine client, the one allowed the client credentials grant.
pub const LAB_MACHINE_CLIENT_ID: &str = "lab-machine";

/// A lab client that runs the client credentials grant (RFC 6749 §4.4). Its secret stays on
/// the server; `Debug` redacts it.
#[derive(Debug, Clone)]
pub struct MachineClient {
    /// `client_id`.
    pub client_id: String,
    /// `client_secret`, read from the lab world.
    pub client_secret: ClientSecret,
}

impl ClientState {
    /// Builds the shared state: the outbound client, the presets file and the lab's machine
    /// client.
    pub fn new(site: Site, lab_machine: Option<MachineClient>) -> anyhow::Result<Self> {
        let outbound = Outbound::new(&site.public_url, site.config.hosted)?;
        let presets = match &site.config.profiles {
            Some(path) => profile::load_presets(path)?,
            None => Vec::new(),
        };
        Ok(Self { site, outbound, presets, lab: RwLock::new(None), lab_machine })
    }

    /// A recorder for one request, redacting the sandbox's secret and the session's own.
    pub fn recorder(&self, data: &ClientSession) -> Recorder<'_> {
        let mut redactor =
            Redactor::new(crate::SANDBOX_CLIENT_ID, Some(self.site.client_secret.secret()));
        if let Some(stored) = &data.profile {
            // A preset's secret is the host's, held like the sandbox's; others were typed.
            let (client_id, secret) = (&stored.view.client_id, stored.client_secret.as_deref());
            redactor = match stored.view.kind {
                ProfileKind::Preset => redactor.also(client_id, secret),
                _ => redactor.typed(client_id, secret),
            };
        }
        if let Some(machine) = &self.lab_machine {
            redactor = redactor.also(&machine.client_id, Some(machine.client_secret.secret()));
        }
        Recorder::new(&self.outbound, redactor)
    }

    /// The session's profile and client secret (the lab's is the sandbox's).
    pub async fn current(
        &self,
        data: &ClientSession,
        recorder: &Recorder<'_>,
    ) -> Result<(ProfileView, Option<String>), ClientError> {
        match &data.profile {
            Some(stored) => Ok((stored.view.clone(), stored.client_secret.clone())),
            None => {
                let view = self.lab_profile(recorder).await?;
                Ok((view, Some(self.site.client_secret.secret().clone())))
            }
        }
    }

    /// The profile as shown. The lab's is discovered the first time it is shown, from our
    /// own provider, so a new session already lists its endpoints and scopes; that exchange
    /// is not the learner's, so it stays off the timeline.
    async fn shown_profile(&self, data: &ClientSession) -> ProfileView {
        match &data.profile {
            Some(stored) => stored.view.clone(),
            None => {
                let recorder = Recorder::new(&self.outbound, Redactor::default());
                let lab = self.lab_profile(&recorder).await;
                lab.unwrap_or_else(|_| self.lab_view(Endpoints::default(), Vec::new()))
            }
        }
    }

    /// The workbench's view of the session.
    async fn view(&self, data: &ClientSession) -> SessionView {
        let request = data.request_url.as_ref().map(|url| ComposedRequest {
            url: url.clone(),
            parameters: compose::explain(url, &compose::draft(String::new())).parameters,
            warnings: Vec::new(),
        });
        SessionView {
            profile: self.shown_profile(data).await,
            status: data.status,
            request,
            callback: data.callback.clone(),
            tokens: data.tokens.as_ref().map(token_view),
            machine_tokens: data.machine_tokens.as_ref().map(token_view),
            machine_client_id: data.machine_client_id.clone(),
            timeline_len: data.timeline.len(),
        }
    }
}

/// The tokens as the browser sees them, JWTs decoded.
fn token_view(tokens: &state::Tokens) -> TokenSetView {
    let jwt = |raw: &String| {
        let decoded = idtoken::decode(raw);
        JwtView {
            raw: raw.clone(),
            is_jwt: decoded.is_some(),
            header: decoded
                .as_ref()
                .map(|(header, _)| idtoken::members(header))
                .unwrap_or_default(),
            claims: decoded
                .as_ref()
                .map(|(_, claims)| idtoken::members(claims))
                .unwrap_or_default(),
        }
    };
    TokenSetView {
        access_token: tokens.access_token.as_ref().map(jwt),
        token_type: tokens.token_type.clone(),
        expires_at: tokens.expires_at,
        expires_in: tokens.expires_in,
        scope: tokens.scope.clone(),
        refresh_token: tokens.refresh_token.clone(),
        refresh_rotated: tokens.refresh_rotated,
        previous_refresh_token: tokens.previous_refresh_token.clone(),
        id_token: tokens.id_token.as_ref().map(jwt),
        id_token_checks: tokens.id_token_checks.clone(),
        extra: tokens.extra.clone(),
    }
}

/// The session layer: an in-memory store, cookie HttpOnly and SameSite=Lax, Secure over https.
pub fn session_layer(public_url: &str) -> SessionManagerLayer<MemoryStore> {
    SessionManagerLayer::new(MemoryStore::default())
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(public_url.starts_with("https://"))
        .with_path("/")
}

/// The `/api` router and the top-level `/callback`, sharing one state.
pub fn routers(site: Site, lab_machine: Option<MachineClient>) -> anyhow::Result<(Router, Router)> {
    let state = Arc::new(ClientState::new(site, lab_machine)?);
    let api = Router::new()
        .route("/session", get(session_get).delete(session_reset))
        .route("/profiles", get(profiles))
        .route("/profile", put(profile_put))
        .route("/authorize/draft", get(authorize_draft))
        .route("/authorize", post(authorize))
        .route("/callback", post(fragment))
        .route("/redeem", post(redeem))
        .route("/refresh", post(refresh))
        .route("/userinfo", post(userinfo))
        .route("/call", post(api_call))
        .route("/client-credentials", post(client_credentials))
        .route("/revoke", post(revoke))
        .route("/introspect", post(introspect))
        .route("/timeline", get(timeline).delete(timeline_clear))
        .fallback(|| async { ClientError::UnknownRoute })
        .method_not_allowed_fallback(|| async { ClientError::MethodNotAllowed })
        .layer(axum::middleware::map_response(no_store))
        .with_state(state.clone());
    let callback =
        Router::new().route("/callback", get(callback::get).post(callback::post)).with_state(state);
    Ok((api, callback))
}

/// RFC 6749 §5.1: an answer that may carry tokens is not cached; every `/api` answer is marked.
async fn no_store(mut response: axum::response::Response) -> axum::response::Response {
    let value = axum::http::HeaderValue::from_static("no-store");
    response.headers_mut().insert(axum::http::header::CACHE_CONTROL, value);
    response
}

/// The `/api` router alone, for tests that need no callback.
pub fn router(site: Site) -> anyhow::Result<Router> {
    Ok(routers(site, None)?.0)
}

type Shared = State<Arc<ClientState>>;

/// The whole session as the workbench shows it.
async fn session_get(
    State(state): Shared,
    session: Session,
) -> Result<axum::Json<SessionView>, ClientError> {
    let data = ClientSession::load(&session).await?;
    Ok(axum::Json(state.view(&data).await))
}

/// Starts over: the flow, tokens and timeline go; the profile stays.
async fn session_reset(
    State(state): Shared,
    session: Session,
) -> Result<axum::Json<SessionView>, ClientError> {
    // An unreadable session is what starting over is for: it goes, profile and all.
    let profile = match ClientSession::load(&session).await {
        Ok(old) => old.profile,
        Err(ClientError::SessionUnreadable { .. }) => None,
        Err(error) => return Err(error),
    };
    let mut fresh = ClientSession { profile, ..ClientSession::default() };
    fresh.save(&session).await?;
    Ok(axum::Json(state.view(&fresh).await))
}

/// The profiles to pick from: the lab provider and the host's presets.
async fn profiles(
    State(state): Shared,
    session: Session,
) -> Result<axum::Json<ProfileList>, ClientError> {
    let data = ClientSession::load(&session).await?;
    let recorder = state.recorder(&data);
    let lab = state.lab_profile(&recorder).await;
    let lab = lab.unwrap_or_else(|_| state.lab_view(Endpoints::default(), Vec::new()));
    let mut list = vec![lab];
    for preset in &state.presets {
        let mut view = state.lab_view(preset.endpoints.clone().unwrap_or_default(), Vec::new());
        view.id = preset.id.clone();
        view.label = preset.label.clone();
        view.kind = grantlab_shared::ProfileKind::Preset;
        view.client_id = preset.client_id.clone();
        view.client_secret_set = preset.client_secret.is_some();
        list.push(view);
    }
    let current = state.shown_profile(&data).await.id;
    Ok(axum::Json(ProfileList { profiles: list, current }))
}

/// Chooses the provider (OIDC Discovery §4 when discovering); a new profile starts a new flow.
async fn profile_put(
    State(state): Shared,
    session: Session,
    Json(choice): Json<ProfileChoice>,
) -> Result<axum::Json<ProfileView>, ClientError> {
    // Step 1: resolve the choice, discovering when asked; the discovery is traced.
    let data = ClientSession::load(&session).await?;
    let recorder = state.recorder(&data);
    let stored = state.choose(&recorder, choice).await;

    // Step 2: keep the trace even when the choice failed, and start a fresh flow.
    let mut fresh = ClientSession {
        timeline: data.timeline,
        next_id: data.next_id,
        dropped: data.dropped,
        ..ClientSession::default()
    };
    fresh.record(recorder.take());
    let stored = match stored {
        Ok(stored) => stored,
        Err(error) => {
            let mut kept = ClientSession { profile: data.profile, ..fresh };
            kept.save(&session).await?;
            return Err(error);
        }
    };
    fresh.profile = stored;
    fresh.save(&session).await?;
    Ok(axum::Json(state.shown_profile(&fresh).await))
}

/// A fresh draft for the current profile (RFC 6749 §4.1.1, OIDC Core §3.1.2.1).
async fn authorize_draft(State(state): Shared) -> axum::Json<AuthorizationDraft> {
    axum::Json(compose::draft(state.redirect_uri()))
}

/// Composes the authorization request and keeps its state, nonce and PKCE verifier.
async fn authorize(
    State(state): Shared,
    session: Session,
    Json(draft): Json<AuthorizationDraft>,
) -> Result<axum::Json<ComposedRequest>, ClientError> {
    // Step 1: the current profile's authorization endpoint.
    let mut data = ClientSession::load(&session).await?;
    let recorder = state.recorder(&data);
    let (profile, _) = state.current(&data, &recorder).await?;
    data.record(recorder.take());

    // Step 2: compose, and keep the flow; the old code and tokens of a flow stay until replaced.
    // MISCHIEF (issue 6): the short-lifetime scenario asks the lab provider for 10 s tokens.
    let mut draft = draft;
    if crate::lessons::mischief::current(&session).await.short_lifetimes {
        let name = crate::provider::authorize::LAB_LIFETIME_PARAM.to_owned();
        draft.extra.push(grantlab_shared::Param { name, value: "10".to_owned() });
    }
    let (composed, flow) =
        compose::compose(&profile.endpoints.authorization_endpoint, &profile.client_id, &draft)?;
    let label = "authorization request (the browser goes there)".to_owned();
    let entry = request_entry(Channel::Front, label, "GET", composed.url.clone(), vec![], None);
    data.record(vec![entry]);
    data.replace_flow(flow);
    data.code = None;
    data.callback = None;
    data.status = FlowStatus::AwaitingCallback;
    data.request_url = Some(composed.url.clone());
    data.save(&session).await?;
    Ok(axum::Json(composed))
}

/// Multiple Response Types §2.1: the fragment, handed over by the callback page.
async fn fragment(
    State(state): Shared,
    session: Session,
    Json(body): Json<FragmentCallback>,
) -> Result<axum::Json<SessionView>, ClientError> {
    let params = url::form_urlencoded::parse(body.fragment.trim_start_matches('#').as_bytes())
        .into_owned()
        .collect();
    callback::receive(&state, &session, ResponseMode::Fragment, "GET", params).await?;
    let data = ClientSession::load(&session).await?;
    Ok(axum::Json(state.view(&data).await))
}

/// RFC 6749 §4.1.3: redeems the code.
async fn redeem(
    State(state): Shared,
    session: Session,
    Json(request): Json<RedeemRequest>,
) -> Result<axum::Json<Outcome>, ClientError> {
    Ok(axum::Json(token::redeem(&state, &session, request).await?))
}

/// RFC 6749 §6: refreshes, or replays the previous refresh token.
async fn refresh(
    State(state): Shared,
    session: Session,
    Json(request): Json<RefreshRequest>,
) -> Result<axum::Json<Outcome>, ClientError> {
    Ok(axum::Json(token::refresh(&state, &session, request).await?))
}

/// OIDC Core §5.3: calls userinfo with the access token.
async fn userinfo(
    State(state): Shared,
    session: Session,
    Json(_): Json<extract::NoFields>,
) -> Result<axum::Json<Outcome>, ClientError> {
    Ok(axum::Json(call::userinfo(&state, &session).await?))
}

/// RFC 6750 §2: calls an API with a token, another token, or none.
async fn api_call(
    State(state): Shared,
    session: Session,
    Json(request): Json<ApiCallRequest>,
) -> Result<axum::Json<ApiCallResult>, ClientError> {
    Ok(axum::Json(call::api(&state, &session, request).await?))
}

/// RFC 6749 §4.4: a token for the client itself.
async fn client_credentials(
    State(state): Shared,
    session: Session,
    Json(request): Json<ClientCredentialsRequest>,
) -> Result<axum::Json<Outcome>, ClientError> {
    Ok(axum::Json(token::client_credentials(&state, &session, request).await?))
}

/// RFC 7009 §2.1: revokes a token.
async fn revoke(
    State(state): Shared,
    session: Session,
    Json(request): Json<TokenRequest>,
) -> Result<axum::Json<Outcome>, ClientError> {
    Ok(axum::Json(token::revoke(&state, &session, request).await?))
}

/// RFC 7662 §2.1: introspects a token.
async fn introspect(
    State(state): Shared,
    session: Session,
    Json(request): Json<TokenRequest>,
) -> Result<axum::Json<Outcome>, ClientError> {
    Ok(axum::Json(token::introspect(&state, &session, request).await?))
}

/// The trace, each entry with its curl command.
async fn timeline(session: Session) -> Result<axum::Json<Timeline>, ClientError> {
    let data = ClientSession::load(&session).await?;
    Ok(axum::Json(data.timeline_view()))
}

/// Empties the trace.
async fn timeline_clear(session: Session) -> Result<axum::Json<Timeline>, ClientError> {
    let mut data = ClientSession::load(&session).await?;
    data.timeline.clear();
    data.dropped = 0;
    data.save(&session).await?;
    Ok(axum::Json(data.timeline_view()))
}
