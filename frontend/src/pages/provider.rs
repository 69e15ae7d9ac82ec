//! Step 1: which authorization server the sandbox's client talks to.

use serde::{Deserialize, Serialize};
use yew::prelude::*;

use crate::api;
use crate::components::{ListErrors, Panel, SubmitButton, TextField};
use crate::hooks::{use_local_draft, use_request, use_workbench};
use grantlab_shared::{
    Endpoints, ProfileChoice, ProfileKind, ProfileList, ProfileSource, ProfileView, SessionView,
};

/// The provider form as kept in `localStorage`: never the client secret.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct ProviderDraft {
    /// `lab`, `preset:{id}`, `discovered` or `manual`.
    source: String,
    issuer: String,
    endpoints: Endpoints,
    client_id: String,
}

impl ProviderDraft {
    /// The choice to send. The secret is only ever held in the page until sent.
    fn choice(&self, secret: &str) -> ProfileChoice {
        let source = match self.source.as_str() {
            "discovered" => ProfileSource::Discovered { issuer: self.issuer.trim().to_owned() },
            "manual" => ProfileSource::Manual { endpoints: self.endpoints.clone() },
            other => match other.strip_prefix("preset:") {
                Some(id) => ProfileSource::Preset { id: id.to_owned() },
                None => ProfileSource::Lab,
            },
        };
        let outside = matches!(self.source.as_str(), "discovered" | "manual");
        ProfileChoice {
            source,
            client_id: (outside && !self.client_id.trim().is_empty())
                .then(|| self.client_id.trim().to_owned()),
            client_secret: (outside && !secret.is_empty()).then(|| secret.to_owned()),
        }
    }
}

/// Step 1: the lab provider preselected; discovery from an issuer; endpoints by hand.
#[component]
pub fn Provider() -> Html {
    // Hooks.
    let workbench = use_workbench();
    let profiles = use_request::<ProfileList>();
    let choose = use_request::<ProfileView>();
    let draft = use_local_draft("grantlab.provider-draft", || ProviderDraft {
        source: "lab".into(),
        ..ProviderDraft::default()
    });
    let secret = use_state(String::new);
    let reset = use_request::<SessionView>();

    // Effects: list the providers once.
    {
        let profiles = profiles.clone();
        use_effect_with((), move |()| profiles.run(api::profiles()));
    }

    // Callbacks.
    let pick = {
        let draft = draft.clone();
        Callback::from(move |source: String| {
            draft.set(ProviderDraft { source, ..(*draft).clone() })
        })
    };

    let edit = |change: fn(&mut ProviderDraft, String)| {
        let draft = draft.clone();
        Callback::from(move |value: String| {
            let mut next = (*draft).clone();
            change(&mut next, value);
            draft.set(next);
        })
    };

    let on_secret = {
        let secret = secret.clone();
        Callback::from(move |value: String| secret.set(value))
    };

    let onsubmit = {
        let choose = choose.clone();
        let draft = draft.clone();
        let secret = secret.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let choice = draft.choice(&secret);
            // The secret leaves the page now and is never shown again.
            secret.set(String::new());
            choose.run(async move { api::choose_profile(&choice).await });
        })
    };

    let start_over = {
        let reset = reset.clone();
        Callback::from(move |_| reset.run(api::reset_session()))
    };

    // Derived values.
    let presets: Vec<ProfileView> = profiles
        .data
        .as_ref()
        .map(|list| {
            list.profiles.iter().filter(|p| p.kind == ProfileKind::Preset).cloned().collect()
        })
        .unwrap_or_default();
    let outside = matches!(draft.source.as_str(), "discovered" | "manual");
    let current = workbench.session.as_ref().map(|session| session.profile.clone());
    let error = choose.error.clone();
    // The fields shown beside an input for this source; the list shows the other errors.
    let mut beside = match draft.source.as_str() {
        "discovered" => vec!["source.issuer"],
        "manual" => vec![
            "source.endpoints.issuer",
            "source.endpoints.authorization_endpoint",
            "source.endpoints.token_endpoint",
            "source.endpoints.userinfo_endpoint",
            "source.endpoints.jwks_uri",
        ],
        _ => Vec::new(),
    };
    if outside {
        beside.extend(["client_id", "client_secret"]);
    }

    let option = |value: String, label: String, help: &'static str| {
        let checked = draft.source == value;
        let onchange = {
            let pick = pick.clone();
            let value = value.clone();
            Callback::from(move |_: Event| pick.emit(value.clone()))
        };
        html! {
            <label class="choice">
                <input type="radio" name="source" value={value.clone()} {checked} {onchange} />
                <span><strong>{ label }</strong><span class="help">{ help }</span></span>
            </label>
        }
    };

    html! {
        <Panel step={1} title="Provider"
               lede="Pick the authorization server. The lab provider runs inside Grantlab, \
                     offline, with demo users; any OpenID provider works too.">
            <form class="card" {onsubmit} aria-busy={choose.busy.to_string()}>
                <fieldset>
                    <legend>{ "Where the endpoints come from" }</legend>
                    { option("lab".into(), "Lab provider".into(),
                             "Embedded, with the sandbox's own client. Nothing to set up.") }
                    { for presets.iter().map(|preset| option(format!("preset:{}", preset.id),
                        preset.label.clone(), "Set up by the host of this sandbox.")) }
                    { option("discovered".into(), "Discover from an issuer".into(),
                             "Reads {issuer}/.well-known/openid-configuration.") }
                    { option("manual".into(), "Endpoints by hand".into(),
                             "For a provider with no discovery document.") }
                </fieldset>
                if draft.source == "discovered" {
                    <TextField field="source.issuer" label="Issuer URL" kind="url"
                               value={draft.issuer.clone()} error={error.clone()}
                               placeholder="https://login.example.com/"
                               oninput={edit(|d, v| d.issuer = v)} />
                }
                if draft.source == "manual" {
                    <TextField field="source.endpoints.issuer" label="Issuer (optional)" kind="url"
                               value={draft.endpoints.issuer.clone().unwrap_or_default()}
                               error={error.clone()}
                               help="The ID token's iss must equal it (OIDC Core §3.1.3.7): \
                                     without it, that check cannot pass."
                               oninput={edit(|d, v| d.endpoints.issuer =
                                   (!v.trim().is_empty()).then_some(v))} />
                    <TextField field="source.endpoints.authorization_endpoint" label="Authorization endpoint"
                               kind="url" value={draft.endpoints.authorization_endpoint.clone()}
                               error={error.clone()}
                               oninput={edit(|d, v| d.endpoints.authorization_endpoint = v)} />
                    <TextField field="source.endpoints.token_endpoint" label="Token endpoint" kind="url"
                               value={draft.endpoints.token_endpoint.clone()} error={error.clone()}
                               oninput={edit(|d, v| d.endpoints.token_endpoint = v)} />
                    <TextField field="source.endpoints.userinfo_endpoint" label="Userinfo endpoint (optional)"
                               kind="url"
                               value={draft.endpoints.userinfo_endpoint.clone().unwrap_or_default()}
                               error={error.clone()}
                               oninput={edit(|d, v| d.endpoints.userinfo_endpoint =
                                   (!v.is_empty()).then_some(v))} />
                    <TextField field="source.endpoints.jwks_uri" label="JWKS URI (optional)" kind="url"
                               value={draft.endpoints.jwks_uri.clone().unwrap_or_default()}
                               error={error.clone()}
                               oninput={edit(|d, v| d.endpoints.jwks_uri =
                                   (!v.is_empty()).then_some(v))} />
                }
                if outside {
                    <TextField field="client_id" label="Client ID" value={draft.client_id.clone()}
                               error={error.clone()} oninput={edit(|d, v| d.client_id = v)} />
                    <TextField field="client_secret" label="Client secret" kind="password"
                               autocomplete="new-password" value={(*secret).clone()}
                               error={error.clone()} oninput={on_secret}
                               help="Write-only: sent once to the backend, never shown again, \
                                     never stored in this browser. Leave empty for a public client." />
                }
                <ListErrors error={error.clone()} {beside} />
                <SubmitButton id="use-provider" label="Use this provider" busy={choose.busy}
                              busy_label="Setting up the provider" class="primary" />
            </form>
            if let Some(profile) = current {
                { profile_card(&profile) }
            }
            <div class="card">
                <p class="help">{ "Start over: forget the flow and its tokens, keep the provider." }</p>
                <ListErrors error={reset.error.clone()} />
                <SubmitButton id="start-over" label="Start over" busy={reset.busy} class="quiet"
                              busy_label="Resetting the session" onclick={start_over} />
            </div>
        </Panel>
    }
}

