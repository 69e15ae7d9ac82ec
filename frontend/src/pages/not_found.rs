//! Any path the app does not know.

use yew::prelude::*;

use crate::app::Route;
use crate::components::Panel;
use crate::router::Link;

/// A short page pointing back to the first step.
#[component]
pub fn NotFound() -> Html {
    html! {
        <Panel step={0} title="Not found" lede="There is no such page in the workbench.">
            <p><Link<Route> to={Route::Provider}>{ "Start at step 1" }</Link<Route>></p>
        </Panel>
    }
}
