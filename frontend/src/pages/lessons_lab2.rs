//! `/lessons/lab2`: the Lab 2 track: its three exercises in the sandbox, and the settings that
//! let the lab's own Node web app run against the lab provider unchanged.

use grantlab_shared::LabTrack;
use yew::prelude::*;
use yew_router::prelude::*;

use crate::components::{CopyButton, ListErrors, Panel};
use crate::hooks::use_request;
use crate::lessons::{self, LessonsRoute};

/// The Lab 2 page.
#[component]
pub fn LessonsLab2() -> Html {
    // Hooks.
    let track = use_request::<LabTrack>();

    // Effects: fetch the track once.
    {
        let track = track.clone();
        use_effect_with((), move |()| track.run(lessons::lab2()));
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
    let secret = app.client_secret.clone().unwrap_or_else(|| {
        "(the `secret` of the `lab-web` client in the provider's scenario file)".to_owned()
    });
    let settings = [
        ("Issuer", app.issuer.clone()),
        ("Client id", app.client_id.clone()),
        ("Client secret", secret.clone()),
        ("Redirect URI", app.redirect_uri.clone()),
        ("API identifier (audience)", app.audience.clone()),
        ("Scopes", app.scopes.join(" ")),
        ("Expenses API", app.api_url.clone()),
    ];
    let env_file = format!(
        "ISSUER_BASE_URL={}\nCLIENT_ID={}\nCLIENT_SECRET={}\nBASE_URL=http://localhost:3000\n\
         API_AUDIENCE={}\nAPI_URL={}\n",
        app.issuer, app.client_id, secret, app.audience, app.api_url
    );

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
            <p>{ "The same as environment variables, for example (use the names your app's \
                   configuration reads):" }</p>
            <pre class="env-file"><code>{ &env_file }</code></pre>
            <CopyButton text={env_file.clone()} label="Copy as .env" />
        </Panel>
    }
}
