//! The routes under `/lessons`, switched inside the workbench's own router.

use yew::prelude::*;
use yew_router::prelude::*;

use crate::pages::{LessonPage, Lessons, LessonsLab2, NotFound, ScenarioPage};

/// The pages under `/lessons`.
#[derive(Debug, Clone, PartialEq, Eq, Routable)]
pub enum LessonsRoute {
    /// The lesson list, the scenarios and the Lab 2 track.
    #[at("/lessons")]
    List,
    /// The Lab 2 track: the exercises and the settings for the lab's own web app.
    #[at("/lessons/lab2")]
    Lab2,
    /// One broken scenario.
    #[at("/lessons/scenarios/:id")]
    Scenario {
        /// The scenario's id.
        id: String,
    },
    /// One lesson or Lab 2 exercise.
    #[at("/lessons/:id")]
    Lesson {
        /// The lesson's id.
        id: String,
    },
    /// Anything else under `/lessons`.
    #[not_found]
    #[at("/lessons/404")]
    NotFound,
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
