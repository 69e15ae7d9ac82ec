//! The banner every workbench page shows while a broken scenario's mischief is on for the
//! learner's session, naming the scenario, with a button that turns it off.

use grantlab_shared::{Mischief, Scenario};
use yew::prelude::*;

use super::{ListErrors, SubmitButton};
use crate::hooks::{use_request, use_workbench};
use crate::lessons;

/// Shown above every page while any mischief switch is on; nothing otherwise.
#[component]
pub fn MischiefBanner() -> Html {
    // Hooks.
    let workbench = use_workbench();
    let switches = use_request::<Mischief>();
    let scenarios = use_request::<Vec<Scenario>>();

    // Effects: read the switches at start and after every action, which may have set them.
    {
        let switches = switches.clone();
        use_effect_with(workbench.revision, move |_| switches.read(lessons::mischief()));
    }

    // Effects: read the scenarios once, to name the one whose set-up the switches match.
    {
        let scenarios = scenarios.clone();
        use_effect_with((), move |()| scenarios.read(lessons::scenarios()));
    }

    // Callbacks.
    let on_calm = {
        let switches = switches.clone();
        Callback::from(move |_: MouseEvent| switches.run(lessons::calm()))
    };

    // Derived values.
    let Some(current) = switches.data.as_deref().filter(|current| current.any()) else {
        return html! { <ListErrors error={switches.error.clone()} /> };
    };
    let all = scenarios.data.as_deref().map(Vec::as_slice).unwrap_or_default();
    let name = scenario_named(all, current)
        .map_or_else(|| "A broken scenario".to_owned(), |title| format!("The scenario “{title}”"));

    html! {
        <div id="mischief-banner" class="warning" role="status">
            <p>
                <strong>{ name }</strong>
                { " makes the sandbox misbehave on purpose for your session: every flow you run \
                   here is affected until you turn it off." }
            </p>
            <SubmitButton id="mischief-off" label="Turn the mischief off" busy={switches.busy}
                          busy_label="Turning off…" onclick={on_calm} />
            <ListErrors error={switches.error.clone()} />
        </div>
    }
}

/// The title of the scenario whose set-up turns on exactly `current`, if one does.
fn scenario_named<'a>(scenarios: &'a [Scenario], current: &Mischief) -> Option<&'a str> {
    let exact = scenarios.iter().find(|scenario| scenario.setup.mischief == *current);
    exact.map(|scenario| scenario.title.as_str())
}
