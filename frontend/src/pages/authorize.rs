//! Step 2: composing the authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1).

use yew::prelude::*;

use crate::api;
use crate::components::{
    Explained, FieldError, ListErrors, Panel, SubmitButton, TextField, UrlPreview, checkbox,
    input_text, select,
};
use crate::hooks::{load_draft, save_draft, use_request, use_workbench};
use crate::params;
use crate::state::{DraftAction, DraftState, StoredDraft};
use grantlab_shared::{
    AuthorizationDraft, ComposedRequest, ProfileKind, ProfileView, ResponseMode,
};

/// The lab's scopes, grouped as the consent page groups them, with who may receive each.
const OPENID_SCOPES: [(&str, &str); 4] = [
    ("openid", "Makes it OpenID Connect: an ID token comes back."),
    ("profile", "Name, username, locale."),
    ("email", "Email address and whether it was verified."),
    ("offline_access", "A refresh token, to get new tokens without the user."),
];
const EXPENSES_SCOPES: [(&str, &str); 2] = [
    ("read:reports", "Read expense reports. Held by alice and bob."),
    ("approve:reports", "Approve expense reports. Held by bob only."),
];

/// Step 2: every parameter of the composer, a scope picker, and a live preview of the URL.
#[component]
pub fn Authorize() -> Html {
    // Hooks.
    let workbench = use_workbench();
    let state = use_reducer(DraftState::default);
    let fresh = use_request::<AuthorizationDraft>();
    let send = use_request::<ComposedRequest>();

    // Effects: ask the backend for a fresh draft (new state and nonce), once.
    {
        let fresh = fresh.clone();
        use_effect_with((), move |()| fresh.run(api::authorization_draft()));
    }

    // Effects: lay the learner's stored choices over the fresh draft.
    {
        let state = state.clone();
        use_effect_with(fresh.data.clone(), move |data| {
            if let Some(fresh) = data {
                let draft = match load_draft::<StoredDraft>(StoredDraft::KEY) {
                    Some(stored) => stored.restore((**fresh).clone()),
                    None => (**fresh).clone(),
                };
                state.dispatch(DraftAction::Replace(draft));
            }
        });
    }

    // Effects: keep the choices (never state or nonce) for the next visit.
    {
        use_effect_with(state.draft.clone(), |draft| {
            if let Some(draft) = draft {
                save_draft(StoredDraft::KEY, &StoredDraft::keep(draft));
            }
        });
    }

    // Effects: once composed, the whole page goes to the provider, unless there are warnings
    // to read first.
    {
        use_effect_with(send.data.clone(), |composed| {
            if let Some(composed) = composed.as_ref().filter(|c| c.warnings.is_empty()) {
                go_to(&composed.url);
            }
        });
    }

    // Callbacks.
    let dispatch = |make: fn(String) -> DraftAction| {
        let state = state.clone();
        Callback::from(move |value: String| state.dispatch(make(value)))
    };

    let onsubmit = {
        let send = send.clone();
        let state = state.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if let Some(draft) = state.draft.clone() {
                send.run(async move { api::authorize(&draft).await });
            }
        })
    };

    // Derived values.
    let profile = workbench.session.as_ref().map(|session| session.profile.clone());
    let error = send.error.clone().or_else(|| fresh.error.clone());

    let Some(draft) = state.draft.clone() else {
        return html! {
            <Panel step={2} title="Authorization request" lede="Loading a fresh draft…">
                <ListErrors error={error} />
            </Panel>
        };
    };
    let preview = profile.as_ref().map(|profile| preview_url(profile, &draft));
    let explained: Vec<Explained> = send
        .data
        .as_ref()
        .map(|composed| {
            composed
                .parameters
                .iter()
                .map(|p| Explained {
                    name: p.name.clone(),
                    meaning: p.meaning.clone(),
                    spec: p.spec.clone(),
                })
                .collect()
        })
        .unwrap_or_default();

    html! {
        <Panel step={2} title="Authorization request"
               lede="Compose the request the browser takes to the provider. Every parameter is \
                     explained in the preview: hover or focus one.">
            <form class="card compose" {onsubmit} aria-busy={send.busy.to_string()}>
                { response_fields(&draft, &state) }
                { scope_picker(&draft, &state, profile.as_ref()) }
                <fieldset>
                    <legend>{ "Which API the token is for" }</legend>
                    <TextField field="audience" label="audience" value={draft.audience.clone().unwrap_or_default()}
                               placeholder="https://expenses-api" error={error.clone()}
                               help="Auth0's way to name the API."
                               oninput={dispatch(DraftAction::Audience)} />
                    { resource_rows(&draft, &state, error.clone()) }
                </fieldset>
                <fieldset>
                    <legend>{ "Binding the response to this request" }</legend>
                    <TextField field="redirect_uri" label="redirect_uri" kind="url"
                               value={draft.redirect_uri.clone()} error={error.clone()}
                               oninput={dispatch(DraftAction::RedirectUri)} />
                    <TextField field="state" label="state" value={draft.state.clone()}
                               error={error.clone()} help="Generated by the backend; edit it to see the check fail."
                               oninput={dispatch(DraftAction::State)} />
                    <TextField field="nonce" label="nonce" value={draft.nonce.clone().unwrap_or_default()}
                               error={error.clone()} oninput={dispatch(DraftAction::Nonce)} />
                    { checkbox("pkce", "Use PKCE (S256)", draft.pkce, {
                        let state = state.clone();
                        Callback::from(move |on| state.dispatch(DraftAction::Pkce(on)))
                    }) }
                </fieldset>
                <fieldset>
                    <legend>{ "Login" }</legend>
                    { select("prompt", "prompt", draft.prompt.as_deref().unwrap_or(""),
                             &[("", "(not sent)"), ("login", "login"), ("consent", "consent"),
                               ("none", "none"), ("select_account", "select_account")],
                             dispatch(DraftAction::Prompt)) }
                    <TextField field="max_age" label="max_age (seconds)" kind="number"
                               value={draft.max_age.map(|age| age.to_string()).unwrap_or_default()}
                               error={error.clone()} oninput={dispatch(DraftAction::MaxAge)} />
                    <TextField field="login_hint" label="login_hint" placeholder="alice"
                               value={draft.login_hint.clone().unwrap_or_default()}
                               error={error.clone()} oninput={dispatch(DraftAction::LoginHint)} />
                </fieldset>
                { extra_rows(&draft, &state, error.clone()) }
                { checkbox("auto_redeem", "Redeem the code as soon as it arrives", draft.auto_redeem, {
                    let state = state.clone();
                    Callback::from(move |on| state.dispatch(DraftAction::AutoRedeem(on)))
                }) }
                <section class="preview" aria-labelledby="preview-title">
                    <h3 id="preview-title">{ "Preview" }</h3>
                    if let Some(url) = preview {
                        <UrlPreview url={url} {explained} />
                        if draft.pkce {
                            <p class="help">{ "The backend makes the PKCE verifier when you send; \
                                the challenge above is a stand-in." }</p>
                        }
                    }
                </section>
                <ListErrors error={error.clone()} />
                if let Some(composed) = send.data.as_ref().filter(|c| !c.warnings.is_empty()) {
                    <div class="warnings" role="alert">
                        <h3>{ "Read this before you go" }</h3>
                        <ul>{ for composed.warnings.iter().map(|w| html! { <li>{ w }</li> }) }</ul>
                        <a class="button primary" id="continue" href={composed.url.clone()}>
                            { "Continue to the provider" }</a>
                    </div>
                }
                <SubmitButton id="send" label="Send" busy={send.busy} class="primary"
                              busy_label="Composing the request" />
            </form>
        </Panel>
    }
}

