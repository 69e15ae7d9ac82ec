//! A lesson's set-up, laid over the workbench: the authorization draft the Authorize step
//! restores, the client credentials draft, and the demo user as `login_hint`.

use grantlab_shared::{AuthorizationDraft, ResponseMode, Setup};
use serde::Serialize;

use crate::hooks::save_draft;
use crate::state::StoredDraft;

/// The client credentials step's draft, in the shape that step keeps in `localStorage`.
#[derive(Serialize)]
struct MachineDraft<'a> {
    scopes: String,
    audience: &'a str,
    client_auth: &'a str,
}

/// The client credentials step's `localStorage` key.
const MACHINE_DRAFT_KEY: &str = "grantlab.client-credentials";

/// `fresh` (a new draft from the backend, with its state and nonce) with the set-up's request
/// and user laid over it. Without a request, `fresh` is answered unchanged.
pub fn apply_setup(setup: &Setup, fresh: AuthorizationDraft) -> AuthorizationDraft {
    let Some(request) = &setup.request else { return fresh };

    AuthorizationDraft {
        response_type: request.response_type.clone(),
        response_mode: request.response_mode.as_deref().and_then(response_mode),
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

/// Keeps the set-up's drafts where the workbench's steps read them.
pub fn store_drafts(setup: &Setup, draft: &AuthorizationDraft) {
    if setup.request.is_some() {
        save_draft(StoredDraft::KEY, &StoredDraft::keep(draft));
    }

    if let Some(machine) = &setup.machine {
        let draft = MachineDraft {
            scopes: machine.scopes.join(" "),
            audience: &machine.audience,
            client_auth: "client_secret_basic",
        };
        save_draft(MACHINE_DRAFT_KEY, &draft);
    }
}

fn response_mode(name: &str) -> Option<ResponseMode> {
    match name {
        "query" => Some(ResponseMode::Query),
        "fragment" => Some(ResponseMode::Fragment),
        "form_post" => Some(ResponseMode::FormPost),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use grantlab_shared::{DemoUser, RequestPreset};
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn fresh() -> AuthorizationDraft {
        AuthorizationDraft {
            response_type: "code".into(),
            response_mode: None,
            scopes: vec!["openid".into()],
            audience: None,
            resources: Vec::new(),
            redirect_uri: "http://127.0.0.1:8080/callback".into(),
            state: "state-1".into(),
            nonce: Some("nonce-1".into()),
            pkce: true,
            prompt: None,
            max_age: None,
            login_hint: None,
            extra: Vec::new(),
            auto_redeem: false,
        }
    }

    #[wasm_bindgen_test]
    fn setup_lays_its_request_over_the_fresh_draft_and_keeps_state_and_nonce() {
        let setup = Setup {
            provider: "lab".into(),
            login_as: Some(DemoUser { username: "alice".into(), password: "alice-pass".into() }),
            request: Some(RequestPreset {
                response_type: "code id_token".into(),
                response_mode: Some("form_post".into()),
                scopes: vec!["openid".into(), "read:reports".into()],
                audience: Some("https://expenses-api".into()),
                pkce: true,
                ..RequestPreset::default()
            }),
            ..Setup::default()
        };

        let draft = apply_setup(&setup, fresh());

        assert_eq!(draft.response_type, "code id_token");
        assert_eq!(draft.response_mode, Some(ResponseMode::FormPost));
        assert_eq!(draft.audience.as_deref(), Some("https://expenses-api"));
        assert_eq!(draft.login_hint.as_deref(), Some("alice"));
        assert_eq!(draft.state, "state-1");
        assert_eq!(draft.redirect_uri, "http://127.0.0.1:8080/callback");
    }

    #[wasm_bindgen_test]
    fn a_setup_without_a_request_leaves_the_draft_alone() {
        assert_eq!(apply_setup(&Setup::default(), fresh()), fresh());
    }
}
