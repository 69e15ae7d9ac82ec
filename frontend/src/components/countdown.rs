//! A live countdown to a token's expiry, from `expires_in` (RFC 6749 §5.1).

use yew::prelude::*;

use crate::hooks::use_now;
use crate::time;

/// Props of [`Countdown`].
#[derive(Properties, PartialEq)]
pub struct CountdownProps {
    /// When the token expires, in seconds since the epoch: the time it was received plus
    /// `expires_in`.
    pub expires_at: i64,
    /// The lifetime it started with, for the bar.
    pub lifetime: i64,
}

/// `4:59 left`, with a bar, ticking every second; "expired" once it runs out.
#[component]
pub fn Countdown(props: &CountdownProps) -> Html {
    // Hooks.
    let now = use_now();

    // Derived values.
    let remaining = props.expires_at - now;
    let expired = remaining <= 0;
    let text = if expired {
        format!("expired {}", time::relative(props.expires_at, now))
    } else {
        format!("{} left", time::countdown(remaining))
    };

    html! {
        <span class={classes!("countdown", expired.then_some("expired"))}>
            <progress max={props.lifetime.max(1).to_string()} value={remaining.max(0).to_string()}
                      aria-hidden="true"></progress>
            <span class="countdown-text">{ text }</span>
        </span>
    }
}
