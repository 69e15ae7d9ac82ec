//! The client role's flows through its JSON API, as the workbench drives them: against the
//! embedded lab provider, and against the certified `oidc-provider` from npm.

use grantlab_shared::{
    ApiCallResult, ErrorCode, FlowStatus, Outcome, ProfileView, Timeline, TokenKind,
};
use grantlab_tests::{Flow, OidcProvider, TestServer};
use reqwest::{Method, StatusCode};
use serde_json::json;

const SECRET: &str = "e2e-sandbox-secret-4f1d8c";
const EXPENSES: &str = "https://expenses-api";

async fn lab() -> TestServer {
    TestServer::start_with(|config| config.client_secret = Some(SECRET.into())).await.unwrap()
}

/// Runs the code flow at the lab provider and redeems; `adjust` edits the draft.
async fn lab_tokens(
    server: &TestServer,
    adjust: impl FnOnce(&mut grantlab_shared::AuthorizationDraft),
) -> (Flow, Outcome) {
    let mut flow = Flow::start(&server.url);
    let mut draft = flow.draft().await.unwrap();
    draft.scopes = vec![
        "openid".into(),
        "profile".into(),
        "email".into(),
        "offline_access".into(),
        "read:reports".into(),
    ];
    draft.resources = vec![EXPENSES.into()];
    adjust(&mut draft);

    let composed = flow.authorize(&draft).await.unwrap();
    flow.login(&composed.url, "approve").await.unwrap();
    let outcome = flow.redeem().await.unwrap();
    (flow, outcome)
}

#[tokio::test]
async fn lab_code_flow_with_pkce_passes_every_id_token_check() {
    let server = lab().await;

    let (mut flow, outcome) = lab_tokens(&server, |_| {}).await;

    assert!(outcome.ok, "{outcome:?}");
    let session = flow.session().await.unwrap();
    assert_eq!(session.status, FlowStatus::TokensReceived);
    let tokens = session.tokens.unwrap();
    assert!(tokens.id_token.unwrap().is_jwt);
    let failed: Vec<_> = tokens.id_token_checks.iter().filter(|check| !check.passed).collect();
    assert!(failed.is_empty(), "{failed:?}");
    assert!(tokens.id_token_checks.iter().any(|check| check.id == "id_token.signature"));
    let (expires_in, expires_at) = (tokens.expires_in.unwrap(), tokens.expires_at.unwrap());
    assert!(expires_in > 0 && expires_at >= expires_in, "{expires_in} {expires_at}");
}

#[tokio::test]
async fn lab_userinfo_answers_claims_matching_the_id_token() {
    let server = lab().await;
    let (mut flow, _) = lab_tokens(&server, |_| {}).await;

    let outcome: Outcome = flow.post("/api/userinfo", &json!({})).await.unwrap();

    assert!(outcome.ok, "{outcome:?}");
    assert!(outcome.fields.iter().any(|field| field.name == "sub"));
}

#[tokio::test]
async fn lab_refresh_rotates_and_a_replay_is_refused() {
    let server = lab().await;
    let (mut flow, _) = lab_tokens(&server, |_| {}).await;

    let refreshed: Outcome = flow.post("/api/refresh", &json!({})).await.unwrap();
    let replayed: Outcome =
        flow.post("/api/refresh", &json!({"replay_previous": true})).await.unwrap();

    assert!(refreshed.ok, "{refreshed:?}");
    assert!(refreshed.summary.contains("rotated"), "{}", refreshed.summary);
    assert!(!replayed.ok, "{replayed:?}");
    assert_eq!(replayed.error.unwrap().error, ErrorCode::InvalidGrant);
}

#[tokio::test]
async fn lab_api_accepts_the_access_token_and_refuses_the_id_token_and_none() {
    let server = lab().await;
    let (mut flow, _) = lab_tokens(&server, |_| {}).await;
    let url = server.at("/expenses-api/expenses");

    let call = |token: Option<TokenKind>| json!({"method": "GET", "url": url, "token": token});
    let with_access: ApiCallResult =
        flow.post("/api/call", &call(Some(TokenKind::AccessToken))).await.unwrap();
    let with_id: ApiCallResult =
        flow.post("/api/call", &call(Some(TokenKind::IdToken))).await.unwrap();
    let with_none: ApiCallResult = flow.post("/api/call", &call(None)).await.unwrap();

    assert_eq!(with_access.status, 200, "{}", with_access.body);
    assert_eq!(with_id.status, 401, "{}", with_id.body);
    assert_eq!(with_none.status, 401, "{}", with_none.body);
    assert!(!with_id.checks.is_empty() || with_id.challenge.is_some(), "{with_id:?}");
}

#[tokio::test]
async fn lab_hybrid_flow_with_form_post_redeems_the_code() {
    let server = lab().await;

    let (mut flow, outcome) = lab_tokens(&server, |draft| {
        draft.response_type = "code id_token".into();
        draft.response_mode = Some(grantlab_shared::ResponseMode::FormPost);
    })
    .await;

    assert!(outcome.ok, "{outcome:?}");
    let callback = flow.session().await.unwrap().callback.unwrap();
    assert_eq!(callback.response_mode, grantlab_shared::ResponseMode::FormPost);
    assert!(callback.params.iter().any(|param| param.name == "id_token"));
    let checks = flow.session().await.unwrap().tokens.unwrap().id_token_checks;
    let failed: Vec<_> = checks.iter().filter(|check| !check.passed).collect();
    assert!(failed.is_empty(), "{failed:?}");
    assert!(checks.iter().any(|check| check.id == "front_channel.id_token.c_hash"), "{checks:?}");
}

#[tokio::test]
async fn lab_fragment_mode_hands_the_response_over_through_the_page() {
    let server = lab().await;

    let (mut flow, outcome) = lab_tokens(&server, |draft| {
        draft.response_mode = Some(grantlab_shared::ResponseMode::Fragment);
    })
    .await;

    assert!(outcome.ok, "{outcome:?}");
    let callback = flow.session().await.unwrap().callback.unwrap();
    assert_eq!(callback.response_mode, grantlab_shared::ResponseMode::Fragment);
    assert!(callback.state_check.passed);
}

#[tokio::test]
async fn lab_revoked_refresh_token_no_longer_refreshes() {
    let server = lab().await;
    let (mut flow, _) = lab_tokens(&server, |_| {}).await;

    let revoked: Outcome =
        flow.post("/api/revoke", &json!({"token": "refresh_token"})).await.unwrap();
    let introspected: Outcome =
        flow.post("/api/introspect", &json!({"token": "refresh_token"})).await.unwrap();
    let refreshed: Outcome = flow.post("/api/refresh", &json!({})).await.unwrap();

    assert!(revoked.ok, "{revoked:?}");
    assert!(introspected.fields.iter().any(|f| f.name == "active" && f.value == "false"));
    assert!(!refreshed.ok, "{refreshed:?}");
}

