//! The `claims` request parameter (OIDC Core 5.5) through the provider's router: where each
//! requested claim is released, what is refused, and what a refresh keeps.

use super::*;

const EMAIL_IN_ID_TOKEN: &str = r#"{"id_token":{"email":{"essential":true}}}"#;
const NAME_AT_USERINFO: &str = r#"{"userinfo":{"given_name":null,"family_name":null}}"#;

/// The scope of these tests gives no user claim: each one released comes from `claims`.
fn asking(claims: &str) -> [(&'static str, &str); 2] {
    [("scope", "openid offline_access read:reports"), ("claims", claims)]
}

/// The claims of the ID token in a token response.
fn id_token_claims(lab: &Lab, tokens: &Value) -> Value {
    lab.claims(tokens["id_token"].as_str().unwrap(), SANDBOX_CLIENT_ID)
}

/// What userinfo answers for the access token in a token response.
async fn userinfo(lab: &Lab, tokens: &Value) -> Value {
    let bearer = format!("Bearer {}", tokens["access_token"].as_str().unwrap());
    let request =
        Request::get("/userinfo").header(AUTHORIZATION, bearer).body(Body::empty()).unwrap();
    let response = lab.send(request).await;
    assert_eq!(response.status(), StatusCode::OK);
    json(response).await
}

#[tokio::test]
async fn a_claim_asked_for_the_id_token_is_in_it_and_not_at_userinfo() {
    let lab = lab();

    let tokens = lab.tokens(&asking(EMAIL_IN_ID_TOKEN), "alice").await;

    let id_token = id_token_claims(&lab, &tokens);
    assert_eq!(id_token["email"], "alice@expenses.lab");
    assert!(id_token.get("email_verified").is_none(), "only the claim asked for");
    assert!(id_token.get("name").is_none(), "no profile scope");
    let userinfo = userinfo(&lab, &tokens).await;
    assert!(userinfo.get("email").is_none(), "{userinfo}");
    assert_eq!(userinfo["sub"], "lab|alice-5b8c1e");
}

#[tokio::test]
async fn claims_asked_for_userinfo_are_there_and_not_in_the_id_token() {
    let lab = lab();

    let tokens = lab.tokens(&asking(NAME_AT_USERINFO), "bob").await;

    let userinfo = userinfo(&lab, &tokens).await;
    assert_eq!(
        (&userinfo["given_name"], &userinfo["family_name"]),
        (&"Bob".into(), &"Lindqvist".into())
    );
    assert!(userinfo.get("name").is_none(), "{userinfo}");
    let id_token = id_token_claims(&lab, &tokens);
    assert!(id_token.get("given_name").is_none(), "{id_token}");
}

#[tokio::test]
async fn claims_come_in_addition_to_what_the_scopes_give() {
    let lab = lab();
    let extra = [("scope", "openid email read:reports"), ("claims", NAME_AT_USERINFO)];

    let tokens = lab.tokens(&extra, "alice").await;

    let userinfo = userinfo(&lab, &tokens).await;
    assert_eq!(userinfo["email"], "alice@expenses.lab");
    assert_eq!(userinfo["email_verified"], true);
    assert_eq!(userinfo["given_name"], "Alice");
}

#[tokio::test]
async fn a_requested_claim_the_user_lacks_is_simply_absent() {
    let carol_email = "email = \"carol@expenses.lab\"\n";
    assert_eq!(DEFAULT_SCENARIO.matches(carol_email).count(), 1);
    let lab = lab_with(&DEFAULT_SCENARIO.replace(carol_email, ""));
    let both = r#"{"id_token":{"email":null,"name":null},"userinfo":{"email":null}}"#;

    let tokens = lab.tokens(&asking(both), "carol").await;

    let id_token = id_token_claims(&lab, &tokens);
    assert_eq!(id_token["name"], "Carol Nguyễn-Sørensen");
    assert!(id_token.get("email").is_none(), "{id_token}");
    assert!(userinfo(&lab, &tokens).await.get("email").is_none());
}

#[tokio::test]
async fn a_refresh_keeps_the_claims_request_of_its_grant() {
    let lab = lab();
    let both = r#"{"id_token":{"email":null},"userinfo":{"given_name":null}}"#;
    let first = lab.tokens(&asking(both), "alice").await;

    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", first["refresh_token"].as_str().unwrap()),
    ];
    let refreshed = json(lab.token(&form).await).await;

    assert_eq!(id_token_claims(&lab, &refreshed)["email"], "alice@expenses.lab");
    assert_eq!(userinfo(&lab, &refreshed).await["given_name"], "Alice");
}

#[tokio::test]
async fn a_refresh_that_drops_a_scope_drops_the_claims_only_that_scope_gave() {
    let lab = lab();
    let scoped = [
        ("scope", "openid email profile offline_access read:reports"),
        ("claims", r#"{"id_token":{"email":null,"name":null}}"#),
    ];
    let first = lab.tokens(&scoped, "alice").await;
    assert_eq!(id_token_claims(&lab, &first)["email"], "alice@expenses.lab");

    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", first["refresh_token"].as_str().unwrap()),
        ("scope", "openid profile offline_access read:reports"),
    ];
    let refreshed = json(lab.token(&form).await).await;

    let id_token = id_token_claims(&lab, &refreshed);
    assert!(id_token.get("email").is_none(), "email went with its scope: {id_token}");
    assert_eq!(id_token["name"], "Alice Moreau");
}

