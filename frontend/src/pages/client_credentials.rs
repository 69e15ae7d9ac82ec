//! Step 9: a token for the client itself, by the client credentials grant (RFC 6749 §4.4).

use serde::{Deserialize, Serialize};
use yew::prelude::*;

use crate::api;
use crate::components::{JwtView, ListErrors, OutcomeView, Panel, SubmitButton, TextField, select};
use crate::hooks::{use_local_draft, use_request, use_workbench};
use crate::pages::redeem::{CLIENT_AUTH, client_auth, client_auth_value};
use grantlab_shared::{ClientCredentialsRequest, Outcome};

/// The form as kept in `localStorage`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct MachineDraft {
    scopes: String,
    audience: String,
    client_auth: String,
}

impl Default for MachineDraft {
    fn default() -> Self {
        Self {
            scopes: "read:reports".into(),
            audience: "https://expenses-api".into(),
            client_auth: "client_secret_basic".into(),
        }
    }
}

/// Step 9: the machine's token beside the delegated one.
#[component]
pub fn ClientCredentials() -> Html {
    // Hooks.
    let workbench = use_workbench();
    let draft = use_local_draft("grantlab.client-credentials", MachineDraft::default);
    let grant = use_request::<Outcome>();
    let before = use_state(|| None::<String>);

    // Callbacks.
    let edit = |change: fn(&mut MachineDraft, String)| {
        let draft = draft.clone();
        Callback::from(move |value: String| {
            let mut next = (*draft).clone();
            change(&mut next, value);
            draft.set(next);
        })
    };

    let onclick = {
        let draft = draft.clone();
        let grant = grant.clone();
        let before = before.clone();
        let held = workbench
            .session
            .as_ref()
            .and_then(|session| session.tokens.as_ref())
            .and_then(|tokens| tokens.access_token.as_ref())
            .filter(|token| token.is_jwt && before.is_none())
            .map(|token| token.raw.clone());
        // FIXME(#4): the grant runs as the session's client. At the lab provider only
        // `lab-machine` may use client_credentials, and `ClientCredentialsRequest` cannot name
        // it, so with the lab profile this answers unauthorized_client.
        Callback::from(move |_| {
            if let Some(held) = held.clone() {
                before.set(Some(held));
            }
            let body = ClientCredentialsRequest {
                client_auth: client_auth(&draft.client_auth),
                scopes: draft.scopes.split_whitespace().map(str::to_owned).collect(),
                audience: (!draft.audience.trim().is_empty())
                    .then(|| draft.audience.trim().to_owned()),
                resources: Vec::new(),
            };
            grant.run(async move { api::client_credentials(&body).await });
        })
    };

    // Derived values: the grant replaces the session's tokens, so the delegated token is the
    // one held before it ran.
    let current = workbench
        .session
        .as_ref()
        .and_then(|session| session.tokens.as_ref())
        .and_then(|tokens| tokens.access_token.as_ref())
        .filter(|token| token.is_jwt)
        .map(|token| token.raw.clone());
    let machine = grant
        .data
        .as_ref()
        .filter(|outcome| outcome.ok && workbench.is_fresh())
        .and(current.clone());
    let delegated = (*before).clone().or_else(|| grant.data.is_none().then_some(current).flatten());
    let method = client_auth(&draft.client_auth);

    html! {
        <Panel step={9} title="Client credentials"
               lede="No user here: the client asks for a token for itself, with its own \
                     credentials. Compare it with the delegated token: no sub of a person, no \
                     ID token, no refresh token. The machine's token replaces the session's \
                     tokens.">
            <div class="card">
                <TextField field="scopes" label="scope" value={draft.scopes.clone()}
                           error={grant.error.clone()} oninput={edit(|d, v| d.scopes = v)} />
                <TextField field="audience" label="audience" value={draft.audience.clone()}
                           error={grant.error.clone()} oninput={edit(|d, v| d.audience = v)} />
                { select("machine_client_auth", "Client authentication", client_auth_value(method),
                         &CLIENT_AUTH, edit(|d, v| d.client_auth = v)) }
                <ListErrors error={grant.error.clone()} />
                <SubmitButton id="client-credentials" label="Get a machine token"
                              busy={grant.busy} busy_label="Calling the token endpoint"
                              class="primary" {onclick} />
            </div>
            if let Some(outcome) = &grant.data {
                <OutcomeView outcome={(**outcome).clone()} />
            }
            <div class="side-by-side">
                if let Some(machine) = machine {
                    <JwtView token={machine} title="The machine's token" />
                }
                if let Some(delegated) = delegated {
                    <JwtView token={delegated} title="The delegated token (the user's)" />
                }
            </div>
        </Panel>
    }
}
