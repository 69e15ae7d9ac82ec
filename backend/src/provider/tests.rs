//! Tests of the provider role, one per rule, driving its router with `oneshot`.

use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, COOKIE, LOCATION, SET_COOKIE, WWW_AUTHENTICATE,
};
use axum::http::{Request, StatusCode};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use http_body_util::BodyExt;
use jsonwebtoken::{Algorithm, Validation};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tower::ServiceExt;

use super::keys::{Keys, half_hash};
use super::world::{DEFAULT_SCENARIO, World};
use super::{Provider, router};
use crate::{Config, SANDBOX_CLIENT_ID, Site};

const PUBLIC_URL: &str = "http://lab.test";
const SECRET: &str = "sandbox-secret";
const REDIRECT: &str = "http://lab.test/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const EXPENSES: &str = "https://expenses-api";

/// One RSA key (PEM) for the whole test binary: making one takes a moment.
pub fn test_pem() -> &'static [u8] {
    static PEM: OnceLock<Vec<u8>> = OnceLock::new();
    PEM.get_or_init(|| {
        let folder = tempfile::tempdir().unwrap();
        Keys::load_or_create(folder.path()).unwrap();
        std::fs::read(folder.path().join(super::keys::KEY_FILE)).unwrap()
    })
}

fn test_keys() -> Keys {
    Keys::from_pem(test_pem()).unwrap()
}

struct Lab {
    provider: Arc<Provider>,
    router: Router,
}

fn lab() -> Lab {
    lab_with(DEFAULT_SCENARIO)
}

/// A lab whose world is the scenario `text`.
fn lab_with(text: &str) -> Lab {
    lab_configured(text, Config::with_defaults())
}

/// The built-in lab with its store held to `mib` MiB.
fn lab_with_budget(mib: u64) -> Lab {
    lab_configured(DEFAULT_SCENARIO, Config { store_budget_mib: mib, ..Config::with_defaults() })
}

/// A lab whose world is `text`, with `config` but the test secret.
fn lab_configured(text: &str, mut config: Config) -> Lab {
    config.client_secret = Some(SECRET.to_owned());
    let site = Site::new(config, PUBLIC_URL.to_owned());
    let world = World::parse(text, &site).unwrap();
    let provider = Arc::new(Provider::with(&site, world, test_keys()));
    Lab { router: router(provider.clone()), provider }
}

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn query(params: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish()
}

/// The usual authorization request of the sandbox, with `extra` added or overriding.
fn request(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let challenge = challenge(VERIFIER);
    let mut params: Vec<(String, String)> = [
        ("client_id", SANDBOX_CLIENT_ID),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "openid profile email offline_access read:reports"),
        ("audience", EXPENSES),
        ("state", "st-1"),
        ("nonce", "n-1"),
        ("code_challenge", &challenge),
        ("code_challenge_method", "S256"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    for (name, value) in extra {
        params.retain(|(key, _)| key != name);
        if !value.is_empty() {
            params.push(((*name).to_owned(), (*value).to_owned()));
        }
    }
    params
}

impl Lab {
    async fn send(&self, request: Request<Body>) -> Response {
        self.router.clone().oneshot(request).await.unwrap()
    }

    async fn get(&self, uri: &str, cookie: Option<&str>) -> Response {
        let mut builder = Request::get(uri);
        if let Some(cookie) = cookie {
            builder = builder.header(COOKIE, cookie);
        }
        self.send(builder.body(Body::empty()).unwrap()).await
    }

    async fn post(&self, uri: &str, form: &[(&str, &str)], cookie: Option<&str>) -> Response {
        let mut builder =
            Request::post(uri).header("content-type", "application/x-www-form-urlencoded");
        if let Some(cookie) = cookie {
            builder = builder.header(COOKIE, cookie);
        }
        self.send(builder.body(Body::from(query(form))).unwrap()).await
    }

    async fn authorize(&self, params: &[(String, String)], cookie: Option<&str>) -> Response {
        let pairs: Vec<(&str, &str)> =
            params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.get(&format!("/authorize?{}", query(&pairs)), cookie).await
    }

    /// Opens the login page in a fresh browser, as that browser then holds it.
    async fn login_form(&self, params: &[(String, String)]) -> Form {
        let login = self.authorize(params, None).await;
        assert_eq!(login.status(), StatusCode::OK);
        let cookie = session_cookie(&login);
        let page = text(login).await;
        Form { request: hidden(&page, "request"), csrf: hidden(&page, "csrf"), cookie }
    }

    /// Submits a login form with its anti-forgery token and cookie.
    async fn submit_login(&self, form: &Form, user: &str, password: &str) -> Response {
        let fields = [
            ("request", form.request.as_str()),
            ("csrf", &form.csrf),
            ("username", user),
            ("password", password),
        ];
        self.post("/login", &fields, Some(&form.cookie)).await
    }

    /// Logs in on the login page; returns the consent page as a form, with the new cookie.
    async fn login_to_consent(&self, params: &[(String, String)], user: &str) -> Form {
        let form = self.login_form(params).await;
        let consent = self.submit_login(&form, user, &format!("{user}-pass")).await;
        let cookie = session_cookie(&consent);
        let page = text(consent).await;
        if !page.contains("Allow access?") {
            panic!("expected the consent page, got {page}");
        }
        Form { request: hidden(&page, "request"), csrf: hidden(&page, "csrf"), cookie }
    }

    /// Presses a consent button with the form's anti-forgery token and cookie.
    async fn decide(&self, form: &Form, decision: &str) -> Response {
        let fields =
            [("request", form.request.as_str()), ("csrf", &form.csrf), ("decision", decision)];
        self.post("/consent", &fields, Some(&form.cookie)).await
    }

    /// Logs in on the login page and approves consent; returns the redirect and the cookie.
    async fn login_and_approve(
        &self,
        params: &[(String, String)],
        user: &str,
    ) -> (Response, String) {
        let consent = self.login_to_consent(params, user).await;
        let done = self.decide(&consent, "approve").await;
        (done, consent.cookie)
    }

    /// Runs the whole code flow and redeems the code; returns the token response.
    async fn tokens(&self, extra: &[(&str, &str)], user: &str) -> Value {
        let (done, _) = self.login_and_approve(&request(extra), user).await;
        let code = param(&done, "code");
        let response = self.redeem(&code, VERIFIER).await;
        assert_eq!(response.status(), StatusCode::OK);
        json(response).await
    }

    async fn redeem(&self, code: &str, verifier: &str) -> Response {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ])
        .await
    }

    /// A token request authenticated as the sandbox with HTTP Basic.
    async fn token(&self, form: &[(&str, &str)]) -> Response {
        self.token_as(SANDBOX_CLIENT_ID, SECRET, form).await
    }

    async fn token_as(&self, id: &str, secret: &str, form: &[(&str, &str)]) -> Response {
        self.back_channel("/token", id, secret, form).await
    }

    async fn back_channel(
        &self,
        path: &str,
        id: &str,
        secret: &str,
        form: &[(&str, &str)],
    ) -> Response {
        let basic = STANDARD.encode(format!("{id}:{secret}"));
        let request = Request::post(path)
            .header("content-type", "application/x-www-form-urlencoded")
            .header(AUTHORIZATION, format!("Basic {basic}"))
            .body(Body::from(query(form)))
            .unwrap();
        self.send(request).await
    }

    fn claims(&self, token: &str, audience: &str) -> Value {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_audience(&[audience]);
        validation.set_issuer(&[format!("{PUBLIC_URL}/idp")]);
        self.provider.keys.verify(token, &validation).unwrap()
    }
}

/// A provider form as the browser holds it: the pending request, the anti-forgery token, and
/// the IdP session cookie it was shown with.
struct Form {
    request: String,
    csrf: String,
    cookie: String,
}

async fn text(response: Response) -> String {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

async fn json(response: Response) -> Value {
    serde_json::from_str(&text(response).await).unwrap()
}

/// The value of a hidden input in a page.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start =
        page.find(&marker).unwrap_or_else(|| panic!("no `{name}` in {page}")) + marker.len();
    page[start..].split('"').next().unwrap().to_owned()
}

fn session_cookie(response: &Response) -> String {
    let set = response.headers()[SET_COOKIE].to_str().unwrap();
    set.split(';').next().unwrap().to_owned()
}

fn location(response: &Response) -> url::Url {
    let location = response.headers()[LOCATION].to_str().unwrap();
    url::Url::parse(location).unwrap()
}

