//! A button that copies a text to the clipboard and says so.

use wasm_bindgen_futures::{JsFuture, spawn_local};
use yew::prelude::*;

/// Props of [`CopyButton`].
#[derive(Properties, PartialEq)]
pub struct CopyButtonProps {
    /// What to copy.
    pub text: AttrValue,
    /// The button's text, such as "Copy as curl".
    pub label: AttrValue,
}

/// Copies `text` on click; the label turns to "Copied" (or says why not) for screen readers too.
#[component]
pub fn CopyButton(props: &CopyButtonProps) -> Html {
    // Hooks.
    let outcome = use_state(|| None::<&'static str>);

    // Callbacks.
    let onclick = {
        let outcome = outcome.clone();
        let text = props.text.clone();
        Callback::from(move |_| {
            let outcome = outcome.clone();
            let text = text.clone();
            spawn_local(async move {
                let Some(window) = web_sys::window() else { return };
                let promise = window.navigator().clipboard().write_text(&text);
                let copied = JsFuture::from(promise).await.is_ok();
                outcome.set(Some(if copied { "Copied" } else { "Copy refused by the browser" }));
            });
        })
    };

    html! {
        <span class="copy">
            <button type="button" class="quiet" {onclick}>{ &props.label }</button>
            <span class="copy-outcome" role="status">{ outcome.unwrap_or_default() }</span>
        </span>
    }
}
