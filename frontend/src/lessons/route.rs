//! The routes under `/lessons`, switched inside the workbench's own router.

use yew::prelude::*;

use crate::pages::{LessonPage, Lessons, LessonsLab2, NotFound, ScenarioPage};
use crate::router::{Routable, segments};

/// The pages under `/lessons`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LessonsRoute {
    /// `/lessons`: the lesson list, the scenarios and the Lab 2 track.
    List,
    /// `/lessons/lab2`: the Lab 2 track, its exercises and the settings for the lab's own web
    /// app.
    Lab2,
    /// `/lessons/scenarios/{id}`: one broken scenario.
    Scenario {
        /// The scenario's id.
        id: String,
    },
    /// `/lessons/{id}`: one lesson or Lab 2 exercise.
    Lesson {
        /// The lesson's id.
        id: String,
    },
    /// Anything else under `/lessons` (`/lessons/404` when linked to).
    NotFound,
}

impl Routable for LessonsRoute {
    fn to_path(&self) -> String {
        match self {
            Self::List => "/lessons".to_owned(),
            Self::Lab2 => "/lessons/lab2".to_owned(),
            Self::Scenario { id } => format!("/lessons/scenarios/{id}"),
            Self::Lesson { id } => format!("/lessons/{id}"),
            Self::NotFound => "/lessons/404".to_owned(),
        }
    }

    /// Every path under `/lessons` is a page here: an unknown one is
    /// [`LessonsRoute::NotFound`]. Paths outside `/lessons` are none. An id is taken as it
    /// stands in the path, not percent-decoded: the backend's ids are plain slugs.
    fn recognize(path: &str) -> Option<Self> {
        let route = match segments(path).as_slice() {
            ["lessons"] => Self::List,
            ["lessons", "lab2"] => Self::Lab2,
            ["lessons", "scenarios", id] => Self::Scenario { id: (*id).to_owned() },
            ["lessons", "404"] => Self::NotFound,
            ["lessons", id] => Self::Lesson { id: (*id).to_owned() },
            ["lessons", ..] => Self::NotFound,
            _ => return None,
        };
        Some(route)
    }
}

/// Renders the page of a `/lessons` route.
pub fn switch(route: LessonsRoute) -> Html {
    match route {
        LessonsRoute::List => html! { <Lessons /> },
        LessonsRoute::Lab2 => html! { <LessonsLab2 /> },
        LessonsRoute::Scenario { id } => html! { <ScenarioPage {id} /> },
        LessonsRoute::Lesson { id } => html! { <LessonPage {id} /> },
        LessonsRoute::NotFound => html! { <NotFound /> },
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn each_lessons_page_is_found_at_its_own_path() {
        let routes = [
            LessonsRoute::List,
            LessonsRoute::Lab2,
            LessonsRoute::Scenario { id: "state-mismatch".into() },
            LessonsRoute::Lesson { id: "call-api".into() },
            LessonsRoute::NotFound,
        ];
        for route in routes {
            assert_eq!(LessonsRoute::recognize(&route.to_path()), Some(route.clone()), "{route:?}");
        }
    }

    #[wasm_bindgen_test]
    fn deeper_paths_are_not_found_and_paths_outside_lessons_are_none() {
        assert_eq!(LessonsRoute::recognize("/lessons/a/b"), Some(LessonsRoute::NotFound));
        assert_eq!(LessonsRoute::recognize("/lessons/scenarios/a/b"), Some(LessonsRoute::NotFound));
        assert_eq!(LessonsRoute::recognize("/tokens"), None);
    }
}
