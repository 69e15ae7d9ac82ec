//! Step 4: redeeming the authorization code at the token endpoint (RFC 6749 §4.1.3).

use yew::prelude::*;

use crate::api;
use crate::app::Route;
use crate::components::{ListErrors, OutcomeView, Panel, SubmitButton, select};
use crate::hooks::{use_request, use_workbench};
use crate::router::Link;
use grantlab_shared::{ClientAuthMethod, FlowStatus, Outcome, RedeemRequest};

/// The `<select>` options for client authentication (RFC 6749 §2.3.1, OIDC Core §9).
pub const CLIENT_AUTH: [(&str, &str); 3] = [
    ("client_secret_basic", "client_secret_basic (HTTP Basic)"),
    ("client_secret_post", "client_secret_post (in the form)"),
    ("none", "none (a public client)"),
];

/// The method a `<select>` value names; Basic for anything else.
pub fn client_auth(value: &str) -> ClientAuthMethod {
    match value {
        "client_secret_post" => ClientAuthMethod::ClientSecretPost,
        "none" => ClientAuthMethod::None,
        _ => ClientAuthMethod::ClientSecretBasic,
    }
}

/// The `<select>` value of a method.
pub fn client_auth_value(method: ClientAuthMethod) -> &'static str {
    match method {
        ClientAuthMethod::ClientSecretBasic => "client_secret_basic",
        ClientAuthMethod::ClientSecretPost => "client_secret_post",
        ClientAuthMethod::None => "none",
    }
}

/// Step 4: the token request (secret redacted), its response, and the token set.
#[component]
pub fn Redeem() -> Html {
    // Hooks.
    let workbench = use_workbench();
    let redeem = use_request::<Outcome>();
    let method = use_state(ClientAuthMethod::default);

    // Callbacks.
    let on_method = {
        let method = method.clone();
        Callback::from(move |value: String| method.set(client_auth(&value)))
    };

    let run = |replay_previous: bool| {
        let redeem = redeem.clone();
        let method = method.clone();
        Callback::from(move |_| {
            let body = RedeemRequest { client_auth: *method, replay_previous };
            redeem.run(async move { api::redeem(&body).await });
        })
    };
    let onclick = run(false);
    let on_replay = run(true);

    // Derived values.
    let status = workbench.session.as_ref().map(|session| session.status);
    let waiting = status == Some(FlowStatus::CodeReceived);

    html! {
        <Panel step={4} title="Redeem the code"
               lede="The backend, not the browser, trades the code for tokens: a back-channel \
                     POST to the token endpoint, authenticated with the client secret.">
            <div class="card">
                { select("client_auth", "Client authentication", client_auth_value(*method),
                         &CLIENT_AUTH, on_method) }
                if !waiting && redeem.data.is_none() {
                    <p class="help">{ "No code waits to be redeemed: a code is good once. \
                        Redeeming again shows how the provider refuses a replay." }</p>
                }
                <ListErrors error={redeem.error.clone()} />
                <SubmitButton id="redeem" label="Redeem the code" busy={redeem.busy}
                              busy_label="Calling the token endpoint" class="primary"
                              onclick={onclick} />
                if !waiting {
                    <SubmitButton id="redeem-again" label="Redeem the last code again"
                                  busy={redeem.busy} busy_label="Replaying the code"
                                  class="quiet" onclick={on_replay} />
                }
            </div>
            if let Some(outcome) = &redeem.data {
                <OutcomeView outcome={(**outcome).clone()} />
                if outcome.ok {
                    <p class="next"><Link<Route> to={Route::Tokens} classes="button primary">
                        { "Next: look at the tokens" }</Link<Route>></p>
                }
            }
        </Panel>
    }
}