/// Sends the whole page to `url`, as a real client redirects the browser.
fn go_to(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(url);
    }
}

/// The URL the backend will compose, made here from the draft for the live preview.
pub fn preview_url(profile: &ProfileView, draft: &AuthorizationDraft) -> String {
    let mut parameters = vec![
        ("response_type".to_owned(), draft.response_type.clone()),
        ("client_id".to_owned(), profile.client_id.clone()),
        ("redirect_uri".to_owned(), draft.redirect_uri.clone()),
    ];
    let mut push = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            parameters.push((name.to_owned(), value));
        }
    };
    push("scope", (!draft.scopes.is_empty()).then(|| draft.scopes.join(" ")));
    push("state", Some(draft.state.clone()));
    push("nonce", draft.nonce.clone());
    push("response_mode", draft.response_mode.map(|mode| mode.as_str().to_owned()));
    push("code_challenge", draft.pkce.then(|| "MADE-WHEN-SENT".to_owned()));
    push("code_challenge_method", draft.pkce.then(|| "S256".to_owned()));
    push("audience", draft.audience.clone());
    for resource in draft.resources.iter().filter(|resource| !resource.is_empty()) {
        push("resource", Some(resource.clone()));
    }
    push("prompt", draft.prompt.clone());
    push("max_age", draft.max_age.map(|age| age.to_string()));
    push("login_hint", draft.login_hint.clone());
    for extra in draft.extra.iter().filter(|extra| !extra.name.is_empty()) {
        push(&extra.name, Some(extra.value.clone()));
    }

    params::build_url(&profile.endpoints.authorization_endpoint, &parameters)
}

