//! The client session's store format, budget, body caps and redaction of `Debug`.

use std::sync::Arc;

use grantlab_shared::Channel;
use tower_sessions::MemoryStore;

use super::*;

fn entry(body: String) -> TimelineEntry {
    TimelineEntry {
        id: 0,
        at_ms: 0,
        channel: Channel::Back,
        label: "probe".into(),
        method: "GET".into(),
        url: "http://127.0.0.1/".into(),
        request_headers: Vec::new(),
        request_body: None,
        status: Some(200),
        response_headers: Vec::new(),
        response_body: Some(body),
        duration_ms: None,
        truncated: None,
        failure: None,
        deviations: Vec::new(),
        curl: None,
        masking: None,
    }
}

fn flow() -> FlowState {
    FlowState {
        state: "state-do-not-print".into(),
        nonce: Some("nonce-do-not-print".into()),
        pkce_verifier: Some("verifier-do-not-print".into()),
        redirect_uri: "http://127.0.0.1/callback".into(),
        scopes: Vec::new(),
        max_age: None,
        auto_redeem: false,
        state_used: false,
    }
}

#[test]
fn debug_output_shows_no_flow_secret() {
    let session = ClientSession {
        flow: Some(flow()),
        code: Some("code-do-not-print".into()),
        ..ClientSession::default()
    };

    let printed = format!("{session:?} {:?}", session.flow);

    assert!(!printed.contains("do-not-print"), "{printed}");
}

#[test]
fn a_session_past_its_budget_drops_timeline_entries() {
    let mut session = ClientSession::default();
    session.record((0..4).map(|_| entry("x".repeat(3000))).collect());
    session.request_url = Some("u".repeat(20 * 1024));

    let stored = session.encode().unwrap();

    assert!(stored.len() <= SESSION_BUDGET, "{}", stored.len());
    assert!(session.dropped > 0);
    assert_eq!(ClientSession::decode(&stored).unwrap().timeline.len(), session.timeline.len());
}

#[test]
fn a_stored_session_round_trips_with_its_secrets_and_timeline() {
    let mut session = ClientSession {
        flow: Some(flow()),
        code: Some("a-code".into()),
        tokens: Some(Tokens { access_token: Some("an-access-token".into()), ..Tokens::default() }),
        ..ClientSession::default()
    };
    session.record(vec![entry("{\"ok\":true}".into()), entry("é and ✓".into())]);

    let stored = session.encode().unwrap();
    let mut back = ClientSession::decode(&stored).unwrap();

    assert_eq!(back.encode().unwrap(), stored);
    assert_eq!(back.flow.unwrap().pkce_verifier.as_deref(), Some("verifier-do-not-print"));
    assert_eq!(back.timeline[1].response_body.as_deref(), Some("é and ✓"));
    assert_eq!(back.next_id, 2);
}

#[test]
fn a_corrupted_record_is_a_clear_error_that_quotes_nothing() {
    let cases = [
        ("{\"code\": \"a-code", "cut short"),
        ("{not json", "not JSON"),
        ("{\"timeline\": \"secret-do-not-print\"}", "not a client session"),
    ];
    for (record, kind) in cases {
        let error = ClientSession::decode(record).unwrap_err();

        let message = error.to_string();
        assert!(matches!(error, ClientError::SessionUnreadable { .. }), "{message}");
        assert!(message.contains(kind), "{record}: {message}");
        assert!(!message.contains("do-not-print") && !message.contains("a-code"), "{message}");
    }
}

#[tokio::test]
async fn the_session_store_holds_one_string_and_loads_it_back() {
    let store = Arc::new(MemoryStore::default());
    let session = Session::new(None, store, None);
    let mut data = ClientSession { code: Some("a-code".into()), ..ClientSession::default() };
    data.record(vec![entry("body".into())]);

    data.save(&session).await.unwrap();

    let stored = session.get_value(KEY).await.unwrap().unwrap();
    assert!(stored.is_string(), "{stored}");
    assert!(!stored.to_string().contains("a-code"), "stored deflated: {stored}");
    let back = ClientSession::load(&session).await.unwrap();
    assert_eq!(back.code.as_deref(), Some("a-code"));
    assert_eq!(back.timeline.len(), 1);
}

#[test]
fn a_packed_session_is_smaller_and_unpacks_to_the_same_json() {
    let mut data = ClientSession::default();
    for _ in 0..4 {
        data.record(vec![entry(
            "{\"access_token\":\"eyJhbGciOi\",\"token_type\":\"Bearer\"}".into(),
        )]);
    }
    let json = data.encode().unwrap();

    let packed = pack(&json).unwrap();

    assert!(packed.len() * 2 < json.len(), "{} of {}", packed.len(), json.len());
    assert_eq!(unpack(&packed).unwrap(), json);
}