#[tokio::test]
async fn lab_client_credentials_works_for_the_machine_client_only() {
    let server = lab().await;
    let mut flow = Flow::start(&server.url);
    let body = json!({"scopes": ["read:reports"], "resources": [EXPENSES]});
    let refused: Outcome = flow.post("/api/client-credentials", &body).await.unwrap();

    let machine = json!({
        "source": {"kind": "discovered", "issuer": server.at("/idp")},
        "client_id": "lab-machine",
        "client_secret": "lab-machine-secret",
    });
    let (status, profile) = flow.send(Method::PUT, "/api/profile", &machine).await.unwrap();
    let outcome: Outcome = flow.post("/api/client-credentials", &body).await.unwrap();

    assert_eq!(refused.error.unwrap().error, ErrorCode::UnauthorizedClient);
    assert_eq!(status, StatusCode::OK, "{profile}");
    assert!(outcome.ok, "{outcome:?}");
    let session = flow.session().await.unwrap();
    assert!(session.machine_tokens.unwrap().access_token.is_some());
    assert_eq!(session.machine_client_id.as_deref(), Some("lab-machine"));
    assert!(session.tokens.is_none(), "the grant must not fill the delegated token set");
    assert!(flow.seen.iter().all(|seen| !seen.contains("lab-machine-secret")));
}

#[tokio::test]
async fn lab_machine_client_gets_an_api_token_and_the_delegated_tokens_stay() {
    let server = lab().await;
    let (mut flow, redeemed) = lab_tokens(&server, |_| {}).await;
    let delegated = flow.session().await.unwrap().tokens.unwrap();

    let body = json!({
        "client": "lab_machine",
        "scopes": ["read:reports"],
        "audience": EXPENSES,
    });
    let outcome: Outcome = flow.post("/api/client-credentials", &body).await.unwrap();

    assert!(redeemed.ok, "{redeemed:?}");
    assert!(outcome.ok, "{outcome:?}");
    let session = flow.session().await.unwrap();
    let machine = session.machine_tokens.unwrap();
    let access = machine.access_token.unwrap();
    assert!(access.is_jwt, "{access:?}");
    let claim = |name: &str| access.claims.iter().find(|c| c.name == name).map(|c| &c.value);
    assert!(claim("aud").is_some_and(|aud| aud.contains(EXPENSES)), "{access:?}");
    assert!(claim("scope").is_some_and(|scope| scope.contains("read:reports")), "{access:?}");
    assert!(machine.refresh_token.is_none());
    assert!(machine.id_token.is_none());
    assert_eq!(session.machine_client_id.as_deref(), Some("lab-machine"));
    assert_eq!(session.tokens.unwrap(), delegated, "the delegated tokens must be kept");

    let timeline: Timeline = flow.get("/api/timeline").await.unwrap();
    let exchange = timeline
        .entries
        .iter()
        .find(|entry| entry.label == "token request (client_credentials)")
        .unwrap();
    let raw = serde_json::to_string(exchange).unwrap();
    assert!(!raw.contains("lab-machine-secret"), "{raw}");
    assert!(flow.seen.iter().all(|seen| !seen.contains("lab-machine-secret")));
}

#[tokio::test]
async fn lab_api_answers_the_machine_token_and_asks_for_one_when_none_is_held() {
    let server = lab().await;
    let mut flow = Flow::start(&server.url);
    let url = server.at("/expenses-api/expenses");
    let call =
        json!({"method": "GET", "url": url, "token": "access_token", "token_set": "machine"});
    let (early, error) = flow.send(Method::POST, "/api/call", &call).await.unwrap();

    let body = json!({"client": "lab_machine", "scopes": ["read:reports"], "audience": EXPENSES});
    let outcome: Outcome = flow.post("/api/client-credentials", &body).await.unwrap();
    let answered: ApiCallResult = flow.post("/api/call", &call).await.unwrap();

    assert_eq!(early, StatusCode::CONFLICT, "{error}");
    assert_eq!(error["field"], "token_set");
    assert!(outcome.ok, "{outcome:?}");
    assert_eq!(answered.status, 200, "{}", answered.body);
    let timeline: Timeline = flow.get("/api/timeline").await.unwrap();
    let sent = timeline.entries.iter().rev().find(|entry| entry.label.starts_with("API call"));
    assert_eq!(sent.unwrap().label, "API call with the machine token");
}

