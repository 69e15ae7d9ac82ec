//! Step 9: a token for the client itself, by the client credentials grant (RFC 6749 §4.4).

use serde::{Deserialize, Serialize};
use yew::prelude::*;

use crate::api;
use crate::components::{
    JwtView, ListErrors, OutcomeView, Panel, SubmitButton, Target, TargetEdit, TargetFields,
    TextField, select,
};
use crate::hooks::{use_local_draft, use_request, use_workbench};
use crate::pages::redeem::{CLIENT_AUTH, client_auth, client_auth_value};
use grantlab_shared::{ClientCredentialsRequest, GrantClient, Outcome, ProfileKind};

/// The form as kept in `localStorage`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct MachineDraft {
    scopes: String,
    /// `audience` and `resource`; a draft kept before resources were offered still loads.
    #[serde(flatten)]
    target: Target,
    client_auth: String,
    /// `profile` or `lab_machine`; empty means the default for the profile.
    #[serde(default)]
    client: String,
}

impl Default for MachineDraft {
    fn default() -> Self {
        Self {
            scopes: "read:reports".into(),
            target: Target { audience: Some("https://expenses-api".into()), resources: vec![] },
            client_auth: "client_secret_basic".into(),
            client: String::new(),
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

    // Callbacks.
    let edit = |change: fn(&mut MachineDraft, String)| {
        let draft = draft.clone();
        Callback::from(move |value: String| {
            let mut next = (*draft).clone();
            change(&mut next, value);
            draft.set(next);
        })
    };

    let on_target = {
        let draft = draft.clone();
        Callback::from(move |change: TargetEdit| {
            draft.set(MachineDraft { target: draft.target.edited(change), ..(*draft).clone() });
        })
    };

    // Derived values: both tokens come from the session, which keeps them apart.
    let session = workbench.session.as_ref().filter(|_| workbench.is_fresh());
    let at_lab = session.is_some_and(|session| session.profile.kind == ProfileKind::Lab);
    let chosen = grant_client(&draft.client, at_lab);
    let method = client_auth(&draft.client_auth);
    let machine = session
        .and_then(|session| session.machine_tokens.as_ref())
        .and_then(|tokens| tokens.access_token.as_ref())
        .map(|token| token.raw.clone());
    let machine_client = session.and_then(|session| session.machine_client_id.clone());
    let delegated = session
        .and_then(|session| session.tokens.as_ref())
        .and_then(|tokens| tokens.access_token.as_ref())
        .map(|token| token.raw.clone());

    let onclick = {
        let draft = draft.clone();
        let grant = grant.clone();
        Callback::from(move |_| {
            let body = ClientCredentialsRequest {
                client_auth: client_auth(&draft.client_auth),
                scopes: draft.scopes.split_whitespace().map(str::to_owned).collect(),
                audience: draft.target.audience_to_send(),
                resources: draft.target.resources_to_send(),
                client: chosen,
            };
            grant.run(async move { api::client_credentials(&body).await });
        })
    };

    html! {
        <Panel step={9} title="Client credentials"
               lede="No user here: the client asks for a token for itself, with its own \
                     credentials. Compare it with the delegated token: no sub of a person, no \
                     ID token, no refresh token. The session keeps the machine's token apart \
                     from the delegated one.">
            <div class="card">
                <TextField field="scopes" label="scope" value={draft.scopes.clone()}
                           error={grant.error.clone()} oninput={edit(|d, v| d.scopes = v)} />
                <TargetFields audience={draft.target.audience.clone()}
                              resources={draft.target.resources.clone()} error={grant.error.clone()}
                              onedit={on_target} />
                { select("grant_client", "Client", client_value(chosen), client_choices(at_lab),
                         edit(|d, v| d.client = v)) }
                { select("machine_client_auth", "Client authentication", client_auth_value(method),
                         &CLIENT_AUTH, edit(|d, v| d.client_auth = v)) }
                <ListErrors error={grant.error.clone()}
                            beside={vec!["scopes", "audience", "resources"]} />
                <SubmitButton id="client-credentials" label="Get a machine token"
                              busy={grant.busy} busy_label="Calling the token endpoint"
                              class="primary" {onclick} />
            </div>
            if let Some(outcome) = &grant.data {
                <OutcomeView outcome={(**outcome).clone()} />
            }
            <div class="side-by-side">
                if let Some(machine) = machine {
                    <div id="machine-token">
                        <JwtView token={machine} title="The machine's token" />
                        if let Some(client) = machine_client {
                            <p class="help">{ "Got by " }<code>{ client }</code>{ "." }</p>
                        }
                    </div>
                }
                if let Some(delegated) = delegated {
                    <div id="delegated-token">
                        <JwtView token={delegated} title="The delegated token (the user's)" />
                    </div>
                }
            </div>
            <p class="help" id="why-no-refresh">
                { "No refresh token comes back (RFC 6749 §4.4.3): the client can ask again \
                   whenever it likes with the credentials it holds, so there is nothing to \
                   renew. No ID token either: an ID token tells a client who the user is \
                   (OIDC Core §2), and here no user signed in." }
            </p>
        </Panel>
    }
}

/// The `<select>` options: the lab machine client only at the lab provider.
fn client_choices(at_lab: bool) -> &'static [(&'static str, &'static str)] {
    const AT_LAB: [(&str, &str); 2] = [
        ("lab_machine", "lab-machine (the lab's machine client)"),
        ("profile", "the profile's client (the sandbox: no client_credentials grant)"),
    ];
    const ELSEWHERE: [(&str, &str); 1] = [("profile", "the profile's own client")];
    if at_lab { &AT_LAB } else { &ELSEWHERE }
}

/// The client a draft's choice names: the lab machine client by default at the lab, and the
/// profile's client anywhere else, whatever the stored choice says.
fn grant_client(choice: &str, at_lab: bool) -> GrantClient {
    match (choice, at_lab) {
        ("profile", _) | (_, false) => GrantClient::Profile,
        _ => GrantClient::LabMachine,
    }
}

/// The `<select>` value of a choice.
fn client_value(client: GrantClient) -> &'static str {
    match client {
        GrantClient::Profile => "profile",
        GrantClient::LabMachine => "lab_machine",
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn the_lab_machine_client_is_preselected_at_the_lab_only() {
        assert_eq!(grant_client("", true), GrantClient::LabMachine);
        assert_eq!(grant_client("", false), GrantClient::Profile);
    }

    #[wasm_bindgen_test]
    fn a_stored_lab_machine_choice_falls_back_to_the_profile_elsewhere() {
        assert_eq!(grant_client("lab_machine", false), GrantClient::Profile);
        assert_eq!(grant_client("profile", true), GrantClient::Profile);
        assert_eq!(grant_client("lab_machine", true), GrantClient::LabMachine);
    }

    #[wasm_bindgen_test]
    fn a_draft_stored_before_resources_were_offered_keeps_its_audience() {
        let stored = r#"{"scopes":"read:reports","audience":"https://x","client_auth":"none"}"#;

        let draft: MachineDraft = serde_json::from_str(stored).unwrap();

        assert_eq!(draft.target.audience.as_deref(), Some("https://x"));
        assert!(draft.target.resources.is_empty());
    }

    #[wasm_bindgen_test]
    fn every_offered_choice_reads_back_as_itself() {
        for at_lab in [true, false] {
            for (value, _) in client_choices(at_lab) {
                assert_eq!(client_value(grant_client(value, at_lab)), *value);
            }
        }
    }
}
