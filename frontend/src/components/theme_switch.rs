//! The theme switch: the system's choice, light, or dark, remembered in `localStorage`.

use yew::prelude::*;

use crate::hooks::use_local_draft;

/// The three choices, in the order the button cycles through them.
const THEMES: [&str; 3] = ["system", "light", "dark"];

/// A button that cycles the theme and sets `data-theme` on `<html>` for the stylesheet.
#[component]
pub fn ThemeSwitch() -> Html {
    // Hooks.
    let theme = use_local_draft("grantlab.theme", || "system".to_owned());

    // Effects.
    {
        use_effect_with((*theme).clone(), |theme| {
            let root = web_sys::window()
                .and_then(|window| window.document())
                .and_then(|document| document.document_element());
            if let Some(root) = root {
                let _ = root.set_attribute("data-theme", theme);
            }
        });
    }

    // Callbacks.
    let onclick = {
        let theme = theme.clone();
        Callback::from(move |_| {
            let at = THEMES.iter().position(|known| *known == *theme).unwrap_or(0);
            theme.set(THEMES[(at + 1) % THEMES.len()].to_owned());
        })
    };

    html! {
        <button type="button" class="theme quiet" {onclick}
                aria-label={format!("Theme: {}. Change theme", *theme)}>
            { format!("Theme: {}", *theme) }
        </button>
    }
}
