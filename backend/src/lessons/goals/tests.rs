//! Unit tests of the goal checks, each fed a timeline written by hand.

use super::*;

const EXPENSES: &str = "https://expenses-api";

fn token(grant_type: &str) -> TokenExchange {
    TokenExchange {
        grant_type: grant_type.to_owned(),
        audience: vec![EXPENSES.to_owned()],
        scope: vec!["openid".to_owned(), "read:reports".to_owned()],
        expires_in: true,
        ..TokenExchange::default()
    }
}

fn refused(grant_type: &str, error: &str, replayed: bool) -> Observation {
    Observation::Token(TokenExchange {
        error: Some(error.to_owned()),
        replayed,
        ..TokenExchange { grant_type: grant_type.to_owned(), ..TokenExchange::default() }
    })
}

fn api(carried: Carried, status: u16, failed: &[&str]) -> Observation {
    Observation::ApiCall {
        path: "/expenses-api/expenses".to_owned(),
        carried,
        status,
        failed_checks: failed.iter().map(|name| (*name).to_owned()).collect(),
    }
}

fn reached(check: Check, timeline: &[Observation]) -> bool {
    let goal = GoalDef { id: "g", text: "t", check };
    evaluate(&[goal], timeline)[0].reached
}

#[test]
fn empty_timeline_reaches_no_goal_and_gives_no_evidence() {
    let goal = GoalDef { id: "code", text: "t", check: Check::CodeReceived };

    let status = evaluate(&[goal], &[]);

    assert_eq!(status.len(), 1);
    assert!(!status[0].reached);
    assert_eq!(status[0].evidence, None);
}

#[test]
fn token_audience_matches_the_api_and_opaque_needs_an_empty_audience() {
    let jwt = Observation::Token(token("authorization_code"));
    let opaque =
        Observation::Token(TokenExchange { audience: vec![], ..token("authorization_code") });
    let for_api =
        Check::Token { grant_type: "authorization_code", audience: Audience::Api(EXPENSES) };
    let opaque_goal = Check::Token { grant_type: "authorization_code", audience: Audience::Opaque };

    assert!(reached(for_api, std::slice::from_ref(&jwt)));
    assert!(!reached(for_api, std::slice::from_ref(&opaque)));
    assert!(reached(opaque_goal, &[opaque]));
    assert!(!reached(opaque_goal, &[jwt]));
}

#[test]
fn refused_token_request_never_counts_as_a_token() {
    let timeline = [refused("authorization_code", "invalid_client", false)];

    assert!(!reached(
        Check::Token { grant_type: "authorization_code", audience: Audience::Any },
        &timeline
    ));
    assert!(reached(
        Check::TokenRefused { grant_type: "authorization_code", error: "invalid_client" },
        &timeline
    ));
}

#[test]
fn granted_scope_must_hold_one_scope_and_lack_the_other() {
    let timeline = [Observation::Token(token("authorization_code"))];

    assert!(reached(
        Check::GrantedScope { has: "read:reports", lacks: "approve:reports" },
        &timeline
    ));
    assert!(!reached(Check::GrantedScope { has: "approve:reports", lacks: "x" }, &timeline));
}

#[test]
fn iat_change_needs_a_refresh_after_an_earlier_token() {
    let first = TokenExchange { issued_at: Some(100), ..token("authorization_code") };
    let same = TokenExchange { issued_at: Some(100), ..token("refresh_token") };
    let later = TokenExchange { issued_at: Some(111), ..token("refresh_token") };

    assert!(!reached(Check::IatChanged, &[Observation::Token(first.clone())]));
    assert!(!reached(
        Check::IatChanged,
        &[Observation::Token(first.clone()), Observation::Token(same)]
    ));
    assert!(reached(Check::IatChanged, &[Observation::Token(first), Observation::Token(later)]));
}

#[test]
fn family_revoked_needs_the_newest_refresh_token_refused_after_the_replay() {
    let replay = refused("refresh_token", "invalid_grant", true);
    let newest = refused("refresh_token", "invalid_grant", false);
    let rotated = Observation::Token(token("refresh_token"));

    assert!(reached(Check::ReplayRefused, std::slice::from_ref(&replay)));
    assert!(!reached(Check::FamilyRevoked, std::slice::from_ref(&replay)));
    assert!(!reached(Check::FamilyRevoked, &[newest.clone(), replay.clone()]));
    assert!(reached(Check::FamilyRevoked, &[rotated, replay, newest]));
}

#[test]
fn api_check_matches_what_was_carried_the_status_and_the_failed_check() {
    let timeline =
        [api(Carried::IdToken, 401, &["audience (aud)"]), api(Carried::AccessToken, 200, &[])];
    let check = |carried, status, failed| Check::Api { carried, status, path: None, failed };

    assert!(reached(check(Carried::IdToken, 401, Some("aud")), &timeline));
    assert!(!reached(check(Carried::IdToken, 401, Some("exp")), &timeline));
    assert!(!reached(check(Carried::Nothing, 401, None), &timeline));
    assert!(reached(
        Check::Api {
            carried: Carried::AccessToken,
            status: 200,
            path: Some("/expenses"),
            failed: None
        },
        &timeline
    ));
}

#[test]
fn token_reuse_needs_two_calls_with_no_token_request_between() {
    let call = || api(Carried::AccessToken, 200, &[]);
    let new_token = || Observation::Token(token("refresh_token"));

    assert!(!reached(Check::TokenReused, &[call(), new_token(), call()]));
    assert!(reached(Check::TokenReused, &[new_token(), call(), call()]));
}

#[test]
fn sent_request_names_the_api_by_audience_or_by_resource() {
    let request = |audience: Option<&str>, resource: &[&str]| Observation::AuthorizationRequest {
        response_type: "code".to_owned(),
        scopes: vec!["openid".to_owned()],
        audience: audience.map(str::to_owned),
        resource: resource.iter().map(|r| (*r).to_owned()).collect(),
        registered_redirect: true,
    };
    let check =
        Check::Sent { response_type: "code", audience: Some(EXPENSES), foreign_redirect: false };

    assert!(reached(check, &[request(Some(EXPENSES), &[])]));
    assert!(reached(check, &[request(None, &[EXPENSES])]));
    assert!(!reached(check, &[request(None, &[])]));
}

#[test]
fn id_token_checks_tell_a_pass_from_a_named_failure() {
    let failed = Observation::IdTokenValidation { failed_step: Some("nonce".to_owned()) };
    let passed = Observation::IdTokenValidation { failed_step: None };

    assert!(reached(Check::IdTokenRefused { step: "nonce" }, std::slice::from_ref(&failed)));
    assert!(!reached(Check::IdTokenRefused { step: "iat" }, std::slice::from_ref(&failed)));
    assert!(!reached(Check::IdTokenValid, &[failed]));
    assert!(reached(Check::IdTokenValid, &[passed]));
}

#[test]
fn bare_token_needs_neither_a_refresh_token_nor_an_id_token() {
    let check = Check::BareToken { grant_type: "client_credentials" };
    let bare = Observation::Token(token("client_credentials"));
    let with_id =
        Observation::Token(TokenExchange { id_token: true, ..token("client_credentials") });
    let with_refresh =
        Observation::Token(TokenExchange { refresh_token: true, ..token("client_credentials") });

    assert!(reached(check, &[bare]));
    assert!(!reached(check, &[with_id, with_refresh]));
    assert!(!reached(check, &[Observation::Token(token("authorization_code"))]));
}
