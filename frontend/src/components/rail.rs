//! The side rail: the nine steps of the lesson, in order, as links.

use yew::prelude::*;

use crate::app::Route;
use crate::router::{Routable, use_navigator, use_route};

/// The steps in the lesson's order, with their rail labels.
pub const STEPS: [(Route, &str); 9] = [
    (Route::Provider, "Provider"),
    (Route::Authorize, "Authorization request"),
    (Route::Callback, "Authorization response"),
    (Route::Redeem, "Redeem"),
    (Route::Tokens, "Tokens"),
    (Route::CallApi, "Call the API"),
    (Route::Refresh, "Refresh"),
    (Route::Userinfo, "Userinfo"),
    (Route::ClientCredentials, "Client credentials"),
];

/// The rail: a numbered list of links, the current step marked with `aria-current`.
#[component]
pub fn Rail() -> Html {
    // Hooks.
    let current = use_route::<Route>();
    let navigator = use_navigator();

    // Effects: on a phone the rail scrolls sideways; keep the current step in view.
    {
        use_effect_with(current, |_| {
            let document = web_sys::window().and_then(|window| window.document());
            let here =
                document.and_then(|d| d.query_selector(".rail [aria-current]").ok().flatten());
            if let Some(here) = here {
                let options = web_sys::ScrollIntoViewOptions::new();
                options.set_block(web_sys::ScrollLogicalPosition::Nearest);
                options.set_inline(web_sys::ScrollLogicalPosition::Center);
                here.scroll_into_view_with_scroll_into_view_options(&options);
            }
        });
    }

    html! {
        <nav class="rail" aria-label="Steps of the flow">
            <ol>
                { for STEPS.iter().enumerate().map(|(index, (route, label))| {
                    let here = current.as_ref() == Some(route);
                    let onclick = {
                        let navigator = navigator.clone();
                        let route = *route;
                        Callback::from(move |event: MouseEvent| {
                            event.prevent_default();
                            if let Some(navigator) = &navigator {
                                navigator.push(&route);
                            }
                            // Screen readers and keyboards continue in the new step's panel.
                            focus_panel();
                        })
                    };
                    html! {
                        <li class={classes!(here.then_some("current"))}>
                            <a href={route.to_path()} {onclick}
                               aria-current={here.then_some("step")}>
                                <span class="step-number" aria-hidden="true">{ index + 1 }</span>
                                <span class="step-label">{ *label }</span>
                            </a>
                        </li>
                    }
                }) }
            </ol>
        </nav>
    }
}

/// Moves focus to the panel (`<main id="panel" tabindex="-1">`), which the shell keeps across
/// routes.
fn focus_panel() {
    let panel = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.get_element_by_id("panel"));
    if let Some(panel) =
        panel.and_then(|p| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(p).ok())
    {
        let _ = panel.focus();
    }
}
