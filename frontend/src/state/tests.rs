//! Tests of the draft reducer and of what a stored draft keeps.

use wasm_bindgen_test::wasm_bindgen_test;

use super::*;

fn draft() -> AuthorizationDraft {
    AuthorizationDraft {
        response_type: "code".into(),
        response_mode: None,
        scopes: vec!["openid".into()],
        audience: None,
        resources: vec![],
        redirect_uri: "http://127.0.0.1:8080/callback".into(),
        state: "state-1".into(),
        nonce: Some("nonce-1".into()),
        pkce: true,
        prompt: None,
        max_age: None,
        login_hint: None,
        extra: vec![],
        auto_redeem: false,
    }
}

#[wasm_bindgen_test]
fn toggle_scope_adds_then_removes() {
    let added = apply(draft(), DraftAction::ToggleScope("read:reports".into()));
    assert_eq!(added.scopes, ["openid", "read:reports"]);

    let removed = apply(added, DraftAction::ToggleScope("openid".into()));
    assert_eq!(removed.scopes, ["read:reports"]);
}

#[wasm_bindgen_test]
fn empty_optional_parameters_are_left_out() {
    let with_hint = apply(draft(), DraftAction::LoginHint("alice".into()));
    assert_eq!(with_hint.login_hint.as_deref(), Some("alice"));

    let cleared = apply(with_hint, DraftAction::LoginHint("  ".into()));
    assert_eq!(cleared.login_hint, None);
}

#[wasm_bindgen_test]
fn max_age_that_is_not_a_number_is_left_out() {
    assert_eq!(apply(draft(), DraftAction::MaxAge("300".into())).max_age, Some(300));
    assert_eq!(apply(draft(), DraftAction::MaxAge("5 min".into())).max_age, None);
}

#[wasm_bindgen_test]
fn audience_and_resources_are_edited_through_the_shared_target_edits() {
    let mut edited = apply(draft(), DraftAction::Target(TargetEdit::AddResource));
    edited = apply(edited, DraftAction::Target(TargetEdit::Resource(0, "https://x".into())));
    edited = apply(edited, DraftAction::Target(TargetEdit::Audience("https://y".into())));

    assert_eq!(edited.resources, ["https://x"]);
    assert_eq!(edited.audience.as_deref(), Some("https://y"));
}

#[wasm_bindgen_test]
fn extra_parameters_are_edited_in_place() {
    let mut edited = apply(draft(), DraftAction::AddExtra);
    edited = apply(edited, DraftAction::Extra(0, "ui_locales".into(), "fr".into()));

    assert_eq!(edited.extra, [Param { name: "ui_locales".into(), value: "fr".into() }]);
}

#[wasm_bindgen_test]
fn a_stored_draft_keeps_no_state_or_nonce() {
    let chosen = apply(draft(), DraftAction::ToggleScope("profile".into()));

    let json = serde_json::to_string(&StoredDraft::keep(&chosen)).unwrap();

    assert!(!json.contains("state-1") && !json.contains("nonce-1"), "{json}");
    assert!(json.contains("profile"));
}

#[wasm_bindgen_test]
fn restore_takes_choices_from_storage_and_state_from_the_fresh_draft() {
    let old = apply(draft(), DraftAction::Pkce(false));
    let mut fresh = draft();
    fresh.state = "state-2".into();

    let restored = StoredDraft::keep(&old).restore(fresh);

    assert!(!restored.pkce);
    assert_eq!(restored.state, "state-2");
}

#[wasm_bindgen_test]
fn the_session_is_stale_from_an_action_until_it_is_fetched_again() {
    let fetched = serde_json::from_value::<SessionView>(serde_json::json!({
        "profile": {
            "id": "lab", "label": "Lab", "kind": "lab",
            "endpoints": {"authorization_endpoint": "http://h/a", "token_endpoint": "http://h/t"},
            "client_id": "c", "client_secret_set": true, "redirect_uri": "http://h/callback"
        },
        "status": "idle",
        "timeline_len": 0
    }))
    .unwrap();
    let start = Rc::new(Workbench::default());

    let loaded = start.reduce(WorkbenchAction::Session(Box::new(fetched.clone()), 0));
    assert!(loaded.is_fresh());

    let acted = loaded.reduce(WorkbenchAction::Changed);
    assert!(!acted.is_fresh());

    let refetched = acted.reduce(WorkbenchAction::Session(Box::new(fetched), 1));
    assert!(refetched.is_fresh());
}