#[tokio::test]
async fn malformed_claims_go_back_as_invalid_request_naming_the_member() {
    let lab = lab();
    let cases = [
        (r#"{"id_token":"#, "`claims` must be a JSON object"),
        (r#""email""#, "`claims` must be a JSON object, found a string"),
        (r#"{"id_token":{"email":{"essential":"yes"}}}"#, "`claims.id_token.email.essential`"),
        (r#"{"userinfo":{"email":{"values":"a"}}}"#, "`claims.userinfo.email.values`"),
    ];

    for (raw, expected) in cases {
        let response = lab.authorize(&request(&[("claims", raw)]), None).await;

        assert_eq!(param(&response, "error"), "invalid_request", "{raw}");
        assert_eq!(param(&response, "state"), "st-1", "{raw}");
        let description = param(&response, "error_description");
        assert!(description.starts_with(expected), "{raw}: {description}");
    }
}

#[tokio::test]
async fn a_sub_value_for_another_user_asks_for_a_login_and_never_answers_for_this_one() {
    let lab = lab();
    let (_, alice) = lab.login_and_approve(&request(&[]), "alice").await;
    let for_bob = r#"{"id_token":{"sub":{"value":"lab|bob-77d2a0"}}}"#;

    let silently = request(&[("claims", for_bob), ("prompt", "none")]);
    let silent = lab.authorize(&silently, Some(&alice)).await;
    let shown = lab.authorize(&request(&[("claims", for_bob)]), Some(&alice)).await;

    assert_eq!(param(&silent, "error"), "login_required");
    assert_eq!(shown.status(), StatusCode::OK);
    let page = text(shown).await;
    let form =
        Form { request: hidden(&page, "request"), csrf: hidden(&page, "csrf"), cookie: alice };
    let refused = lab.submit_login(&form, "alice", "alice-pass").await;
    assert_eq!(param(&refused, "error"), "access_denied");
    assert!(param(&refused, "error_description").contains("another user's `sub`"));
}

#[tokio::test]
async fn a_sub_value_naming_the_logged_in_user_changes_nothing() {
    let lab = lab();
    let (_, alice) = lab.login_and_approve(&request(&[]), "alice").await;
    let for_alice = r#"{"id_token":{"sub":{"value":"lab|alice-5b8c1e"}}}"#;

    let response = lab.authorize(&request(&[("claims", for_alice)]), Some(&alice)).await;

    assert!(param(&response, "code").len() > 20);
}

#[tokio::test]
async fn discovery_advertises_the_claims_parameter_and_the_claims_it_releases() {
    let lab = lab();

    let body = json(lab.get("/.well-known/openid-configuration", None).await).await;

    assert_eq!(body["claims_parameter_supported"], true);
    let supported = body["claims_supported"].as_array().unwrap();
    for claim in super::super::claims::USER_CLAIMS.iter().chain(&["sub", "nonce"]) {
        assert!(supported.contains(&(*claim).into()), "{claim}");
    }
}

#[tokio::test]
async fn the_consent_page_lists_a_claim_asked_for_by_name_beyond_the_scopes() {
    let lab = lab();
    let extra = [("scope", "openid email read:reports"), ("claims", NAME_AT_USERINFO)];

    let consent = lab.login_form(&request(&extra)).await;
    let page = text(lab.submit_login(&consent, "alice", "alice-pass").await).await;

    assert!(page.contains("<code>given_name</code>"), "{page}");
    assert!(page.contains("<code>family_name</code>"), "{page}");
    assert_eq!(page.matches("<code>email</code>").count(), 1, "the scope, not the claim: {page}");
}

#[tokio::test]
async fn a_remembered_consent_without_a_claim_asks_again_for_it() {
    let lab = lab();
    let scope = [("scope", "openid read:reports")];
    let (_, cookie) = lab.login_and_approve(&request(&scope), "alice").await;
    let with_claim = [scope[0], ("claims", EMAIL_IN_ID_TOKEN)];

    let silent = request(&[with_claim[0], with_claim[1], ("prompt", "none")]);
    let silent = lab.authorize(&silent, Some(&cookie)).await;
    let shown = lab.authorize(&request(&with_claim), Some(&cookie)).await;

    assert_eq!(param(&silent, "error"), "consent_required");
    let page = text(shown).await;
    assert!(page.contains("Allow access?") && page.contains("<code>email</code>"), "{page}");
    let form = Form { request: hidden(&page, "request"), csrf: hidden(&page, "csrf"), cookie };
    let approved = lab.decide(&form, "approve").await;
    assert!(param(&approved, "code").len() > 20);
    let account = text(lab.get("/account", Some(&form.cookie)).await).await;
    assert!(account.contains("your email address (the email claim, asked for by name)"));
}

#[tokio::test]
async fn consent_asks_only_for_claims_the_account_can_release() {
    let carol_email = "email = \"carol@expenses.lab\"\n";
    let lab = lab_with(&DEFAULT_SCENARIO.replace(carol_email, ""));
    let both = r#"{"id_token":{"email":null,"email_verified":null,"name":null}}"#;

    let consent = lab.login_form(&request(&asking(both))).await;
    let page = text(lab.submit_login(&consent, "carol", "carol-pass").await).await;

    assert!(page.contains("<code>name</code>"), "{page}");
    assert!(page.contains("see your full name, asked for by name"), "{page}");
    assert!(!page.contains("<code>email</code>"), "{page}");
    assert!(!page.contains("<code>email_verified</code>"), "{page}");
}

#[tokio::test]
async fn the_email_scope_says_an_account_without_an_email_shares_nothing() {
    let carol_email = "email = \"carol@expenses.lab\"\n";
    let lab = lab_with(&DEFAULT_SCENARIO.replace(carol_email, ""));

    let consent = lab.login_form(&request(&[("scope", "openid email read:reports")])).await;
    let page = text(lab.submit_login(&consent, "carol", "carol-pass").await).await;

    assert!(page.contains("your account has none, so nothing is shared"), "{page}");
}
