//! `/lessons`: the lessons of "Calling an API"; each lesson will get a page of its own here.

use yew::prelude::*;

use crate::components::Panel;

/// The lessons' index.
#[component]
pub fn Lessons() -> Html {
    // FIXME(#6): the lessons and broken scenarios are issue 6; each adds a route and a file
    // in `pages/`.
    html! {
        <Panel step={0} title="Lessons"
               lede="Guided exercises for each topic of “Calling an API” will be listed here. \
                     Until then, the workbench's nine steps walk the whole flow.">
        </Panel>
    }
}
