//! The root component, the routes of the workbench, and the shell around every page: header,
//! side rail, the current step's panel and the timeline.

use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::api;
use crate::components::{LiveTimeline, Rail, ThemeSwitch};
use crate::lessons::{self, LessonsRoute};
use crate::pages;
use crate::state::{Workbench, WorkbenchAction, WorkbenchContext};

/// Every page of the app. The nine workbench steps come in the lesson's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Routable)]
pub enum Route {
    /// Where the callback returns the learner: sends them on to the step their flow is at.
    #[at("/")]
    Home,
    /// 1. Which provider the client talks to.
    #[at("/provider")]
    Provider,
    /// 2. Composing the authorization request.
    #[at("/authorize")]
    Authorize,
    /// 3. What came back to the callback.
    #[at("/response")]
    Callback,
    /// 4. Redeeming the code at the token endpoint.
    #[at("/redeem")]
    Redeem,
    /// 5. The token set, decoded and validated.
    #[at("/tokens")]
    Tokens,
    /// 6. Calling the Expenses API.
    #[at("/call-api")]
    CallApi,
    /// 7. Refreshing the tokens.
    #[at("/refresh")]
    Refresh,
    /// 8. The userinfo endpoint.
    #[at("/userinfo")]
    Userinfo,
    /// 9. A machine's token, by client credentials.
    #[at("/client-credentials")]
    ClientCredentials,
    /// The lessons, scenarios and Lab 2 track (issue 6): [`LessonsRoute`] routes within.
    #[at("/lessons")]
    Lessons,
    /// A page under `/lessons`.
    #[at("/lessons/*")]
    LessonsPage,
    /// Anything else.
    #[not_found]
    #[at("/404")]
    NotFound,
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
                        <Switch<Route> render={switch} />
                    </main>
                    <LiveTimeline />
                </div>
            </ContextProvider<WorkbenchContext>>
        </BrowserRouter>
    }
}
