//! Component tests: each component mounted in the page, the scheduler flushed, the DOM read.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use grantlab_shared::ApiError;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::Element;
use yew::prelude::*;

use super::checklist::ChecklistProps;
use super::field::TextFieldProps;
use super::jwt_view::JwtViewProps;
use super::list_errors::ListErrorsProps;
use super::timeline::TimelineProps;
use super::url_preview::UrlPreviewProps;
use super::*;
use crate::error::Error;

/// Mounts `C` with `props` in a fresh `<div>` and waits until it has rendered.
async fn render<C>(props: C::Properties) -> Element
where
    C: BaseComponent,
{
    let document = web_sys::window().and_then(|w| w.document()).expect("a browser document");
    let root = document.create_element("div").expect("a div");
    document.body().expect("a body").append_child(&root).expect("the div in the body");

    yew::Renderer::<C>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    root
}

fn all(root: &Element, selector: &str) -> Vec<Element> {
    let found = root.query_selector_all(selector).expect("a valid selector");
    (0..found.length())
        .filter_map(|at| found.item(at))
        .filter_map(|node| wasm_bindgen::JsCast::dyn_into::<Element>(node).ok())
        .collect()
}

fn text(root: &Element, selector: &str) -> String {
    root.query_selector(selector)
        .expect("a valid selector")
        .and_then(|element| element.text_content())
        .unwrap_or_default()
}

fn field_error(field: &str) -> Error {
    let body = ApiError {
        error: "invalid_field".into(),
        message: "expected an https URL".into(),
        field: Some(field.into()),
    };
    Error::Api { status: 422, body }
}

#[wasm_bindgen_test]
async fn checklist_shows_expected_and_found_of_a_failed_check() {
    let checks = vec![
        CheckItem {
            id: "id_token.iss".into(),
            spec: "OIDC Core §3.1.3.7 step 2".into(),
            passed: true,
            expected: Some("http://h/idp".into()),
            found: Some("http://h/idp".into()),
            detail: None,
        },
        CheckItem {
            id: "id_token.nonce".into(),
            spec: "OIDC Core §3.1.3.7 step 11".into(),
            passed: false,
            expected: Some("n-1".into()),
            found: Some("n-2".into()),
            detail: None,
        },
    ];

    let root = render::<Checklist>(ChecklistProps { title: "ID token".into(), checks }).await;

    assert_eq!(all(&root, "li.pass").len(), 1);
    let failed = all(&root, "li.fail");
    assert_eq!(failed.len(), 1);
    let failed = failed[0].text_content().unwrap_or_default();
    assert!(failed.contains("id_token.nonce failed"), "{failed}");
    assert!(failed.contains("n-1") && failed.contains("n-2"), "{failed}");
    assert_eq!(text(&root, ".tally"), "1 check failed");
}

#[wasm_bindgen_test]
async fn url_preview_ties_each_parameter_to_its_explanation() {
    let url = "http://h/idp/authorize?response_type=code&state=abc&ui_locales=fr".into();
    let explained = vec![Explained {
        name: "state".into(),
        meaning: "From the backend.".into(),
        spec: "RFC 6749 §10.12".into(),
    }];

    let root = render::<UrlPreview>(UrlPreviewProps { url, explained }).await;

    let marks = all(&root, ".param");
    assert_eq!(marks.len(), 3);
    for mark in &marks {
        assert_eq!(mark.get_attribute("tabindex").as_deref(), Some("0"));
        let tip = mark.get_attribute("aria-describedby").expect("aria-describedby");
        let tip = root.query_selector(&format!("#{tip}")).unwrap().expect("the tip exists");
        assert_eq!(tip.get_attribute("role").as_deref(), Some("tooltip"));
    }
    assert!(text(&root, "[data-name=state] .tip").contains("From the backend."));
    assert!(text(&root, "[data-name=response_type] .tip").contains("RFC 6749 §3.1.1"));
    assert!(text(&root, "[data-name=ui_locales] .tip").contains("extra parameter"));
}

#[wasm_bindgen_test]
async fn timeline_puts_each_message_in_its_lane_with_copy_as_curl() {
    let message = |id: &str, lane: Lane, title: &str| Message {
        id: id.into(),
        lane,
        title: title.into(),
        method: "POST".into(),
        url: "http://h/idp/token".into(),
        request_headers: vec![("Authorization".into(), "Basic [client_secret]".into())],
        request_body: Some("grant_type=authorization_code".into()),
        status: Some(200),
        response_headers: vec![],
        response_body: Some("{}".into()),
        duration_ms: Some(12),
        curl: None,
        deviations: vec![],
        at: Some("16:07:03".into()),
    };
    let mut bent = message("2", Lane::Back, "Token request");
    bent.deviations = vec!["`expires_in`: expected a number, found \"300\".".into()];
    let messages = vec![message("1", Lane::Front, "Authorization request"), bent];

    let root = render::<Timeline>(TimelineProps { messages }).await;

    assert!(text(&root, "li.message.front .title").contains("Authorization request"));
    assert!(text(&root, "li.message.back .title").contains("Token request"));
    assert_eq!(all(&root, "li.message details").len(), 2);
    let buttons = all(&root, ".copy button");
    assert_eq!(buttons.len(), 2);
    assert_eq!(buttons[0].text_content().as_deref(), Some("Copy as curl"));
    assert!(text(&root, "li.message.back summary").contains("bends the spec"));
    assert_eq!(text(&root, "li.message.back .problems code"), "expires_in");
    assert!(text(&root, "li.message.front .exchange").contains("Sent at 16:07:03 UTC"));
}

