//! Tests of the Expenses API and the Reports service, one per rule, on a real server bound to
//! `127.0.0.1:0`: the APIs fetch the provider's JWKS over loopback as they do in production.

use reqwest::StatusCode;
use reqwest::header::WWW_AUTHENTICATE;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::provider::keys::{KEY_FILE, Keys};
use crate::provider::tests::test_pem;
use crate::{Config, Site};

/// A running server, the key its provider signs with, and its data folder.
struct Running {
    url: String,
    keys: Keys,
    _data: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn start() -> Running {
    let data = tempfile::tempdir().unwrap();
    std::fs::write(data.path().join(KEY_FILE), test_pem()).unwrap();
    let mut config = Config::with_defaults();
    config.data_dir = data.path().to_path_buf();
    config.dist = data.path().join("no-dist");
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = crate::app(Site::new(config, url.clone())).await.unwrap();
    let task = tokio::spawn(async move {
        let _ = crate::serve(listener, router).await;
    });
    Running { url, keys: Keys::from_pem(test_pem()).unwrap(), _data: data, task }
}

impl Running {
    /// A token signed by the provider's key with these claims and `typ`.
    fn mint(&self, typ: &str, claims: Value) -> String {
        let now = jsonwebtoken::get_current_timestamp();
        let mut full = json!({
            "iss": format!("{}/idp", self.url),
            "sub": "lab|bob-77d2a0",
            "aud": "https://expenses-api",
            "client_id": "grantlab-sandbox",
            "scope": "read:reports",
            "iat": now,
            "exp": now + 60,
            "jti": "test",
        });
        for (name, value) in claims.as_object().unwrap() {
            full[name] = value.clone();
        }
        self.keys.sign(typ, &full).unwrap()
    }

    async fn get(&self, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut request = reqwest::Client::new().get(format!("{}{path}", self.url));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    async fn machine_token(&self) -> String {
        let response = reqwest::Client::new()
            .post(format!("{}/idp/token", self.url))
            .basic_auth("lab-machine", Some("lab-machine-secret"))
            .form(&[("grant_type", "client_credentials"), ("audience", "https://expenses-api")])
            .send()
            .await
            .unwrap();
        let body: Value = response.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }
}

/// The name of the last check and whether it passed.
fn last_check(body: &Value) -> (String, bool) {
    let last = body["checks"].as_array().unwrap().last().unwrap().clone();
    (last["name"].as_str().unwrap().to_owned(), last["passed"].as_bool().unwrap())
}

#[tokio::test]
async fn total_is_public() {
    let lab = start().await;

    let response = lab.get("/expenses-api/total", None).await;

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["total_cents"], 8_950 + 14_320);
    assert!(body["checks"].is_array());
}

#[tokio::test]
async fn no_token_gets_a_bare_bearer_challenge() {
    let lab = start().await;

    let response = lab.get("/expenses-api/expenses", None).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[WWW_AUTHENTICATE], "Bearer realm=\"grantlab-api\"");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "missing_token");
    assert_eq!(last_check(&body), ("bearer token present".to_owned(), false));
}

#[tokio::test]
async fn a_valid_token_with_read_reports_lists_the_expenses_with_every_check() {
    let lab = start().await;
    let token = lab.machine_token().await;

    let response = lab.get("/expenses-api/expenses", Some(&token)).await;

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["expenses"].as_array().unwrap().len(), 2);
    let checks = body["checks"].as_array().unwrap();
    assert!(checks.iter().all(|check| check["passed"] == true));
    assert!(checks.iter().all(|check| check["expected"].is_string() && check["found"].is_string()));
}

#[tokio::test]
async fn opaque_token_is_refused_because_the_api_cannot_validate_it() {
    let lab = start().await;

    let response = lab.get("/expenses-api/expenses", Some("an-opaque-value")).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response.headers()[WWW_AUTHENTICATE].to_str().unwrap().to_owned();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    let body: Value = response.json().await.unwrap();
    assert!(body["error_description"].as_str().unwrap().contains("opaque"));
}

