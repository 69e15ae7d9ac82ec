//! Unit tests of the timeline reading, on entries shaped like the client role records them.

use crate::client::http::request_entry;

use super::*;

const CALLBACK: &str = "http://127.0.0.1:8080/callback";

fn entry(channel: Channel, label: &str, url: &str) -> TimelineEntry {
    let mut entry =
        request_entry(channel, label.to_owned(), "POST", url.to_owned(), Vec::new(), None);
    entry.at_ms = 0;
    entry
}

/// A token that looks like a JWT with these claims; the signature part is junk on purpose.
fn jwt(claims: &str) -> String {
    format!("e30.{}.c2ln", URL_SAFE_NO_PAD.encode(claims))
}

fn token_entry(label: &str, form: &str, status: u16, body: &str) -> TimelineEntry {
    TimelineEntry {
        request_body: Some(form.to_owned()),
        status: Some(status),
        response_body: Some(body.to_owned()),
        ..entry(Channel::Back, label, "http://127.0.0.1:8080/idp/token")
    }
}

fn facts(timeline: &[TimelineEntry]) -> SessionFacts<'_> {
    SessionFacts {
        timeline,
        request_url: None,
        callback_url: CALLBACK,
        state_verdicts: &[],
        id_token_checks: &[],
    }
}

#[test]
fn token_response_gives_grant_audience_scope_and_iat() {
    let access = jwt(r#"{"aud":["https://expenses-api"],"iat":1700000000}"#);
    let body = format!(
        r#"{{"access_token":"{access}","token_type":"Bearer","expires_in":600,
            "scope":"openid read:reports","refresh_token":"r1"}}"#
    );
    let timeline = [token_entry(
        "token request (authorization_code)",
        "grant_type=authorization_code&code=x",
        200,
        &body,
    )];

    let seen = observe(facts(&timeline));

    let [Observation::Token(exchange)] = seen.as_slice() else { panic!("{seen:?}") };
    assert_eq!(exchange.grant_type, "authorization_code");
    assert_eq!(exchange.error, None);
    assert_eq!(exchange.audience, ["https://expenses-api"]);
    assert_eq!(exchange.scope, ["openid", "read:reports"]);
    assert_eq!(exchange.issued_at, Some(1_700_000_000));
    assert!(exchange.refresh_token && exchange.expires_in && !exchange.id_token);
}

#[test]
fn opaque_access_token_has_no_audience() {
    let body = r#"{"access_token":"opaque-random-value","token_type":"Bearer"}"#;
    let timeline = [token_entry(
        "token request (authorization_code)",
        "grant_type=authorization_code",
        200,
        body,
    )];

    let seen = observe(facts(&timeline));

    let [Observation::Token(exchange)] = seen.as_slice() else { panic!("{seen:?}") };
    assert!(exchange.audience.is_empty());
}

#[test]
fn token_error_is_read_from_the_body_and_replay_from_the_label() {
    let body = r#"{"error":"invalid_grant","error_description":"reused"}"#;
    let timeline = [token_entry(
        "token request (refresh_token, replayed)",
        "grant_type=refresh_token",
        400,
        body,
    )];

    let seen = observe(facts(&timeline));

    let [Observation::Token(exchange)] = seen.as_slice() else { panic!("{seen:?}") };
    assert_eq!(exchange.error.as_deref(), Some("invalid_grant"));
    assert!(exchange.replayed);
}

