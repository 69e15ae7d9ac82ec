//! Step 5: the token set, the ID token decoded and validated (OIDC Core §3.1.3.7), the access
//! token shown as a client should treat it.

use yew::prelude::*;

use crate::api;
use crate::app::Route;
use crate::components::{
    CheckItem, Checklist, Countdown, JwtView, ListErrors, OutcomeView, Panel, SubmitButton,
};
use crate::hooks::{use_request, use_workbench};
use crate::jwt;
use crate::router::Link;
use grantlab_shared::{ClientAuthMethod, Outcome, TokenKind, TokenRequest, TokenSetView};

/// The access token's lifetime in seconds: `expires_in` as received, else the JWT's `exp - iat`.
pub fn lifetime(tokens: &TokenSetView) -> Option<i64> {
    if let Some(expires_in) = tokens.expires_in {
        return i64::try_from(expires_in).ok();
    }

    // A token response without `expires_in`: the JWT's own claims, when it has them.
    let raw = &tokens.access_token.as_ref()?.raw;
    let claims = jwt::decode(raw).ok()?.payload;
    Some(claims.get("exp")?.as_i64()? - claims.get("iat")?.as_i64()?)
}

/// Step 5: ID token claims explained with its checklist; the access token opaque, with a
/// labelled way to look inside; a live countdown to its expiry.
#[component]
pub fn Tokens() -> Html {
    // Hooks.
    let workbench = use_workbench();
    let look_inside = use_state(|| false);
    let ask = use_request::<Outcome>();

    // Callbacks.
    let toggle = {
        let look_inside = look_inside.clone();
        Callback::from(move |_| look_inside.set(!*look_inside))
    };

    let act = |revoke: bool, token: TokenKind| {
        let ask = ask.clone();
        Callback::from(move |_: MouseEvent| {
            let body = TokenRequest { token, client_auth: ClientAuthMethod::default() };
            if revoke {
                ask.run(async move { api::revoke(&body).await });
            } else {
                ask.run(async move { api::introspect(&body).await });
            }
        })
    };

    // Derived values.
    let Some(tokens) = workbench.session.as_ref().and_then(|session| session.tokens.clone()) else {
        return html! {
            <Panel step={5} title="Tokens" lede="No tokens yet.">
                <p class="empty">
                    <Link<Route> to={Route::Redeem}>{ "Redeem a code" }</Link<Route>>
                    { " to get some." }</p>
            </Panel>
        };
    };
    let checks: Vec<CheckItem> = tokens.id_token_checks.iter().map(CheckItem::from).collect();

    html! {
        <Panel step={5} title="Tokens"
               lede="The ID token tells the client who logged in; the access token is for the \
                     API, and the client treats it as an opaque string.">
            if let Some(id_token) = &tokens.id_token {
                <JwtView token={id_token.raw.clone()} title="ID token" />
                if !checks.is_empty() {
                    <Checklist title="ID token validation (OIDC Core §3.1.3.7)" {checks} />
                }
            }
            if let Some(access) = &tokens.access_token {
                <section class="card" aria-labelledby="access-title">
                    <h3 id="access-title">{ "Access token" }</h3>
                    <p class="token opaque" id="access-token"><code>{ &access.raw }</code></p>
                    <dl class="facts">
                        if let Some(kind) = &tokens.token_type {
                            <dt>{ "token_type" }</dt><dd><code>{ kind }</code></dd>
                        }
                        <dt>{ "scope (granted)" }</dt>
                        <dd><code>{ tokens.scope.join(" ") }</code></dd>
                        if let Some(expires_at) = tokens.expires_at {
                            <dt>{ "expires" }</dt>
                            <dd><Countdown expires_at={expires_at as i64}
                                    lifetime={lifetime(&tokens).unwrap_or(3600)} /></dd>
                        }
                    </dl>
                    if access.is_jwt {
                        <button type="button" class="quiet" onclick={toggle}
                                aria-expanded={look_inside.to_string()} aria-controls="inside">
                            { "Look inside (an API's view; a client must not rely on this)" }
                        </button>
                        if *look_inside {
                            <div id="inside">
                                <JwtView token={access.raw.clone()}
                                         title="Access token, as the API reads it" />
                            </div>
                        }
                    } else {
                        <p class="help">{ "Not a JWT: only the provider can say what it means \
                            (userinfo, introspection)." }</p>
                    }
                </section>
            }
            if let Some(refresh) = &tokens.refresh_token {
                <section class="card" aria-labelledby="refresh-title">
                    <h3 id="refresh-title">{ "Refresh token" }</h3>
                    <p class="token opaque"><code>{ refresh }</code></p>
                    <p class="help">{ "Only for the token endpoint. Never sent to an API." }</p>
                </section>
            }
            if !tokens.extra.is_empty() {
                <section class="card">
                    <h3>{ "Other members of the token response" }</h3>
                    <dl class="facts">
                        { for tokens.extra.iter().map(|param| html! {
                            <><dt><code>{ &param.name }</code></dt>
                              <dd><code>{ &param.value }</code></dd></>
                        }) }
                    </dl>
                </section>
            }
            <section class="card" aria-labelledby="ask-title">
                <h3 id="ask-title">{ "Ask the provider" }</h3>
                <p class="help">{ "Introspection (RFC 7662) tells whether a token is active; \
                    revocation (RFC 7009) ends it." }</p>
                <ListErrors error={ask.error.clone()} />
                <div class="actions">
                    <SubmitButton label="Introspect the access token" busy={ask.busy}
                                  busy_label="Asking the provider" class="quiet"
                                  onclick={act(false, TokenKind::AccessToken)} />
                    <button type="button" class="quiet" disabled={ask.busy}
                            onclick={act(true, TokenKind::AccessToken)}>
                        { "Revoke the access token" }</button>
                    if tokens.refresh_token.is_some() {
                        <button type="button" class="quiet" disabled={ask.busy}
                                onclick={act(true, TokenKind::RefreshToken)}>
                            { "Revoke the refresh token" }</button>
                    }
                </div>
                if let Some(outcome) = &ask.data {
                    <OutcomeView outcome={(**outcome).clone()} />
                }
            </section>
            <p class="next"><Link<Route> to={Route::CallApi} classes="button primary">
                { "Next: call the API" }</Link<Route>></p>
        </Panel>
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use grantlab_shared::JwtView;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn with_jwt(claims: &str, expires_in: Option<u64>) -> TokenSetView {
        let raw =
            format!("{}.{}.sig", URL_SAFE_NO_PAD.encode("{}"), URL_SAFE_NO_PAD.encode(claims));
        let access_token = Some(JwtView { raw, is_jwt: true, header: vec![], claims: vec![] });
        TokenSetView { access_token, expires_in, ..TokenSetView::default() }
    }

    #[wasm_bindgen_test]
    fn lifetime_is_expires_in_as_received() {
        let tokens = with_jwt(r#"{"iat":100,"exp":400}"#, Some(10));

        assert_eq!(lifetime(&tokens), Some(10));
    }

    #[wasm_bindgen_test]
    fn lifetime_falls_back_to_the_jwts_own_claims_without_expires_in() {
        let tokens = with_jwt(r#"{"iat":100,"exp":400}"#, None);

        assert_eq!(lifetime(&tokens), Some(300));
    }
}
