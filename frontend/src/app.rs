//! The root component and the routes of the workbench.

use yew::prelude::*;

/// The whole workbench.
#[component]
pub fn App() -> Html {
    html! {
        <main id="app">
            <h1>{ "Grantlab" }</h1>
            <p>{ "Learn and debug OAuth 2.0 and OpenID Connect, one message at a time." }</p>
        </main>
    }
}