fn response_fields(draft: &AuthorizationDraft, state: &UseReducerHandle<DraftState>) -> Html {
    let on_type = {
        let state = state.clone();
        Callback::from(move |value| state.dispatch(DraftAction::ResponseType(value)))
    };
    let on_mode = {
        let state = state.clone();
        Callback::from(move |value: String| {
            let mode = match value.as_str() {
                "query" => Some(ResponseMode::Query),
                "fragment" => Some(ResponseMode::Fragment),
                "form_post" => Some(ResponseMode::FormPost),
                _ => None,
            };
            state.dispatch(DraftAction::ResponseMode(mode));
        })
    };
    let mode = draft.response_mode.map(ResponseMode::as_str).unwrap_or("");

    html! {
        <fieldset>
            <legend>{ "What comes back, and how" }</legend>
            { select("response_type", "response_type", &draft.response_type,
                     &[("code", "code (authorization code flow)"),
                       ("code id_token", "code id_token (hybrid flow)")], on_type) }
            { select("response_mode", "response_mode", mode,
                     &[("", "(the response type's default)"), ("query", "query"),
                       ("fragment", "fragment"), ("form_post", "form_post")], on_mode) }
        </fieldset>
    }
}

fn scope_picker(
    draft: &AuthorizationDraft,
    state: &UseReducerHandle<DraftState>,
    profile: Option<&ProfileView>,
) -> Html {
    let lab = profile.is_none_or(|profile| profile.kind == ProfileKind::Lab);
    let known: Vec<&str> =
        OPENID_SCOPES.iter().chain(EXPENSES_SCOPES.iter()).map(|(scope, _)| *scope).collect();
    let advertised: Vec<String> = profile
        .map(|profile| profile.scopes_supported.clone())
        .unwrap_or_default()
        .into_iter()
        .filter(|scope| !known.contains(&scope.as_str()))
        .collect();

    let row = |scope: &str, help: &str| {
        let onchange = {
            let state = state.clone();
            let scope = scope.to_owned();
            Callback::from(move |_: Event| state.dispatch(DraftAction::ToggleScope(scope.clone())))
        };
        let id = format!("scope-{}", scope.replace(':', "-"));
        html! {
            <label class="choice" for={id.clone()}>
                <input type="checkbox" {id} checked={draft.scopes.iter().any(|held| held == scope)}
                       {onchange} />
                <span><code>{ scope.to_owned() }</code><span class="help">{ help.to_owned() }</span></span>
            </label>
        }
    };

    html! {
        <fieldset class="scopes">
            <legend>{ "scope" }</legend>
            <div class="scope-group">
                <h4>{ "OpenID Connect" }</h4>
                { for OPENID_SCOPES.iter().map(|(scope, help)| row(scope, help)) }
            </div>
            if lab {
                <div class="scope-group">
                    <h4>{ "Expenses API " }<code>{ "https://expenses-api" }</code></h4>
                    { for EXPENSES_SCOPES.iter().map(|(scope, help)| row(scope, help)) }
                    <p class="help">{ "carol holds neither. Asking for more than a user holds \
                        quietly yields less: check the granted scope." }</p>
                </div>
            }
            if !advertised.is_empty() {
                <div class="scope-group">
                    <h4>{ "Also advertised by this provider" }</h4>
                    { for advertised.iter().map(|scope| row(scope, "")) }
                </div>
            }
        </fieldset>
    }
}

fn resource_rows(
    draft: &AuthorizationDraft,
    state: &UseReducerHandle<DraftState>,
    error: Option<crate::error::Error>,
) -> Html {
    let add = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(DraftAction::AddResource))
    };

    html! {
            <div class="rows">
                { for draft.resources.iter().enumerate().map(|(at, resource)| {
                    let oninput = {
                        let state = state.clone();
                        Callback::from(move |value| state.dispatch(DraftAction::Resource(at, value)))
                    };
                    let remove = {
                        let state = state.clone();
                        Callback::from(move |_| state.dispatch(DraftAction::RemoveResource(at)))
                    };
                    html! {
                        <div class="row">
    <TextField field={format!("resources[{at}]")}
                                       label={format!("resource {}", at + 1)} kind="url"
                                       value={resource.clone()} placeholder="https://expenses-api"
                                       {oninput} />
                            <button type="button" class="quiet" onclick={remove}
                                    aria-label={format!("Remove resource {}", at + 1)}>{ "Remove" }</button>
                        </div>
                    }
                }) }
                <FieldError field="resources" {error} />
                <button type="button" class="quiet" onclick={add}>{ "Add a resource (RFC 8707)" }</button>
            </div>
        }
}