/// A parameter of the redirect's query, or of its fragment.
fn param(response: &Response, name: &str) -> String {
    let url = location(response);
    let fragment = url
        .fragment()
        .map(|f| url::form_urlencoded::parse(f.as_bytes()).into_owned().collect::<Vec<_>>());
    url.query_pairs()
        .into_owned()
        .chain(fragment.unwrap_or_default())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
        .unwrap_or_else(|| panic!("no `{name}` in {url}"))
}

fn jwt_header(token: &str) -> jsonwebtoken::Header {
    jsonwebtoken::decode_header(token).unwrap()
}

#[tokio::test]
async fn discovery_lists_every_endpoint_and_only_s256() {
    let lab = lab();

    let body = json(lab.get("/.well-known/openid-configuration", None).await).await;

    assert_eq!(body["issuer"], "http://lab.test/idp");
    for (field, path) in [
        ("authorization_endpoint", "/authorize"),
        ("token_endpoint", "/token"),
        ("userinfo_endpoint", "/userinfo"),
        ("jwks_uri", "/jwks"),
        ("revocation_endpoint", "/revoke"),
        ("introspection_endpoint", "/introspect"),
        ("end_session_endpoint", "/logout"),
    ] {
        assert_eq!(body[field], format!("http://lab.test/idp{path}"), "{field}");
    }
    assert_eq!(body["code_challenge_methods_supported"], serde_json::json!(["S256"]));
    assert!(body["scopes_supported"].as_array().unwrap().contains(&"read:reports".into()));
}

#[tokio::test]
async fn jwks_publishes_the_key_that_signs_tokens() {
    let lab = lab();

    let jwks = json(lab.get("/jwks", None).await).await;
    let tokens = lab.tokens(&[], "alice").await;

    let kid = jwt_header(tokens["id_token"].as_str().unwrap()).kid.unwrap();
    assert_eq!(jwks["keys"][0]["kid"], kid);
}

#[tokio::test]
async fn unknown_client_gets_an_error_page_not_a_redirect() {
    let lab = lab();

    let response = lab.authorize(&request(&[("client_id", "nobody")]), None).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get(LOCATION).is_none());
    assert!(text(response).await.contains("no client `nobody`"));
}

#[tokio::test]
async fn unregistered_redirect_uri_gets_an_error_page_not_a_redirect() {
    let lab = lab();

    let response =
        lab.authorize(&request(&[("redirect_uri", "https://evil.test/callback")]), None).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get(LOCATION).is_none());
}

#[tokio::test]
async fn other_authorization_errors_go_back_with_error_and_state() {
    let lab = lab();

    let response = lab.authorize(&request(&[("response_type", "token")]), None).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).as_str().starts_with(REDIRECT));
    assert_eq!(param(&response, "error"), "unsupported_response_type");
    assert_eq!(param(&response, "state"), "st-1");
    assert_eq!(param(&response, "iss"), "http://lab.test/idp");
}

#[tokio::test]
async fn pkce_challenge_is_required() {
    let lab = lab();

    let response = lab.authorize(&request(&[("code_challenge", "")]), None).await;

    assert_eq!(param(&response, "error"), "invalid_request");
    assert!(param(&response, "error_description").contains("code_challenge"));
}

#[tokio::test]
async fn pkce_plain_method_is_refused() {
    let lab = lab();

    let response = lab.authorize(&request(&[("code_challenge_method", "plain")]), None).await;

    assert_eq!(param(&response, "error"), "invalid_request");
}

#[tokio::test]
async fn unknown_resource_is_invalid_target() {
    let lab = lab();

    let response =
        lab.authorize(&request(&[("audience", ""), ("resource", "https://nope")]), None).await;

    assert_eq!(param(&response, "error"), "invalid_target");
}

#[tokio::test]
async fn login_page_shows_the_lab_accounts_and_labelled_fields() {
    let lab = lab();

    let page = text(lab.authorize(&request(&[]), None).await).await;

    assert!(page.contains("<label for=\"username\">"));
    assert!(page.contains("id=\"password\" name=\"password\""));
    assert!(page.contains("bob-pass"));
    assert!(page.contains("id=\"login\""));
}

#[tokio::test]
async fn wrong_password_shows_the_login_page_again() {
    let lab = lab();
    let form = lab.login_form(&request(&[])).await;

    let response = lab.submit_login(&form, "alice", "bob-pass").await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers().get(SET_COOKIE).is_none());
    assert!(text(response).await.contains("Wrong username or password"));
}

#[tokio::test]
async fn session_cookie_is_the_providers_own_httponly_lax_on_idp() {
    let lab = lab();
    let form = lab.login_form(&request(&[])).await;

    let response = lab.submit_login(&form, "alice", "alice-pass").await;

    let cookie = response.headers()[SET_COOKIE].to_str().unwrap();
    assert!(cookie.starts_with("grantlab_idp_session="), "{cookie}");
    assert!(cookie.contains("Path=/idp") && cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
}

#[tokio::test]
async fn id_token_carries_the_oidc_core_claims() {
    let lab = lab();

    let tokens = lab.tokens(&[], "alice").await;

    let id_token = tokens["id_token"].as_str().unwrap();
    let claims = lab.claims(id_token, SANDBOX_CLIENT_ID);
    assert_eq!(claims["nonce"], "n-1");
    assert_eq!(claims["azp"], SANDBOX_CLIENT_ID);
    assert_eq!(claims["sub"], "lab|alice-5b8c1e");
    assert_eq!(claims["at_hash"], half_hash(tokens["access_token"].as_str().unwrap()));
    assert!(claims["auth_time"].is_u64() && claims["sid"].is_string());
    assert_eq!(claims["name"], "Alice Moreau");
    assert_eq!(jwt_header(id_token).typ.as_deref(), Some("JWT"));
}

#[tokio::test]
async fn access_token_for_an_api_follows_rfc_9068() {
    let lab = lab();

    let tokens = lab.tokens(&[], "alice").await;

    let access = tokens["access_token"].as_str().unwrap();
    assert_eq!(jwt_header(access).typ.as_deref(), Some("at+jwt"));
    let claims = lab.claims(access, EXPENSES);
    assert_eq!(claims["client_id"], SANDBOX_CLIENT_ID);
    assert!(claims["jti"].is_string() && claims["iat"].is_u64() && claims["exp"].is_u64());
    assert_eq!(tokens["token_type"], "Bearer");
}

#[tokio::test]
async fn access_token_is_opaque_when_no_api_is_named() {
    let lab = lab();

    let tokens = lab.tokens(&[("audience", ""), ("scope", "openid profile")], "alice").await;

    let access = tokens["access_token"].as_str().unwrap();
    assert!(jsonwebtoken::decode_header(access).is_err(), "{access}");
    assert!(tokens.get("refresh_token").is_none());
}

#[tokio::test]
async fn scope_stuffing_quietly_yields_a_token_without_the_permission() {
    let lab = lab();

    let tokens = lab.tokens(&[("scope", "openid read:reports approve:reports")], "alice").await;

    assert_eq!(tokens["scope"], "openid read:reports");
}

#[tokio::test]
async fn bob_gets_approve_reports_because_he_holds_it() {
    let lab = lab();

    let tokens = lab.tokens(&[("scope", "openid read:reports approve:reports")], "bob").await;

    assert_eq!(tokens["scope"], "openid read:reports approve:reports");
}

#[tokio::test]
async fn token_response_is_no_store() {
    let lab = lab();
    let (done, _) = lab.login_and_approve(&request(&[]), "alice").await;

    let response = lab.redeem(&param(&done, "code"), VERIFIER).await;

    assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn code_replay_is_invalid_grant_and_revokes_what_it_issued() {
    let lab = lab();
    let (done, _) = lab.login_and_approve(&request(&[]), "alice").await;
    let code = param(&done, "code");
    let first = json(lab.redeem(&code, VERIFIER).await).await;

    let replay = lab.redeem(&code, VERIFIER).await;

    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(replay).await["error"], "invalid_grant");
    let refresh = first["refresh_token"].as_str().unwrap();
    let refreshed = lab.token(&[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
    assert_eq!(json(refreshed).await["error"], "invalid_grant");
}

#[tokio::test]
async fn code_expires_after_its_lifetime() {
    let lab = lab();
    let (done, _) = lab.login_and_approve(&request(&[]), "alice").await;

    lab.provider.advance_clock(61);
    let response = lab.redeem(&param(&done, "code"), VERIFIER).await;

    assert_eq!(json(response).await["error"], "invalid_grant");
}

#[tokio::test]
async fn code_is_bound_to_its_client() {
    let lab = lab();
    let (done, _) = lab.login_and_approve(&request(&[]), "alice").await;
    let code = param(&done, "code");

    let response = lab
        .token_as(
            "lab-web",
            "lab-web-secret",
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("code_verifier", VERIFIER),
            ],
        )
        .await;

    assert_eq!(json(response).await["error"], "invalid_grant");
}

#[tokio::test]
async fn code_is_bound_to_its_redirect_uri() {
    let lab = lab();
    let (done, _) = lab.login_and_approve(&request(&[]), "alice").await;
    let code = param(&done, "code");

    let response = lab
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://lab.test/other"),
            ("code_verifier", VERIFIER),
        ])
        .await;

    assert_eq!(json(response).await["error"], "invalid_grant");
}