#[tokio::test]
async fn id_token_is_refused_because_its_audience_is_the_client() {
    let lab = start().await;
    let id_token = lab.mint("JWT", json!({ "aud": "grantlab-sandbox", "nonce": "n" }));

    let response = lab.get("/expenses-api/expenses", Some(&id_token)).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.unwrap();
    let description = body["error_description"].as_str().unwrap();
    assert!(description.contains("ID token") && description.contains("grantlab-sandbox"));
    assert_eq!(last_check(&body), ("typ is at+jwt".to_owned(), false));
}

#[tokio::test]
async fn token_for_another_audience_is_refused() {
    let lab = start().await;
    let token = lab.mint("at+jwt", json!({ "aud": "https://reports-service" }));

    let response = lab.get("/expenses-api/expenses", Some(&token)).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(last_check(&body), ("aud contains https://expenses-api".to_owned(), false));
}

#[tokio::test]
async fn expired_token_is_refused() {
    let lab = start().await;
    let now = jsonwebtoken::get_current_timestamp();
    let token = lab.mint("at+jwt", json!({ "iat": now - 120, "exp": now - 60 }));

    let response = lab.get("/expenses-api/expenses", Some(&token)).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.unwrap();
    assert!(body["error_description"].as_str().unwrap().contains("expired"));
    assert_eq!(last_check(&body), ("not expired (exp)".to_owned(), false));
}

#[tokio::test]
async fn token_from_another_issuer_is_refused() {
    let lab = start().await;
    let token = lab.mint("at+jwt", json!({ "iss": "https://elsewhere.test" }));

    let response = lab.get("/expenses-api/expenses", Some(&token)).await;

    let body: Value = response.json().await.unwrap();
    assert_eq!(last_check(&body), ("iss".to_owned(), false));
}

#[tokio::test]
async fn tampered_token_fails_the_signature_check() {
    let lab = start().await;
    let token = lab.mint("at+jwt", json!({}));
    let forged_claims = lab.mint("at+jwt", json!({ "scope": "read:reports approve:reports" }));
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[1] = forged_claims.split('.').nth(1).unwrap();

    let response = lab.get("/expenses-api/expenses", Some(&parts.join("."))).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.unwrap();
    assert!(last_check(&body).0.starts_with("signature verifies"));
}

