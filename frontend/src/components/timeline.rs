//! The timeline: every message of the flow in two lanes, front channel and back channel, each
//! entry expandable to its raw request and response, with "copy as curl".

use yew::prelude::*;

use super::CopyButton;
use crate::curl;

/// Which way a message travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// Through the browser, by redirect or form post: the user (and any script) can see it.
    Front,
    /// Server to server, from the backend: the browser never sees it.
    Back,
}

/// One recorded exchange, as the timeline shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// A stable id.
    pub id: String,
    /// The lane.
    pub lane: Lane,
    /// What happened, in words: "Token request (authorization_code)".
    pub title: String,
    /// The request method.
    pub method: String,
    /// The request URL.
    pub url: String,
    /// The request headers, secrets already replaced by the backend.
    pub request_headers: Vec<(String, String)>,
    /// The request body, if any.
    pub request_body: Option<String>,
    /// The response status, when one came.
    pub status: Option<u16>,
    /// The response headers.
    pub response_headers: Vec<(String, String)>,
    /// The response body, if any.
    pub response_body: Option<String>,
    /// How long it took, in milliseconds.
    pub duration_ms: Option<u64>,
    /// The backend's own `curl` rendering (secret as a placeholder); made here when absent.
    pub curl: Option<String>,
    /// Where the answer bent a spec, one sentence each.
    pub deviations: Vec<String>,
    /// When it started, as `16:07:03` (UTC).
    pub at: Option<String>,
}

/// Props of [`Timeline`].
#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    /// The messages, oldest first.
    pub messages: Vec<Message>,
}

/// The two lanes side by side on a wide screen, one column on a phone.
#[component]
pub fn Timeline(props: &TimelineProps) -> Html {
    html! {
        <section class="timeline" aria-labelledby="timeline-title">
            <h2 id="timeline-title">{ "Timeline" }</h2>
            <div class="lanes" aria-hidden="true">
                <span class="lane-head front">{ "Front channel · through the browser" }</span>
                <span class="lane-head back">{ "Back channel · server to server" }</span>
            </div>
            if props.messages.is_empty() {
                <p class="empty">{ "No message yet: compose a request and send it." }</p>
            }
            <ol class="messages">
                { for props.messages.iter().map(|message| {
                    let key = message.id.clone();
                    html! { <MessageView {key} message={message.clone()} open={false} /> }
                }) }
            </ol>
        </section>
    }
}

/// Props of [`MessageView`].
#[derive(Properties, PartialEq)]
pub struct MessageViewProps {
    /// The message.
    pub message: Message,
    /// Whether it starts expanded.
    pub open: bool,
}

/// One message: a summary line that expands (with Enter or Space) to the raw exchange.
#[component]
pub fn MessageView(props: &MessageViewProps) -> Html {
    let message = &props.message;
    let (lane_class, lane_name) = match message.lane {
        Lane::Front => ("front", "front channel"),
        Lane::Back => ("back", "back channel"),
    };
    let outcome = match message.status {
        Some(status) if status < 400 => html! { <span class="status ok">{ status }</span> },
        Some(status) => html! { <span class="status bad">{ status }</span> },
        None => html! {},
    };
    let command = message.curl.clone().unwrap_or_else(|| {
        curl::to_curl(
            &message.method,
            &message.url,
            &message.request_headers,
            message.request_body.as_deref(),
        )
    });

    html! {
        <li class={classes!("message", lane_class)}>
            <details open={props.open}>
                <summary>
                    <span class="lane-tag">{ lane_name }</span>
                    <span class="title">{ &message.title }</span>
                    <span class="method">{ &message.method }</span>
                    { outcome }
                    if let Some(ms) = message.duration_ms {
                        <span class="duration">{ format!("{ms} ms") }</span>
                    }
                    if !message.deviations.is_empty() {
                        <span class="status bad">{ "bends the spec" }</span>
                    }
                </summary>
                <div class="exchange">
                    if let Some(at) = &message.at {
                        <p class="note">{ format!("Sent at {at} UTC") }</p>
                    }
                    if !message.deviations.is_empty() {
                        <ul class="problems">
                            { for message.deviations.iter().map(|d| html! {
                                <li>{ super::prose(d) }</li>
                            }) }
                        </ul>
                    }
                    <h4>{ "Request" }</h4>
                    <pre><code>{ request_text(message) }</code></pre>
                    if message.status.is_some() {
                        <h4>{ "Response" }</h4>
                        <pre><code>{ response_text(message) }</code></pre>
                    }
                    <CopyButton text={command} label="Copy as curl" />
                </div>
            </details>
        </li>
    }
}

/// The request as it would appear on the wire, roughly: request line, headers, body.
fn request_text(message: &Message) -> String {
    let mut text = format!("{} {}\n", message.method, message.url);
    push_headers_and_body(&mut text, &message.request_headers, message.request_body.as_deref());
    text
}

fn response_text(message: &Message) -> String {
    let mut text = format!("HTTP {}\n", message.status.unwrap_or_default());
    push_headers_and_body(&mut text, &message.response_headers, message.response_body.as_deref());
    text
}

fn push_headers_and_body(text: &mut String, headers: &[(String, String)], body: Option<&str>) {
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\n"));
    }
    if let Some(body) = body {
        text.push('\n');
        text.push_str(body);
    }
}