#[test]
fn a_packed_record_that_is_broken_or_too_large_is_refused_clearly() {
    let bomb = pack(&"x".repeat(3 * SESSION_BUDGET)).unwrap();
    let cases = [("not base64!", "base64"), ("AAEC", "inflate"), (bomb.as_str(), "budget")];

    for (record, reason) in cases {
        let error = unpack(record).unwrap_err();

        assert!(matches!(error, ClientError::SessionUnreadable { .. }), "{error}");
        assert!(error.to_string().contains(reason), "{record}: {error}");
    }
}

#[tokio::test]
async fn a_record_that_is_no_string_is_refused_clearly() {
    let session = Session::new(None, Arc::new(MemoryStore::default()), None);
    session.insert(KEY, serde_json::json!({ "code": "a-code" })).await.unwrap();

    let error = ClientSession::load(&session).await.unwrap_err();

    assert!(matches!(error, ClientError::SessionUnreadable { .. }), "{error}");
    assert!(!error.to_string().contains("a-code"), "{error}");
}

#[test]
fn long_bodies_are_capped_with_a_note() {
    let mut session = ClientSession::default();

    session.record(vec![entry("é".repeat(5000))]);

    let kept = &session.timeline[0];
    assert!(kept.response_body.as_ref().unwrap().len() < KEPT_BODY + 10);
    assert!(kept.truncated.as_ref().unwrap().contains("of 10000 bytes"));
}

#[test]
fn the_timeline_stays_in_budget_dropping_the_oldest() {
    let mut session = ClientSession::default();

    let ids: Vec<u64> =
        (0..20).flat_map(|_| session.record(vec![entry("x".repeat(3000))])).collect();

    assert!(timeline_size(&session.timeline) <= TIMELINE_BUDGET);
    assert_eq!(session.timeline.last().unwrap().id, *ids.last().unwrap());
    assert_eq!(session.dropped as usize + session.timeline.len(), 20);
}

#[test]
fn state_verdicts_go_with_their_timeline_entries() {
    let mut session = ClientSession::default();
    let first = session.record(vec![entry("x".repeat(3000))])[0];
    session.keep_state_verdict(first, false);
    let second = session.record(vec![entry(String::new())])[0];
    session.keep_state_verdict(second, true);

    (0..10).for_each(|_| drop(session.record(vec![entry("x".repeat(3000))])));

    assert!(session.timeline.iter().all(|kept| kept.id != first));
    assert!(session.state_verdicts.iter().all(|kept| kept.entry != first));
    session.timeline.clear();
    session.encode().unwrap();
    assert!(session.state_verdicts.is_empty());
}

#[test]
fn every_callback_a_timeline_in_budget_holds_keeps_its_state_verdict() {
    let mut session = ClientSession::default();
    let mut callback = entry(String::new());
    callback.channel = Channel::Front;
    callback.url = "http://127.0.0.1/callback?code=c&state=s".into();
    callback.status = None;
    callback.response_body = None;

    for _ in 0..1000 {
        let id = session.record(vec![callback.clone()])[0];
        session.keep_state_verdict(id, true);
    }
    let stored = session.encode().unwrap();

    assert!(session.timeline.len() < KEPT_STATE_VERDICTS, "{}", session.timeline.len());
    let judged = |kept: &TimelineEntry| session.state_verdicts.iter().any(|v| v.entry == kept.id);
    assert!(session.timeline.iter().all(judged));
    assert_eq!(session.state_verdicts.len(), session.timeline.len());
    assert!(stored.len() <= SESSION_BUDGET, "{}", stored.len());
}

fn flow_with(state: &str) -> FlowState {
    FlowState { state: state.into(), ..flow() }
}

#[test]
fn a_replaced_request_can_be_resumed_by_its_state() {
    let mut session = ClientSession::default();
    session.replace_flow(flow_with("state-a"));
    session.replace_flow(flow_with("state-b"));

    let resumed = session.resume_flow("state-a");

    assert!(resumed);
    assert_eq!(session.flow.as_ref().map(|flow| flow.state.as_str()), Some("state-a"));
    assert_eq!(session.earlier_flows.len(), 1);
    assert_eq!(session.earlier_flows[0].state, "state-b");
    assert!(!session.resume_flow("state-a"), "the flow in progress is not resumed");
    assert!(!session.resume_flow("state-forged"));
}

#[test]
fn at_most_a_few_replaced_requests_wait_and_used_ones_none() {
    let mut session = ClientSession::default();
    for index in 0..10 {
        session.replace_flow(flow_with(&format!("state-{index}")));
    }
    let mut used = flow_with("state-used");
    used.state_used = true;
    session.replace_flow(used);
    session.replace_flow(flow_with("state-last"));

    let waiting: Vec<&str> = session.earlier_flows.iter().map(|flow| flow.state.as_str()).collect();

    assert_eq!(waiting, ["state-7", "state-8", "state-9"]);
    assert!(!session.resume_flow("state-0"));
    assert!(!session.resume_flow("state-used"));
    assert!(session.size() < SESSION_BUDGET / 10, "{}", session.size());
}