#[tokio::test]
async fn the_lab_machine_client_is_refused_with_another_profile_naming_the_field() {
    let server = lab().await;
    let mut flow = Flow::start(&server.url);
    let other = json!({
        "source": {"kind": "discovered", "issuer": server.at("/idp")},
        "client_id": "lab-web",
        "client_secret": "lab-web-secret",
    });
    let (status, profile) = flow.send(Method::PUT, "/api/profile", &other).await.unwrap();

    let body = json!({"client": "lab_machine", "scopes": ["read:reports"]});
    let (refused, error) = flow.send(Method::POST, "/api/client-credentials", &body).await.unwrap();

    assert_eq!(status, StatusCode::OK, "{profile}");
    assert_eq!(refused, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_eq!(error["field"], "client");
    assert!(error["message"].as_str().unwrap().contains("lab provider"), "{error}");
    assert!(flow.session().await.unwrap().machine_tokens.is_none());
}

#[tokio::test]
async fn state_mismatch_fails_the_check_and_nothing_is_redeemed() {
    let server = lab().await;
    let mut flow = Flow::start(&server.url);
    let draft = flow.draft().await.unwrap();
    flow.authorize(&draft).await.unwrap();

    flow.forge_callback("code=stolen&state=forged").await.unwrap();
    let (status, error) = flow.send(Method::POST, "/api/redeem", &json!({})).await.unwrap();

    let session = flow.session().await.unwrap();
    let callback = session.callback.unwrap();
    assert!(!callback.state_check.passed);
    assert_eq!(callback.state_check.found, "forged");
    assert_eq!(session.status, FlowStatus::CallbackFailed);
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    assert_eq!(error["field"], "code");
}

#[tokio::test]
async fn later_callbacks_that_fail_the_state_check_leave_the_waiting_code_redeemable() {
    let server = lab().await;
    let mut flow = Flow::start(&server.url);
    let draft = flow.draft().await.unwrap();
    let composed = flow.authorize(&draft).await.unwrap();
    flow.login(&composed.url, "approve").await.unwrap();
    let timeline = flow.timeline().await.unwrap();
    let callback = timeline.entries.iter().rev().find(|entry| entry.label.starts_with("author"));
    let query = callback.unwrap().url.split_once('?').unwrap().1.to_owned();

    flow.forge_callback("foo=bar").await.unwrap();
    flow.forge_callback(&query).await.unwrap();
    let _: grantlab_shared::SessionView =
        flow.post("/api/callback", &json!({"fragment": ""})).await.unwrap();
    let relayed = [("code", "forged"), ("state", "forged"), ("grantlab_relay", "1")];
    flow.post_form("/callback", &relayed).await.unwrap();

    let session = flow.session().await.unwrap();
    assert_eq!(session.status, FlowStatus::CodeReceived);
    assert!(!session.callback.unwrap().state_check.passed);
    let outcome = flow.redeem().await.unwrap();
    assert!(outcome.ok, "{outcome:?}");
}

#[tokio::test]
async fn a_huge_callback_is_cut_and_keeps_the_timeline_and_session_in_budget() {
    let server = lab().await;
    let mut flow = Flow::start(&server.url);
    let draft = flow.draft().await.unwrap();
    flow.authorize(&draft).await.unwrap();
    let before = flow.timeline().await.unwrap().entries.len();

    let fragment = format!("state=junk&x={}", "a".repeat(200 * 1024));
    let _: grantlab_shared::SessionView =
        flow.post("/api/callback", &json!({ "fragment": fragment })).await.unwrap();
    let many = (0..100_000).map(|n| format!("p{n}=v")).collect::<Vec<_>>().join("&");
    let _: grantlab_shared::SessionView =
        flow.post("/api/callback", &json!({ "fragment": many })).await.unwrap();

    let timeline = flow.timeline().await.unwrap();
    assert_eq!(timeline.dropped, 0);
    assert_eq!(timeline.entries.len(), before + 2);
    let session = flow.session().await.unwrap();
    let size = serde_json::to_vec(&session).unwrap().len();
    assert!(size < 30 * 1024, "{size}");
    let params = session.callback.unwrap().params;
    assert!(params.last().unwrap().value.starts_with("cut at 16 of 100000"), "{params:?}");
}

#[tokio::test]
async fn parallel_requests_on_one_session_are_all_recorded() {
    let server = lab().await;
    let (mut flow, _) = lab_tokens(&server, |_| {}).await;
    let (cleared, _) = flow.send(Method::DELETE, "/api/timeline", &json!({})).await.unwrap();
    assert!(cleared.is_success());

    let (http, url) = (flow.http(), flow.url("/api/introspect"));
    let requests = (0..8).map(|_| {
        let request = http.post(&url).json(&json!({"token": "access_token"})).send();
        tokio::spawn(request)
    });
    for request in requests.collect::<Vec<_>>() {
        let response = request.await.unwrap().unwrap();
        assert!(response.status().is_success(), "{}", response.status());
    }

    let timeline = flow.timeline().await.unwrap();
    let recorded =
        timeline.entries.iter().filter(|entry| entry.label.starts_with("introspection")).count();
    assert_eq!(timeline.dropped, 0);
    assert_eq!(recorded, 8);
}

#[tokio::test]
async fn answers_that_may_carry_tokens_are_not_stored_and_callback_pages_are_guarded() {
    let server = lab().await;
    let (flow, _) = lab_tokens(&server, |_| {}).await;
    let http = flow.http();

    for path in ["/api/session", "/api/timeline"] {
        let response = http.get(flow.url(path)).send().await.unwrap();
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
    for path in ["/api/redeem", "/api/refresh", "/api/introspect", "/api/revoke"] {
        let response = http.post(flow.url(path)).json(&json!({})).send().await.unwrap();
        assert_eq!(response.headers()["cache-control"], "no-store", "{path}");
    }
    let fragment_page = http.get(flow.url("/callback")).send().await.unwrap();
    let relay_page = reqwest::Client::new()
        .post(flow.url("/callback"))
        .form(&[("code", "c"), ("state", "s")])
        .send()
        .await
        .unwrap();
    for page in [fragment_page, relay_page] {
        let headers = page.headers();
        assert!(headers.contains_key("content-security-policy"), "{headers:?}");
        assert_eq!(headers["cache-control"], "no-store");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "no-referrer");
    }
}

#[tokio::test]
async fn state_is_single_use_so_a_replayed_callback_fails_the_check_and_nothing_is_redeemed() {
    let server = lab().await;
    let mut flow = Flow::start(&server.url);
    let draft = flow.draft().await.unwrap();
    let composed = flow.authorize(&draft).await.unwrap();
    flow.login(&composed.url, "approve").await.unwrap();
    let first = flow.redeem().await.unwrap();
    let timeline = flow.timeline().await.unwrap();
    let callback = timeline.entries.iter().rev().find(|entry| entry.label.starts_with("author"));
    let query = callback.unwrap().url.split_once('?').unwrap().1.to_owned();

    flow.forge_callback(&query).await.unwrap();
    let (status, error) = flow.send(Method::POST, "/api/redeem", &json!({})).await.unwrap();

    assert!(first.ok, "{first:?}");
    assert!(query.contains(&format!("state={}", draft.state)), "{query}");
    let session = flow.session().await.unwrap();
    let check = session.callback.unwrap().state_check;
    assert!(!check.passed);
    assert_eq!(check.id, "state");
    assert!(check.expected.contains("no authorization request is waiting"), "{check:?}");
    assert_eq!(status, StatusCode::CONFLICT, "{error}");
    assert_eq!(error["field"], "code");
    let token_requests = flow
        .timeline()
        .await
        .unwrap()
        .entries
        .iter()
        .filter(|entry| entry.label.starts_with("token request (authorization_code"))
        .count();
    assert_eq!(token_requests, 1);
}

#[tokio::test]
async fn provider_error_access_denied_is_shown_and_nothing_is_redeemed() {
    let server = lab().await;
    let mut flow = Flow::start(&server.url);
    let draft = flow.draft().await.unwrap();
    let composed = flow.authorize(&draft).await.unwrap();

    flow.login(&composed.url, "deny").await.unwrap();

    let callback = flow.session().await.unwrap().callback.unwrap();
    assert!(callback.state_check.passed);
    assert!(!callback.code_received);
    assert_eq!(callback.error.unwrap().error, ErrorCode::AccessDenied);
}

#[tokio::test]
async fn the_client_secret_reaches_no_response_to_the_browser() {
    let server = lab().await;
    let (mut flow, _) = lab_tokens(&server, |_| {}).await;
    let _: Outcome =
        flow.post("/api/refresh", &json!({"client_auth": "client_secret_post"})).await.unwrap();
    let _: Outcome = flow.post("/api/userinfo", &json!({})).await.unwrap();
    let _: Outcome = flow.post("/api/introspect", &json!({"token": "access_token"})).await.unwrap();

    let timeline: Timeline = flow.timeline().await.unwrap();
    let _: serde_json::Value = flow.get("/api/session").await.unwrap();

    assert!(
        timeline
            .entries
            .iter()
            .any(|entry| entry.curl.as_deref().is_some_and(|c| c.contains("$CLIENT_SECRET")))
    );
    let leaks: Vec<&String> = flow.seen.iter().filter(|seen| seen.contains(SECRET)).collect();
    assert!(leaks.is_empty(), "the secret reached the browser: {leaks:?}");
    assert!(flow.seen.len() >= 6, "{}", flow.seen.len());
}

#[tokio::test]
async fn a_whole_flow_keeps_the_timeline_small() {
    let server = lab().await;
    let (mut flow, _) = lab_tokens(&server, |_| {}).await;
    let _: Outcome = flow.post("/api/userinfo", &json!({})).await.unwrap();

    let timeline: Timeline = flow.timeline().await.unwrap();

    let bytes = serde_json::to_vec(&timeline.entries).unwrap().len();
    assert!(bytes < 32 * 1024, "{bytes} bytes");
    assert!(timeline.entries.len() >= 5);
}

#[tokio::test]
async fn oidc_provider_hybrid_flow_with_form_post_checks_the_front_channel_id_token() {
    let server = TestServer::start().await.unwrap();
    let provider = OidcProvider::start(&server.at("/callback")).await.unwrap();
    let mut flow = Flow::start(&server.url);
    let choice = json!({
        "source": {"kind": "discovered", "issuer": provider.issuer},
        "client_id": format!("{}-hybrid", provider.client_id),
        "client_secret": provider.client_secret,
    });
    let (status, profile) = flow.send(Method::PUT, "/api/profile", &choice).await.unwrap();
    assert_eq!(status, StatusCode::OK, "{profile}");
    let mut draft = flow.draft().await.unwrap();
    draft.response_type = "code id_token".into();
    draft.response_mode = Some(grantlab_shared::ResponseMode::FormPost);

    let composed = flow.authorize(&draft).await.unwrap();
    flow.login(&composed.url, "approve").await.unwrap();
    let redeemed = flow.redeem().await.unwrap();

    assert!(redeemed.ok, "{redeemed:?}");
    let session = flow.session().await.unwrap();
    let callback = session.callback.unwrap();
    assert_eq!(callback.response_mode, grantlab_shared::ResponseMode::FormPost);
    assert!(callback.params.iter().any(|param| param.name == "id_token"));
    let checks = session.tokens.unwrap().id_token_checks;
    let failed: Vec<_> = checks.iter().filter(|check| !check.passed).collect();
    assert!(failed.is_empty(), "{failed:?}");
    assert!(checks.iter().any(|check| check.id == "front_channel.id_token.c_hash"), "{checks:?}");
}

/// Chooses the oidc-provider for this browser, by discovery.
async fn at_oidc_provider(server: &TestServer, provider: &OidcProvider) -> Flow {
    let mut flow = Flow::start(&server.url);
    let choice = json!({
        "source": {"kind": "discovered", "issuer": provider.issuer},
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
    });
    let (status, profile) = flow.send(Method::PUT, "/api/profile", &choice).await.unwrap();
    assert_eq!(status, StatusCode::OK, "{profile}");
    let profile: ProfileView = serde_json::from_value(profile).unwrap();
    assert!(profile.client_secret_set);
    flow
}

#[tokio::test]
async fn oidc_provider_code_flow_refresh_and_userinfo() {
    let server = TestServer::start().await.unwrap();
    let provider = OidcProvider::start(&server.at("/callback")).await.unwrap();
    let mut flow = at_oidc_provider(&server, &provider).await;
    let mut draft = flow.draft().await.unwrap();
    draft.scopes = vec!["openid".into(), "email".into(), "offline_access".into()];
    draft.prompt = Some("consent".into());

    let composed = flow.authorize(&draft).await.unwrap();
    flow.login(&composed.url, "approve").await.unwrap();
    let redeemed = flow.redeem().await.unwrap();
    let userinfo: Outcome = flow.post("/api/userinfo", &json!({})).await.unwrap();
    let refreshed: Outcome = flow.post("/api/refresh", &json!({})).await.unwrap();

    assert!(redeemed.ok, "{redeemed:?}");
    let tokens = flow.session().await.unwrap().tokens.unwrap();
    let failed: Vec<_> = tokens.id_token_checks.iter().filter(|check| !check.passed).collect();
    assert!(failed.is_empty(), "{failed:?}");
    assert!(userinfo.ok, "{userinfo:?}");
    assert!(refreshed.ok, "{refreshed:?}");
    let leaks = flow.seen.iter().filter(|seen| seen.contains(&provider.client_secret)).count();
    assert_eq!(leaks, 0);
}

#[tokio::test]
async fn oidc_provider_state_mismatch_redeems_nothing() {
    let server = TestServer::start().await.unwrap();
    let provider = OidcProvider::start(&server.at("/callback")).await.unwrap();
    let mut flow = at_oidc_provider(&server, &provider).await;
    let mut draft = flow.draft().await.unwrap();
    let composed = flow.authorize(&draft).await.unwrap();
    draft.state = "another".into();

    flow.forge_callback("code=x&state=another").await.unwrap();
    let _ = composed;

    let session = flow.session().await.unwrap();
    assert!(!session.callback.unwrap().state_check.passed);
    assert_eq!(session.status, FlowStatus::CallbackFailed);
}

#[tokio::test]
async fn oidc_provider_client_credentials() {
    let server = TestServer::start().await.unwrap();
    let provider = OidcProvider::start(&server.at("/callback")).await.unwrap();
    let mut flow = at_oidc_provider(&server, &provider).await;

    let outcome: Outcome = flow.post("/api/client-credentials", &json!({})).await.unwrap();

    assert!(outcome.ok, "{outcome:?}");
}

#[tokio::test]
async fn hosted_mode_refuses_a_loopback_issuer_but_keeps_the_lab_provider() {
    let server = TestServer::start_with(|config| config.hosted = true).await.unwrap();
    let provider = OidcProvider::start(&server.at("/callback")).await.unwrap();
    let mut flow = Flow::start(&server.url);

    let choice =
        json!({"source": {"kind": "discovered", "issuer": provider.issuer}, "client_id": "x"});
    let (status, error) = flow.send(Method::PUT, "/api/profile", &choice).await.unwrap();
    let lab: grantlab_shared::ProfileList = flow.get("/api/profiles").await.unwrap();

    assert_eq!(status, StatusCode::FORBIDDEN, "{error}");
    assert_eq!(error["error"], "address_refused", "{error}");
    assert_eq!(error["field"], "source.issuer", "{error}");
    assert!(error["message"].as_str().unwrap().contains("127.0.0.1 is loopback"), "{error}");
    assert!(!lab.profiles[0].endpoints.token_endpoint.is_empty());
}

#[tokio::test]
async fn hosted_mode_refuses_a_call_to_a_loopback_url_naming_the_field() {
    let server = TestServer::start_with(|config| config.hosted = true).await.unwrap();
    let mut flow = Flow::start(&server.url);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/private", listener.local_addr().unwrap());

    let call = json!({"method": "GET", "url": url, "token": null});
    let (status, error) = flow.send(Method::POST, "/api/call", &call).await.unwrap();

    assert_eq!(status, StatusCode::FORBIDDEN, "{error}");
    assert_eq!(error["error"], "address_refused", "{error}");
    assert_eq!(error["field"], "url", "{error}");
    assert!(error["message"].as_str().unwrap().contains("127.0.0.1 is loopback"), "{error}");
}

#[tokio::test]
async fn discovery_falls_back_to_rfc_8414_after_a_404_and_says_which_answered() {
    let server = TestServer::start().await.unwrap();
    let mut flow = Flow::start(&server.url);
    let json = "application/json".to_owned();
    let metadata = r#"{"issuer": "{base}", "authorization_endpoint": "{base}/authorize",
        "token_endpoint": "{base}/token", "response_types_supported": ["code"]}"#;
    let issuer =
        canned_answers(vec![(404, json.clone(), "{}".into()), (200, json, metadata.into())]).await;

    let choice = json!({"source": {"kind": "discovered", "issuer": issuer}, "client_id": "x"});
    let (status, profile) = flow.send(Method::PUT, "/api/profile", &choice).await.unwrap();

    assert_eq!(status, StatusCode::OK, "{profile}");
    let report = &profile["discovery"];
    let expected = format!("{issuer}/.well-known/oauth-authorization-server");
    assert_eq!(report["url"], expected.as_str(), "{profile}");
    assert_eq!(report["problems"], json!([]), "{profile}");
    assert_eq!(profile["endpoints"]["token_endpoint"], format!("{issuer}/token"));
}

