//! `/lessons/{id}`: one lesson (or Lab 2 exercise): its topics, the explanation, and the
//! exercise.

use grantlab_shared::Lesson;
use yew::prelude::*;

use crate::components::{ListErrors, Panel};
use crate::hooks::use_request;
use crate::lessons::{self, Exercise, LessonsRoute};
use crate::router::Link;

/// Props of [`LessonPage`].
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The lesson's id.
    pub id: AttrValue,
}

/// One lesson page.
#[component]
pub fn LessonPage(props: &Props) -> Html {
    // Hooks.
    let lesson = use_request::<Lesson>();

    // Effects: fetch the lesson whenever the id changes.
    {
        let lesson = lesson.clone();
        use_effect_with(props.id.clone(), move |id| {
            let id = id.to_string();
            lesson.read(async move { lessons::lesson(&id).await });
        });
    }

    let Some(page) = lesson.data.as_deref() else {
        return html! {
            <Panel step={0} title="Lesson" lede="Loading the lesson…">
                <ListErrors error={lesson.error.clone()} />
            </Panel>
        };
    };

    // Derived values.
    let title = if page.topics.is_empty() {
        page.title.clone()
    } else {
        format!("{}. {}", page.number, page.title)
    };

    html! {
        <Panel step={0} title={title} lede="Read, set up, predict, then reach the goals.">
            <p>
                <Link<LessonsRoute> to={LessonsRoute::List}>{ "← All lessons" }</Link<LessonsRoute>>
            </p>
            if !page.topics.is_empty() {
                <ul class="topics" aria-label="Topics, with where they start in the video">
                    { for page.topics.iter().map(|topic| html! {
                        <li><span class="pointer">{ &topic.at }</span>{ " " }{ &topic.title }</li>
                    }) }
                </ul>
            }
            { for page.explanation.iter().map(|paragraph| html! { <p>{ paragraph }</p> }) }
            <Exercise id={page.id.clone()} setup={page.setup.clone()}
                      prediction={page.prediction.clone()} goals={page.goals.clone()} />
        </Panel>
    }
}
