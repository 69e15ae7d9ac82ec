//! Step 7: refreshing the tokens (RFC 6749 §6), rotation, and replaying an old refresh token.

use std::rc::Rc;

use yew::prelude::*;

use crate::api;
use crate::components::{
    ListErrors, OutcomeView, Panel, SubmitButton, Target, TargetEdit, TargetFields, select,
};
use crate::hooks::{use_request, use_workbench};
use crate::jwt;
use crate::pages::redeem::{CLIENT_AUTH, client_auth, client_auth_value};
use crate::time;
use grantlab_shared::{ClientAuthMethod, JwtView, Outcome, RefreshRequest, TokenSetView};

/// Why a learner would name an API on a refresh (RFC 8707 §2.2).
const WHY_NAME_AN_API: &str = "Optional. Naming one API the grant covers down-scopes the new \
                               access token to it, so a leaked token is good at that API alone; \
                               naming one it does not cover gets invalid_target.";

/// One line of the before-and-after table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What is compared, such as `access token exp`.
    pub what: String,
    /// The value before the refresh.
    pub before: String,
    /// The value after.
    pub after: String,
}

impl Change {
    /// Whether the value differs.
    pub fn changed(&self) -> bool {
        self.before != self.after
    }
}

/// What differs between two token sets: the tokens themselves, and `iat`, `exp` and `jti`
/// of each JWT.
pub fn compare(before: &TokenSetView, after: &TokenSetView) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut push = |what: &str, before: String, after: String| {
        changes.push(Change { what: what.to_owned(), before, after });
    };

    // The tokens, shortened: a learner compares their ends.
    let raw = |token: &Option<JwtView>| token.as_ref().map(|t| shorten(&t.raw)).unwrap_or_default();
    push("access token", raw(&before.access_token), raw(&after.access_token));
    for claim in ["iat", "exp", "jti"] {
        push(
            &format!("access token {claim}"),
            claim_of(&before.access_token, claim),
            claim_of(&after.access_token, claim),
        );
    }
    push("ID token", raw(&before.id_token), raw(&after.id_token));
    for claim in ["iat", "exp"] {
        push(
            &format!("ID token {claim}"),
            claim_of(&before.id_token, claim),
            claim_of(&after.id_token, claim),
        );
    }
    let refresh =
        |set: &TokenSetView| set.refresh_token.as_deref().map(shorten).unwrap_or_default();
    push("refresh token", refresh(before), refresh(after));
    push("scope", before.scope.join(" "), after.scope.join(" "));
    changes
}

fn claim_of(token: &Option<JwtView>, claim: &str) -> String {
    let Some(value) = token
        .as_ref()
        .and_then(|t| jwt::decode(&t.raw).ok())
        .and_then(|t| t.payload.get(claim).cloned())
    else {
        return String::new();
    };
    match value.as_i64() {
        Some(seconds) if jwt::is_time_claim(claim) => time::format_utc(seconds),
        _ => value.as_str().map(str::to_owned).unwrap_or_else(|| value.to_string()),
    }
}

/// The first and last 8 characters of a long token.
fn shorten(token: &str) -> String {
    let chars: Vec<char> = token.chars().collect();
    if chars.len() <= 20 {
        return token.to_owned();
    }
    let head: String = chars[..8].iter().collect();
    let tail: String = chars[chars.len() - 8..].iter().collect();
    format!("{head}…{tail}")
}