#[tokio::test]
async fn pkce_verifier_must_match_the_challenge() {
    let lab = lab();
    let (done, _) = lab.login_and_approve(&request(&[]), "alice").await;

    let wrong = "x".repeat(43);
    let response = lab.redeem(&param(&done, "code"), &wrong).await;

    let body = json(response).await;
    assert_eq!(body["error"], "invalid_grant");
    assert!(body["error_description"].as_str().unwrap().contains("PKCE"));
}

#[tokio::test]
async fn pkce_rfc_7636_appendix_b_vector() {
    assert_eq!(challenge(VERIFIER), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

#[tokio::test]
async fn invalid_client_with_basic_is_401_with_a_challenge() {
    let lab = lab();

    let response =
        lab.token_as(SANDBOX_CLIENT_ID, "wrong", &[("grant_type", "client_credentials")]).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers()[WWW_AUTHENTICATE].to_str().unwrap().starts_with("Basic"));
    assert_eq!(json(response).await["error"], "invalid_client");
}

#[tokio::test]
async fn client_secret_post_is_accepted() {
    let lab = lab();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", "lab-machine"),
        ("client_secret", "lab-machine-secret"),
        ("audience", EXPENSES),
    ];

    let response = lab.post("/token", &form, None).await;

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let lab = lab();
    let first = lab.tokens(&[], "alice").await;
    let old = first["refresh_token"].as_str().unwrap();

    let second =
        json(lab.token(&[("grant_type", "refresh_token"), ("refresh_token", old)]).await).await;
    let new = second["refresh_token"].as_str().unwrap();
    assert_ne!(new, old);

    let reuse =
        json(lab.token(&[("grant_type", "refresh_token"), ("refresh_token", old)]).await).await;
    assert_eq!(reuse["error"], "invalid_grant");
    let after =
        json(lab.token(&[("grant_type", "refresh_token"), ("refresh_token", new)]).await).await;
    assert_eq!(after["error"], "invalid_grant", "the whole family is revoked");
}

#[tokio::test]
async fn refresh_may_narrow_the_scope_never_widen_it() {
    let lab = lab();
    let tokens = lab.tokens(&[("scope", "openid offline_access read:reports")], "bob").await;
    let refresh = tokens["refresh_token"].as_str().unwrap();

    let wider = lab
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("scope", "approve:reports"),
        ])
        .await;
    let narrower = lab
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("scope", "read:reports"),
        ])
        .await;

    assert_eq!(json(wider).await["error"], "invalid_scope");
    assert_eq!(json(narrower).await["scope"], "read:reports");
}

#[tokio::test]
async fn refresh_token_passes_its_idle_lifetime() {
    let lab = lab();
    let tokens = lab.tokens(&[], "alice").await;

    lab.provider.advance_clock(24 * 3600 + 1);
    let response = lab
        .token(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ])
        .await;

    assert_eq!(json(response).await["error"], "invalid_grant");
}

#[tokio::test]
async fn no_refresh_token_without_offline_access() {
    let lab = lab();

    let tokens = lab.tokens(&[("scope", "openid read:reports")], "alice").await;

    assert!(tokens.get("refresh_token").is_none());
}

#[tokio::test]
async fn client_credentials_needs_an_api() {
    let lab = lab();

    let response = lab
        .token_as("lab-machine", "lab-machine-secret", &[("grant_type", "client_credentials")])
        .await;

    assert_eq!(json(response).await["error"], "invalid_request");
}

/// The default scenario with `lab-machine`'s `opaque_token_without_api` on, its opaque tokens
/// lasting 42 s.
fn lab_with_opaque_machine_tokens() -> Lab {
    let grants = "grants = { \"https://expenses-api\" = [\"read:reports\"] }\n";
    let switched = format!("{grants}opaque_token_without_api = true\nopaque_token_lifetime = 42\n");
    assert_eq!(DEFAULT_SCENARIO.matches(grants).count(), 1);
    lab_with(&DEFAULT_SCENARIO.replace(grants, &switched))
}

/// A client credentials token for `lab-machine` that names no API.
async fn opaque_machine_token(lab: &Lab) -> Value {
    let form = [("grant_type", "client_credentials"), ("scope", "read:reports")];
    let response = lab.token_as("lab-machine", "lab-machine-secret", &form).await;
    assert_eq!(response.status(), StatusCode::OK);
    json(response).await
}

#[test]
fn opaque_token_without_api_is_off_by_default() {
    let site = Site::new(Config::with_defaults(), PUBLIC_URL.to_owned());

    let clients = World::parse(DEFAULT_SCENARIO, &site).unwrap().clients;

    assert!(clients.iter().all(|client| !client.opaque_token_without_api));
}

#[tokio::test]
async fn client_credentials_without_an_api_gets_an_opaque_token_when_the_client_allows_it() {
    let lab = lab_with_opaque_machine_tokens();

    let tokens = opaque_machine_token(&lab).await;

    let access = tokens["access_token"].as_str().unwrap();
    assert!(!access.contains('.'), "an opaque value, not a JWT");
    assert_eq!(tokens["expires_in"], 42);
    assert_eq!(tokens["scope"], "read:reports");
    assert!(tokens.get("refresh_token").is_none() && tokens.get("id_token").is_none());
}

#[tokio::test]
async fn opaque_machine_token_scope_stays_within_the_clients_grants() {
    let lab = lab_with_opaque_machine_tokens();
    let form = [("grant_type", "client_credentials"), ("scope", "approve:reports")];

    let refused = lab.token_as("lab-machine", "lab-machine-secret", &form).await;
    let unscoped = json(
        lab.token_as("lab-machine", "lab-machine-secret", &[("grant_type", "client_credentials")])
            .await,
    )
    .await;

    assert_eq!(json(refused).await["error"], "invalid_scope");
    assert_eq!(unscoped["scope"], "read:reports");
}

#[tokio::test]
async fn introspection_shows_an_opaque_machine_token_active_with_no_subject() {
    let lab = lab_with_opaque_machine_tokens();
    let tokens = opaque_machine_token(&lab).await;
    let access = tokens["access_token"].as_str().unwrap();

    let described = json(
        lab.back_channel("/introspect", "lab-machine", "lab-machine-secret", &[("token", access)])
            .await,
    )
    .await;

    assert_eq!(described["active"], true);
    assert_eq!(described["client_id"], "lab-machine");
    assert_eq!(described["scope"], "read:reports");
    assert!(described.get("sub").is_none() && described.get("aud").is_none());
}

#[tokio::test]
async fn userinfo_refuses_an_opaque_machine_token_because_no_user_stands_behind_it() {
    let lab = lab_with_opaque_machine_tokens();
    let tokens = opaque_machine_token(&lab).await;
    let access = tokens["access_token"].as_str().unwrap();
    let request = Request::get("/userinfo")
        .header(AUTHORIZATION, format!("Bearer {access}"))
        .body(Body::empty())
        .unwrap();

    let response = lab.send(request).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response.headers()[WWW_AUTHENTICATE].to_str().unwrap().to_owned();
    assert!(challenge.contains("invalid_token"), "{challenge}");
    assert!(challenge.contains("no user"), "{challenge}");
}

#[tokio::test]
async fn client_credentials_scope_stays_within_the_clients_grants() {
    let lab = lab();
    let form = [
        ("grant_type", "client_credentials"),
        ("audience", EXPENSES),
        ("scope", "approve:reports"),
    ];

    let refused = lab.token_as("lab-machine", "lab-machine-secret", &form).await;
    let granted = json(
        lab.token_as(
            "lab-machine",
            "lab-machine-secret",
            &[("grant_type", "client_credentials"), ("audience", EXPENSES)],
        )
        .await,
    )
    .await;

    assert_eq!(json(refused).await["error"], "invalid_scope");
    assert_eq!(granted["scope"], "read:reports");
    assert!(granted.get("refresh_token").is_none() && granted.get("id_token").is_none());
}

#[tokio::test]
async fn user_grants_are_refused_to_a_machine_client() {
    let lab = lab();

    let response = lab
        .token_as(
            "lab-machine",
            "lab-machine-secret",
            &[("grant_type", "authorization_code"), ("code", "x")],
        )
        .await;

    assert_eq!(json(response).await["error"], "unauthorized_client");
}

