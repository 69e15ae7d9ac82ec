//! One test per ID token check (OIDC Core §3.1.3.7), on HS256 tokens signed with the client
//! secret so no key set is fetched and no traffic is sent.

use grantlab_shared::{Endpoints, ProfileKind};
use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::json;

use super::*;
use crate::client::http::Outbound;
use crate::client::redact::Redactor;

const SECRET: &str = "client-secret-for-hmac-tests-0123456789";
const ISSUER: &str = "https://id.example";

fn profile() -> ProfileView {
    ProfileView {
        id: "manual".into(),
        label: "test".into(),
        kind: ProfileKind::Manual,
        endpoints: Endpoints { issuer: Some(ISSUER.into()), ..Endpoints::default() },
        client_id: "app".into(),
        client_secret_set: true,
        redirect_uri: "http://127.0.0.1/callback".into(),
        scopes_supported: Vec::new(),
        discovery: None,
    }
}

fn token(claims: serde_json::Value) -> String {
    encode(&Header::default(), &claims, &EncodingKey::from_secret(SECRET.as_bytes()).unwrap())
        .unwrap()
}

fn good_claims() -> serde_json::Value {
    let now = unix_ms() / 1000;
    json!({"iss": ISSUER, "sub": "alice", "aud": "app", "exp": now + 600, "iat": now,
           "auth_time": now, "nonce": "n-1", "at_hash": half_hash("HS256", "the-access-token")})
}

/// Runs the checks on `claims` with nonce `n-1` and access token `the-access-token`.
async fn checks(claims: serde_json::Value, secret: &str) -> Vec<Check> {
    let outbound = Outbound::new("http://127.0.0.1:1", false).unwrap();
    let recorder = Recorder::new(&outbound, Redactor::default());
    let profile = profile();
    let context = Context {
        profile: &profile,
        secret: Some(secret),
        nonce: Some("n-1"),
        access_token: Some("the-access-token"),
        code: None,
        max_age: Some(60),
        clock_behind: 0,
    };
    validate(&recorder, &context, &token(claims)).await
}

fn verdict(checks: &[Check], id: &str) -> bool {
    checks.iter().find(|check| check.id == id).unwrap_or_else(|| panic!("no {id}")).passed
}

#[tokio::test]
async fn a_good_token_passes_every_check() {
    let checks = checks(good_claims(), SECRET).await;

    assert!(checks.iter().all(|check| check.passed), "{checks:?}");
    assert!(checks.iter().any(|check| check.id == "id_token.at_hash"));
}

#[tokio::test]
async fn step_6_signature_by_another_secret_fails() {
    let checks = checks(good_claims(), "another-secret-of-sufficient-length-000").await;

    assert!(!verdict(&checks, "id_token.signature"));
}

#[tokio::test]
async fn step_2_another_issuer_fails() {
    let mut claims = good_claims();
    claims["iss"] = json!("https://evil.example");

    let checks = checks(claims, SECRET).await;

    assert!(!verdict(&checks, "id_token.iss"));
}

#[tokio::test]
async fn step_3_audience_without_the_client_fails() {
    let mut claims = good_claims();
    claims["aud"] = json!("another-app");

    let checks = checks(claims, SECRET).await;

    assert!(!verdict(&checks, "id_token.aud"));
}

#[tokio::test]
async fn steps_4_5_several_audiences_without_azp_fail() {
    let mut claims = good_claims();
    claims["aud"] = json!(["app", "another-app"]);

    let checks = checks(claims, SECRET).await;

    assert!(verdict(&checks, "id_token.aud"));
    assert!(!verdict(&checks, "id_token.azp"));
}

#[tokio::test]
async fn step_9_an_expired_token_fails() {
    let mut claims = good_claims();
    claims["exp"] = json!(unix_ms() / 1000 - 3600);

    let checks = checks(claims, SECRET).await;

    assert!(!verdict(&checks, "id_token.exp"));
    assert!(verdict(&checks, "id_token.signature"), "the signature is judged apart from exp");
}

#[tokio::test]
async fn step_10_issued_in_the_future_fails() {
    let mut claims = good_claims();
    claims["iat"] = json!(unix_ms() / 1000 + 3600);

    let checks = checks(claims, SECRET).await;

    assert!(!verdict(&checks, "id_token.iat"));
}

#[tokio::test]
async fn step_11_another_nonce_fails() {
    let mut claims = good_claims();
    claims["nonce"] = json!("replayed");

    let checks = checks(claims, SECRET).await;

    let nonce = checks.iter().find(|check| check.id == "id_token.nonce").unwrap();
    assert!(!nonce.passed);
    assert_eq!((nonce.expected.as_str(), nonce.found.as_str()), ("n-1", "replayed"));
}

#[tokio::test]
async fn step_13_a_login_older_than_max_age_fails() {
    let mut claims = good_claims();
    claims["auth_time"] = json!(unix_ms() / 1000 - 3600);

    let checks = checks(claims, SECRET).await;

    assert!(!verdict(&checks, "id_token.auth_time"));
}

#[tokio::test]
async fn at_hash_of_another_access_token_fails() {
    let mut claims = good_claims();
    claims["at_hash"] = json!(half_hash("HS256", "some-other-token"));

    let checks = checks(claims, SECRET).await;

    assert!(!verdict(&checks, "id_token.at_hash"));
}

#[test]
fn at_hash_matches_the_oidc_core_example() {
    // OIDC Core Appendix A.3: this access token and its at_hash.
    let access_token = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y";

    assert_eq!(half_hash("RS256", access_token).as_deref(), Some("77QmUPtjPfzWtF2AnpK9RQ"));
}

#[test]
fn an_unknown_alg_gives_no_hash() {
    assert_eq!(half_hash("none", "x"), None);
}

#[test]
fn decode_refuses_what_is_not_three_parts() {
    assert!(decode("a.b").is_none());
    assert!(decode("not a jwt").is_none());
}
