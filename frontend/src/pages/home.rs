//! `/`: where the callback returns the learner; sends them on to the step their flow is at.

use yew::prelude::*;

use crate::app::Route;
use crate::components::ListErrors;
use crate::hooks::use_workbench;
use crate::router::Redirect;
use grantlab_shared::FlowStatus;

/// The step a flow in `status` continues at.
pub fn step_for(status: FlowStatus) -> Route {
    match status {
        FlowStatus::Idle => Route::Provider,
        FlowStatus::AwaitingCallback => Route::Authorize,
        FlowStatus::CodeReceived | FlowStatus::CallbackFailed => Route::Callback,
        FlowStatus::TokensReceived => Route::Tokens,
    }
}

/// Redirects to the step the session is at, once the backend has said where that is.
#[component]
pub fn Home() -> Html {
    // Hooks.
    let workbench = use_workbench();

    match &workbench.session {
        Some(session) => html! { <Redirect<Route> to={step_for(session.status)} /> },
        None => html! {
            <section class="panel">
                <p class="lede">{ "Reading your session…" }</p>
                <ListErrors error={workbench.error.clone()} />
            </section>
        },
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn the_callback_returns_the_learner_to_the_step_their_flow_is_at() {
        assert_eq!(step_for(FlowStatus::Idle), Route::Provider);
        assert_eq!(step_for(FlowStatus::CodeReceived), Route::Callback);
        assert_eq!(step_for(FlowStatus::CallbackFailed), Route::Callback);
        assert_eq!(step_for(FlowStatus::TokensReceived), Route::Tokens);
    }
}
