//! The redirect URI, `{public_url}/callback`: the authorization response in every response
//! mode (RFC 6749 §4.1.2; Multiple Response Types §2.1; Form Post Response Mode §2).
//!
//! `GET` with a query and `POST` with a form are read here; `GET` with neither answers a tiny
//! page that posts `location.hash` to `POST /api/callback`. Each ends at the workbench (`/`).

use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, RawQuery, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
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

/// A small page of ours, with a policy that runs only its inline `scripts`. It may carry a
/// code or tokens: no cache keeps it and no `Referer` repeats its URL.
fn page(html: String, scripts: &[&str]) -> Response {
    let mut response = Html(html).into_response();
    let headers = response.headers_mut();
    headers.insert(csp::HEADER, csp::app_policy(scripts));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

/// The longest callback query the sandbox reads, in bytes. An authorization response holds a
/// code, `state`, `iss` and perhaps an error description: a few hundred bytes. Anything far
/// longer is not a response a provider would send, and every byte of it would be kept in the
/// learner's session timeline.
pub const MAX_QUERY_BYTES: usize = 8 * 1024;

/// A refusal at the redirect URI, as a page of ours: the browser lands here, so it reads
/// HTML, under the same policy and headers as the other callback pages, never axum's text.
pub fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=en><meta charset=utf-8><title>Grantlab callback</title>\
         {NO_FAVICON}<h1>{title}</h1><p role=alert>{message}</p>\
         <p><a href=\"/\">Back to the workbench</a></p>",
        title = escape(title),
        message = escape(message),
    );
    let mut response = page(html, &[]);
    *response.status_mut() = status;
    response
}