#[tokio::test]
async fn hosted_mode_refuses_a_plain_http_issuer_on_another_host() {
    let server = TestServer::start_with(|config| config.hosted = true).await.unwrap();
    let mut flow = Flow::start(&server.url);

    // Refused before any request, so the made-up host is never resolved.
    let issuer = "http://idp.example.test";
    let choice = json!({"source": {"kind": "discovered", "issuer": issuer}, "client_id": "x"});
    let (status, error) = flow.send(Method::PUT, "/api/profile", &choice).await.unwrap();

    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    assert_eq!(error["field"], "source.issuer", "{error}");
    assert!(error["message"].as_str().unwrap().contains("https"), "{error}");
}

#[tokio::test]
async fn auto_redeem_gets_tokens_at_the_callback() {
    let server = lab().await;
    let mut flow = Flow::start(&server.url);
    let mut draft = flow.draft().await.unwrap();
    draft.auto_redeem = true;

    let composed = flow.authorize(&draft).await.unwrap();
    flow.login(&composed.url, "approve").await.unwrap();

    let session = flow.session().await.unwrap();
    assert_eq!(session.status, FlowStatus::TokensReceived);
    assert!(session.tokens.unwrap().id_token.is_some());
}

#[tokio::test]
async fn manual_endpoints_at_oidc_provider_and_a_reset_keep_the_profile() {
    let server = TestServer::start().await.unwrap();
    let provider = OidcProvider::start(&server.at("/callback")).await.unwrap();
    let mut flow = Flow::start(&server.url);
    let issuer = &provider.issuer;
    let choice = json!({
        "source": {"kind": "manual", "endpoints": {
            "issuer": issuer,
            "authorization_endpoint": format!("{issuer}/auth"),
            "token_endpoint": format!("{issuer}/token"),
            "jwks_uri": format!("{issuer}/jwks"),
        }},
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
    });

    let (status, profile) = flow.send(Method::PUT, "/api/profile", &choice).await.unwrap();
    let draft = flow.draft().await.unwrap();
    let composed = flow.authorize(&draft).await.unwrap();
    flow.login(&composed.url, "approve").await.unwrap();
    let redeemed = flow.redeem().await.unwrap();
    let (_, reset) = flow.send(Method::DELETE, "/api/session", &json!({})).await.unwrap();

    assert_eq!(status, StatusCode::OK, "{profile}");
    assert!(redeemed.ok, "{redeemed:?}");
    assert_eq!(reset["profile"]["kind"], "manual");
    assert_eq!(reset["status"], "idle");
    assert!(!reset.to_string().contains(&provider.client_secret));
}

