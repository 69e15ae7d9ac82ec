//! `/lessons/scenarios/{id}`: one broken scenario: set it up, predict, see what happens.

use grantlab_shared::Scenario;
use yew::prelude::*;

use crate::components::{ListErrors, Panel};
use crate::hooks::use_request;
use crate::lessons::{self, Exercise, LessonsRoute};
use crate::router::Link;

/// Props of [`ScenarioPage`].
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The scenario's id.
    pub id: AttrValue,
}

/// One broken scenario's page.
#[component]
pub fn ScenarioPage(props: &Props) -> Html {
    // Hooks.
    let scenario = use_request::<Scenario>();

    // Effects: fetch the scenario whenever the id changes.
    {
        let scenario = scenario.clone();
        use_effect_with(props.id.clone(), move |id| {
            let id = id.to_string();
            scenario.read(async move { lessons::scenario(&id).await });
        });
    }

    let Some(page) = scenario.data.as_deref() else {
        return html! {
            <Panel step={0} title="Broken scenario" lede="Loading the scenario…">
                <ListErrors error={scenario.error.clone()} />
            </Panel>
        };
    };

    html! {
        <Panel step={0} title={page.title.clone()}
               lede="Break one thing on purpose, predict, and see what a real system does.">
            <p>
                <Link<LessonsRoute> to={LessonsRoute::List}>{ "← All lessons" }</Link<LessonsRoute>>
                { format!(" · goes with lesson {}", page.lesson) }
            </p>
            <Exercise id={page.id.clone()} setup={page.setup.clone()}
                      prediction={page.prediction.clone()} goals={page.goals.clone()}
                      outcome={Some(AttrValue::from(page.outcome.clone()))} />
        </Panel>
    }
}