/// The page that reads the fragment, which never reaches the server by itself.
fn fragment_page() -> Response {
    let html = format!(
        "<!doctype html><html lang=en><meta charset=utf-8><title>Grantlab callback</title>\
         {NO_FAVICON}<p>Reading the authorization response...</p>\
         <script>{FRAGMENT_SCRIPT}</script>"
    );
    page(html, &[FRAGMENT_SCRIPT])
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
    if query.len() > MAX_QUERY_BYTES {
        // Past 64 KiB hyper refuses the request line before any route runs; the accept loop
        // answers that with a page too (`serve::long_uri`).
        let message = format!(
            "the query is {} bytes; the sandbox reads at most {MAX_QUERY_BYTES}. An \
             authorization response (RFC 6749 \u{a7}4.1.2) holds a code, state and iss, a few \
             hundred bytes, and each byte would be kept in your session's timeline.",
            query.len()
        );
        return Ok(error_page(StatusCode::URI_TOO_LONG, "Callback query too long", &message));
    }

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
    headers: HeaderMap,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, ClientError> {
    let mut params = match form {
        Ok(Form(params)) => params,
        Err(rejection) => return Ok(unreadable_form(&headers, &rejection)),
    };
    let relayed = params.iter().any(|(name, _)| name == RELAY);
    params.retain(|(name, _)| name != RELAY);
    let has_flow = ClientSession::load(&session).await?.flow.is_some();
    if !has_flow && !relayed {
        return Ok(page(relay_page(&params), &[RELAY_SCRIPT]));
    }

    receive(&state, &session, ResponseMode::FormPost, "POST", params).await?;
    Ok(Redirect::to("/").into_response())
}

/// A `POST /callback` whose body is not a form: the page names what form_post sends.
fn unreadable_form(headers: &HeaderMap, rejection: &FormRejection) -> Response {
    let sent = headers.get(CONTENT_TYPE).and_then(|value| value.to_str().ok());
    let sent = sent.map_or("no content type".to_owned(), |value| format!("`{value}`"));
    match rejection {
        FormRejection::InvalidFormContentType(_) => {
            let message = format!(
                "form_post delivers the authorization response as an HTML form, so the body \
                 must be application/x-www-form-urlencoded (Form Post Response Mode \u{a7}2); \
                 this request sent {sent}."
            );
            error_page(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Callback body is not a form", &message)
        }
        other => {
            let message = format!(
                "the form_post body cannot be read as application/x-www-form-urlencoded \
                 fields: {}",
                other.body_text()
            );
            error_page(StatusCode::BAD_REQUEST, "Callback form unreadable", &message)
        }
    }
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
    // Step 1: a response to a request a newer one replaced (another tab) resumes that
    // request; then the front-channel message is recorded, saying so.
    let mut data = ClientSession::load(session).await?;
    let found = params.iter().find(|(name, _)| name == "state").map(|(_, value)| value.as_str());
    let resumed = found.is_some_and(|found| data.resume_flow(found));
    let mut entry = front_entry(method, &state.redirect_uri(), mode, &cap_params(&params));
    if resumed {
        entry.label.push_str(
            ": it answers an earlier request that a newer one replaced, which waits in its turn",
        );
    }
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

    // Step 3: a callback the flow does not wait for (a reload, a forgery, a stray post) is
    // judged, shown and kept in the timeline, but leaves the code and status an earlier one
    // brought.
    if !view.state_check.passed && data.status != FlowStatus::AwaitingCallback {
        for entry in recorded {
            data.keep_state_verdict(entry, false);
        }
        data.callback = Some(view);
        data.save(session).await?;
        return Ok(());
    }

    // Step 4: the callback the flow waits for: keep its code and tokens, or its failure.
    data.code = None;
    if let Some(flow) = data.flow.as_mut().filter(|_| view.state_check.passed) {
        flow.state_used = true;
    }
    if view.state_check.passed && view.error.is_none() {
        data.code = params.iter().find(|(name, _)| name == "code").map(|(_, code)| code.clone());
        data.front_tokens = ["id_token", "access_token"]
            .into_iter()
            .filter_map(|name| params.iter().find(|(key, _)| key == name))
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

    // Step 5: redeem at once when the learner chose to.
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
        found: found.map_or_else(|| "no state".into(), |found| cap_text(&found)),
    };

    let error = value("error").map(|error| grantlab_shared::ProviderError {
        error: cap_text(&error).into(),
        error_description: value("error_description").map(|text| cap_text(&text)),
        error_uri: value("error_uri").map(|text| cap_text(&text)),
    });
    let code_received = passed && error.is_none() && value("code").is_some();
    CallbackView {
        response_mode: mode,
        params: cap_params(params).into_iter().map(|(name, value)| Param { name, value }).collect(),
        state_check,
        error,
        code_received,
    }
}

/// The most parameters of one callback kept for show (view and timeline).
const KEPT_PARAMS: usize = 16;

/// The most bytes of one parameter's name or value kept for show.
const KEPT_VALUE: usize = 1024;

/// The most bytes of all names and values kept for show, so that one callback stays a small
/// part of the session's budget and cannot push every other entry out of the timeline.
const KEPT_PARAMS_BYTES: usize = 3 * 1024;

/// The parameters as shown: each name and value cut to [`KEPT_VALUE`], at most
/// [`KEPT_PARAMS`] of them within [`KEPT_PARAMS_BYTES`], and then a `[cut]` one saying so.
fn cap_params(params: &[(String, String)]) -> Vec<(String, String)> {
    let mut kept = Vec::new();
    let mut bytes = 0;
    for (name, value) in params {
        let (name, value) = (cap_text(name), cap_text(value));
        bytes += name.len() + value.len();
        if kept.len() == KEPT_PARAMS || bytes > KEPT_PARAMS_BYTES {
            break;
        }
        kept.push((name, value));
    }

    if kept.len() < params.len() {
        let note = format!("cut at {} of {} parameters", kept.len(), params.len());
        kept.push(("[cut]".to_owned(), note));
    }
    kept
}

/// A name or value cut to [`KEPT_VALUE`] bytes (on a character boundary), saying so.
fn cap_text(text: &str) -> String {
    if text.len() <= KEPT_VALUE {
        return text.to_owned();
    }

    let mut end = KEPT_VALUE;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{} [cut at {end} of {} bytes]", &text[..end], text.len())
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
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;
    use crate::provider::keys::KEY_FILE;
    use crate::provider::tests::test_pem;
    use crate::{Config, Site};

    /// The whole app on a throwaway data folder, its status and body for `request`.
    async fn send(request: Request<Body>) -> (StatusCode, HeaderMap, String) {
        let data = tempfile::tempdir().unwrap();
        std::fs::write(data.path().join(KEY_FILE), test_pem()).unwrap();
        let mut config = Config::with_defaults();
        config.data_dir = data.path().to_path_buf();
        config.dist = data.path().join("no-dist");
        let app = crate::app(Site::new(config, "http://127.0.0.1:9".to_owned())).await.unwrap();
        let response = app.oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
        (parts.status, parts.headers, String::from_utf8_lossy(&bytes).into_owned())
    }

    #[tokio::test]
    async fn form_post_with_a_json_body_is_our_page_naming_the_form_encoding() {
        let request = Request::post("/callback")
            .header(CONTENT_TYPE, "application/json")
            .body(Body::from("{\"code\":\"x\"}"))
            .unwrap();

        let (status, headers, body) = send(request).await;

        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert!(headers[CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
        assert!(headers.contains_key(csp::HEADER));
        assert!(body.contains("application/x-www-form-urlencoded"), "{body}");
        assert!(body.contains("`application/json`"), "{body}");
    }

    #[tokio::test]
    async fn a_callback_query_over_the_limit_is_our_page_naming_the_limit() {
        let query = format!("code=abc&state={}", "s".repeat(MAX_QUERY_BYTES));
        let request = Request::get(format!("/callback?{query}")).body(Body::empty()).unwrap();

        let (status, headers, body) = send(request).await;

        assert_eq!(status, StatusCode::URI_TOO_LONG);
        assert!(headers[CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
        assert!(headers.contains_key(csp::HEADER));
        assert!(body.contains(&format!("at most {MAX_QUERY_BYTES}")), "{body}");
    }

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
    fn a_long_value_is_cut_with_a_marker_naming_its_size() {
        let long = "x".repeat(200 * 1024);
        let view = read(ResponseMode::Fragment, &pairs(&format!("state=junk&x={long}")), None);

        let x = view.params.iter().find(|param| param.name == "x").unwrap();
        assert!(x.value.ends_with("[cut at 1024 of 204800 bytes]"), "{}", &x.value[1000..]);
        assert!(serde_json::to_vec(&view).unwrap().len() < 4 * 1024);
    }

    #[test]
    fn many_params_are_cut_at_a_count_with_a_marker() {
        let many = (0..100_000).map(|n| format!("p{n}=v")).collect::<Vec<_>>().join("&");
        let view = read(ResponseMode::Query, &pairs(&many), None);

        assert_eq!(view.params.len(), KEPT_PARAMS + 1);
        let marker = view.params.last().unwrap();
        assert_eq!(marker.value, format!("cut at {KEPT_PARAMS} of 100000 parameters"));
    }

    #[test]
    fn params_past_the_byte_budget_are_cut() {
        let value = "y".repeat(KEPT_VALUE);
        let params: Vec<_> = (0..8).map(|n| (format!("p{n}"), value.clone())).collect();

        let kept = cap_params(&params);

        let bytes: usize = kept.iter().map(|(name, value)| name.len() + value.len()).sum();
        assert!(bytes <= KEPT_PARAMS_BYTES + 64, "{bytes}");
        assert_eq!(kept.last().unwrap().1, "cut at 2 of 8 parameters");
    }

    #[test]
    fn a_response_with_no_request_pending_fails_the_state_check() {
        let view = read(ResponseMode::Query, &pairs("code=abc&state=sent"), None);

        assert!(!view.state_check.passed);
    }
}
