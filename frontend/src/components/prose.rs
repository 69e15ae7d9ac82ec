//! Sentences from the backend, with their `backticked` names shown as code.

use yew::prelude::*;

/// `text` with every `` `name` `` rendered as `<code>name</code>`; an unpaired backtick stays.
pub fn prose(text: &str) -> Html {
    let pieces: Vec<&str> = text.split('`').collect();
    let paired = pieces.len() % 2 == 1;

    html! {
        <>
            { for pieces.iter().enumerate().map(|(at, piece)| {
                let last = at == pieces.len() - 1;
                if at % 2 == 1 && (paired || !last) {
                    html! { <code>{ *piece }</code> }
                } else if at % 2 == 1 {
                    html! { { format!("`{piece}") } }
                } else {
                    html! { { *piece } }
                }
            }) }
        </>
    }
}
