//! `/lessons/{id}`: one lesson (or Lab 2 exercise): its topics, the explanation, and the
//! exercise.

use grantlab_shared::{Lesson, LessonSummary};
use yew::prelude::*;

use crate::components::{ListErrors, Panel};
use crate::error::Error;
use crate::hooks::use_request;
use crate::lessons::{self, Exercise, LessonsRoute};
use crate::router::{Link, Redirect};

/// Props of [`LessonPage`].
#[derive(Properties, PartialEq)]
pub struct Props {
    /// The lesson's id.
    pub id: AttrValue,
}

/// One lesson page. A bare number stands for the lesson at that place in the list, as the
/// list numbers them.
#[component]
pub fn LessonPage(props: &Props) -> Html {
    // Hooks.
    let lesson = use_request::<Lesson>();
    let list = use_request::<Vec<LessonSummary>>();

    // Effects: fetch the lesson whenever the id changes; for a number, the list to find it.
    {
        let lesson = lesson.clone();
        let list = list.clone();
        use_effect_with(props.id.clone(), move |id| {
            if lesson_number(id).is_some() {
                list.read(lessons::lessons());
            } else {
                let id = id.to_string();
                lesson.read(async move { lessons::lesson(&id).await });
            }
        });
    }

    // A number: go to the lesson it stands for, once the list says which one that is.
    if let Some(number) = lesson_number(&props.id) {
        let found = list.data.as_deref().map(|all| all.iter().find(|l| l.number == number));
        return match found {
            Some(Some(summary)) => {
                let to = LessonsRoute::Lesson { id: summary.id.clone() };
                html! { <Redirect<LessonsRoute> {to} /> }
            }
            Some(None) => not_found(&props.id, None),
            None if list.error.is_some() => not_found(&props.id, list.error.clone()),
            None => loading(),
        };
    }

    let Some(page) = lesson.data.as_deref() else {
        return match lesson.error.clone() {
            Some(error) => not_found(&props.id, Some(error)),
            None => loading(),
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

/// The panel while the lesson is on its way.
fn loading() -> Html {
    html! { <Panel step={0} title="Lesson" lede="Loading the lesson…" /> }
}

/// The panel for an id no lesson has: the backend's 404 is this message, any other failure
/// (the network, a server error) is shown as it came.
fn not_found(id: &str, error: Option<Error>) -> Html {
    let other = error.filter(|error| !matches!(error, Error::Api { status: 404, .. }));
    html! {
        <Panel step={0} title="Lesson not found"
               lede={format!("No lesson is called “{id}”.")}>
            <ListErrors error={other} />
            <p>
                <Link<LessonsRoute> to={LessonsRoute::List}>
                    { "See all the lessons" }
                </Link<LessonsRoute>>
            </p>
        </Panel>
    }
}

/// The place in the lesson list that `id` names, when it is a plain number from 1.
fn lesson_number(id: &str) -> Option<u32> {
    let digits = !id.is_empty() && id.bytes().all(|byte| byte.is_ascii_digit());
    digits.then(|| id.parse().ok()).flatten().filter(|number| *number > 0)
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn a_plain_number_from_1_names_a_place_in_the_list() {
        assert_eq!(lesson_number("1"), Some(1));
        assert_eq!(lesson_number("18"), Some(18));
    }

    #[wasm_bindgen_test]
    fn an_id_zero_or_a_signed_number_is_no_place() {
        for id in ["code-grant", "0", "+1", "-1", "1a", "", "99999999999"] {
            assert_eq!(lesson_number(id), None, "{id}");
        }
    }
}