#[tokio::test]
async fn a_cross_site_form_post_without_the_cookie_is_relayed_from_our_origin() {
    let server = lab().await;
    let mut flow = Flow::start(&server.url);
    let draft = flow.draft().await.unwrap();
    flow.authorize(&draft).await.unwrap();
    let mut cookieless = Flow::start(&server.url);

    let fields = [("code", "c0de"), ("state", draft.state.as_str())];
    let (status, page) = cookieless.post_form("/callback", &fields).await.unwrap();
    let relayed = [("code", "c0de"), ("state", draft.state.as_str()), ("grantlab_relay", "1")];
    let (after, _) = flow.post_form("/callback", &relayed).await.unwrap();

    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"grantlab_relay\""), "{page}");
    assert!(page.contains(&draft.state));
    assert_eq!(after, StatusCode::SEE_OTHER);
    let callback = flow.session().await.unwrap().callback.unwrap();
    assert!(callback.state_check.passed);
    assert!(callback.code_received);
}

/// A log sink for the whole e2e binary: set once as the global subscriber, because a
/// thread-local one misses events when other tests hit the same callsites first.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut buffer) = self.0.lock() {
            buffer.extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The global capture, installed on first use.
fn captured_logs() -> Captured {
    static CAPTURED: std::sync::OnceLock<Captured> = std::sync::OnceLock::new();
    CAPTURED
        .get_or_init(|| {
            let captured = Captured::default();
            let sink = captured.clone();
            let filter =
                "grantlab_backend=trace,tower_http=debug,tower_sessions=trace,oauth2=trace";
            let subscriber = tracing_subscriber::fmt()
                .with_env_filter(filter)
                .with_writer(move || sink.clone())
                .with_ansi(false)
                .finish();
            let _ = tracing::subscriber::set_global_default(subscriber);
            captured
        })
        .clone()
}