fn extra_rows(
    draft: &AuthorizationDraft,
    state: &UseReducerHandle<DraftState>,
    error: Option<crate::error::Error>,
) -> Html {
    let add = {
        let state = state.clone();
        Callback::from(move |_| state.dispatch(DraftAction::AddExtra))
    };

    html! {
        <fieldset>
            <legend>{ "Other parameters" }</legend>
            { for draft.extra.iter().enumerate().map(|(at, param)| {
                let on_name = {
                    let state = state.clone();
                    let value = param.value.clone();
                    Callback::from(move |event: InputEvent| {
                        state.dispatch(DraftAction::Extra(at, input_text(&event), value.clone()))
                    })
                };
                let on_value = {
                    let state = state.clone();
                    let name = param.name.clone();
                    Callback::from(move |event: InputEvent| {
                        state.dispatch(DraftAction::Extra(at, name.clone(), input_text(&event)))
                    })
                };
                let remove = {
                    let state = state.clone();
                    Callback::from(move |_| state.dispatch(DraftAction::RemoveExtra(at)))
                };
                html! {
                    <div class="row">
                        <label>{ format!("name {}", at + 1) }
                            <input value={param.name.clone()} oninput={on_name} /></label>
                        <label>{ format!("value {}", at + 1) }
                            <input value={param.value.clone()} oninput={on_value} /></label>
                        <button type="button" class="quiet" onclick={remove}
                                aria-label={format!("Remove parameter {}", at + 1)}>{ "Remove" }</button>
                    </div>
                }
            }) }
            <FieldError field="extra" {error} />
            <button type="button" class="quiet" onclick={add}>{ "Add a parameter" }</button>
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use grantlab_shared::{Endpoints, Param};
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::state::{DraftAction, apply};

    fn lab() -> ProfileView {
        ProfileView {
            id: "lab".into(),
            label: "Lab provider".into(),
            kind: ProfileKind::Lab,
            endpoints: Endpoints {
                authorization_endpoint: "http://h/idp/authorize".into(),
                token_endpoint: "http://h/idp/token".into(),
                ..Endpoints::default()
            },
            client_id: "grantlab-sandbox".into(),
            client_secret_set: true,
            redirect_uri: "http://h/callback".into(),
            scopes_supported: vec![],
            discovery: None,
        }
    }

    fn draft() -> AuthorizationDraft {
        AuthorizationDraft {
            response_type: "code".into(),
            response_mode: None,
            scopes: vec!["openid".into()],
            audience: None,
            resources: vec![],
            redirect_uri: "http://h/callback".into(),
            state: "s-1".into(),
            nonce: None,
            pkce: false,
            prompt: None,
            max_age: None,
            login_hint: None,
            extra: vec![],
            auto_redeem: false,
        }
    }

    fn names(url: &str) -> Vec<String> {
        params::split_query(url).1.into_iter().map(|part| part.name).collect()
    }

    #[wasm_bindgen_test]
    fn the_preview_leaves_out_what_the_draft_does_not_set() {
        let url = preview_url(&lab(), &draft());

        assert!(url.starts_with("http://h/idp/authorize?"), "{url}");
        assert_eq!(names(&url), ["response_type", "client_id", "redirect_uri", "scope", "state"]);
    }

    #[wasm_bindgen_test]
    fn the_preview_shows_every_parameter_the_learner_adds() {
        let mut edited = apply(draft(), DraftAction::Pkce(true));
        edited = apply(edited, DraftAction::Audience("https://expenses-api".into()));
        edited = apply(edited, DraftAction::ResponseMode(Some(ResponseMode::FormPost)));
        edited.extra.push(Param { name: "ui_locales".into(), value: "fr".into() });

        let url = preview_url(&lab(), &edited);

        let names = names(&url);
        for name in ["code_challenge", "code_challenge_method", "audience", "response_mode"] {
            assert!(names.iter().any(|n| n == name), "{name} missing from {url}");
        }
        assert_eq!(names.last().map(String::as_str), Some("ui_locales"));
    }
}
