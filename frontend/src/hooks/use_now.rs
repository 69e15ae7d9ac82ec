//! `use_now`: the clock, in seconds since the epoch, ticking once a second.

use gloo_timers::callback::Interval;
use yew::prelude::*;

/// The current time in seconds since the Unix epoch, re-rendering the component every second.
///
/// For countdowns and "in 5 minutes" labels. The interval stops when the component unmounts.
///
/// ```ignore
/// let now = use_now();
/// html! { { crate::time::relative(exp, now) } }
/// ```
#[hook]
pub fn use_now() -> i64 {
    let now = use_state(crate::time::now);

    {
        let now = now.clone();
        use_effect_with((), move |()| {
            let interval = Interval::new(1000, move || now.set(crate::time::now()));
            move || drop(interval)
        });
    }

    *now
}