#[tokio::test]
async fn logs_of_a_whole_flow_hold_no_code_token_or_secret() {
    let captured = captured_logs();
    let server = lab().await;

    let (mut flow, _) = lab_tokens(&server, |_| {}).await;
    let session = flow.session().await.unwrap();
    let _: Outcome = flow.post("/api/userinfo", &json!({})).await.unwrap();
    let _: Outcome = flow.post("/api/refresh", &json!({})).await.unwrap();

    let logs = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    assert!(logs.contains("back-channel exchange"), "the capture caught nothing");
    let callback = session.callback.unwrap();
    let code = callback.params.iter().find(|param| param.name == "code").unwrap();
    let tokens = session.tokens.unwrap();
    let secrets = [
        SECRET.to_owned(),
        code.value.clone(),
        tokens.access_token.unwrap().raw,
        tokens.id_token.unwrap().raw,
        tokens.refresh_token.unwrap(),
    ];
    for secret in &secrets {
        assert!(!logs.contains(secret.as_str()), "a secret reached the logs: {secret}");
    }
}

/// A token endpoint on loopback that answers every request with one canned response.
async fn canned_token_endpoint(status: u16, content_type: &str, body: &str) -> String {
    canned_answers(vec![(status, content_type.to_owned(), body.to_owned())]).await
}

/// An endpoint on loopback answering the canned responses in turn, the last one repeated;
/// `{base}` in a body stands for the endpoint's own URL.
async fn canned_answers(answers: Vec<(u16, String, String)>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let base = url.clone();
    tokio::spawn(async move {
        let mut served = 0;
        while let Ok((mut stream, _)) = listener.accept().await {
            let (status, content_type, body) = &answers[served.min(answers.len() - 1)];
            let body = body.replace("{base}", &base);
            served += 1;
            let response = format!(
                "HTTP/1.1 {status} Canned\r\ncontent-type: {content_type}\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let mut request = vec![0; 16 * 1024];
            let _ = stream.read(&mut request).await;
            let _ = stream.write_all(response.as_bytes()).await;
        }
    });
    url
}

/// A browser whose profile is the manual provider at `base`, with a code waiting.
async fn code_waiting_at(server: &TestServer, base: &str) -> Flow {
    let mut flow = Flow::start(&server.url);
    let choice = json!({
        "source": {"kind": "manual", "endpoints": {
            "authorization_endpoint": format!("{base}/authorize"),
            "token_endpoint": format!("{base}/token"),
        }},
        "client_id": "quirky",
        "client_secret": "quirky-secret",
    });
    let _: serde_json::Value = flow.send(Method::PUT, "/api/profile", &choice).await.unwrap().1;
    let draft = flow.draft().await.unwrap();
    flow.authorize(&draft).await.unwrap();
    flow.forge_callback(&format!("code=c&state={}", draft.state)).await.unwrap();
    flow
}

#[tokio::test]
async fn a_refresh_answer_without_a_refresh_token_keeps_the_previous_one() {
    let server = TestServer::start().await.unwrap();
    let folder = grantlab_tests::workspace_root().join("../shared/fixtures/provider-quirks");
    let quirk =
        std::fs::read_to_string(folder.join("14-salesforce-refresh-no-new-refresh-token.json"))
            .unwrap_or_else(|error| panic!("{} is missing: {error}", folder.display()));
    let quirk: serde_json::Value = serde_json::from_str(&quirk).unwrap();
    let first = r#"{"access_token":"at-1","token_type":"Bearer","refresh_token":"rt-1"}"#;
    let json = "application/json".to_owned();
    let refreshed = quirk["body"].as_str().unwrap().to_owned();
    let base =
        canned_answers(vec![(200, json.clone(), first.into()), (200, json, refreshed)]).await;
    let mut flow = code_waiting_at(&server, &base).await;

    let redeemed = flow.redeem().await.unwrap();
    let outcome: Outcome = flow.post("/api/refresh", &json!({})).await.unwrap();

    assert!(redeemed.ok, "{redeemed:?}");
    assert!(outcome.summary.contains("not rotated"), "{}", outcome.summary);
    let tokens = flow.session().await.unwrap().tokens.unwrap();
    assert_eq!(tokens.refresh_token.as_deref(), Some("rt-1"));
    assert_eq!(tokens.refresh_rotated, Some(false));
    assert_eq!(tokens.expires_at, None);
    assert!(tokens.extra.iter().any(|param| param.name == "instance_url"));
}

#[tokio::test]
async fn discovery_points_out_what_the_document_lacks_or_gets_wrong() {
    let server = TestServer::start().await.unwrap();
    let document = r#"{"issuer":"{base}",
        "authorization_endpoint":"http://id.example/authorize",
        "token_endpoint":"https://id.example/token", "userinfo_endpoint": 42}"#;
    let base = canned_token_endpoint(200, "application/json", document).await;
    let mut flow = Flow::start(&server.url);

    let choice = json!({"source": {"kind": "discovered", "issuer": base}, "client_id": "app"});
    let (status, profile) = flow.send(Method::PUT, "/api/profile", &choice).await.unwrap();

    assert_eq!(status, StatusCode::OK, "{profile}");
    let profile: ProfileView = serde_json::from_value(profile).unwrap();
    let problems: Vec<String> =
        profile.discovery.unwrap().problems.into_iter().map(|problem| problem.field).collect();
    for field in
        ["jwks_uri", "authorization_endpoint", "response_types_supported", "userinfo_endpoint"]
    {
        assert!(problems.iter().any(|found| found == field), "{field} not in {problems:?}");
    }
    assert!(!profile.client_secret_set);
}

/// Puts a discovered profile at `base` and returns the status and the answer.
async fn discover_at(server: &TestServer, base: &str) -> (StatusCode, serde_json::Value) {
    let mut flow = Flow::start(&server.url);
    let choice = json!({"source": {"kind": "discovered", "issuer": base}, "client_id": "app"});
    flow.send(Method::PUT, "/api/profile", &choice).await.unwrap()
}

#[tokio::test]
async fn discovery_refuses_an_error_document_quoting_the_providers_error() {
    let server = TestServer::start().await.unwrap();
    let document = r#"{"error":"server_error","error_description":"boom"}"#;
    let base = canned_token_endpoint(200, "application/json", document).await;

    let (status, answer) = discover_at(&server, &base).await;

    assert_eq!(status, StatusCode::BAD_GATEWAY, "{answer}");
    assert_eq!(answer["error"], "provider_unusable");
    let message = answer["message"].as_str().unwrap_or_default();
    assert!(message.contains("server_error") && message.contains("boom"), "{message}");
}

#[tokio::test]
async fn discovery_refuses_an_issuer_other_than_the_one_asked_for() {
    let server = TestServer::start().await.unwrap();
    let document = r#"{"issuer":"https://elsewhere.example",
        "authorization_endpoint":"{base}/authorize", "token_endpoint":"{base}/token"}"#;
    let base = canned_token_endpoint(200, "application/json", document).await;

    let (status, answer) = discover_at(&server, &base).await;

    assert_eq!(status, StatusCode::BAD_GATEWAY, "{answer}");
    let message = answer["message"].as_str().unwrap_or_default();
    assert!(message.contains("§4.3") && message.contains("elsewhere.example"), "{message}");
}