#[test]
fn api_calls_say_what_they_carried_and_which_checks_failed() {
    let api = "http://127.0.0.1:8080/expenses-api/expenses";
    let call = |label: &str, status, body: &str| TimelineEntry {
        status: Some(status),
        response_body: Some(body.to_owned()),
        ..entry(Channel::Back, label, api)
    };
    let machine = token_entry(
        "token request (client_credentials)",
        "grant_type=client_credentials",
        200,
        r#"{"access_token":"m"}"#,
    );
    let timeline = [
        call(
            "API call with the ID token (wrong on purpose?)",
            401,
            r#"{"checks":[{"name":"aud","passed":false}]}"#,
        ),
        call("API call without a token", 401, "{}"),
        machine,
        call("API call with a token", 200, r#"{"checks":[{"name":"aud","passed":true}]}"#),
        call("API call with the machine token", 200, "{}"),
    ];

    let seen = observe(facts(&timeline));

    let calls: Vec<(Carried, u16, Vec<String>)> = seen
        .into_iter()
        .filter_map(|seen| match seen {
            Observation::ApiCall { carried, status, failed_checks, path } => {
                assert_eq!(path, "/expenses-api/expenses");
                Some((carried, status, failed_checks))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        calls,
        [
            (Carried::IdToken, 401, vec!["aud".to_owned()]),
            (Carried::Nothing, 401, vec![]),
            (Carried::AccessToken, 200, vec![]),
            (Carried::MachineToken, 200, vec![]),
        ]
    );
}

#[test]
fn request_url_gives_the_parameters_and_whether_the_redirect_is_registered() {
    let ours = format!(
        "http://127.0.0.1:8080/idp/authorize?response_type=code&scope=openid+read%3Areports\
         &resource=https%3A%2F%2Fexpenses-api&redirect_uri={}",
        url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
    );
    let foreign =
        "http://127.0.0.1:8080/idp/authorize?response_type=code&redirect_uri=http%3A%2F%2Fx";

    let read = |url| observe(SessionFacts { request_url: Some(url), ..facts(&[]) });

    assert_eq!(
        read(&ours),
        [Observation::AuthorizationRequest {
            response_type: "code".to_owned(),
            scopes: vec!["openid".to_owned(), "read:reports".to_owned()],
            audience: None,
            resource: vec!["https://expenses-api".to_owned()],
            registered_redirect: true,
        }]
    );
    assert!(matches!(
        read(foreign).as_slice(),
        [Observation::AuthorizationRequest { registered_redirect: false, .. }]
    ));
}

#[test]
fn every_callback_is_judged_by_its_own_state_verdict() {
    let front = |id: u64, query: &str| TimelineEntry {
        id,
        ..entry(Channel::Front, "authorization response (query)", &format!("{CALLBACK}?{query}"))
    };
    let timeline = [
        front(1, "code=forged&state=x"),
        front(2, "error=access_denied&state=a"),
        front(3, "code=c&state=b"),
    ];
    let verdicts =
        [StateVerdict { entry: 1, passed: false }, StateVerdict { entry: 2, passed: true }];

    let seen = observe(SessionFacts { state_verdicts: &verdicts, ..facts(&timeline) });

    let response = |code, error: Option<&str>, state_matched| Observation::AuthorizationResponse {
        code,
        id_token: false,
        error: error.map(str::to_owned),
        state_matched,
    };
    assert_eq!(
        seen,
        [
            response(true, None, Some(false)),
            response(false, Some("access_denied"), Some(true)),
            response(true, None, None),
        ]
    );
}

#[test]
fn form_post_response_is_read_from_the_body() {
    let posted = TimelineEntry {
        request_body: Some("code=c&id_token=x.y.z&state=s".to_owned()),
        ..entry(Channel::Front, "authorization response (form_post)", CALLBACK)
    };

    let seen = observe(facts(std::slice::from_ref(&posted)));

    assert!(matches!(
        seen.as_slice(),
        [Observation::AuthorizationResponse { code: true, id_token: true, .. }]
    ));
}

#[test]
fn first_failed_id_token_check_names_the_step() {
    let check = |id: &str, passed| Check {
        id: id.to_owned(),
        spec: String::new(),
        passed,
        expected: String::new(),
        found: String::new(),
    };
    let checks =
        [check("id_token.iss", true), check("id_token.iat", false), check("id_token.nonce", false)];

    let seen = observe(SessionFacts { id_token_checks: &checks, ..facts(&[]) });

    assert_eq!(seen, [Observation::IdTokenValidation { failed_step: Some("iat".to_owned()) }]);
}

#[test]
fn request_entries_of_the_timeline_are_requests_not_responses() {
    let sent = format!(
        "http://127.0.0.1:8080/idp/authorize?response_type=code&state=s&redirect_uri={}",
        url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
    );
    let timeline = [
        entry(Channel::Front, "authorization request (the browser goes there)", &sent),
        TimelineEntry {
            id: 7,
            ..entry(
                Channel::Front,
                "authorization response (query)",
                &format!("{CALLBACK}?code=c&state=s"),
            )
        },
    ];
    let verdicts = [StateVerdict { entry: 7, passed: true }];

    let seen = observe(SessionFacts {
        request_url: Some(&sent),
        state_verdicts: &verdicts,
        ..facts(&timeline)
    });

    assert!(matches!(
        seen.as_slice(),
        [
            Observation::AuthorizationRequest { registered_redirect: true, .. },
            Observation::AuthorizationResponse { code: true, state_matched: Some(true), .. },
        ]
    ));
}
