//! The redirect URI, `{public_url}/callback`: the authorization response in every response
//! mode (RFC 6749 §4.1.2; Multiple Response Types §2.1; Form Post Response Mode §2).
//!
//! `GET` with a query and `POST` with a form are read here; `GET` with neither answers a tiny
//! page that posts `location.hash` to `POST /api/callback`. Each ends at the workbench (`/`).

use std::sync::Arc;

use axum::extract::{Form, RawQuery, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use grantlab_shared::{
    CallbackView, Channel, Check, FlowStatus, Param, ResponseMode, TimelineEntry,
};
use oauth2::CsrfToken;
use tower_sessions::Session;

use crate::csp;
use crate::web::NO_FAVICON;

use super::ClientState;
use super::error::ClientError;
use super::http::request_entry;
use super::state::ClientSession;

/// Hands the fragment to the backend, then goes to the workbench. No token is logged here.
const FRAGMENT_SCRIPT: &str = "fetch('/api/callback',{method:'POST',\
headers:{'content-type':'application/json'},\
body:JSON.stringify({fragment:location.hash.slice(1)})})\
.finally(function(){location.replace('/')});";

/// Submits the relay form as soon as the page loads.
const RELAY_SCRIPT: &str = "document.forms[0].submit()";

/// A small page of ours, with a policy that runs only its one inline script.
fn page(html: String, script: &str) -> Response {
    let mut response = Html(html).into_response();
    response.headers_mut().insert(csp::HEADER, csp::app_policy(&[script]));
    response
}

/// The page that reads the fragment, which never reaches the server by itself.
fn fragment_page() -> Response {
    let html = format!(
        "<!doctype html><html lang=en><meta charset=utf-8><title>Grantlab callback</title>\
         {NO_FAVICON}<p>Reading the authorization response...</p>\
         <script>{FRAGMENT_SCRIPT}</script>"
    );
    page(html, FRAGMENT_SCRIPT)
}

/// RFC 6749 §4.1.2: the response in the query; with no query, the fragment page.
pub async fn get(
    State(state): State<Arc<ClientState>>,
    session: Session,
    RawQuery(query): RawQuery,
) -> Result<Response, ClientError> {
    let Some(query) = query.filter(|query| !query.is_empty()) else {
        return Ok(fragment_page());
    };

    let params = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    receive(&state, &session, ResponseMode::Query, "GET", params).await?;
    Ok(Redirect::to("/").into_response())
}

/// Form Post Response Mode §2: the response as an auto-submitted form.
///
/// A provider on another site posts cross-site, and a SameSite=Lax cookie does not travel
/// with that; when no flow is found, the form is posted once more from our own origin.
pub async fn post(
    State(state): State<Arc<ClientState>>,
    session: Session,
    Form(mut params): Form<Vec<(String, String)>>,
) -> Result<Response, ClientError> {
    let relayed = params.iter().any(|(name, _)| name == RELAY);
    params.retain(|(name, _)| name != RELAY);
    let has_flow = ClientSession::load(&session).await?.flow.is_some();
    if !has_flow && !relayed {
        return Ok(page(relay_page(&params), RELAY_SCRIPT));
    }

    receive(&state, &session, ResponseMode::FormPost, "POST", params).await?;
    Ok(Redirect::to("/").into_response())
}

/// The field that marks a form_post relayed from our own origin.
const RELAY: &str = "grantlab_relay";

/// A page that posts `params` again to the callback, same-site, so the cookie comes along.
fn relay_page(params: &[(String, String)]) -> String {
    let mut page = String::from(
        "<!doctype html><html lang=en><meta charset=utf-8><title>Grantlab callback</title>\
         <link rel=icon href=\"data:,\"><form method=post action=\"/callback\">",
    );
    for (name, value) in params {
        page.push_str(&format!(
            "<input type=hidden name=\"{}\" value=\"{}\">",
            escape(name),
            escape(value)
        ));
    }
    page.push_str(&format!(
        "<input type=hidden name=\"{RELAY}\" value=\"1\"><noscript><button>Continue</button>\
         </noscript></form><script>{RELAY_SCRIPT}</script>"
    ));
    page
}

/// Escapes text for an HTML attribute.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Records the response, checks state, keeps the code and, when asked, redeems it.
pub async fn receive(
    state: &ClientState,
    session: &Session,
    mode: ResponseMode,
    method: &str,
    params: Vec<(String, String)>,
) -> Result<(), ClientError> {
    // Step 1: record the front-channel message.
    let mut data = ClientSession::load(session).await?;
    let entry = front_entry(method, &state.redirect_uri(), mode, &params);
    let recorded = data.record(vec![entry]);

    // Step 2: check state against the one sent, and read the rest (RFC 6749 §4.1.2); a state
    // a callback has consumed waits for nothing more (§10.12).
    // MISCHIEF (issue 6): the state-mismatch scenario makes the expected state differ.
    let tamper = crate::lessons::mischief::current(session).await.tamper_state;
    let expected = data
        .flow
        .as_ref()
        .filter(|flow| !flow.state_used)
        .map(|flow| crate::lessons::mischief::expected(&flow.state, tamper));
    let view = read(mode, &params, expected.as_deref());
    data.code = None;
    if let Some(flow) = data.flow.as_mut().filter(|_| view.state_check.passed) {
        flow.state_used = true;
    }
    if view.state_check.passed && view.error.is_none() {
        data.code = params.iter().find(|(name, _)| name == "code").map(|(_, code)| code.clone());
        data.front_tokens = params
            .iter()
            .filter(|(name, _)| matches!(name.as_str(), "id_token" | "access_token"))
            .map(|(name, value)| Param { name: name.clone(), value: value.clone() })
            .collect();
    }
    data.status =
        if data.code.is_some() { FlowStatus::CodeReceived } else { FlowStatus::CallbackFailed };
    for entry in recorded {
        data.keep_state_verdict(entry, view.state_check.passed);
    }
    data.callback = Some(view);
    let auto_redeem = data.flow.as_ref().is_some_and(|flow| flow.auto_redeem);
    data.save(session).await?;

    // Step 3: redeem at once when the learner chose to.
    if auto_redeem && data.code.is_some() {
        let request = grantlab_shared::RedeemRequest::default();
        super::token::redeem(state, session, request).await?;
    }
    Ok(())
}

/// Reads an authorization response: the state check, the error, whether a code came.
pub fn read(
    mode: ResponseMode,
    params: &[(String, String)],
    expected_state: Option<&str>,
) -> CallbackView {
    let value = |name: &str| params.iter().find(|(key, _)| key == name).map(|(_, v)| v.clone());

    // The state check compares in constant time through oauth2's CsrfToken.
    let found = value("state");
    let passed = match (&found, expected_state) {
        (Some(found), Some(expected)) => {
            CsrfToken::new(found.clone()) == CsrfToken::new(expected.to_owned())
        }
        _ => false,
    };
    let state_check = Check {
        id: "state".into(),
        spec: "RFC 6749 §4.1.2 and §10.12: state must equal the value sent".into(),
        passed,
        expected: expected_state.map_or_else(
            || {
                "no authorization request is waiting for this state: compose one; a state is \
                 used once"
                    .into()
            },
            str::to_owned,
        ),
        found: found.unwrap_or_else(|| "no state".into()),
    };

    let error = value("error").map(|error| grantlab_shared::ProviderError {
        error: error.into(),
        error_description: value("error_description"),
        error_uri: value("error_uri"),
    });
    let code_received = passed && error.is_none() && value("code").is_some();
    CallbackView {
        response_mode: mode,
        params: params
            .iter()
            .map(|(name, value)| Param { name: name.clone(), value: value.clone() })
            .collect(),
        state_check,
        error,
        code_received,
    }
}

/// The timeline entry of a front-channel response.
fn front_entry(
    method: &str,
    redirect_uri: &str,
    mode: ResponseMode,
    params: &[(String, String)],
) -> TimelineEntry {
    let encoded =
        url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
    let (url, body) = match mode {
        ResponseMode::Query => (format!("{redirect_uri}?{encoded}"), None),
        ResponseMode::Fragment => (format!("{redirect_uri}#{encoded}"), None),
        ResponseMode::FormPost => (redirect_uri.to_owned(), Some(encoded)),
    };
    let label = format!("authorization response ({})", mode.as_str());
    request_entry(Channel::Front, label, method, url, Vec::new(), body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        url::form_urlencoded::parse(text.as_bytes()).into_owned().collect()
    }

    #[test]
    fn state_mismatch_fails_the_check_and_keeps_no_code() {
        let view = read(ResponseMode::Query, &pairs("code=abc&state=forged"), Some("sent"));

        assert!(!view.state_check.passed);
        assert!(!view.code_received);
        assert_eq!(view.state_check.found, "forged");
    }

    #[test]
    fn matching_state_with_a_code_is_received() {
        let view = read(ResponseMode::FormPost, &pairs("code=abc&state=sent"), Some("sent"));

        assert!(view.state_check.passed);
        assert!(view.code_received);
    }

    #[test]
    fn relay_page_escapes_values_and_marks_the_relay() {
        let page = relay_page(&pairs("code=a%22b%3C&state=s"));

        assert!(page.contains("value=\"a&quot;b&lt;\""), "{page}");
        assert!(page.contains(&format!("name=\"{RELAY}\"")));
    }

    #[test]
    fn a_response_with_no_request_pending_fails_the_state_check() {
        let view = read(ResponseMode::Query, &pairs("code=abc&state=sent"), None);

        assert!(!view.state_check.passed);
    }
}