fn profile_card(profile: &ProfileView) -> Html {
    let endpoints = &profile.endpoints;
    let rows = [
        ("issuer", endpoints.issuer.clone()),
        ("authorization_endpoint", Some(endpoints.authorization_endpoint.clone())),
        ("token_endpoint", Some(endpoints.token_endpoint.clone())),
        ("userinfo_endpoint", endpoints.userinfo_endpoint.clone()),
        ("jwks_uri", endpoints.jwks_uri.clone()),
        ("revocation_endpoint", endpoints.revocation_endpoint.clone()),
        ("introspection_endpoint", endpoints.introspection_endpoint.clone()),
    ];

    html! {
        <section class="card" aria-labelledby="profile-title">
            <h3 id="profile-title">{ "In use: " }{ &profile.label }</h3>
            <dl class="facts">
                <dt>{ "Client ID" }</dt><dd><code>{ &profile.client_id }</code></dd>
                <dt>{ "Client secret" }</dt>
                <dd>{ if profile.client_secret_set { "set (kept in the backend)" } else { "none" } }</dd>
                <dt>{ "Redirect URI" }</dt><dd><code>{ &profile.redirect_uri }</code></dd>
                { for rows.iter().filter_map(|(name, value)| value.as_ref().map(|value| html! {
                    <>
                        <dt><code>{ *name }</code></dt>
                        <dd><code>{ value }</code></dd>
                    </>
                })) }
            </dl>
            if let Some(report) = &profile.discovery {
                <h4>{ "Discovery document" }</h4>
                <p class="help">{ "Fetched from " }<code>{ &report.url }</code></p>
                if report.problems.is_empty() {
                    <p class="good">{ "No problem found in the document." }</p>
                } else {
                    <ul class="problems">
                        { for report.problems.iter().map(|problem| html! {
                            <li>
                                <code>{ &problem.field }</code>{ ": expected " }
                                { &problem.expected }{ ", found " }<code>{ &problem.found }</code>
                                { ". " }{ &problem.handling }
                            </li>
                        }) }
                    </ul>
                }
                <details><summary>{ "The document" }</summary>
                    <pre><code>{ &report.document }</code></pre></details>
            }
        </section>
    }
}