#[tokio::test]
async fn missing_permission_is_403_insufficient_scope_naming_it() {
    let lab = start().await;
    let token = lab.machine_token().await;

    let response = reqwest::Client::new()
        .post(format!("{}/expenses-api/expenses/1/approve", lab.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let challenge = response.headers()[WWW_AUTHENTICATE].to_str().unwrap().to_owned();
    assert!(challenge.contains("error=\"insufficient_scope\""), "{challenge}");
    assert!(challenge.contains("scope=\"approve:reports\""), "{challenge}");
}

#[tokio::test]
async fn approve_reports_approves_an_expense() {
    let lab = start().await;
    let token = lab.mint("at+jwt", json!({ "scope": "read:reports approve:reports" }));

    let response = reqwest::Client::new()
        .post(format!("{}/expenses-api/expenses/2/approve", lab.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["expense"]["status"], "approved");
    assert_eq!(body["expense"]["approved_by"], "lab|bob-77d2a0");
}

#[tokio::test]
async fn basic_scheme_is_an_invalid_request() {
    let lab = start().await;

    let response = reqwest::Client::new()
        .get(format!("{}/expenses-api/expenses", lab.url))
        .basic_auth("a", Some("b"))
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

/// Sends `Authorization: {value}` to the expenses list.
async fn with_authorization(lab: &Running, value: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}/expenses-api/expenses", lab.url))
        .header(reqwest::header::AUTHORIZATION, value)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn two_words_after_bearer_are_an_invalid_request_naming_the_fault() {
    let lab = start().await;

    let two_words = with_authorization(&lab, "bearer x y").await;
    let two_spaces = with_authorization(&lab, "Bearer  x").await;

    assert_eq!(two_words.status(), StatusCode::BAD_REQUEST);
    let challenge = two_words.headers()[WWW_AUTHENTICATE].to_str().unwrap().to_owned();
    assert!(challenge.contains("error=\"invalid_request\""), "{challenge}");
    assert!(challenge.contains("one word"), "{challenge}");
    assert_eq!(two_spaces.status(), StatusCode::BAD_REQUEST);
    let challenge = two_spaces.headers()[WWW_AUTHENTICATE].to_str().unwrap().to_owned();
    assert!(challenge.contains("one space"), "{challenge}");
}

#[tokio::test]
async fn lowercase_bearer_scheme_is_accepted() {
    let lab = start().await;
    let token = lab.machine_token().await;

    let response = with_authorization(&lab, &format!("bEaReR {token}")).await;

    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn three_parts_that_are_not_a_jwt_are_a_malformed_jwt_not_opaque() {
    let lab = start().await;

    let response = lab.get("/expenses-api/expenses", Some("a.b.c")).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let challenge = response.headers()[WWW_AUTHENTICATE].to_str().unwrap().to_owned();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    let body: Value = response.json().await.unwrap();
    let description = body["error_description"].as_str().unwrap();
    assert!(description.contains("malformed"), "{description}");
    assert!(description.contains("header (part 1)"), "{description}");
    assert!(!description.contains("opaque"), "{description}");
}

#[tokio::test]
async fn summary_calls_the_reports_service_with_the_apis_own_token() {
    let lab = start().await;
    let token = lab.machine_token().await;

    let response = lab.get("/expenses-api/reports/summary", Some(&token)).await;

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["reports_service"]["caller"], "expenses-api");
    assert_eq!(body["reports_service"]["summary"]["count"], 2);
    assert!(body["trusted_subsystem"].as_str().unwrap().contains("own"));
}

#[tokio::test]
async fn the_apis_own_token_is_cached_until_it_expires() {
    let lab = start().await;
    let token = lab.machine_token().await;

    let first: Value =
        lab.get("/expenses-api/reports/summary", Some(&token)).await.json().await.unwrap();
    let second: Value =
        lab.get("/expenses-api/reports/summary", Some(&token)).await.json().await.unwrap();

    assert_eq!(first["own_token_reused"], false);
    assert_eq!(second["own_token_reused"], true);
}

#[tokio::test]
async fn reports_service_accepts_only_tokens_for_its_identifier() {
    let lab = start().await;
    let token = lab.mint("at+jwt", json!({ "scope": "summarize:reports" }));

    let response = lab.get("/reports-service/summary", Some(&token)).await;

    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(last_check(&body), ("aud contains https://reports-service".to_owned(), false));
}

/// A loopback server that answers every connection with `reply` once, or never if `None`.
async fn one_shot(reply: Option<&'static str>) -> (String, tokio::task::JoinHandle<()>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buffer = [0u8; 2048];
            let _ = socket.read(&mut buffer).await;
            match reply {
                Some(reply) => {
                    let _ = socket.write_all(reply.as_bytes()).await;
                }
                // Hold the connection open without answering until the test ends.
                None => std::future::pending::<()>().await,
            }
        }
    });
    (address.to_string(), task)
}

#[tokio::test]
async fn back_channel_client_does_not_follow_redirects() {
    let reply = "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/jwks\r\n\
                 Content-Length: 0\r\nConnection: close\r\n\r\n";
    let (address, task) = one_shot(Some(reply)).await;
    let http = crate::api::back_channel(std::time::Duration::from_secs(5)).unwrap();

    let response = http.get(format!("http://{address}/jwks")).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::FOUND);
    task.abort();
}

#[tokio::test]
async fn back_channel_client_gives_up_after_its_timeout() {
    let (address, task) = one_shot(None).await;
    let http = crate::api::back_channel(std::time::Duration::from_millis(300)).unwrap();
    let started = std::time::Instant::now();

    let error = http.get(format!("http://{address}/jwks")).send().await.unwrap_err();

    assert!(error.is_timeout(), "{error}");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    task.abort();
}

#[tokio::test]
async fn back_channel_client_speaks_https() {
    // A plain-HTTP loopback server: a client without TLS refuses the https URL outright; ours
    // starts a TLS handshake, which this server cannot complete.
    let reply = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    let (address, task) = one_shot(Some(reply)).await;
    let http = crate::api::back_channel(std::time::Duration::from_secs(5)).unwrap();

    let error = http.get(format!("https://{address}/jwks")).send().await.unwrap_err();

    assert!(error.is_connect(), "expected a failed TLS handshake, got {error:?}");
    assert!(!error.is_builder(), "https must be supported: {error:?}");
    task.abort();
}
