//! The root component, the routes of the workbench, and the shell around every page: header,
//! side rail, the current step's panel and the timeline.

use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::api;
use crate::components::{LiveTimeline, MischiefBanner, Rail, ThemeSwitch};
use crate::lessons::{self, LessonsRoute};
use crate::pages;
use crate::router::{BrowserRouter, Link, Routable, Switch, segments};
use crate::state::{Workbench, WorkbenchAction, WorkbenchContext};

/// Every page of the app. The nine workbench steps come in the lesson's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `/`, where the callback returns the learner: sends them on to the step their flow is at.
    Home,
    /// 1. Which provider the client talks to.
    Provider,
    /// 2. Composing the authorization request.
    Authorize,
    /// 3. What came back to the callback.
    Callback,
    /// 4. Redeeming the code at the token endpoint.
    Redeem,
    /// 5. The token set, decoded and validated.
    Tokens,
    /// 6. Calling the Expenses API.
    CallApi,
    /// 7. Refreshing the tokens.
    Refresh,
    /// 8. The userinfo endpoint.
    Userinfo,
    /// 9. A machine's token, by client credentials.
    ClientCredentials,
    /// `/lessons`: the lessons, scenarios and Lab 2 track (issue 6); [`LessonsRoute`] routes
    /// within.
    Lessons,
    /// A page under `/lessons/`.
    LessonsPage,
    /// Anything else (`/404` when linked to).
    NotFound,
}

/// The steps' paths, in the rail's order; [`Route::Home`], the lessons and the 404 page come
/// apart.
const STEP_PATHS: [(Route, &str); 9] = [
    (Route::Provider, "provider"),
    (Route::Authorize, "authorize"),
    (Route::Callback, "response"),
    (Route::Redeem, "redeem"),
    (Route::Tokens, "tokens"),
    (Route::CallApi, "call-api"),
    (Route::Refresh, "refresh"),
    (Route::Userinfo, "userinfo"),
    (Route::ClientCredentials, "client-credentials"),
];

impl Routable for Route {
    fn to_path(&self) -> String {
        match self {
            Self::Home => "/".to_owned(),
            Self::Lessons | Self::LessonsPage => "/lessons".to_owned(),
            Self::NotFound => "/404".to_owned(),
            step => {
                let path = STEP_PATHS.iter().find(|(route, _)| route == step);
                format!("/{}", path.map(|(_, path)| *path).unwrap_or_default())
            }
        }
    }

    /// Every path is a page: an unknown one is [`Route::NotFound`].
    fn recognize(path: &str) -> Option<Self> {
        let route = match segments(path).as_slice() {
            [] => Self::Home,
            ["lessons"] => Self::Lessons,
            ["lessons", ..] => Self::LessonsPage,
            [step] => STEP_PATHS
                .iter()
                .find(|(_, path)| path == step)
                .map_or(Self::NotFound, |(route, _)| *route),
            _ => Self::NotFound,
        };
        Some(route)
    }
}

fn switch(route: Route) -> Html {
    match route {
        Route::Home => html! { <pages::Home /> },
        Route::Provider => html! { <pages::Provider /> },
        Route::Authorize => html! { <pages::Authorize /> },
        Route::Callback => html! { <pages::Callback /> },
        Route::Redeem => html! { <pages::Redeem /> },
        Route::Tokens => html! { <pages::Tokens /> },
        Route::CallApi => html! { <pages::CallApi /> },
        Route::Refresh => html! { <pages::Refresh /> },
        Route::Userinfo => html! { <pages::Userinfo /> },
        Route::ClientCredentials => html! { <pages::ClientCredentials /> },
        Route::Lessons | Route::LessonsPage => {
            html! { <Switch<LessonsRoute> render={lessons::switch} /> }
        }
        Route::NotFound => html! { <pages::NotFound /> },
    }
}

/// The whole workbench.
#[component]
pub fn App() -> Html {
    // Hooks.
    let workbench = use_reducer(Workbench::default);

    // Effects: fetch the session and the timeline at start and after every action.
    {
        let workbench = workbench.clone();
        use_effect_with(workbench.revision, move |revision| {
            let revision = *revision;
            spawn_local(async move {
                match api::session().await {
                    Ok(session) => {
                        workbench.dispatch(WorkbenchAction::Session(Box::new(session), revision))
                    }
                    Err(error) => workbench.dispatch(WorkbenchAction::Failed(error)),
                }
                if let Ok(timeline) = api::timeline().await {
                    workbench.dispatch(WorkbenchAction::Timeline(timeline));
                }
            });
        });
    }

    html! {
        <BrowserRouter>
            <ContextProvider<WorkbenchContext> context={workbench}>
                <div id="app">
                    <a class="skip" href="#panel">{ "Skip to the current step" }</a>
                    <header class="top">
                        <h1>{ "Grantlab" }</h1>
                        <p class="tagline">
                            { "OAuth 2.0 and OpenID Connect, one message at a time." }</p>
                        <Link<Route> to={Route::Lessons} classes="lessons-link">
                            { "Lessons" }
                        </Link<Route>>
                        <ThemeSwitch />
                    </header>
                    <Rail />
                    <main id="panel" tabindex="-1">
                        <MischiefBanner />
                        <Switch<Route> render={switch} />
                    </main>
                    <LiveTimeline />
                </div>
            </ContextProvider<WorkbenchContext>>
        </BrowserRouter>
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn every_step_path_leads_back_to_its_step() {
        for (route, _) in STEP_PATHS {
            assert_eq!(Route::recognize(&route.to_path()), Some(route), "{route:?}");
        }
        assert_eq!(Route::recognize("/"), Some(Route::Home));
        assert_eq!(Route::recognize("/tokens/"), Some(Route::Tokens));
    }

    #[wasm_bindgen_test]
    fn lessons_paths_go_to_the_lessons_router_and_the_rest_is_not_found() {
        assert_eq!(Route::recognize("/lessons"), Some(Route::Lessons));
        assert_eq!(Route::recognize("/lessons/scenarios/x"), Some(Route::LessonsPage));
        assert_eq!(Route::recognize("/no-such-step"), Some(Route::NotFound));
        assert_eq!(Route::recognize("/tokens/extra"), Some(Route::NotFound));
    }
}