#[tokio::test]
async fn userinfo_answers_claims_by_scope() {
    let lab = lab();
    let tokens = lab.tokens(&[("scope", "openid email read:reports")], "carol").await;
    let bearer = format!("Bearer {}", tokens["access_token"].as_str().unwrap());

    let request =
        Request::get("/userinfo").header(AUTHORIZATION, bearer).body(Body::empty()).unwrap();
    let body = json(lab.send(request).await).await;

    assert_eq!(body["email"], "carol@expenses.lab");
    assert!(body.get("name").is_none(), "profile was not asked for");
}

#[tokio::test]
async fn userinfo_takes_the_token_from_a_post_body() {
    let lab = lab();
    let tokens = lab.tokens(&[("audience", ""), ("scope", "openid profile")], "carol").await;

    let response = lab
        .post("/userinfo", &[("access_token", tokens["access_token"].as_str().unwrap())], None)
        .await;

    assert_eq!(json(response).await["name"], "Carol Nguyễn-Sørensen");
}

#[tokio::test]
async fn userinfo_refuses_an_id_token_with_a_bearer_challenge() {
    let lab = lab();
    let tokens = lab.tokens(&[], "alice").await;
    let bearer = format!("Bearer {}", tokens["id_token"].as_str().unwrap());

    let request =
        Request::get("/userinfo").header(AUTHORIZATION, bearer).body(Body::empty()).unwrap();
    let response = lab.send(request).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response.headers()[WWW_AUTHENTICATE].to_str().unwrap();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
}

#[tokio::test]
async fn userinfo_refuses_two_words_after_bearer_as_invalid_request() {
    let lab = lab();
    let request =
        Request::get("/userinfo").header(AUTHORIZATION, "bearer x y").body(Body::empty()).unwrap();

    let response = lab.send(request).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let challenge = response.headers()[WWW_AUTHENTICATE].to_str().unwrap().to_owned();
    assert!(challenge.contains("error=\"invalid_request\""), "{challenge}");
    assert!(challenge.contains("one word"), "{challenge}");
}

#[tokio::test]
async fn userinfo_without_a_token_gets_a_bare_challenge() {
    let lab = lab();

    let response = lab.get("/userinfo", None).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[WWW_AUTHENTICATE], "Bearer realm=\"grantlab-idp\"");
}

#[tokio::test]
async fn revoking_a_refresh_token_revokes_its_family() {
    let lab = lab();
    let tokens = lab.tokens(&[], "alice").await;
    let refresh = tokens["refresh_token"].as_str().unwrap();

    let revoked =
        lab.back_channel("/revoke", SANDBOX_CLIENT_ID, SECRET, &[("token", refresh)]).await;
    let introspected = lab
        .back_channel(
            "/introspect",
            SANDBOX_CLIENT_ID,
            SECRET,
            &[("token", tokens["access_token"].as_str().unwrap())],
        )
        .await;

    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(json(introspected).await["active"], false);
}

#[tokio::test]
async fn introspection_describes_a_live_token_to_its_client() {
    let lab = lab();
    let tokens = lab.tokens(&[], "alice").await;
    let access = tokens["access_token"].as_str().unwrap();

    let mine = json(
        lab.back_channel("/introspect", SANDBOX_CLIENT_ID, SECRET, &[("token", access)]).await,
    )
    .await;
    let other = json(
        lab.back_channel("/introspect", "lab-web", "lab-web-secret", &[("token", access)]).await,
    )
    .await;

    assert_eq!(mine["active"], true);
    assert_eq!(mine["scope"], "openid profile email offline_access read:reports");
    assert_eq!(other["active"], false);
}

#[tokio::test]
async fn prompt_none_without_a_session_is_login_required() {
    let lab = lab();

    let response = lab.authorize(&request(&[("prompt", "none")]), None).await;

    assert_eq!(param(&response, "error"), "login_required");
}

#[tokio::test]
async fn consent_is_remembered_and_prompt_consent_asks_again() {
    let lab = lab();
    let (_, cookie) = lab.login_and_approve(&request(&[]), "alice").await;

    let again = lab.authorize(&request(&[]), Some(&cookie)).await;
    let forced = lab.authorize(&request(&[("prompt", "consent")]), Some(&cookie)).await;

    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    assert!(param(&again, "code").len() > 20);
    assert!(text(forced).await.contains("Allow access?"));
}

#[tokio::test]
async fn consent_lists_withheld_permissions() {
    let lab = lab();
    let params = request(&[("scope", "openid approve:reports")]);
    let form = lab.login_form(&params).await;

    let consent = lab.submit_login(&form, "alice", "alice-pass").await;

    let page = text(consent).await;
    assert!(page.contains("Expenses API"));
    assert!(page.contains("alice does not hold this permission"), "{page}");
    assert!(page.contains("name=\"decision\" value=\"deny\""));
}

#[tokio::test]
async fn denied_consent_is_access_denied() {
    let lab = lab();
    let consent = lab.login_to_consent(&request(&[]), "alice").await;

    let response = lab.decide(&consent, "deny").await;

    assert_eq!(param(&response, "error"), "access_denied");
    assert_eq!(param(&response, "state"), "st-1");
}

#[tokio::test]
async fn consent_form_from_another_session_is_refused() {
    let lab = lab();
    let consent = lab.login_to_consent(&request(&[]), "alice").await;
    let (_, other_cookie) = lab.login_and_approve(&request(&[]), "bob").await;
    let other_csrf = hidden(&text(lab.get("/account", Some(&other_cookie)).await).await, "csrf");

    let fields =
        [("request", consent.request.as_str()), ("csrf", &other_csrf), ("decision", "approve")];
    let response = lab.post("/consent", &fields, Some(&other_cookie)).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(text(response).await.contains("another login session"));
}

#[tokio::test]
async fn max_age_past_forces_a_new_login() {
    let lab = lab();
    let (_, cookie) = lab.login_and_approve(&request(&[]), "alice").await;

    lab.provider.advance_clock(120);
    let response = lab.authorize(&request(&[("max_age", "60")]), Some(&cookie)).await;

    assert!(text(response).await.contains("Log in to the lab provider"));
}

#[tokio::test]
async fn hybrid_flow_returns_an_id_token_with_c_hash_in_the_fragment() {
    let lab = lab();

    let (done, _) =
        lab.login_and_approve(&request(&[("response_type", "code id_token")]), "alice").await;

    assert!(location(&done).fragment().is_some());
    let code = param(&done, "code");
    let claims = lab.claims(&param(&done, "id_token"), SANDBOX_CLIENT_ID);
    assert_eq!(claims["c_hash"], half_hash(&code));
    assert_eq!(claims["nonce"], "n-1");
}

#[tokio::test]
async fn hybrid_flow_requires_a_nonce() {
    let lab = lab();

    let response =
        lab.authorize(&request(&[("response_type", "code id_token"), ("nonce", "")]), None).await;

    assert_eq!(param(&response, "error"), "invalid_request");
}

#[tokio::test]
async fn form_post_mode_answers_a_self_submitting_form() {
    let lab = lab();

    let (done, _) =
        lab.login_and_approve(&request(&[("response_mode", "form_post")]), "alice").await;

    assert_eq!(done.status(), StatusCode::OK);
    let page = text(done).await;
    assert!(page.contains("action=\"http://lab.test/callback\""));
    assert!(page.contains("name=\"code\""));
}

