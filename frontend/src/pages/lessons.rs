//! `/lessons`: the chapter's lessons in order with the learner's progress, the broken
//! scenarios, and the way to the Lab 2 track.

use grantlab_shared::{LessonSummary, Scenario};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::components::{ListErrors, Panel};
use crate::hooks::use_request;
use crate::lessons::{self, LessonsRoute, ProgressBook};
use crate::router::Link;

/// The lesson list.
#[component]
pub fn Lessons() -> Html {
    // Hooks.
    let list = use_request::<Vec<LessonSummary>>();
    let broken = use_request::<Vec<Scenario>>();
    let book = use_state(ProgressBook::load);

    // Effects: fetch the catalogue once (the shell's banner shows the mischief switches).
    {
        let list = list.clone();
        let broken = broken.clone();
        use_effect_with((), move |()| {
            list.read(lessons::lessons());
            broken.read(lessons::scenarios());
        });
    }

    // Effects: once the catalogue is in, judge each entry against the session, so the list
    // shows goals reached since the pages were last opened.
    {
        let book = book.clone();
        let lesson_ids = list.data.iter().flat_map(|all| all.iter()).map(|l| l.id.clone());
        let scenario_ids = broken.data.iter().flat_map(|all| all.iter()).map(|s| s.id.clone());
        let ids: Vec<String> = lesson_ids.chain(scenario_ids).collect();
        use_effect_with(ids, move |ids| {
            let ids = ids.clone();
            spawn_local(async move {
                let mut next = ProgressBook::load();
                let mut changed = false;
                for id in &ids {
                    if let Ok(progress) = lessons::fetch_progress(id).await {
                        changed |= next.record(&progress);
                    }
                }
                if changed {
                    next.save();
                    book.set(next);
                }
            });
        });
    }

    // Derived values.
    let lesson_items = list.data.iter().flat_map(|lessons| lessons.iter()).map(|lesson| {
        let done = book.count(&lesson.id, &lesson.goal_ids);
        let total = lesson.goal_ids.len();
        html! {
            <li class={classes!("lesson", (done == total).then_some("done"))}
                data-lesson={lesson.id.clone()}>
                <Link<LessonsRoute> to={LessonsRoute::Lesson { id: lesson.id.clone() }}>
                    { &lesson.title }
                </Link<LessonsRoute>>
                <span class="progress">{ format!(" {done}/{total} goals") }</span>
                <ul class="topics">
                    { for lesson.topics.iter().map(|topic| html! {
                        <li><span class="pointer">{ &topic.at }</span>{ " " }{ &topic.title }</li>
                    }) }
                </ul>
            </li>
        }
    });

    let scenario_items = broken.data.iter().flat_map(|all| all.iter()).map(|scenario| {
        let goals: Vec<String> = scenario.goals.iter().map(|goal| goal.id.clone()).collect();
        let seen = book.count(&scenario.id, &goals) == goals.len();
        html! {
            <li class={classes!("scenario", seen.then_some("done"))}>
                <Link<LessonsRoute> to={LessonsRoute::Scenario { id: scenario.id.clone() }}>
                    { &scenario.title }
                </Link<LessonsRoute>>
                <span class="progress">{ if seen { " seen" } else { "" } }</span>
            </li>
        }
    });

    html! {
        <Panel step={0} title="Lessons"
               lede="The chapter “Calling an API”, topic by topic. Each lesson sets up the \
                     workbench, asks you to predict, and checks your own timeline. Times point \
                     into the chapter's video.">
            <ListErrors error={list.error.clone()} />
            <ol class="lesson-list">{ for lesson_items }</ol>

            <h3>{ "Break it on purpose" }</h3>
            <p>{ "Each scenario breaks one thing and shows what a real system does about it." }</p>
            <ListErrors error={broken.error.clone()} />
            <ul class="scenario-list">{ for scenario_items }</ul>

            <h3>{ "Lab 2" }</h3>
            <p>
                <Link<LessonsRoute> to={LessonsRoute::Lab2}>
                    { "The identity lab's “Calling an API” exercises, offline" }
                </Link<LessonsRoute>>
            </p>
        </Panel>
    }
}
