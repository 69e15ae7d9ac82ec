//! What a back-channel step did: its summary, the provider's error or deviations, and the
//! exchanges it added to the timeline, expanded.

use yew::prelude::*;

use super::live_timeline::message;
use super::prose::prose;
use super::timeline::MessageView;
use crate::hooks::use_workbench;
use crate::pages::explain_error;
use grantlab_shared::Outcome;

/// Props of [`OutcomeView`].
#[derive(Properties, PartialEq)]
pub struct OutcomeViewProps {
    /// The step's outcome.
    pub outcome: Outcome,
}

/// A verdict line, then any error and deviation, then the raw exchanges of this step.
#[component]
pub fn OutcomeView(props: &OutcomeViewProps) -> Html {
    // Hooks.
    let workbench = use_workbench();

    // Derived values.
    let outcome = &props.outcome;
    let exchanges: Vec<_> = workbench
        .timeline
        .entries
        .iter()
        .filter(|entry| outcome.entries.contains(&entry.id))
        .map(message)
        .collect();

    html! {
        <section class={classes!("card", "outcome", if outcome.ok { "ok" } else { "failed" })}
                 aria-live="polite">
            <p class="verdict"><strong>{ if outcome.ok { "Done: " } else { "Failed: " } }</strong>
                { prose(&outcome.summary) }</p>
            if let Some(error) = &outcome.error {
                <div class="errors" role="alert">
                    <strong><code>{ error.error.as_str().to_owned() }</code></strong>
                    <p>{ explain_error(&error.error) }</p>
                    if let Some(description) = &error.error_description {
                        <p>{ "The provider says: " }<q>{ description }</q></p>
                    }
                </div>
            }
            if !outcome.deviations.is_empty() {
                <h4>{ "Where the provider bent the spec" }</h4>
                <ul class="problems">
                    { for outcome.deviations.iter().map(|deviation| html! {
                        <li><code>{ &deviation.field }</code>{ ": expected " }
                            { &deviation.expected }{ ", found " }<code>{ &deviation.found }</code>
                            { ". " }{ prose(&deviation.handling) }</li>
                    }) }
                </ul>
            }
            if !exchanges.is_empty() {
                <h4>{ "On the wire" }</h4>
                <ol class="messages inline">
                    { for exchanges.into_iter().map(|message| {
                        let key = message.id.clone();
                        html! { <MessageView {key} {message} open={true} /> }
                    }) }
                </ol>
            }
        </section>
    }
}