#[tokio::test]
async fn discovery_body_past_the_cap_is_reported_as_over_the_1_mib_cap() {
    let server = TestServer::start().await.unwrap();
    let document = format!(r#"{{"issuer":"{{base}}","padding":"{}"}}"#, "x".repeat(1100 * 1024));
    let base = canned_token_endpoint(200, "application/json", &document).await;

    let (status, answer) = discover_at(&server, &base).await;

    assert_eq!(status, StatusCode::BAD_GATEWAY, "{answer}");
    let message = answer["message"].as_str().unwrap_or_default();
    assert!(message.contains("1 MiB cap") && !message.contains("EOF"), "{message}");
}

#[tokio::test]
async fn token_response_past_the_cap_is_reported_as_over_the_1_mib_cap() {
    let server = TestServer::start().await.unwrap();
    let huge = format!(r#"{{"access_token":"{}","token_type":"Bearer"}}"#, "x".repeat(1100 * 1024));
    let json = "application/json".to_owned();
    let base = canned_answers(vec![(200, json, huge)]).await;
    let mut flow = code_waiting_at(&server, &base).await;

    let redeemed = flow.redeem().await.unwrap();

    assert!(!redeemed.ok, "{redeemed:?}");
    assert!(redeemed.summary.contains("1 MiB cap"), "{}", redeemed.summary);
    assert!(flow.session().await.unwrap().tokens.is_none_or(|t| t.access_token.is_none()));
}

#[tokio::test]
async fn every_token_response_quirk_is_explained_through_the_whole_stack() {
    let folder = grantlab_tests::workspace_root().join("../shared/fixtures/provider-quirks");
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("{} is missing: {error}", folder.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    let server = TestServer::start().await.unwrap();
    let mut checked = 0;

    for path in files {
        let quirk: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if !matches!(quirk["kind"].as_str(), Some("token_response" | "error_response")) {
            continue;
        }
        let status = quirk["http_status"].as_u64().unwrap_or(200) as u16;
        let content_type = quirk["content_type"].as_str().unwrap_or_default();
        let token =
            canned_token_endpoint(status, content_type, quirk["body"].as_str().unwrap()).await;
        let mut flow = code_waiting_at(&server, &token).await;

        let outcome = flow.redeem().await.unwrap();

        let name = path.display();
        match quirk["kind"].as_str() {
            Some("token_response") => assert!(outcome.ok, "{name}: {outcome:?}"),
            _ => {
                assert!(!outcome.ok, "{name}: {outcome:?}");
                let explained = outcome.error.is_some() || outcome.summary.contains("HTTP 500");
                assert!(explained, "{name}: {outcome:?}");
            }
        }
        let timeline: Timeline = flow.timeline().await.unwrap();
        let exchange = timeline.entries.iter().rev().find(|e| e.label.starts_with("token request"));
        assert_eq!(exchange.and_then(|entry| entry.status), Some(status), "{name}");
        assert!(flow.seen.iter().all(|seen| !seen.contains("quirky-secret")), "{name}");
        checked += 1;
    }
    assert!(checked >= 4, "only {checked} token quirks found in {}", folder.display());
}

#[tokio::test]
async fn lab_refresh_may_name_the_api_again_and_another_one_is_invalid_target() {
    let server = lab().await;
    let (mut flow, _) = lab_tokens(&server, |_| {}).await;

    let same: Outcome = flow.post("/api/refresh", &json!({"resources": [EXPENSES]})).await.unwrap();
    let other: Outcome =
        flow.post("/api/refresh", &json!({"audience": "https://reports-service"})).await.unwrap();

    assert!(same.ok, "{same:?}");
    let error = other.error.unwrap();
    assert_eq!(json!(error.error), json!("invalid_target"));
    let description = error.error_description.unwrap();
    assert!(description.contains("`audience` `https://reports-service`"), "{description}");
    assert!(description.contains("granted for `https://expenses-api`"), "{description}");
    let timeline: Timeline = flow.timeline().await.unwrap();
    let bodies: Vec<&str> = timeline
        .entries
        .iter()
        .filter(|entry| entry.label == "token request (refresh_token)")
        .filter_map(|entry| entry.request_body.as_deref())
        .collect();
    assert!(bodies.iter().any(|body| body.contains("resource=https%3A%2F%2Fexpenses-api")));
    assert!(bodies.iter().any(|body| body.contains("audience=https%3A%2F%2Freports-service")));
}

#[tokio::test]
async fn lab_claims_sent_as_an_extra_parameter_are_released_where_asked_and_kept_on_refresh() {
    let server = lab().await;
    let claims = r#"{"id_token":{"email":{"essential":true}},"userinfo":{"given_name":null}}"#;
    let (mut flow, outcome) = lab_tokens(&server, |draft| {
        draft.scopes = vec!["openid".into(), "offline_access".into(), "read:reports".into()];
        draft.extra = vec![grantlab_shared::Param { name: "claims".into(), value: claims.into() }];
    })
    .await;
    let id_token_claim = |flow_tokens: &grantlab_shared::TokenSetView, name: &str| {
        let id_token = flow_tokens.id_token.as_ref().expect("an ID token");
        id_token.claims.iter().find(|claim| claim.name == name).map(|claim| claim.value.clone())
    };

    let userinfo: Outcome = flow.post("/api/userinfo", &json!({})).await.unwrap();
    let before = flow.session().await.unwrap().tokens.unwrap();
    let refreshed: Outcome = flow.post("/api/refresh", &json!({})).await.unwrap();
    let after = flow.session().await.unwrap().tokens.unwrap();

    assert!(outcome.ok && userinfo.ok && refreshed.ok, "{outcome:?} {userinfo:?} {refreshed:?}");
    let timeline: Timeline = flow.timeline().await.unwrap();
    let composed = timeline.entries.iter().find(|entry| entry.label.starts_with("authorization"));
    assert!(composed.unwrap().url.contains("claims=%7B%22id_token"), "{composed:?}");
    let field = |name: &str| userinfo.fields.iter().find(|field| field.name == name);
    assert_eq!(field("given_name").map(|field| field.value.as_str()), Some("\"Alice\""));
    assert!(field("email").is_none(), "{:?}", userinfo.fields);
    for tokens in [&before, &after] {
        assert_eq!(id_token_claim(tokens, "email").as_deref(), Some("\"alice@expenses.lab\""));
        assert_eq!(id_token_claim(tokens, "given_name"), None);
    }
}

/// A browser whose profile is the lab provider's endpoints entered by hand, as `lab-machine`
/// with `secret`, which the provider does not accept.
async fn manual_machine(server: &TestServer, secret: &str) -> Flow {
    let mut flow = Flow::start(&server.url);
    let choice = json!({
        "source": {"kind": "manual", "endpoints": {
            "issuer": server.at("/idp"),
            "authorization_endpoint": server.at("/idp/authorize"),
            "token_endpoint": server.at("/idp/token"),
        }},
        "client_id": "lab-machine",
        "client_secret": secret,
    });
    let (status, profile) = flow.send(Method::PUT, "/api/profile", &choice).await.unwrap();
    assert_eq!(status, StatusCode::OK, "{profile}");
    flow
}

#[tokio::test]
async fn a_short_typed_secret_is_masked_only_where_the_client_put_it() {
    let server = lab().await;
    let mut flow = manual_machine(&server, "e").await;

    let body = json!({"client_auth": "client_secret_post", "resources": [EXPENSES]});
    let outcome: Outcome = flow.post("/api/client-credentials", &body).await.unwrap();
    let timeline = flow.timeline().await.unwrap();

    let entry = timeline.entries.iter().rev().find(|entry| entry.label.starts_with("token"));
    let entry = entry.unwrap();
    let sent = entry.request_body.as_deref().unwrap_or_default();
    assert!(sent.contains("client_secret=$CLIENT_SECRET"), "{sent}");
    assert!(sent.contains("grant_type=client_credentials"), "{sent}");
    assert_eq!(entry.url, server.at("/idp/token"));
    assert!(entry.response_body.as_deref().unwrap_or_default().contains("\"error\""));
    assert!(entry.masking.as_deref().is_some_and(|note| note.contains("not")), "{entry:?}");
    let curl = entry.curl.as_deref().unwrap_or_default();
    assert!(curl.contains("--data-urlencode 'client_secret='\"$CLIENT_SECRET\"''"), "{curl}");
    assert_eq!(outcome.error.map(|error| error.error), Some(ErrorCode::InvalidClient));
    assert!(outcome.deviations.is_empty(), "{:?}", outcome.deviations);
}

#[tokio::test]
async fn a_long_typed_secret_echoed_back_is_masked_and_checks_read_the_real_answer() {
    let server = lab().await;
    let secret = "typed+secret&with-16-or-more";
    let echo = format!(r#"{{"error":"invalid_client","error_description":"bad {secret}"}}"#);
    let base = canned_token_endpoint(401, "application/json", &echo).await;
    let mut flow = Flow::start(&server.url);
    let choice = json!({
        "source": {"kind": "manual", "endpoints": {
            "authorization_endpoint": format!("{base}/authorize"),
            "token_endpoint": format!("{base}/token"),
        }},
        "client_id": "quirky",
        "client_secret": secret,
    });
    let _: serde_json::Value = flow.send(Method::PUT, "/api/profile", &choice).await.unwrap().1;
    let body = json!({"client_auth": "client_secret_post"});

    let outcome: Outcome = flow.post("/api/client-credentials", &body).await.unwrap();
    let timeline = flow.timeline().await.unwrap();

    let error = outcome.error.unwrap();
    assert_eq!(error.error, ErrorCode::InvalidClient);
    assert_eq!(error.error_description.as_deref(), Some("bad $CLIENT_SECRET"));
    let entry = timeline.entries.iter().rev().find(|entry| entry.label.starts_with("token"));
    assert_eq!(entry.and_then(|entry| entry.masking.clone()), None);
    let leaks: Vec<&String> = flow.seen.iter().filter(|seen| seen.contains(secret)).collect();
    assert!(leaks.is_empty(), "the typed secret was echoed to the browser: {leaks:?}");
}

#[tokio::test]
async fn a_response_to_a_request_a_second_tab_replaced_still_completes() {
    let server = lab().await;
    let mut flow = Flow::start(&server.url);
    let first = flow.draft().await.unwrap();
    let first_url = flow.authorize(&first).await.unwrap().url;
    let second = flow.draft().await.unwrap();
    flow.authorize(&second).await.unwrap();

    flow.login(&first_url, "approve").await.unwrap();
    let session = flow.session().await.unwrap();
    let outcome = flow.redeem().await.unwrap();
    let timeline = flow.timeline().await.unwrap();

    let callback = session.callback.unwrap();
    assert!(callback.state_check.passed, "{:?}", callback.state_check);
    assert_eq!(callback.state_check.found, first.state);
    assert_eq!(session.status, FlowStatus::CodeReceived);
    assert!(outcome.ok, "{outcome:?}");
    assert!(timeline.entries.iter().any(|entry| entry.label.contains("earlier request")));
}

#[tokio::test]
async fn a_refused_token_endpoint_in_hosted_mode_names_the_field() {
    let server = TestServer::start_with(|config| config.hosted = true).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut flow = Flow::start(&server.url);
    let choice = json!({
        "source": {"kind": "manual", "endpoints": {
            "authorization_endpoint": format!("{base}/authorize"),
            "token_endpoint": format!("{base}/token"),
        }},
        "client_id": "app",
        "client_secret": "a-secret-of-some-length",
    });
    let _: serde_json::Value = flow.send(Method::PUT, "/api/profile", &choice).await.unwrap().1;

    let body = json!({});
    let (status, error) = flow.send(Method::POST, "/api/client-credentials", &body).await.unwrap();

    assert_eq!(status, StatusCode::FORBIDDEN, "{error}");
    assert_eq!(error["field"], "profile.endpoints.token_endpoint", "{error}");
    assert!(error["message"].as_str().unwrap().contains("loopback"), "{error}");
}

#[tokio::test]
async fn a_new_session_shows_the_lab_endpoints_and_scopes() {
    let server = lab().await;
    let mut flow = Flow::start(&server.url);

    let session = flow.session().await.unwrap();

    let profile = session.profile;
    assert_eq!(profile.endpoints.token_endpoint, server.at("/idp/token"));
    assert!(!profile.endpoints.authorization_endpoint.is_empty());
    assert!(profile.scopes_supported.iter().any(|scope| scope == "openid"), "{profile:?}");
    assert!(profile.scopes_supported.len() >= 5, "{profile:?}");
}

#[tokio::test]
async fn a_client_auth_of_the_wrong_type_lists_the_allowed_methods() {
    let server = lab().await;
    let mut flow = Flow::start(&server.url);

    for route in ["/api/redeem", "/api/refresh", "/api/client-credentials", "/api/revoke"] {
        for value in [json!(7), json!(null)] {
            let body = json!({"client_auth": value});
            let (status, error) = flow.send(Method::POST, route, &body).await.unwrap();

            assert!(status.is_client_error(), "{route} {error}");
            assert_eq!(error["field"], "client_auth", "{route} {error}");
            let message = error["message"].as_str().unwrap_or_default();
            assert!(message.contains("`client_secret_post`"), "{route}: {message}");
        }
    }
}