#[tokio::test]
async fn logout_returns_to_a_registered_uri_with_state() {
    let lab = lab();
    let tokens = lab.tokens(&[], "alice").await;
    let hint = tokens["id_token"].as_str().unwrap();

    let ok = lab
        .get(
            &format!(
                "/logout?{}",
                query(&[
                    ("id_token_hint", hint),
                    ("post_logout_redirect_uri", "http://lab.test/"),
                    ("state", "bye")
                ])
            ),
            None,
        )
        .await;
    let refused = lab
        .get(
            &format!(
                "/logout?{}",
                query(&[
                    ("id_token_hint", hint),
                    ("post_logout_redirect_uri", "https://evil.test/")
                ])
            ),
            None,
        )
        .await;

    assert_eq!(param(&ok, "state"), "bye");
    assert!(ok.headers()[SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
}

/// `GET /logout` with these parameters.
fn logout_uri(params: &[(&str, &str)]) -> String {
    format!("/logout?{}", query(params))
}

/// The anti-forgery token of a logged-in session, read off its account page.
async fn account_csrf(lab: &Lab, cookie: &str) -> String {
    hidden(&text(lab.get("/account", Some(cookie)).await).await, "csrf")
}

/// Whether the session behind `cookie` is still logged in.
async fn logged_in(lab: &Lab, cookie: &str) -> bool {
    let response = lab.authorize(&request(&[("prompt", "none")]), Some(cookie)).await;
    !location(&response)
        .query_pairs()
        .any(|(name, value)| name == "error" && value == "login_required")
}

#[tokio::test]
async fn auth0_v2_logout_is_renamed_to_a_standard_logout_request_that_keeps_every_rule() {
    let lab = lab();
    let (_, cookie) = lab.login_and_approve(&request(&[]), "alice").await;
    let auth0 = query(&[("returnTo", "http://lab.test/"), ("client_id", "grantlab-sandbox")]);

    let response = lab.get(&format!("/v2/logout?{auth0}"), Some(&cookie)).await;

    // Renamed and sent on; nothing is decided, the session lives.
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let target = location(&response);
    assert_eq!(target.path(), "/idp/logout");
    let pairs: Vec<(String, String)> = target.query_pairs().into_owned().collect();
    let expected =
        [("client_id", "grantlab-sandbox"), ("post_logout_redirect_uri", "http://lab.test/")]
            .map(|(name, value)| (name.to_owned(), value.to_owned()));
    assert_eq!(pairs, expected);
    assert!(logged_in(&lab, &cookie).await);

    // There, with no id_token_hint, the user confirms; an unregistered returnTo is refused.
    let standard = format!("/logout?{}", target.query().unwrap());
    let page = text(lab.get(&standard, Some(&cookie)).await).await;
    assert!(page.contains("Log out of the lab provider?"), "{page}");
    let evil = query(&[("returnTo", "https://evil.test/"), ("client_id", "grantlab-sandbox")]);
    let renamed = location(&lab.get(&format!("/v2/logout?{evil}"), None).await);
    let refused = lab.get(&format!("/logout?{}", renamed.query().unwrap()), None).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn logout_without_an_id_token_hint_asks_the_user_first() {
    let lab = lab();
    let (_, cookie) = lab.login_and_approve(&request(&[]), "alice").await;

    let response = lab.get("/logout", Some(&cookie)).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get(SET_COOKIE).is_none());
    let page = text(response).await;
    assert!(page.contains("Log out of the lab provider?"), "{page}");
    assert!(page.contains("action=\"logout/confirm\""));
    assert!(logged_in(&lab, &cookie).await);
}

#[tokio::test]
async fn logout_with_a_hint_from_another_session_asks_the_user_first() {
    let lab = lab();
    let (done, _) = lab.login_and_approve(&request(&[]), "bob").await;
    let tokens = json(lab.redeem(&param(&done, "code"), VERIFIER).await).await;
    let (_, cookie) = lab.login_and_approve(&request(&[]), "alice").await;
    let hint = tokens["id_token"].as_str().unwrap();

    let response = lab.get(&logout_uri(&[("id_token_hint", hint)]), Some(&cookie)).await;

    assert!(text(response).await.contains("Log out of the lab provider?"));
    assert!(logged_in(&lab, &cookie).await);
}

#[tokio::test]
async fn logout_with_the_sessions_own_hint_ends_it_at_once_and_echoes_state() {
    let lab = lab();
    let (done, cookie) = lab.login_and_approve(&request(&[]), "alice").await;
    let tokens = json(lab.redeem(&param(&done, "code"), VERIFIER).await).await;
    let hint = tokens["id_token"].as_str().unwrap();

    let params = [
        ("id_token_hint", hint),
        ("post_logout_redirect_uri", "http://lab.test/"),
        ("state", "bye"),
    ];
    let response = lab.get(&logout_uri(&params), Some(&cookie)).await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(param(&response, "state"), "bye");
    assert!(response.headers()[SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    assert!(!logged_in(&lab, &cookie).await);
}

#[tokio::test]
async fn confirmed_logout_ends_the_session_and_returns_to_the_registered_uri_with_state() {
    let lab = lab();
    let (_, cookie) = lab.login_and_approve(&request(&[]), "alice").await;
    let params = [
        ("client_id", SANDBOX_CLIENT_ID),
        ("post_logout_redirect_uri", "http://lab.test/"),
        ("state", "bye"),
    ];
    let page = text(lab.get(&logout_uri(&params), Some(&cookie)).await).await;

    let fields = [
        ("csrf", hidden(&page, "csrf")),
        ("client_id", hidden(&page, "client_id")),
        ("post_logout_redirect_uri", hidden(&page, "post_logout_redirect_uri")),
        ("state", hidden(&page, "state")),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = lab.post("/logout/confirm", &fields, Some(&cookie)).await;

    assert_eq!(location(&response).as_str(), "http://lab.test/?state=bye");
    assert!(!logged_in(&lab, &cookie).await);
}

#[tokio::test]
async fn logout_confirmation_without_its_anti_forgery_token_is_refused() {
    let lab = lab();
    let (_, cookie) = lab.login_and_approve(&request(&[]), "alice").await;
    let (_, other) = lab.login_and_approve(&request(&[]), "bob").await;
    let others_csrf = account_csrf(&lab, &other).await;

    let missing = lab.post("/logout/confirm", &[], Some(&cookie)).await;
    let wrong = lab.post("/logout/confirm", &[("csrf", &others_csrf)], Some(&cookie)).await;

    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    assert!(text(wrong).await.contains("anti-forgery token"));
    assert!(logged_in(&lab, &cookie).await);
}

#[tokio::test]
async fn account_page_logout_checks_its_anti_forgery_token() {
    let lab = lab();
    let (_, cookie) = lab.login_and_approve(&request(&[]), "alice").await;
    let page = text(lab.get("/account", Some(&cookie)).await).await;
    assert!(page.contains("action=\"logout/confirm\""));

    let forged = lab.post("/logout/confirm", &[("csrf", "guessed")], Some(&cookie)).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(logged_in(&lab, &cookie).await);

    let csrf = hidden(&page, "csrf");
    let done = lab.post("/logout/confirm", &[("csrf", &csrf)], Some(&cookie)).await;
    assert!(text(done).await.contains("You are logged out"));
    assert!(!logged_in(&lab, &cookie).await);
}

#[tokio::test]
async fn post_logout_redirect_uri_must_match_a_registered_one_exactly() {
    let lab = lab();
    let (_, cookie) = lab.login_and_approve(&request(&[]), "alice").await;
    let csrf = account_csrf(&lab, &cookie).await;

    for uri in ["http://lab.test", "http://lab.test/?x=1", "http://lab.test/x", "https://lab.test/"]
    {
        let params = [("client_id", SANDBOX_CLIENT_ID), ("post_logout_redirect_uri", uri)];
        let asked = lab.get(&logout_uri(&params), Some(&cookie)).await;
        let fields = [("csrf", csrf.as_str()), params[0], params[1]];
        let confirmed = lab.post("/logout/confirm", &fields, Some(&cookie)).await;

        assert_eq!(asked.status(), StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(confirmed.status(), StatusCode::BAD_REQUEST, "{uri}");
    }
    assert!(logged_in(&lab, &cookie).await);
}

#[tokio::test]
async fn logout_error_pages_cite_rp_initiated_logout_not_rfc_6749() {
    let lab = lab();
    let unregistered = [
        ("client_id", SANDBOX_CLIENT_ID),
        ("post_logout_redirect_uri", "http://lab.test/elsewhere"),
    ];
    let bad_hint = [("id_token_hint", "a.b.c")];

    let redirect_page = text(lab.get(&logout_uri(&unregistered), None).await).await;
    let hint_page = text(lab.get(&logout_uri(&bad_hint), None).await).await;

    assert!(redirect_page.contains("RP-Initiated Logout 1.0, section 3"), "{redirect_page}");
    assert!(hint_page.contains("RP-Initiated Logout 1.0, section 2"), "{hint_page}");
    for page in [redirect_page, hint_page] {
        assert!(!page.contains("4.1.2.1"), "{page}");
    }
}

#[tokio::test]
async fn an_expired_consent_form_page_says_why_without_citing_redirect_trust() {
    let lab = lab();
    let form = lab.login_to_consent(&request(&[]), "alice").await;
    lab.decide(&form, "approve").await;

    let again = text(lab.decide(&form, "approve").await).await;

    assert!(again.contains("expired or was already used"), "{again}");
    assert!(again.contains("only for the request it was shown for"), "{again}");
    assert!(!again.contains("4.1.2.1"), "{again}");
}

#[tokio::test]
async fn login_form_without_its_anti_forgery_token_is_refused() {
    let lab = lab();
    let form = lab.login_form(&request(&[])).await;
    let missing = Form { csrf: String::new(), ..form };

    let response = lab.submit_login(&missing, "alice", "alice-pass").await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.headers().get(SET_COOKIE).is_none());
    assert!(text(response).await.contains("no anti-forgery token"));
}

#[tokio::test]
async fn login_form_with_another_browsers_anti_forgery_token_is_refused() {
    let lab = lab();
    let attacker = lab.login_form(&request(&[])).await;
    let victim = lab.login_form(&request(&[])).await;
    let forged = Form { cookie: victim.cookie, ..attacker };
    let no_cookie = Form { cookie: "other=1".into(), ..lab.login_form(&request(&[])).await };

    let response = lab.submit_login(&forged, "alice", "alice-pass").await;
    let cookieless = lab.submit_login(&no_cookie, "alice", "alice-pass").await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.headers().get(SET_COOKIE).is_none());
    assert_eq!(cookieless.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn account_login_form_checks_its_anti_forgery_token() {
    let lab = lab();
    let login = lab.get("/account", None).await;
    let cookie = session_cookie(&login);
    let page = text(login).await;
    let form = Form { request: String::new(), csrf: hidden(&page, "csrf"), cookie };

    let forged = Form { csrf: "forged".into(), ..form };
    let response = lab.submit_login(&forged, "bob", "bob-pass").await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert!(response.headers().get(SET_COOKIE).is_none());
}

#[tokio::test]
async fn consent_form_without_its_anti_forgery_token_is_refused() {
    let lab = lab();
    let consent = lab.login_to_consent(&request(&[]), "alice").await;
    let login_csrf = lab.login_form(&request(&[])).await.csrf;

    let missing = Form { csrf: String::new(), ..consent };
    let response = lab.decide(&missing, "approve").await;
    let wrong = Form { csrf: login_csrf, ..missing };
    let wrong_response = lab.decide(&wrong, "approve").await;
    let right = lab
        .decide(&Form { csrf: account_csrf(&lab, &wrong.cookie).await, ..wrong }, "approve")
        .await;

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(wrong_response.status(), StatusCode::FORBIDDEN);
    assert_eq!(param(&right, "state"), "st-1", "a refused form leaves the request usable");
}

#[tokio::test]
async fn consent_revocation_without_its_anti_forgery_token_is_refused() {
    let lab = lab();
    let (_, cookie) = lab.login_and_approve(&request(&[]), "alice").await;

    let missing =
        lab.post("/account/revoke", &[("client_id", SANDBOX_CLIENT_ID)], Some(&cookie)).await;
    let fields = [("csrf", "forged"), ("client_id", SANDBOX_CLIENT_ID)];
    let wrong = lab.post("/account/revoke", &fields, Some(&cookie)).await;

    assert_eq!(missing.status(), StatusCode::FORBIDDEN);
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let again = lab.authorize(&request(&[("prompt", "none")]), Some(&cookie)).await;
    assert!(param(&again, "code").len() > 20, "the consent is still remembered");
}

#[test]
fn anti_forgery_tokens_differ_per_idp_session() {
    let lab = lab();

    let (first, first_cookie) = super::session::form_token(&lab.provider, None).unwrap();
    let (second, _) = super::session::form_token(&lab.provider, None).unwrap();

    assert_ne!(first, second);
    assert!(first_cookie.is_some());
}

#[tokio::test]
async fn consent_is_kept_per_login_so_each_learner_sharing_a_user_is_asked_once() {
    let lab = lab();
    let (_, first_learner) = lab.login_and_approve(&request(&[]), "alice").await;

    let second_flow = lab.authorize(&request(&[("prompt", "none")]), Some(&first_learner)).await;
    let form = lab.login_form(&request(&[])).await;
    let second_learner = text(lab.submit_login(&form, "alice", "alice-pass").await).await;

    assert!(param(&second_flow, "code").len() > 20);
    assert!(second_learner.contains("Allow access?"), "{second_learner}");
    assert!(second_learner.contains("until you log out here"), "{second_learner}");
}

#[tokio::test]
async fn account_page_lists_and_revokes_consents() {
    let lab = lab();
    let (done, cookie) = lab.login_and_approve(&request(&[]), "alice").await;
    let tokens = json(lab.redeem(&param(&done, "code"), VERIFIER).await).await;

    let page = text(lab.get("/account", Some(&cookie)).await).await;
    assert!(page.contains("Grantlab sandbox"));
    let csrf = hidden(&page, "csrf");
    lab.post(
        "/account/revoke",
        &[("csrf", &csrf), ("client_id", SANDBOX_CLIENT_ID)],
        Some(&cookie),
    )
    .await;

    let again = lab.authorize(&request(&[("prompt", "none")]), Some(&cookie)).await;
    assert_eq!(param(&again, "error"), "consent_required");
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let refreshed = lab.token(&[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await;
    assert_eq!(json(refreshed).await["error"], "invalid_grant");
}

#[tokio::test]
async fn without_rotation_the_refresh_token_stays_the_same_and_usable() {
    let scenario = DEFAULT_SCENARIO.replace(
        "name = \"Grantlab sandbox\"",
        "name = \"Grantlab sandbox\"\nrotate_refresh_tokens = false",
    );
    let lab = lab_with(&scenario);
    let tokens = lab.tokens(&[], "alice").await;
    let refresh = tokens["refresh_token"].as_str().unwrap();

    let first =
        json(lab.token(&[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await).await;
    let second =
        json(lab.token(&[("grant_type", "refresh_token"), ("refresh_token", refresh)]).await).await;

    assert!(first.get("refresh_token").is_none());
    assert!(second["access_token"].is_string(), "{second}");
}

#[tokio::test]
async fn offline_access_is_withheld_for_an_api_that_does_not_allow_it() {
    let lab = lab();

    let tokens = lab
        .tokens(
            &[("audience", "https://reports-service"), ("scope", "openid offline_access")],
            "bob",
        )
        .await;

    assert_eq!(tokens["scope"], "openid");
    assert!(tokens.get("refresh_token").is_none());
}

#[tokio::test]
async fn account_page_without_a_session_offers_the_login_form() {
    let lab = lab();
    let login = lab.get("/account", None).await;
    let browser = session_cookie(&login);
    let page = text(login).await;
    assert!(page.contains("id=\"login\""));

    let form = Form { request: String::new(), csrf: hidden(&page, "csrf"), cookie: browser };
    let response = lab.submit_login(&form, "bob", "bob-pass").await;

    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = session_cookie(&response);
    let account = text(lab.get("/account", Some(&cookie)).await).await;
    assert!(account.contains("Bob Lindqvist"));
}

#[tokio::test]
async fn prompt_login_asks_for_the_password_despite_a_session() {
    let lab = lab();
    let (_, cookie) = lab.login_and_approve(&request(&[]), "alice").await;

    let response = lab.authorize(&request(&[("prompt", "login")]), Some(&cookie)).await;

    assert!(text(response).await.contains("Log in to the lab provider"));
}

#[tokio::test]
async fn login_hint_fills_in_the_username() {
    let lab = lab();

    let page = text(lab.authorize(&request(&[("login_hint", "carol")]), None).await).await;

    assert!(page.contains("value=\"carol\""));
}

#[tokio::test]
async fn resource_parameter_names_the_api_like_audience() {
    let lab = lab();

    let tokens = lab.tokens(&[("audience", ""), ("resource", EXPENSES)], "alice").await;

    let claims = lab.claims(tokens["access_token"].as_str().unwrap(), EXPENSES);
    assert_eq!(claims["scope"], "openid profile email offline_access read:reports");
}

#[tokio::test]
async fn refresh_family_ends_at_its_absolute_lifetime_even_when_used() {
    let lab = lab();
    let tokens = lab.tokens(&[], "alice").await;
    let mut refresh = tokens["refresh_token"].as_str().unwrap().to_owned();

    // Refresh every 20 hours: within the idle lifetime (24 h) each time.
    for round in 1..=9 {
        lab.provider.advance_clock(20 * 3600);
        let body =
            json(lab.token(&[("grant_type", "refresh_token"), ("refresh_token", &refresh)]).await)
                .await;
        match body["refresh_token"].as_str() {
            Some(next) => refresh = next.to_owned(),
            None => {
                // 9 x 20 h = 180 h is the first round past the absolute lifetime (168 h).
                assert_eq!(body["error"], "invalid_grant", "{body}");
                assert_eq!(round, 9);
                return;
            }
        }
    }
    panic!("the family outlived its absolute lifetime");
}

#[tokio::test]
async fn authorization_endpoint_accepts_a_form_post() {
    let lab = lab();
    let params = request(&[]);
    let pairs: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();

    let response = lab.post("/authorize", &pairs, None).await;

    assert_eq!(response.status(), StatusCode::OK);
    assert!(text(response).await.contains("Log in to the lab provider"));
}

#[tokio::test]
async fn opaque_token_lifetime_is_set_per_client() {
    let scenario =
        DEFAULT_SCENARIO.replace("opaque_token_lifetime = 600", "opaque_token_lifetime = 10");
    let lab = lab_with(&scenario);

    let tokens = lab.tokens(&[("audience", ""), ("scope", "openid")], "alice").await;

    assert_eq!(tokens["expires_in"], 10);
}

#[tokio::test]
async fn mischief_lab_lifetime_shortens_the_access_token_and_survives_refresh() {
    let lab = lab();

    let tokens = lab.tokens(&[("lab_access_token_lifetime", "10")], "alice").await;
    let refresh_token = tokens["refresh_token"].as_str().unwrap();
    let refreshed =
        json(lab.token(&[("grant_type", "refresh_token"), ("refresh_token", refresh_token)]).await)
            .await;

    assert_eq!(tokens["expires_in"], 10);
    let claims = lab.claims(tokens["access_token"].as_str().unwrap(), EXPENSES);
    assert_eq!(claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(), 10);
    assert_eq!(refreshed["expires_in"], 10);
}

#[tokio::test]
async fn mischief_lab_lifetime_is_refused_below_ten_seconds() {
    let lab = lab();

    let response = lab.authorize(&request(&[("lab_access_token_lifetime", "3")]), None).await;

    assert_eq!(param(&response, "error"), "invalid_request");
    assert!(param(&response, "error_description").contains("10 or more"));
}

#[tokio::test]
async fn mischief_lab_lifetime_is_for_the_sandbox_client_only() {
    let lab = lab();
    let mut params = request(&[("lab_access_token_lifetime", "10")]);
    for (name, value) in &mut params {
        match name.as_str() {
            "client_id" => *value = "lab-web".to_owned(),
            "redirect_uri" => *value = "http://localhost:3000/callback".to_owned(),
            _ => {}
        }
    }

    let response = lab.authorize(&params, None).await;

    assert_eq!(param(&response, "error"), "invalid_request");
    assert!(param(&response, "error_description").contains("sandbox"));
}

#[tokio::test]
async fn revocation_and_introspection_require_client_authentication() {
    let lab = lab();
    let tokens = lab.tokens(&[], "alice").await;
    let access = tokens["access_token"].as_str().unwrap();

    for path in ["/revoke", "/introspect"] {
        let response = lab.post(path, &[("token", access)], None).await;

        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(json(response).await["error"], "invalid_client", "{path}");
    }
    let form = [("token", access)];
    let still = json(lab.back_channel("/introspect", SANDBOX_CLIENT_ID, SECRET, &form).await).await;
    assert_eq!(still["active"], true, "an unauthenticated revocation changes nothing");
}

#[tokio::test]
async fn revoked_access_token_is_inactive_and_refused_at_userinfo() {
    let lab = lab();
    let tokens = lab.tokens(&[("audience", ""), ("scope", "openid profile")], "alice").await;
    let access = tokens["access_token"].as_str().unwrap();

    let revoked =
        lab.back_channel("/revoke", SANDBOX_CLIENT_ID, SECRET, &[("token", access)]).await;
    let form = [("token", access)];
    let introspected =
        json(lab.back_channel("/introspect", SANDBOX_CLIENT_ID, SECRET, &form).await).await;
    let request = Request::get("/userinfo")
        .header(AUTHORIZATION, format!("Bearer {access}"))
        .body(Body::empty())
        .unwrap();
    let userinfo = lab.send(request).await;

    assert_eq!(revoked.status(), StatusCode::OK);
    assert_eq!(introspected["active"], false);
    assert_eq!(userinfo.status(), StatusCode::UNAUTHORIZED);
    assert!(userinfo.headers()[WWW_AUTHENTICATE].to_str().unwrap().contains("invalid_token"));
}

#[tokio::test]
async fn userinfo_keeps_a_non_ascii_name_intact() {
    let lab = lab();
    let tokens = lab.tokens(&[("scope", "openid profile")], "carol").await;
    let bearer = format!("Bearer {}", tokens["access_token"].as_str().unwrap());

    let request =
        Request::get("/userinfo").header(AUTHORIZATION, bearer).body(Body::empty()).unwrap();
    let body = json(lab.send(request).await).await;

    assert_eq!(body["family_name"], "Nguyễn-Sørensen");
}

#[tokio::test]
async fn no_refresh_token_for_a_client_without_the_refresh_grant() {
    let scenario = DEFAULT_SCENARIO.replacen(
        "grant_types = [\"authorization_code\", \"refresh_token\"]",
        "grant_types = [\"authorization_code\"]",
        1,
    );
    let lab = lab_with(&scenario);

    let tokens = lab.tokens(&[], "alice").await;

    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
    assert!(!tokens["scope"].as_str().unwrap().contains("offline_access"));
}

#[tokio::test]
async fn login_replaces_the_login_forms_idp_session_and_its_token() {
    let lab = lab();
    let form = lab.login_form(&request(&[])).await;

    let consent = lab.submit_login(&form, "alice", "alice-pass").await;
    let cookie = session_cookie(&consent);
    let page = text(consent).await;

    assert_ne!(cookie, form.cookie, "a new cookie value after login (no session fixation)");
    assert_ne!(hidden(&page, "csrf"), form.csrf);
    let old = Form { request: hidden(&page, "request"), ..form };
    assert_eq!(lab.decide(&old, "approve").await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn access_token_is_refused_as_an_id_token_hint() {
    let lab = lab();
    let (done, cookie) = lab.login_and_approve(&request(&[]), "alice").await;
    let tokens = json(lab.redeem(&param(&done, "code"), VERIFIER).await).await;
    let access = tokens["access_token"].as_str().unwrap();

    let response = lab.get(&logout_uri(&[("id_token_hint", access)]), Some(&cookie)).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(text(response).await.contains("not an ID token"));
    assert!(logged_in(&lab, &cookie).await);
}

/// The usual request with `resource` sent once per value and no `audience`.
fn request_for_resources(resources: &[&str]) -> Vec<(String, String)> {
    let mut params = request(&[("audience", "")]);
    params.extend(resources.iter().map(|value| ("resource".to_owned(), (*value).to_owned())));
    params
}

#[tokio::test]
async fn several_resources_are_invalid_target_one_token_per_api_rfc_8707() {
    let lab = lab();

    let response =
        lab.authorize(&request_for_resources(&[EXPENSES, "https://reports-service"]), None).await;

    assert_eq!(param(&response, "error"), "invalid_target");
    let description = param(&response, "error_description");
    assert!(description.contains("one resource at a time"), "{description}");
    assert_eq!(param(&response, "state"), "st-1");
}

#[tokio::test]
async fn the_same_resource_sent_twice_names_one_api() {
    let lab = lab();

    let login = lab.authorize(&request_for_resources(&[EXPENSES, EXPENSES]), None).await;

    assert_eq!(login.status(), StatusCode::OK, "the login page, not an error");
}

#[tokio::test]
async fn resource_must_be_an_absolute_uri_without_a_fragment_rfc_8707() {
    let lab = lab();

    for value in ["expenses-api", "https://expenses-api#read"] {
        let response = lab.authorize(&request_for_resources(&[value]), None).await;

        assert_eq!(param(&response, "error"), "invalid_target", "{value}");
        let description = param(&response, "error_description");
        assert!(description.contains("must be an absolute URI without a fragment"), "{value}");
        assert!(!description.contains("no API has"), "{description}");
    }
}

#[tokio::test]
async fn client_credentials_with_several_resources_is_invalid_target() {
    let lab = lab();
    let form = [
        ("grant_type", "client_credentials"),
        ("resource", EXPENSES),
        ("resource", "https://reports-service"),
    ];

    let response = lab.token_as("lab-machine", "lab-machine-secret", &form).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(json(response).await["error"], "invalid_target");
}

#[tokio::test]
async fn repeated_response_type_is_reported_as_repeated_rfc_6749_3_1() {
    let lab = lab();
    let mut params = request(&[]);
    params.push(("response_type".to_owned(), "code".to_owned()));

    let response = lab.authorize(&params, None).await;

    assert_eq!(param(&response, "error"), "invalid_request");
    assert_eq!(param(&response, "error_description"), "`response_type` is repeated");
}

#[tokio::test]
async fn repeated_logout_parameter_is_reported_as_repeated_on_the_providers_page() {
    let lab = lab();

    let response = lab.get(&logout_uri(&[("state", "a"), ("state", "b")]), None).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let page = text(response).await;
    assert!(page.contains("`state` is repeated"), "{page}");
}

#[tokio::test]
async fn revocation_and_introspection_without_a_form_answer_rfc_6749_5_2_json() {
    let lab = lab();

    for path in ["/revoke", "/introspect", "/token"] {
        let response = lab.send(Request::post(path).body(Body::empty()).unwrap()).await;

        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(response.headers()[CACHE_CONTROL], "no-store", "{path}");
        let body = json(response).await;
        assert_eq!(body["error"], "invalid_request", "{path}");
        let description = body["error_description"].as_str().unwrap();
        assert!(description.contains("application/x-www-form-urlencoded"), "{description}");
    }
}

#[tokio::test]
async fn consent_without_its_request_field_is_the_providers_page_naming_the_field() {
    let lab = lab();
    let form = lab.login_to_consent(&request(&[]), "alice").await;

    let fields = [("csrf", form.csrf.as_str()), ("decision", "approve")];
    let response = lab.post("/consent", &fields, Some(&form.cookie)).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let page = text(response).await;
    assert!(page.contains("`request` is missing"), "{page}");
    assert!(!page.contains("Failed to deserialize"), "{page}");
}

#[tokio::test]
async fn every_provider_form_refuses_a_missing_body_with_its_own_page() {
    let lab = lab();

    for path in ["/authorize", "/login", "/consent", "/logout", "/logout/confirm"] {
        let response = lab.send(Request::post(path).body(Body::empty()).unwrap()).await;

        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        let page = text(response).await;
        assert!(page.contains("application/x-www-form-urlencoded"), "{path}: {page}");
        assert!(!page.contains("Form requests must"), "{path}: {page}");
    }
    let revoke = lab.send(Request::post("/account/revoke").body(Body::empty()).unwrap()).await;
    assert_eq!(revoke.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn account_page_names_the_api_beside_each_consented_permission() {
    let lab = lab();
    let (_, cookie) = lab.login_and_approve(&request(&[]), "alice").await;

    let page = text(lab.get("/account", Some(&cookie)).await).await;

    assert!(page.contains("Expenses API: read:reports"), "{page}");
    assert!(!page.contains("https://expenses-api#"), "{page}");
}

#[tokio::test]
async fn id_token_hint_that_is_not_a_jwt_is_explained_in_words() {
    let lab = lab();

    let response = lab.get(&logout_uri(&[("id_token_hint", "not-a-jwt")]), None).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let page = text(response).await;
    assert!(page.contains("it is not a JWT"), "{page}");
    assert!(!page.contains("InvalidToken"), "{page}");
}

#[tokio::test]
async fn userinfo_refuses_an_access_token_repeated_in_the_body() {
    let lab = lab();
    let tokens = lab.tokens(&[("audience", ""), ("scope", "openid profile")], "alice").await;
    let access = tokens["access_token"].as_str().unwrap();

    let form = [("access_token", access), ("access_token", access)];
    let response = lab.post("/userinfo", &form, None).await;

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = json(response).await;
    assert_eq!(body["error"], "invalid_request");
    assert!(body["error_description"].as_str().unwrap().contains("repeated"));
}

/// A refresh request for `refresh_token` with `extra` fields added.
async fn refresh_naming(lab: &Lab, refresh_token: &str, extra: &[(&str, &str)]) -> Response {
    let mut form = vec![("grant_type", "refresh_token"), ("refresh_token", refresh_token)];
    form.extend_from_slice(extra);
    lab.token(&form).await
}

/// The `invalid_target` description of a refused token request.
async fn invalid_target(response: Response) -> String {
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = json(response).await;
    assert_eq!(body["error"], "invalid_target", "{body}");
    body["error_description"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn refresh_naming_the_granted_api_by_resource_or_audience_gets_its_token_rfc_8707() {
    let lab = lab();
    let tokens = lab.tokens(&[], "alice").await;
    let mut refresh = tokens["refresh_token"].as_str().unwrap().to_owned();

    for field in ["resource", "audience"] {
        let response = refresh_naming(&lab, &refresh, &[(field, EXPENSES)]).await;

        assert_eq!(response.status(), StatusCode::OK, "{field}");
        let body = json(response).await;
        let claims = lab.claims(body["access_token"].as_str().unwrap(), EXPENSES);
        assert_eq!(claims["aud"][0], EXPENSES, "{field}");
        refresh = body["refresh_token"].as_str().unwrap().to_owned();
    }
}

#[tokio::test]
async fn refresh_naming_another_api_is_invalid_target_naming_the_expected_one() {
    let lab = lab();
    let tokens = lab.tokens(&[], "alice").await;
    let refresh = tokens["refresh_token"].as_str().unwrap();

    for field in ["resource", "audience"] {
        let other = [(field, "https://reports-service")];
        let description = invalid_target(refresh_naming(&lab, refresh, &other).await).await;

        assert!(
            description.contains(&format!("`{field}` `https://reports-service`")),
            "{description}"
        );
        assert!(description.contains("granted for `https://expenses-api`"), "{description}");
    }
    let unrefused = refresh_naming(&lab, refresh, &[]).await;
    assert_eq!(unrefused.status(), StatusCode::OK, "a refused request spends nothing");
}

#[tokio::test]
async fn refresh_naming_an_unknown_api_is_invalid_target_naming_the_expected_one() {
    let lab = lab();
    let tokens = lab.tokens(&[], "alice").await;
    let refresh = tokens["refresh_token"].as_str().unwrap();

    let unknown = [("resource", "https://nowhere.test")];
    let description = invalid_target(refresh_naming(&lab, refresh, &unknown).await).await;

    assert!(description.contains("`resource` `https://nowhere.test` names no known API"));
    assert!(description.contains("granted for `https://expenses-api`"), "{description}");
}

#[tokio::test]
async fn refresh_refuses_several_resources_a_relative_one_and_disagreeing_names() {
    let lab = lab();
    let tokens = lab.tokens(&[], "alice").await;
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let cases: [(&[(&str, &str)], &str); 3] = [
        (
            &[("resource", EXPENSES), ("resource", "https://reports-service")],
            "one resource at a time",
        ),
        (&[("resource", "expenses-api")], "must be an absolute URI without a fragment"),
        (&[("resource", EXPENSES), ("audience", "https://reports-service")], "name different APIs"),
    ];

    for (extra, reason) in cases {
        let description = invalid_target(refresh_naming(&lab, refresh, extra).await).await;

        assert!(description.contains(reason), "{description}");
        assert!(description.contains("granted for `https://expenses-api`"), "{description}");
    }
}

#[tokio::test]
async fn refresh_of_a_grant_without_an_api_refuses_a_named_resource() {
    let lab = lab();
    let scope = [("audience", ""), ("scope", "openid offline_access")];
    let tokens = lab.tokens(&scope, "alice").await;
    let refresh = tokens["refresh_token"].as_str().unwrap();

    let named = [("resource", EXPENSES)];
    let description = invalid_target(refresh_naming(&lab, refresh, &named).await).await;

    assert!(description.contains("granted for no API"), "{description}");
    let plain = json(refresh_naming(&lab, refresh, &[]).await).await;
    let access = plain["access_token"].as_str().unwrap();
    assert!(jsonwebtoken::decode_header(access).is_err(), "still an opaque token: {access}");
}

#[tokio::test]
async fn code_redeemed_naming_another_api_is_invalid_target_naming_the_expected_one() {
    let lab = lab();
    let (done, _) = lab.login_and_approve(&request(&[]), "alice").await;
    let code = param(&done, "code");

    let response = lab
        .token(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("audience", "https://reports-service"),
        ])
        .await;

    let description = invalid_target(response).await;
    assert!(description.contains("the code was granted for `https://expenses-api`"));
}

mod claims_parameter;

#[tokio::test]
async fn a_full_store_sends_temporarily_unavailable_to_the_trusted_redirect_uri() {
    let lab = lab_with_budget(16);
    let (done, cookie) = lab.login_and_approve(&request(&[]), "alice").await;
    assert!(!param(&done, "code").is_empty());

    // Fill the store with copies of that code until it refuses new entries.
    {
        let now = lab.provider.now();
        let mut store = lab.provider.store.lock();
        let issued = store.codes.iter().next().map(|(_, code)| code.clone()).unwrap();
        let mut filled = 0;
        while store.make_room(now).is_ok() {
            assert!(filled < 100_000, "a 16 MiB store took 100,000 codes");
            store
                .codes
                .insert(super::store::token_key(&format!("filler-{filled}")), issued.clone());
            filled += 1;
        }
    }

    let again = lab.authorize(&request(&[]), Some(&cookie)).await;

    assert_eq!(again.status(), StatusCode::SEE_OTHER, "back to the client, not a 503 page");
    assert_eq!(param(&again, "error"), "temporarily_unavailable");
    assert_eq!(param(&again, "state"), "st-1");
}
