//! `/lessons/lab2`: the Lab 2 track: its three exercises in the sandbox, and the settings that
//! let the lab's own Node web app run against the lab provider unchanged.

use grantlab_shared::LabTrack;
use yew::prelude::*;

use crate::components::{CopyButton, ListErrors, Panel};
use crate::hooks::use_request;
use crate::lessons::{self, LessonsRoute};
use crate::router::Link;

/// The Lab 2 page.
#[component]
pub fn LessonsLab2() -> Html {
    // Hooks.
    let track = use_request::<LabTrack>();

    // Effects: fetch the track once.
    {
        let track = track.clone();
        use_effect_with((), move |()| track.read(lessons::lab2()));
    }

    let Some(track) = track.data.as_deref() else {
        return html! {
            <Panel step={0} title="Lab 2: Calling an API" lede="Loading…">
                <ListErrors error={track.error.clone()} />
            </Panel>
        };
    };

    // Derived values.
    let app = &track.own_app;
    let env = |name: &str| {
        app.env.iter().find(|setting| setting.name == name).map(|setting| setting.value.clone())
    };
    let settings = [
        ("Issuer", app.issuer.clone()),
        ("Client id", app.client_id.clone()),
        ("Client secret", env("CLIENT_SECRET").unwrap_or_default()),
        ("Redirect URI", app.redirect_uri.clone()),
        ("API identifier (audience)", app.audience.clone()),
        ("Scopes", app.scopes.join(" ")),
        ("Expenses API", app.api_url.clone()),
    ];
    let env_file: String =
        app.env.iter().map(|setting| format!("{}={}\n", setting.name, setting.value)).collect();
    let auth_params = format!(
        "authorizationParams: {{\n  response_type: 'code id_token',\n  \
         audience: process.env.API_AUDIENCE,\n  scope: '{}',\n}}",
        app.scopes.join(" ")
    );
    let base_url = env("BASE_URL").unwrap_or_default();

    html! {
        <Panel step={0} title="Lab 2: Calling an API"
               lede="The identity lab's exercises, done offline against the lab provider.">
            <p>
                <Link<LessonsRoute> to={LessonsRoute::List}>{ "← All lessons" }</Link<LessonsRoute>>
            </p>
            <h3>{ "In the sandbox" }</h3>
            <ol class="lesson-list">
                { for track.exercises.iter().map(|exercise| html! {
                    <li data-lesson={exercise.id.clone()}>
                        <Link<LessonsRoute> to={LessonsRoute::Lesson { id: exercise.id.clone() }}>
                            { &exercise.title }
                        </Link<LessonsRoute>>
                    </li>
                }) }
            </ol>

            <h3>{ "Your own lab web app" }</h3>
            <p>
                { "Point the lab's Node web app at the lab provider with these settings; it \
                   runs unchanged. Log in as alice / alice-pass, bob / bob-pass or \
                   carol / carol-pass." }
            </p>
            <dl class="settings">
                { for settings.iter().map(|(name, value)| html! {
                    <>
                        <dt>{ name }</dt>
                        <dd><code>{ value }</code></dd>
                    </>
                }) }
            </dl>
            <p>
                { "The app's .env file. express-openid-connect reads the first five itself \
                   (SECRET is the key of the app's own session cookie: any long random string; \
                   this one is fresh); the app's code reads PORT, API_AUDIENCE and API_URL, \
                   the address it GETs the expenses from. A copy of the lab app that names the \
                   cookie key COOKIE_SECRET or SESSION_SECRET takes the same value." }
            </p>
            <pre class="env-file"><code>{ &env_file }</code></pre>
            <CopyButton text={env_file.clone()} label="Copy as .env" />
            <p>{ "In the app's code, the auth() middleware asks for the hybrid flow, a token \
                   for the Expenses API and a refresh token:" }</p>
            <pre class="auth-params"><code>{ &auth_params }</code></pre>
            <p>
                { format!(
                    "Open the app at {base_url}, not at 127.0.0.1: the provider sends the \
                     browser back to {}, and the app's login cookie lives on the host you \
                     started from. express-openid-connect warns that form_post over plain http \
                     may cause issues; with the app on localhost the sign-in works.",
                    app.redirect_uri
                ) }
            </p>
            <p>
                { "Logging out: the lab's auth0Logout: true sends the browser to Auth0's own \
                   /v2/logout, which is in no standard; the lab provider renames it to its \
                   end_session_endpoint and, since that URL carries no id_token_hint, asks you \
                   to confirm before sending you back to BASE_URL. With idpLogout: true \
                   instead, the app uses the standard endpoint with a hint and no question \
                   is asked." }
            </p>
            <p>
                { "Exercise 3 with your own app: the Expenses API's tokens live 10 minutes in \
                   the built-in scenario. Copy backend/scenarios/default.toml, set \
                   access_token_lifetime = 10 under the Expenses API, and start Grantlab with \
                   --scenario your-copy.toml. Before calling the API, the app checks \
                   accessToken.isExpired() and calls accessToken.refresh() when it is." }
            </p>
        </Panel>
    }
}
