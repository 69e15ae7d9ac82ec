//! Step 6: calling the Expenses API with a bearer token (RFC 6750).

use serde::{Deserialize, Serialize};
use yew::prelude::*;

use crate::api;
use crate::components::{
    CheckItem, Checklist, ListErrors, Panel, SubmitButton, TextField, input_text, select,
};
use crate::hooks::{use_local_draft, use_request};
use grantlab_shared::{ApiCallRequest, ApiCallResult, TokenKind, TokenPlacement, TokenSet};

/// The request builder as kept in `localStorage`: the request's shape, never a token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CallDraft {
    method: String,
    url: String,
    body: String,
    /// `access_token`, `id_token`, `machine_token` (the client credentials grant's) or `none`.
    token: String,
    /// `header`, `form` or `query`.
    placement: String,
}

impl Default for CallDraft {
    fn default() -> Self {
        let origin = web_sys::window()
            .and_then(|window| window.location().origin().ok())
            .unwrap_or_default();
        Self {
            method: "GET".into(),
            url: format!("{origin}/expenses-api/expenses"),
            body: String::new(),
            token: "access_token".into(),
            placement: "header".into(),
        }
    }
}

impl CallDraft {
    fn request(&self) -> ApiCallRequest {
        ApiCallRequest {
            method: self.method.clone(),
            url: self.url.trim().to_owned(),
            body: (!self.body.is_empty()).then(|| self.body.clone()),
            content_type: None,
            token: match self.token.as_str() {
                "id_token" => Some(TokenKind::IdToken),
                "none" => None,
                _ => Some(TokenKind::AccessToken),
            },
            token_set: match self.token.as_str() {
                "machine_token" => TokenSet::Machine,
                _ => TokenSet::Delegated,
            },
            placement: match self.placement.as_str() {
                "form" => TokenPlacement::Form,
                "query" => TokenPlacement::Query,
                _ => TokenPlacement::Header,
            },
        }
    }
}

/// Step 6: a request builder prefilled for the Expenses API, its answer and the API's checks.
#[component]
pub fn CallApi() -> Html {
    // Hooks.
    let draft = use_local_draft("grantlab.api-call", CallDraft::default);
    let call = use_request::<ApiCallResult>();

    // Callbacks.
    let edit = |change: fn(&mut CallDraft, String)| {
        let draft = draft.clone();
        Callback::from(move |value: String| {
            let mut next = (*draft).clone();
            change(&mut next, value);
            draft.set(next);
        })
    };

    let send_with = |token: Option<&'static str>| {
        let draft = draft.clone();
        let call = call.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*draft).clone();
            if let Some(token) = token {
                next.token = token.to_owned();
            }
            let request = next.request();
            draft.set(next);
            call.run(async move { api::call(&request).await });
        })
    };

    let on_body = {
        let edit = edit(|d, v| d.body = v);
        Callback::from(move |event: InputEvent| edit.emit(input_text(&event)))
    };

    // Derived values.
    let result = call.data.clone();

    html! {
        <Panel step={6} title="Call the API"
               lede="The client sends the access token to the API, which checks it on its own: \
                     signature, issuer, audience, expiry, scope.">
            <div class="card">
                <div class="row">
                    { select("method", "Method", &draft.method,
                             &[("GET", "GET"), ("POST", "POST"), ("PUT", "PUT"),
                               ("DELETE", "DELETE")], edit(|d, v| d.method = v)) }
                    <TextField field="url" label="URL" kind="url" value={draft.url.clone()}
                               error={call.error.clone()} oninput={edit(|d, v| d.url = v)} />
                </div>
                <div class="field">
                    <label for="body">{ "Body (optional)" }</label>
                    <textarea id="body" name="body" rows="3" value={draft.body.clone()}
                              oninput={on_body} />
                </div>
                <div class="row">
                    { select("token", "Token to send", &draft.token,
                             &[("access_token", "the access token"), ("id_token", "the ID token"),
                               ("machine_token", "the machine token (client credentials)"),
                               ("none", "no token")], edit(|d, v| d.token = v)) }
                    { select("placement", "Where", &draft.placement,
                             &[("header", "Authorization header (RFC 6750 §2.1)"),
                               ("form", "form body (§2.2)"), ("query", "query (§2.3, avoid)")],
                             edit(|d, v| d.placement = v)) }
                </div>
                <ListErrors error={call.error.clone()} beside={vec!["url"]} />
                <div class="actions">
                    <SubmitButton id="call" label="Send" busy={call.busy} class="primary"
                                  busy_label="Calling the API" onclick={send_with(None)} />
                    <button type="button" class="quiet" id="send-id-token"
                            onclick={send_with(Some("id_token"))}
                            disabled={call.busy}>{ "Send the ID token instead" }</button>
                    <button type="button" class="quiet" id="send-machine-token"
                            onclick={send_with(Some("machine_token"))}
                            disabled={call.busy}>{ "Send the machine token instead" }</button>
                    <button type="button" class="quiet" id="send-no-token"
                            onclick={send_with(Some("none"))}
                            disabled={call.busy}>{ "Send no token" }</button>
                </div>
            </div>
            if let Some(result) = result {
                { answer(&result) }
            }
        </Panel>
    }
}

fn answer(result: &ApiCallResult) -> Html {
    let checks: Vec<CheckItem> = result.checks.iter().map(CheckItem::from).collect();
    let body = serde_json::from_str::<serde_json::Value>(&result.body)
        .ok()
        .and_then(|json| serde_json::to_string_pretty(&json).ok())
        .unwrap_or_else(|| result.body.clone());
    let good = result.status < 400;

    html! {
        <section class="card" id="api-answer" aria-live="polite" aria-labelledby="answer-title">
            <h3 id="answer-title">{ "The API's answer " }
                <span class={classes!("status", if good { "ok" } else { "bad" })}>
                    { result.status }</span></h3>
            if let Some(challenge) = &result.challenge {
                <div class="errors">
                    <strong><code>{ challenge.error.as_str().to_owned() }</code></strong>
                    if let Some(description) = &challenge.error_description {
                        <p>{ description }</p>
                    }
                </div>
            }
            if !checks.is_empty() {
                <Checklist title="The API's own checks" {checks} />
            }
            <details open={true}><summary>{ "Body" }</summary>
                <pre><code>{ body }</code></pre></details>
            <details><summary>{ "Headers" }</summary>
                <pre><code>{ for result.headers.iter().map(|header|
                    format!("{}: {}\n", header.name, header.value)) }</code></pre></details>
        </section>
    }
}