/// Step 7: old and new tokens side by side, rotation status, and replay of the old token.
#[component]
pub fn Refresh() -> Html {
    // Hooks.
    let workbench = use_workbench();
    let refresh = use_request::<Outcome>();
    let before = use_state(|| None::<Rc<TokenSetView>>);
    let method = use_state(ClientAuthMethod::default);
    let target = use_state(Target::default);

    // Callbacks.
    let on_method = {
        let method = method.clone();
        Callback::from(move |value: String| method.set(client_auth(&value)))
    };

    let on_target = {
        let target = target.clone();
        Callback::from(move |edit: TargetEdit| target.set(target.edited(edit)))
    };

    let run = |replay_previous: bool| {
        let refresh = refresh.clone();
        let before = before.clone();
        let method = method.clone();
        let target = target.clone();
        let current = workbench.session.as_ref().and_then(|s| s.tokens.clone());
        Callback::from(move |_: MouseEvent| {
            before.set(current.clone().map(Rc::new));
            let body = RefreshRequest {
                client_auth: *method,
                replay_previous,
                audience: target.audience_to_send(),
                resources: target.resources_to_send(),
            };
            refresh.run(async move { api::refresh(&body).await });
        })
    };

    // Derived values.
    let tokens = workbench.session.as_ref().and_then(|session| session.tokens.clone());
    let has_refresh = tokens.as_ref().is_some_and(|t| t.refresh_token.is_some());
    let has_previous = tokens.as_ref().is_some_and(|t| t.previous_refresh_token.is_some());
    // Compared only once the session fetched after the refresh is in.
    let changes = match (&*before, &tokens, &refresh.data) {
        (Some(before), Some(after), Some(_)) if workbench.is_fresh() => compare(before, after),
        _ => Vec::new(),
    };
    // Said of the last refresh that worked: after a refused one it would mislead.
    let last_failed = refresh.data.as_ref().is_some_and(|outcome| !outcome.ok);
    let rotated = tokens.as_ref().and_then(|t| t.refresh_rotated).filter(|_| !last_failed);

    html! {
        <Panel step={7} title="Refresh"
               lede="The refresh token buys new tokens without the user. With rotation, each \
                     refresh also replaces the refresh token, and reusing an old one is caught.">
            <div class="card">
                { select("refresh_client_auth", "Client authentication",
                         client_auth_value(*method), &CLIENT_AUTH, on_method) }
                <TargetFields audience={target.audience.clone()}
                              resources={target.resources.clone()} error={refresh.error.clone()}
                              onedit={on_target} why={WHY_NAME_AN_API} />
                if !has_refresh {
                    <p class="help">{ "No refresh token held: ask for the offline_access scope." }</p>
                }
                <ListErrors error={refresh.error.clone()} beside={vec!["audience", "resources"]} />
                <div class="actions">
                    <SubmitButton id="refresh" label="Refresh" busy={refresh.busy} class="primary"
                                  busy_label="Calling the token endpoint" onclick={run(false)} />
                    <button type="button" class="quiet" id="replay" onclick={run(true)}
                            disabled={refresh.busy || !has_previous}>
                        { "Reuse the old refresh token" }</button>
                </div>
                if let Some(rotated) = rotated {
                    <p class="verdict">{ if rotated {
                        "Rotation: the provider sent a new refresh token; the old one is now spent."
                    } else {
                        "No rotation: the provider kept the same refresh token."
                    } }</p>
                }
            </div>
            if let Some(outcome) = &refresh.data {
                <OutcomeView outcome={(**outcome).clone()} />
            }
            if !changes.is_empty() {
                <table class="compare">
                    <caption>{ "Before and after" }</caption>
                    <thead><tr><th scope="col">{ "" }</th><th scope="col">{ "Before" }</th>
                        <th scope="col">{ "After" }</th></tr></thead>
                    <tbody>
                        { for changes.iter().map(|change| html! {
                            <tr class={classes!(change.changed().then_some("changed"))}>
                                <th scope="row">{ &change.what }
                                    if change.changed() {
                                        <span class="badge">{ "changed" }</span>
                                    }</th>
                                <td><code>{ &change.before }</code></td>
                                <td><code>{ &change.after }</code></td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
        </Panel>
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn jwt(claims: &str) -> Option<JwtView> {
        let raw =
            format!("{}.{}.sig", URL_SAFE_NO_PAD.encode("{}"), URL_SAFE_NO_PAD.encode(claims));
        Some(JwtView { raw, is_jwt: true, header: vec![], claims: vec![] })
    }

    #[wasm_bindgen_test]
    fn compare_marks_what_a_refresh_changed() {
        let before = TokenSetView {
            access_token: jwt(r#"{"iat":100,"exp":400,"jti":"a"}"#),
            refresh_token: Some("refresh-one".into()),
            scope: vec!["openid".into()],
            ..TokenSetView::default()
        };
        let after = TokenSetView {
            access_token: jwt(r#"{"iat":200,"exp":500,"jti":"b"}"#),
            refresh_token: Some("refresh-two".into()),
            scope: vec!["openid".into()],
            ..TokenSetView::default()
        };

        let changed: Vec<String> =
            compare(&before, &after).into_iter().filter(Change::changed).map(|c| c.what).collect();

        assert_eq!(
            changed,
            [
                "access token",
                "access token iat",
                "access token exp",
                "access token jti",
                "refresh token"
            ]
        );
    }

    #[wasm_bindgen_test]
    fn shorten_keeps_both_ends_of_a_long_token() {
        assert_eq!(shorten("abcdefgh1234567890ijklmnop"), "abcdefgh…ijklmnop");
        assert_eq!(shorten("short"), "short");
    }
}
