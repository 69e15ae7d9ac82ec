//! The lessons, scenarios and Lab 2 track as the workbench reads them from the real server,
//! and their goals reached by a learner driving the flows through the sandbox's `/api`.

use std::time::Duration;

use fantoccini::Locator;
use grantlab_shared::{
    ApiCallRequest, ApiCallResult, ApiError, AuthorizationDraft, ComposedRequest, LabTrack, Lesson,
    LessonSummary, Mischief, Outcome, Progress, RefreshRequest, ResponseMode, Scenario, Setup,
    TokenKind, TokenSet,
};
use grantlab_tests::TestServer;
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A learner with a browser's cookie jar, who follows no redirect unless told to.
struct Learner {
    server: TestServer,
    http: reqwest::Client,
}

impl Learner {
    async fn start() -> Self {
        let server = TestServer::start().await.unwrap();
        let http = reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build();
        Self { server, http: http.unwrap() }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> T {
        let response = self.http.get(self.server.at(path)).send().await.unwrap();
        assert!(response.status().is_success(), "GET {path}: {}", response.status());
        response.json().await.unwrap()
    }

    async fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> T {
        let response = self.http.post(self.server.at(path)).json(body).send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        assert!(status.is_success(), "POST {path}: {status} {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// Clicks "set up": the session's switches, then the drafts, as the workbench does.
    async fn set_up(&self, id: &str) -> AuthorizationDraft {
        let setup: Setup = self.post(&format!("/api/lessons/{id}/setup"), &()).await;
        let fresh: AuthorizationDraft = self.get("/api/authorize/draft").await;
        apply(&setup, fresh)
    }

    /// Sends the request, logs in as `user` if asked, answers consent if asked, and hands
    /// the provider's answer to the sandbox's callback.
    async fn authorize(&self, draft: &AuthorizationDraft, user: &str, decision: &str) {
        let composed: ComposedRequest = self.post("/api/authorize", draft).await;
        let mut answer = self.http.get(&composed.url).send().await.unwrap();

        // At most a login page then a consent page stand before the answer.
        for _ in 0..2 {
            if answer.status() != StatusCode::OK {
                break;
            }
            let page = answer.text().await.unwrap();
            let request = ("request", hidden(&page, "request"));
            // Every provider form carries its IdP session's anti-forgery token.
            let csrf = ("csrf", hidden(&page, "csrf"));
            let (path, form) = if page.contains("name=\"password\"") {
                let password = format!("{user}-pass");
                let login =
                    vec![request, csrf, ("username", user.to_owned()), ("password", password)];
                ("/idp/login", login)
            } else {
                ("/idp/consent", vec![request, csrf, ("decision", decision.to_owned())])
            };
            answer = self.http.post(self.server.at(path)).form(&form).send().await.unwrap();
        }
        self.deliver(answer).await;
    }

    /// Hands the provider's answer to the sandbox's callback, in its response mode.
    async fn deliver(&self, answer: reqwest::Response) {
        if answer.status() == StatusCode::OK {
            // form_post: the page's hidden fields go to the callback as a form.
            let page = answer.text().await.unwrap();
            let fields = hidden_fields(&page);
            let posted = self.http.post(self.server.at("/callback")).form(&fields).send().await;
            assert!(posted.unwrap().status().is_redirection());
            return;
        }

        let location = answer.headers()["location"].to_str().unwrap().to_owned();
        match location.split_once('#') {
            Some((_, fragment)) => {
                let body = serde_json::json!({ "fragment": fragment });
                let _: serde_json::Value = self.post("/api/callback", &body).await;
            }
            None => {
                let back = self.http.get(&location).send().await.unwrap();
                assert!(back.status().is_redirection(), "callback answered {}", back.status());
            }
        }
    }

    async fn redeem(&self) -> Outcome {
        self.post("/api/redeem", &serde_json::json!({})).await
    }

    async fn refresh(&self, replay_previous: bool) -> Outcome {
        let request = RefreshRequest { replay_previous, ..RefreshRequest::default() };
        self.post("/api/refresh", &request).await
    }

    async fn call(&self, path: &str, token: Option<TokenKind>) -> ApiCallResult {
        self.call_with(path, token, TokenSet::Delegated).await
    }

    async fn call_with(
        &self,
        path: &str,
        token: Option<TokenKind>,
        token_set: TokenSet,
    ) -> ApiCallResult {
        let request = ApiCallRequest {
            method: if path.ends_with("/approve") { "POST" } else { "GET" }.to_owned(),
            url: self.server.at(path),
            body: None,
            content_type: None,
            token,
            token_set,
            placement: Default::default(),
        };
        self.post("/api/call", &request).await
    }

    async fn progress(&self, id: &str) -> Progress {
        self.get(&format!("/api/lessons/{id}/progress")).await
    }

    /// Set up, authorize as `user`, redeem: the common start of most lessons.
    async fn run(&self, id: &str, user: &str) -> Outcome {
        let draft = self.set_up(id).await;
        self.authorize(&draft, user, "approve").await;
        self.redeem().await
    }
}

/// The set-up laid over a fresh draft, as the workbench's Authorize step receives it.
fn apply(setup: &Setup, fresh: AuthorizationDraft) -> AuthorizationDraft {
    let Some(request) = &setup.request else { return fresh };
    let mode = request.response_mode.as_deref().map(|mode| match mode {
        "form_post" => ResponseMode::FormPost,
        "fragment" => ResponseMode::Fragment,
        _ => ResponseMode::Query,
    });
    AuthorizationDraft {
        response_type: request.response_type.clone(),
        response_mode: mode,
        scopes: request.scopes.clone(),
        audience: request.audience.clone(),
        resources: request.resource.clone(),
        redirect_uri: request.redirect_uri.clone().unwrap_or(fresh.redirect_uri),
        pkce: request.pkce,
        prompt: request.prompt.clone(),
        login_hint: setup.login_as.as_ref().map(|user| user.username.clone()),
        ..fresh
    }
}

/// The value of a hidden input of the provider's page.
fn hidden(page: &str, name: &str) -> String {
    hidden_fields(page)
        .into_iter()
        .find(|(field, _)| field == name)
        .unwrap_or_else(|| panic!("no hidden `{name}` in {page}"))
        .1
}

/// Every hidden input of a page, unescaped.
fn hidden_fields(page: &str) -> Vec<(String, String)> {
    let attribute = |tag: &str, name: &str| {
        let marker = format!("{name}=\"");
        let start = tag.find(&marker)? + marker.len();
        Some(unescape(tag[start..].split('"').next()?))
    };
    page.split("<input")
        .skip(1)
        .filter(|tag| tag.contains("type=\"hidden\""))
        .filter_map(|tag| Some((attribute(tag, "name")?, attribute(tag, "value")?)))
        .collect()
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn reached(progress: &Progress) -> Vec<&str> {
    progress.goals.iter().filter(|goal| goal.reached).map(|goal| goal.id.as_str()).collect()
}

#[tokio::test]
async fn lessons_are_served_beside_the_client_api_without_shadowing_it() {
    let server = TestServer::start().await.unwrap();

    let lessons = reqwest::get(server.at("/api/lessons")).await.unwrap();
    let unknown = reqwest::get(server.at("/api/no-such-thing")).await.unwrap();

    assert_eq!(lessons.status(), StatusCode::OK);
    let lessons: Vec<LessonSummary> = lessons.json().await.unwrap();
    assert_eq!(lessons.len(), 18);
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let unknown: ApiError = unknown.json().await.unwrap();
    assert_eq!(unknown.error, "not_found");
}

#[tokio::test]
async fn every_listed_lesson_and_scenario_has_a_page() {
    let server = TestServer::start().await.unwrap();
    let list: Vec<LessonSummary> =
        reqwest::get(server.at("/api/lessons")).await.unwrap().json().await.unwrap();
    let scenarios: Vec<Scenario> =
        reqwest::get(server.at("/api/lessons/scenarios")).await.unwrap().json().await.unwrap();

    for summary in &list {
        let url = server.at(&format!("/api/lessons/{}", summary.id));
        let lesson: Lesson = reqwest::get(url).await.unwrap().json().await.unwrap();
        assert_eq!(lesson.topics, summary.topics);
    }
    for scenario in &scenarios {
        let url = server.at(&format!("/api/lessons/scenarios/{}", scenario.id));
        let page: Scenario = reqwest::get(url).await.unwrap().json().await.unwrap();
        assert_eq!(&page, scenario);
    }
    assert!(scenarios.len() >= 12);
}

#[tokio::test]
async fn lab2_page_gives_the_issuer_client_and_api_of_this_server() {
    let server = TestServer::start().await.unwrap();

    let track: LabTrack =
        reqwest::get(server.at("/api/lessons/lab2")).await.unwrap().json().await.unwrap();

    assert_eq!(track.own_app.issuer, server.at("/idp"));
    assert_eq!(track.own_app.client_id, "lab-web");
    assert_eq!(track.own_app.client_secret.as_deref(), Some("lab-web-secret"));
    assert_eq!(track.own_app.audience, "https://expenses-api");
    assert_eq!(track.exercises.len(), 3);
}

#[tokio::test]
async fn scenario_mischief_stays_in_its_learner_session() {
    let learner = Learner::start().await;
    let stranger = reqwest::Client::builder().cookie_store(true).build().unwrap();

    learner.set_up("wrong-client-secret").await;
    let own: Mischief = learner.get("/api/lessons/mischief").await;
    let other: Mischief = stranger
        .get(learner.server.at("/api/lessons/mischief"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert!(own.wrong_client_secret);
    assert!(!other.any());
}

/// Every lesson's and every scenario's id.
async fn every_id(learner: &Learner) -> Vec<String> {
    let lessons: Vec<LessonSummary> = learner.get("/api/lessons").await;
    let scenarios: Vec<Scenario> = learner.get("/api/lessons/scenarios").await;
    let lessons = lessons.into_iter().map(|lesson| lesson.id);
    lessons.chain(scenarios.into_iter().map(|scenario| scenario.id)).collect()
}

#[tokio::test]
async fn a_fresh_session_reaches_no_goal_of_any_lesson_or_scenario() {
    let learner = Learner::start().await;

    for id in every_id(&learner).await {
        let progress = learner.progress(&id).await;

        assert!(!progress.goals.is_empty(), "`{id}` has no goal");
        assert!(reached(&progress).is_empty(), "`{id}`: {progress:?}");
    }
}

#[tokio::test]
async fn a_plain_code_flow_completes_no_scenario_and_no_lesson_it_did_not_do() {
    let learner = Learner::start().await;

    let outcome = learner.run("code-grant", "alice").await;

    assert!(outcome.ok, "{}", outcome.summary);
    let scenarios: Vec<Scenario> = learner.get("/api/lessons/scenarios").await;
    for scenario in scenarios {
        let progress = learner.progress(&scenario.id).await;
        assert!(!progress.complete(), "nothing broke, yet `{}`: {progress:?}", scenario.id);
    }
    let not_done = [
        "authorization-response",
        "call-api",
        "permissions",
        "offline-access",
        "refresh",
        "sessions-caching",
        "access-vs-id-token",
        "userinfo",
        "hybrid",
        "trusted-subsystem",
        "client-credentials",
    ];
    for id in not_done {
        let progress = learner.progress(id).await;
        assert!(!progress.complete(), "`{id}` was not done: {progress:?}");
    }
}

#[tokio::test]
async fn lesson_code_grant_goals_are_reached_by_running_the_flow() {
    let learner = Learner::start().await;
    let before = learner.progress("code-grant").await;

    let outcome = learner.run("code-grant", "alice").await;

    assert!(outcome.ok, "{}", outcome.summary);
    assert!(reached(&before).is_empty());
    assert_eq!(reached(&learner.progress("code-grant").await), ["code-received", "code-redeemed"]);
}

#[tokio::test]
async fn lesson_audience_sees_the_stuffed_scope_dropped_from_an_api_token() {
    let learner = Learner::start().await;

    learner.run("audience", "alice").await;

    let progress = learner.progress("audience").await;
    assert!(progress.complete(), "{progress:?}");
}

#[tokio::test]
async fn lesson_call_api_and_id_token_lesson_see_the_api_accept_and_refuse() {
    let learner = Learner::start().await;
    learner.run("call-api", "alice").await;

    let listed = learner.call("/expenses-api/expenses", Some(TokenKind::AccessToken)).await;
    let bare = learner.call("/expenses-api/expenses", None).await;
    let id_token = learner.call("/expenses-api/expenses", Some(TokenKind::IdToken)).await;

    assert_eq!((listed.status, bare.status, id_token.status), (200, 401, 401));
    assert!(learner.progress("call-api").await.complete());
    assert!(learner.progress("access-vs-id-token").await.complete());
    assert!(learner.progress("id-token-to-api").await.complete());
    assert!(learner.progress("no-token").await.complete());
    assert!(learner.progress("lab2-missing-token").await.complete());
}

#[tokio::test]
async fn scenario_scope_not_held_ends_in_a_403_for_alice() {
    let learner = Learner::start().await;
    learner.run("scope-not-held", "alice").await;

    let approval = learner.call("/expenses-api/expenses/1/approve", Some(TokenKind::AccessToken));

    assert_eq!(approval.await.status, 403);
    assert!(learner.progress("scope-not-held").await.complete());
}

#[tokio::test]
async fn scenario_no_audience_gives_an_opaque_token_the_api_refuses() {
    let learner = Learner::start().await;
    learner.run("no-audience", "alice").await;

    let call = learner.call("/expenses-api/expenses", Some(TokenKind::AccessToken)).await;

    assert_eq!(call.status, 401);
    assert!(learner.progress("no-audience").await.complete());
}

#[tokio::test]
async fn scenario_refresh_token_reused_revokes_the_family() {
    let learner = Learner::start().await;
    learner.run("refresh-token-reused", "alice").await;

    let rotated = learner.refresh(false).await;
    let replayed = learner.refresh(true).await;
    let newest = learner.refresh(false).await;

    assert!(rotated.ok && !replayed.ok && !newest.ok);
    assert!(learner.progress("refresh-token-reused").await.complete());
    assert!(learner.progress("refresh").await.complete());
}

#[tokio::test]
async fn lesson_offline_access_compares_with_and_without_a_refresh_token() {
    let learner = Learner::start().await;
    learner.run("offline-access", "alice").await;
    let mut without = learner.set_up("offline-access").await;
    without.scopes.retain(|scope| scope != "offline_access");

    learner.authorize(&without, "alice", "approve").await;
    learner.redeem().await;

    assert!(learner.progress("offline-access").await.complete());
}

#[tokio::test]
async fn lesson_authorization_response_sees_a_denial_then_a_code() {
    let learner = Learner::start().await;
    let draft = learner.set_up("authorization-response").await;

    learner.authorize(&draft, "carol", "deny").await;
    let draft = learner.set_up("authorization-response").await;
    learner.authorize(&draft, "carol", "approve").await;

    assert!(learner.progress("authorization-response").await.complete());
}

#[tokio::test]
async fn lab2_hybrid_exercise_gets_a_front_channel_id_token_and_lists_expenses() {
    let learner = Learner::start().await;
    learner.run("lab2-hybrid-with-audience", "alice").await;

    learner.call("/expenses-api/expenses", Some(TokenKind::AccessToken)).await;

    let progress = learner.progress("lab2-hybrid-with-audience").await;
    assert!(progress.complete(), "{progress:?}");
}

#[tokio::test]
async fn scenario_wrong_client_secret_is_refused_with_invalid_client() {
    let learner = Learner::start().await;

    let outcome = learner.run("wrong-client-secret", "alice").await;

    assert!(!outcome.ok);
    assert_eq!(outcome.error.unwrap().error.as_str(), "invalid_client");
    assert!(learner.progress("wrong-client-secret").await.complete());
}

#[tokio::test]
async fn scenario_state_mismatch_leaves_the_code_unredeemed() {
    let learner = Learner::start().await;
    let draft = learner.set_up("state-mismatch").await;

    learner.authorize(&draft, "alice", "approve").await;

    let session: grantlab_shared::SessionView = learner.get("/api/session").await;
    let callback = session.callback.unwrap();
    assert!(!callback.state_check.passed && !callback.code_received);
    assert!(learner.progress("state-mismatch").await.complete());
}

#[tokio::test]
async fn regression_6_an_earlier_state_mismatch_is_still_judged_after_a_good_flow() {
    let learner = Learner::start().await;
    let tampered = learner.set_up("state-mismatch").await;
    learner.authorize(&tampered, "alice", "approve").await;
    let refused = learner.progress("code-grant").await;

    learner.run("code-grant", "alice").await;

    assert!(!reached(&refused).contains(&"code-received"), "{refused:?}");
    assert_eq!(reached(&learner.progress("code-grant").await), ["code-received", "code-redeemed"]);
    let mismatch = learner.progress("state-mismatch").await;
    assert!(mismatch.complete(), "{mismatch:?}");
}

#[tokio::test]
async fn scenario_nonce_mismatch_fails_the_nonce_step() {
    let learner = Learner::start().await;

    learner.run("nonce-mismatch", "alice").await;

    assert!(learner.progress("nonce-mismatch").await.complete());
    assert!(!learner.progress("id-token-validation").await.complete());
}

#[tokio::test]
async fn scenario_pkce_mismatch_is_invalid_grant() {
    let learner = Learner::start().await;

    let outcome = learner.run("pkce-mismatch", "alice").await;

    assert_eq!(outcome.error.unwrap().error.as_str(), "invalid_grant");
    assert!(learner.progress("pkce-mismatch").await.complete());
}

#[tokio::test]
async fn scenario_clock_skew_fails_the_iat_step_and_a_calm_lesson_passes() {
    let learner = Learner::start().await;
    learner.run("clock-skew", "alice").await;
    let skewed = learner.progress("clock-skew").await;

    learner.run("id-token-validation", "alice").await;

    assert!(skewed.complete(), "{skewed:?}");
    assert!(learner.progress("id-token-validation").await.complete());
}

#[tokio::test]
async fn scenario_code_redeemed_twice_by_the_replay_button() {
    let learner = Learner::start().await;
    let draft = learner.set_up("code-redeemed-twice").await;
    learner.authorize(&draft, "alice", "approve").await;

    let first = learner.redeem().await;
    let second: Outcome =
        learner.post("/api/redeem", &serde_json::json!({"replay_previous": true})).await;

    assert!(first.ok && !second.ok, "{second:?}");
    assert!(learner.progress("code-redeemed-twice").await.complete());
}

#[tokio::test]
async fn scenario_unregistered_redirect_uri_stops_at_the_provider() {
    let learner = Learner::start().await;
    let draft = learner.set_up("unregistered-redirect-uri").await;

    let composed: ComposedRequest = learner.post("/api/authorize", &draft).await;
    let answer = learner.http.get(&composed.url).send().await.unwrap();

    assert!(answer.status().is_client_error(), "{}", answer.status());
    assert!(answer.headers().get("location").is_none());
    assert!(learner.progress("unregistered-redirect-uri").await.complete());
}

#[tokio::test]
async fn scenario_expired_access_token_is_refused_once_ten_seconds_pass() {
    let learner = Learner::start().await;
    learner.run("expired-access-token", "alice").await;
    let fresh = learner.call("/expenses-api/expenses", Some(TokenKind::AccessToken)).await;

    let expired =
        grantlab_tests::wait_for("the 10 s token to expire", Duration::from_secs(30), || {
            let learner = &learner;
            async move {
                let call =
                    learner.call("/expenses-api/expenses", Some(TokenKind::AccessToken)).await;
                (call.status == 401).then_some(call)
            }
        })
        .await
        .unwrap();

    assert_eq!(fresh.status, 200);
    assert!(expired.body.contains("expired"), "{}", expired.body);
    assert!(learner.progress("expired-access-token").await.complete());
}

#[tokio::test]
async fn lab2_refresh_exercise_sees_iat_change_with_ten_second_tokens() {
    let learner = Learner::start().await;
    learner.run("lab2-refresh", "alice").await;
    let issued = std::time::SystemTime::now();

    // iat counts whole seconds: wait for the next one before refreshing.
    grantlab_tests::wait_for("a new second", Duration::from_secs(3), || async move {
        (issued.elapsed().unwrap_or_default() >= Duration::from_millis(1100)).then_some(())
    })
    .await
    .unwrap();
    let refreshed = learner.refresh(false).await;

    assert!(refreshed.ok, "{}", refreshed.summary);
    assert!(learner.progress("lab2-refresh").await.complete());
}

#[tokio::test]
async fn lessons_permissions_and_trusted_subsystem_as_bob_then_alice() {
    let learner = Learner::start().await;
    learner.run("permissions", "bob").await;
    let approved = learner.call("/expenses-api/expenses/1/approve", Some(TokenKind::AccessToken));
    let approved = approved.await;
    let summary = learner.call("/expenses-api/reports/summary", Some(TokenKind::AccessToken)).await;

    // Alice now, with a fresh login at the provider.
    let mut as_alice = learner.set_up("permissions").await;
    as_alice.prompt = Some("login".to_owned());
    learner.authorize(&as_alice, "alice", "approve").await;
    learner.redeem().await;
    let refused = learner.call("/expenses-api/expenses/1/approve", Some(TokenKind::AccessToken));

    assert_eq!((approved.status, summary.status, refused.await.status), (200, 200, 403));
    assert!(learner.progress("permissions").await.complete());
    assert!(learner.progress("trusted-subsystem").await.complete());
}

#[tokio::test]
async fn lesson_client_credentials_reached_by_the_machine_token_at_the_api() {
    let learner = Learner::start().await;
    let setup: Setup = learner.post("/api/lessons/client-credentials/setup", &()).await;
    let machine = setup.machine.unwrap();
    let body = serde_json::json!({
        "client": "lab_machine",
        "scopes": machine.scopes,
        "audience": machine.audience,
    });
    let granted: Outcome = learner.post("/api/client-credentials", &body).await;
    let before = learner.progress("client-credentials").await;

    let path = "/expenses-api/expenses";
    let called = learner.call_with(path, Some(TokenKind::AccessToken), TokenSet::Machine).await;

    assert!(granted.ok, "{}", granted.summary);
    let reached = |progress: &Progress, id: &str| {
        progress.goals.iter().any(|goal| goal.id == id && goal.reached)
    };
    assert!(reached(&before, "machine-token"), "{before:?}");
    assert!(reached(&before, "no-refresh-token"), "{before:?}");
    assert!(!reached(&before, "machine-called-api"), "{before:?}");
    assert_eq!(called.status, 200, "{}", called.body);
    let progress = learner.progress("client-credentials").await;
    assert!(progress.complete(), "{progress:?}");
}

#[tokio::test]
async fn lessons_redeem_expires_in_caching_and_client_secret_after_one_flow() {
    let learner = Learner::start().await;
    learner.run("redeem", "alice").await;

    learner.call("/expenses-api/expenses", Some(TokenKind::AccessToken)).await;
    learner.call("/expenses-api/expenses", Some(TokenKind::AccessToken)).await;

    for id in ["redeem", "expires-in", "sessions-caching", "client-secret", "authorization-request"]
    {
        let progress = learner.progress(id).await;
        assert!(progress.complete(), "{progress:?}");
    }
}

#[tokio::test]
async fn lesson_userinfo_gets_an_opaque_token_good_at_userinfo() {
    let learner = Learner::start().await;
    learner.run("userinfo", "alice").await;

    let userinfo: Outcome = learner.post("/api/userinfo", &serde_json::json!({})).await;

    assert!(userinfo.ok, "{}", userinfo.summary);
    assert!(learner.progress("userinfo").await.complete());
}

#[tokio::test]
async fn lesson_hybrid_receives_an_id_token_with_the_code() {
    let learner = Learner::start().await;

    learner.run("hybrid", "alice").await;

    assert!(learner.progress("hybrid").await.complete());
}

/// How long one step may take in the browser.
const STEP: Duration = Duration::from_secs(20);

#[tokio::test]
async fn browser_opens_a_lesson_sets_it_up_and_reaches_its_goals() {
    let server = TestServer::start().await.unwrap();
    let browser = grantlab_tests::Browser::start().await.unwrap();
    let find = |selector: &'static str| {
        let browser = &browser;
        async move {
            grantlab_tests::wait_for(selector, STEP, || async {
                let element = browser.client.find(Locator::Css(selector)).await.ok()?;
                element.is_enabled().await.ok()?.then_some(element)
            })
            .await
            .unwrap()
        }
    };

    // The lesson page, then "set up": the workbench's Authorize step comes prefilled.
    browser.client.goto(&server.at("/lessons/code-grant")).await.unwrap();
    find("#setup").await.click().await.unwrap();
    let preview = grantlab_tests::wait_for("the prefilled request", STEP, || async {
        let url = browser.client.find(Locator::Css(".url")).await.ok()?.text().await.ok()?;
        url.contains("audience=https%3A%2F%2Fexpenses-api").then_some(url)
    })
    .await
    .unwrap();
    assert!(preview.contains("login_hint=alice"), "{preview}");
    browser.screenshot("lesson-01-setup").await.unwrap();

    // Send, log in as alice, approve.
    find("#send").await.click().await.unwrap();
    let password = grantlab_tests::wait_for("the login page", STEP, || async {
        if let Ok(proceed) = browser.client.find(Locator::Css("#continue")).await {
            let _ = proceed.click().await;
        }
        browser.client.find(Locator::Css("input[name='password']")).await.ok()
    })
    .await
    .unwrap();
    let username = find("input[name='username']").await;
    if username.prop("value").await.unwrap().as_deref() != Some("alice") {
        username.clear().await.unwrap();
        username.send_keys("alice").await.unwrap();
    }
    password.send_keys("alice-pass").await.unwrap();
    find("#login").await.click().await.unwrap();
    find("button[name='decision'][value='approve']").await.click().await.unwrap();

    // Back at the workbench: redeem, then return to the lesson, whose goals are reached.
    find(".card .params").await;
    browser.client.goto(&server.at("/redeem")).await.unwrap();
    find("#redeem").await.click().await.unwrap();
    find(".outcome.ok").await;
    browser.client.goto(&server.at("/lessons/code-grant")).await.unwrap();
    let reached = grantlab_tests::wait_for("both goals reached", STEP, || async {
        let goals = browser.client.find_all(Locator::Css("li.goal.reached")).await.ok()?;
        (goals.len() == 2).then_some(goals.len())
    })
    .await
    .unwrap();
    browser.screenshot("lesson-02-goals").await.unwrap();

    // The lesson list shows the progress kept in the browser.
    browser.client.goto(&server.at("/lessons")).await.unwrap();
    let progress = grantlab_tests::wait_for("the list's progress", STEP, || async {
        let item = browser.client.find(Locator::Css("li[data-lesson='code-grant']")).await.ok()?;
        item.text().await.ok().filter(|text| text.contains("2/2"))
    })
    .await
    .unwrap();
    // The list judges the lessons not yet opened too: lesson 2's goal came with the same flow.
    grantlab_tests::wait_for("lesson 2 judged from the session", STEP, || async {
        let item =
            browser.client.find(Locator::Css("li[data-lesson='client-secret']")).await.ok()?;
        item.text().await.ok().filter(|text| text.contains("1/1"))
    })
    .await
    .unwrap();
    browser.screenshot("lesson-03-list").await.unwrap();

    // The book is the browser's own: with the server session gone (its cookie dropped, as when
    // it expires), the list still shows the progress, read from localStorage.
    let book = browser
        .client
        .execute("return localStorage.getItem('grantlab.lessons-progress')", vec![])
        .await
        .unwrap();
    browser.client.delete_all_cookies().await.unwrap();
    browser.client.goto(&server.at("/lessons")).await.unwrap();
    let kept = grantlab_tests::wait_for("the list from the book alone", STEP, || async {
        let item = browser.client.find(Locator::Css("li[data-lesson='code-grant']")).await.ok()?;
        item.text().await.ok().filter(|text| text.contains("2/2"))
    })
    .await
    .unwrap();
    let session: grantlab_shared::SessionView = browser_session(&server, &browser).await;

    assert_eq!(reached, 2);
    assert!(progress.contains("The code grant"), "{progress}");
    let book = book.as_str().unwrap_or_default().to_owned();
    assert!(book.contains("code-received") && book.contains("code-redeemed"), "{book}");
    assert!(!book.contains("eyJ"), "no token in the book: {book}");
    assert!(kept.contains("The code grant"), "{kept}");
    assert!(session.tokens.is_none(), "the server session is a new one");
    browser.close().await.unwrap();
}

/// The server session the browser's cookie names now, read through the browser's own fetch.
async fn browser_session(
    server: &TestServer,
    browser: &grantlab_tests::Browser,
) -> grantlab_shared::SessionView {
    let script = "return fetch(arguments[0]).then((answer) => answer.text())";
    let url = serde_json::Value::String(server.at("/api/session"));
    let text = browser.client.execute(script, vec![url]).await.unwrap();
    serde_json::from_str(text.as_str().unwrap_or_default()).unwrap()
}
