//! Step 3: the authorization response as the callback received it (RFC 6749 §4.1.2).

use yew::prelude::*;

use crate::app::Route;
use crate::components::{CheckItem, Checklist, JwtView, Panel};
use crate::hooks::use_workbench;
use crate::router::Link;
use grantlab_shared::{CallbackView, ErrorCode};

/// What an error code of RFC 6749 §4.1.2.1 or OIDC Core §3.1.2.6 means for the learner.
pub fn explain_error(code: &ErrorCode) -> &'static str {
    match code {
        ErrorCode::AccessDenied => "The user (or the provider) said no at the consent screen.",
        ErrorCode::InvalidRequest => "A parameter is missing, repeated or malformed.",
        ErrorCode::UnauthorizedClient => "This client may not use this grant or response type.",
        ErrorCode::UnsupportedResponseType => "The provider does not support this response type.",
        ErrorCode::InvalidScope => "A requested scope is unknown or not allowed for this client.",
        ErrorCode::ServerError => {
            "The provider failed; it reports it this way since a redirect \
                                   cannot carry a 500."
        }
        ErrorCode::TemporarilyUnavailable => "The provider is overloaded or down; try again.",
        ErrorCode::LoginRequired => "prompt=none, but nobody is logged in at the provider.",
        ErrorCode::ConsentRequired => "prompt=none, but the user has not consented yet.",
        ErrorCode::InteractionRequired => "prompt=none, but the user must do something first.",
        ErrorCode::Extension(code) if code == "invalid_target" => {
            "The resource or audience (RFC 8707) names an API this request may not get a \
             token for: one the provider does not know, or one the grant does not cover."
        }
        _ => "See the provider's description below.",
    }
}

/// Step 3: the code, the state check, the hybrid flow's ID token, or the error explained.
#[component]
pub fn Callback() -> Html {
    // Hooks.
    let workbench = use_workbench();

    // Derived values.
    let callback = workbench.session.as_ref().and_then(|session| session.callback.clone());

    html! {
        <Panel step={3} title="Authorization response"
               lede="The provider sent the browser back to the sandbox's redirect URI. This is \
                     what arrived, and the check the client must make before using it.">
            {
                match callback {
                    Some(callback) => response(&callback),
                    None => html! {
                        <p class="empty">{ "Nothing has come back yet. " }
                            <Link<Route> to={Route::Authorize}>{ "Send a request" }</Link<Route>>
                            { " first." }</p>
                    },
                }
            }
        </Panel>
    }
}

fn response(callback: &CallbackView) -> Html {
    let id_token = callback.params.iter().find(|param| param.name == "id_token");
    let state_check = vec![CheckItem::from(&callback.state_check)];

    html! {
        <>
            <section class="card" aria-labelledby="received-title">
                <h3 id="received-title">
                    { format!("Received by {}", callback.response_mode.as_str()) }</h3>
                <table class="params">
                    <thead><tr><th scope="col">{ "Parameter" }</th>
                        <th scope="col">{ "Value" }</th></tr></thead>
                    <tbody>
                        { for callback.params.iter().map(|param| html! {
                            <tr><th scope="row"><code>{ &param.name }</code></th>
                                <td><code class="value">{ &param.value }</code></td></tr>
                        }) }
                    </tbody>
                </table>
            </section>
            <Checklist title="State check (RFC 6749 §10.12)" checks={state_check} />
            if let Some(error) = &callback.error {
                <section class="card errors" role="alert">
                    <h3><code>{ error.error.as_str().to_owned() }</code></h3>
                    <p>{ explain_error(&error.error) }</p>
                    if let Some(description) = &error.error_description {
                        <p>{ "The provider says: " }<q>{ description }</q></p>
                    }
                    if let Some(uri) = &error.error_uri {
                        <p>{ "More at " }<code>{ uri }</code></p>
                    }
                </section>
            }
            if let Some(token) = id_token {
                <JwtView token={token.value.clone()}
                         title="ID token from the front channel (hybrid flow)" />
            }
            if callback.code_received {
                <p class="next">
                    <Link<Route> to={Route::Redeem} classes="button primary">
                        { "Next: redeem the code" }</Link<Route>>
                </p>
            }
        </>
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn access_denied_is_explained_in_words() {
        assert!(explain_error(&ErrorCode::AccessDenied).contains("said no"));
    }

    #[wasm_bindgen_test]
    fn an_unknown_code_points_to_the_description() {
        let code = ErrorCode::Extension("bad_verification_code".into());

        assert!(explain_error(&code).contains("description"));
    }
}
