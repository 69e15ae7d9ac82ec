//! The working part of a lesson or scenario page: the set-up button, the prediction, and the
//! goals checked against the learner's own timeline.

use grantlab_shared::{Goal, Prediction, Progress, Setup};
use yew::prelude::*;

use super::progress::ProgressBook;
use super::setup::{apply_setup, store_drafts};
use crate::app::Route;
use crate::components::{ListErrors, SubmitButton};
use crate::error::Error;
use crate::hooks::{use_request, use_workbench};
use crate::router::use_navigator;

/// Where the set-up sends the learner next.
#[derive(Debug, Clone, PartialEq)]
enum Next {
    /// A workbench step, whose draft now holds the set-up.
    Step(Route),
    /// Straight to the provider: the request was composed already (an odd redirect URI).
    Provider(String),
}

/// Props of [`Exercise`].
#[derive(Properties, PartialEq)]
pub struct ExerciseProps {
    /// The lesson's or scenario's id.
    pub id: AttrValue,
    /// What "set up" prefills.
    pub setup: Setup,
    /// The question asked before sending.
    pub prediction: Prediction,
    /// What the sandbox checks.
    pub goals: Vec<Goal>,
    /// For a scenario: what really happens, shown once the learner has predicted.
    #[prop_or_default]
    pub outcome: Option<AttrValue>,
}

/// Set up, predict, then reach the goals; progress is kept in the browser.
#[component]
pub fn Exercise(props: &ExerciseProps) -> Html {
    // Hooks.
    let workbench = use_workbench();
    let navigator = use_navigator();
    let book = use_state(ProgressBook::load);
    let set_up = use_request::<Next>();
    let check = use_request::<Progress>();

    // Effects: check the goals on arrival and whenever the session changed. The check only
    // reads, so it does not bump the revision it depends on.
    {
        let check = check.clone();
        let id = props.id.clone();
        use_effect_with((id, workbench.revision), move |(id, _)| {
            let id = id.to_string();
            check.read(async move { super::fetch_progress(&id).await });
        });
    }

    // Effects: keep every goal reached in the browser's book.
    {
        let book = book.clone();
        use_effect_with(check.data.clone(), move |progress| {
            if let Some(progress) = progress {
                let mut next = (*book).clone();
                if next.record(progress) {
                    next.save();
                    book.set(next);
                }
            }
        });
    }

    // Effects: once set up, go where the set-up leads.
    {
        use_effect_with(set_up.data.clone(), move |next| match next.as_deref() {
            Some(Next::Step(route)) => {
                if let Some(navigator) = navigator {
                    navigator.push(route);
                }
            }
            Some(Next::Provider(url)) => go_to(url),
            None => {}
        });
    }

    // Callbacks.
    let on_set_up = {
        let set_up = set_up.clone();
        let id = props.id.clone();
        Callback::from(move |_: MouseEvent| {
            let id = id.to_string();
            set_up.run(async move { prepare(&id).await });
        })
    };

    let on_choose = |index: usize| {
        let book = book.clone();
        let id = props.id.clone();
        Callback::from(move |_: Event| {
            let mut next = (*book).clone();
            next.predict(&id, index);
            next.save();
            book.set(next);
        })
    };

    let on_check = {
        let check = check.clone();
        let id = props.id.clone();
        Callback::from(move |_: MouseEvent| {
            let id = id.to_string();
            check.read(async move { super::fetch_progress(&id).await });
        })
    };

    // Derived values.
    let chosen = book.prediction(&props.id);
    let setup = &props.setup;
    let prediction = &props.prediction;
    let user = setup.login_as.as_ref().map(|user| format!("{} / {}", user.username, user.password));
    let mischief = setup.mischief.any();
    let evidence = |goal: &Goal| {
        check.data.as_ref().and_then(|progress| {
            progress.goals.iter().find(|status| status.id == goal.id)?.evidence.clone()
        })
    };

    html! {
        <div class="exercise">
            <section aria-labelledby="setup-title">
                <h3 id="setup-title">{ "Set up" }</h3>
                if let Some(user) = user {
                    <p>{ "Log in at the lab provider as " }<code>{ user }</code></p>
                }
                if mischief {
                    <p class="warning" role="note">
                        { "This set-up makes the sandbox misbehave on purpose, for your session \
                           only. Setting up any lesson turns it off again." }
                    </p>
                }
                <ol class="steps">
                    { for setup.steps.iter().map(|step| html! { <li>{ step }</li> }) }
                </ol>
                <SubmitButton id="setup" label="Set up the workbench" busy={set_up.busy}
                              busy_label="Setting up…"
                              onclick={on_set_up} />
                <ListErrors error={set_up.error.clone()} />
            </section>

            <section aria-labelledby="predict-title">
                <h3 id="predict-title">{ "Predict" }</h3>
                <fieldset>
                    <legend>{ &prediction.question }</legend>
                    { for prediction.choices.iter().enumerate().map(|(index, choice)| html! {
                        <label class="choice">
                            <input type="radio" name="prediction" value={index.to_string()}
                                   checked={chosen == Some(index)}
                                   onchange={on_choose(index)} />
                            { choice }
                        </label>
                    }) }
                </fieldset>
                if let Some(index) = chosen {
                    <div class="verdict" role="status">
                        if index == prediction.answer {
                            <strong>{ "Right. " }</strong>
                        } else {
                            <strong>{ "Not quite. " }</strong>
                        }
                        { &prediction.explanation }
                        if let Some(outcome) = &props.outcome {
                            <p class="outcome">{ outcome }</p>
                        }
                    </div>
                }
            </section>

            <section aria-labelledby="goals-title">
                <h3 id="goals-title">{ "Goals" }</h3>
                <ul class="goals">
                    { for props.goals.iter().map(|goal| {
                        let reached = book.has(&props.id, &goal.id);
                        html! {
                            <li class={classes!("goal", reached.then_some("reached"))}
                                data-goal={goal.id.clone()}>
                                <span aria-hidden="true">{ if reached { "✓ " } else { "○ " } }</span>
                                <span class="visually-hidden">
                                    { if reached { "Reached: " } else { "Not yet: " } }
                                </span>
                                { &goal.text }
                                if let Some(evidence) = evidence(goal) {
                                    <small class="evidence">{ format!(" ({evidence})") }</small>
                                }
                            </li>
                        }
                    }) }
                </ul>
                <SubmitButton id="check-goals" label="Check my timeline" busy={check.busy}
                              busy_label="Checking…"
                              onclick={on_check} />
                <ListErrors error={check.error.clone()} />
            </section>
        </div>
    }
}

/// Applies the set-up: the session's switches, then the drafts; answers where to go next.
async fn prepare(id: &str) -> Result<Next, Error> {
    // Step 1: the backend sets the session's mischief switches and answers the set-up.
    let setup = super::api::setup(id).await?;

    // Step 2: lay the request over a fresh draft (new state and nonce) and keep it.
    let fresh = crate::api::authorization_draft().await?;
    let draft = apply_setup(&setup, fresh);
    store_drafts(&setup, &draft);

    // Step 3: an unregistered redirect URI is composed at once, since drafts keep ours.
    let odd_redirect = setup.request.as_ref().is_some_and(|r| r.redirect_uri.is_some());
    if odd_redirect {
        let composed = crate::api::authorize(&draft).await?;
        return Ok(Next::Provider(composed.url));
    }
    Ok(Next::Step(if setup.machine.is_some() {
        Route::ClientCredentials
    } else {
        Route::Authorize
    }))
}

/// Sends the whole page to `url`, as the Authorize step does.
fn go_to(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(url);
    }
}
