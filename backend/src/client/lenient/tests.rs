//! The lenient reader against hand-made cases and every file of
//! `shared/fixtures/provider-quirks` (one test per file).

use std::path::PathBuf;

use super::*;

/// One fixture file: the raw message and what a good sandbox does with it.
#[derive(serde::Deserialize)]
struct Quirk {
    kind: String,
    http_status: Option<u16>,
    content_type: Option<String>,
    body: Option<String>,
}

fn quirk(name: &str) -> Quirk {
    let folder =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/provider-quirks");
    let path = folder.join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!(
            "fixture {} is missing ({error}); shared/ must sit beside the repository",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap()
}

fn read(quirk: &Quirk) -> (Result<TokenFields, Unusable>, Vec<Deviation>) {
    let mut deviations = Vec::new();
    let result = token_response(
        quirk.http_status.unwrap_or(200),
        quirk.content_type.as_deref().unwrap_or_default(),
        quirk.body.as_deref().unwrap_or_default(),
        &mut deviations,
    );
    (result, deviations)
}

#[test]
fn fixture_01_expires_in_as_a_string_is_read_with_a_deviation() {
    let quirk = quirk("01-azure-v1-expires-in-string.json");

    let (result, deviations) = read(&quirk);

    let fields = result.unwrap();
    assert_eq!(quirk.kind, "token_response");
    assert_eq!(fields.expires_in, Some(3599));
    assert!(fields.access_token.starts_with("fake-at-"));
    assert!(deviations.iter().any(|d| d.field == "expires_in" && d.handling.contains("3599")));
    assert!(fields.extra.iter().any(|param| param.name == "ext_expires_in"));
}

#[test]
fn fixture_02_form_encoded_token_with_comma_scopes_is_read() {
    let quirk = quirk("02-github-form-encoded-token.json");

    let (result, deviations) = read(&quirk);

    let fields = result.unwrap();
    assert_eq!(fields.token_type.as_deref(), Some("bearer"));
    assert_eq!(fields.scope, Some(vec!["read:user".to_owned(), "user:email".to_owned()]));
    assert!(deviations.iter().any(|d| d.field == "content-type"));
    assert!(deviations.iter().any(|d| d.field == "scope"));
}

#[test]
fn fixture_03_http_200_carrying_an_error_is_an_error_response() {
    let quirk = quirk("03-github-200-error-body.json");

    let (result, deviations) = read(&quirk);

    let error = result.unwrap_err().error.unwrap();
    assert_eq!(error.error, ErrorCode::Extension("bad_verification_code".into()));
    assert!(error.error_description.unwrap().contains("no longer valid"));
    assert!(error.error_uri.unwrap().contains("bad-verification-code"));
    assert!(deviations.iter().any(|d| d.field == "HTTP status"));
}

#[test]
fn fixture_14_refresh_answer_without_refresh_token_keeps_extras() {
    let quirk = quirk("14-salesforce-refresh-no-new-refresh-token.json");

    let (result, deviations) = read(&quirk);

    let fields = result.unwrap();
    assert_eq!(fields.refresh_token, None);
    assert_eq!(fields.expires_in, None);
    assert!(fields.extra.iter().any(|param| param.name == "instance_url"));
    assert!(fields.extra.iter().any(|p| p.name == "issued_at" && p.value == "\"1796385600000\""));
    assert!(deviations.is_empty(), "{deviations:?}");
}

#[test]
fn fixture_15_access_denied_callback_is_read_as_an_error_without_code() {
    let quirk = quirk("15-github-callback-access-denied.json");
    let body = quirk.body.unwrap_or_default();
    let params: Vec<(String, String)> =
        url::form_urlencoded::parse(body.as_bytes()).into_owned().collect();

    let view = crate::client::callback::read(
        grantlab_shared::ResponseMode::Query,
        &params,
        Some("uO_5UWCONhlQ76yWO43_axdLQvJfEIaU"),
    );

    assert!(view.state_check.passed);
    assert!(!view.code_received);
    let error = view.error.unwrap();
    assert_eq!(error.error, ErrorCode::AccessDenied);
    assert!(error.error_description.unwrap().contains("chose not to authorize"));
}

#[test]
fn fixture_18_html_error_page_fails_naming_status_and_content_type() {
    let quirk = quirk("18-mattermost-html-token-error.json");

    let (result, _) = read(&quirk);

    let unusable = result.unwrap_err();
    assert!(unusable.summary.contains("HTTP 500"), "{}", unusable.summary);
    assert!(unusable.summary.contains("text/html"));
    assert!(unusable.summary.contains("The authorization code is not valid."));
    assert!(!unusable.summary.contains("<script") && !unusable.summary.contains("__errorId"));
}

#[test]
fn scope_as_an_array_is_read_with_a_deviation() {
    let mut deviations = Vec::new();
    let body = r#"{"access_token":"a","token_type":"Bearer","scope":["openid","email"]}"#;

    let fields = token_response(200, "application/json", body, &mut deviations).unwrap();

    assert_eq!(fields.scope, Some(vec!["openid".to_owned(), "email".to_owned()]));
    assert_eq!(deviations[0].field, "scope");
}

#[test]
fn missing_access_token_names_the_field() {
    let mut deviations = Vec::new();

    let unusable =
        token_response(200, "application/json", r#"{"token_type":"Bearer"}"#, &mut deviations)
            .unwrap_err();

    assert!(unusable.summary.contains("`access_token`"), "{}", unusable.summary);
}