#[wasm_bindgen_test]
async fn jwt_view_explains_claims_and_shows_times_as_dates() {
    let exp = crate::time::now() + 300;
    let token = format!(
        "{}.{}.c2ln",
        URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#),
        URL_SAFE_NO_PAD.encode(format!(r#"{{"sub":"alice","exp":{exp},"x_custom":1}}"#))
    );

    let root =
        render::<JwtView>(JwtViewProps { token: token.into(), title: "ID token".into() }).await;

    let rows = all(&root, "tr");
    let exp_row = rows
        .iter()
        .find(|row| text(row, "th") == "exp")
        .and_then(|row| row.text_content())
        .expect("an exp row");
    assert!(exp_row.contains("UTC"), "{exp_row}");
    assert!(exp_row.contains("in 5 minutes") || exp_row.contains("in 4 minutes"), "{exp_row}");
    assert!(exp_row.contains("RFC 7519 §4.1.4"), "{exp_row}");
    let custom = rows.iter().find(|row| text(row, "th") == "x_custom").expect("a custom row");
    assert!(custom.text_content().unwrap_or_default().contains("Not a registered claim"));
}

#[wasm_bindgen_test]
async fn an_opaque_token_is_not_decoded() {
    let props = JwtViewProps { token: "2YotnFZFEjr1zCsicMWpAA".into(), title: "Access".into() };

    let root = render::<JwtView>(props).await;

    assert!(all(&root, "table").is_empty());
    assert!(text(&root, ".note").contains("not a JWT"));
}

#[wasm_bindgen_test]
async fn a_field_error_shows_on_its_field_and_not_in_the_general_list() {
    let error = Some(field_error("source.issuer"));

    let field = render::<TextField>(TextFieldProps {
        field: "source.issuer".into(),
        label: "Issuer URL".into(),
        value: "http://x".into(),
        oninput: Callback::noop(),
        error: error.clone(),
        help: None,
        kind: "url".into(),
        autocomplete: "off".into(),
        placeholder: None,
    })
    .await;
    let general =
        render::<ListErrors>(ListErrorsProps { error, beside: vec!["source.issuer"] }).await;

    let input = field.query_selector("input").unwrap().expect("an input");
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    assert_eq!(input.get_attribute("aria-describedby").as_deref(), Some("source-issuer-error"));
    assert_eq!(text(&field, "#source-issuer-error"), "expected an https URL");
    assert_eq!(text(&field, "label"), "Issuer URL");
    assert!(all(&general, "[role=alert]").is_empty());
}

#[wasm_bindgen_test]
async fn a_general_error_is_an_alert_with_its_code() {
    let error = Some(Error::Decode { status: 200, message: "missing field `url`".into() });

    let root = render::<ListErrors>(ListErrorsProps { error, beside: Vec::new() }).await;

    let alert = text(&root, "[role=alert]");
    assert!(alert.contains("unexpected answer (HTTP 200)"), "{alert}");
    assert!(alert.contains("missing field url"), "{alert}");
    assert_eq!(text(&root, "[role=alert] code"), "url");
}

#[wasm_bindgen_test]
async fn an_error_naming_what_the_session_lacks_is_an_alert_with_its_status() {
    let body = ApiError {
        error: "not_ready".into(),
        message: "a refresh token: ask for `offline_access`".into(),
        field: Some("refresh_token".into()),
    };
    let error = Some(Error::Api { status: 409, body });

    let root = render::<ListErrors>(ListErrorsProps { error, beside: vec!["url"] }).await;

    let alert = text(&root, "[role=alert]");
    assert!(alert.contains("not_ready (HTTP 409)"), "{alert}");
    assert!(alert.contains("refresh_token: a refresh token: ask for offline_access"), "{alert}");
}

#[derive(Properties, PartialEq)]
struct ProseProps {
    text: AttrValue,
}

#[component]
fn Prose(props: &ProseProps) -> Html {
    html! { <p>{ prose(&props.text) }</p> }
}

#[wasm_bindgen_test]
async fn prose_shows_backticked_names_as_code() {
    let root =
        render::<Prose>(ProseProps { text: "`sub` matches, `aud` too, a ` stray".into() }).await;

    let codes: Vec<String> =
        all(&root, "code").iter().filter_map(|code| code.text_content()).collect();
    assert_eq!(codes, ["sub", "aud"]);
    assert_eq!(text(&root, "p"), "sub matches, aud too, a ` stray");
}
