//! The timeline of the session, fetched again whenever an action may have added to it.

use yew::prelude::*;

use super::{Lane, ListErrors, Message, SubmitButton, Timeline};
use crate::api;
use crate::hooks::use_request;
use crate::state::WorkbenchContext;
use grantlab_shared::{Channel, TimelineEntry};

/// The workbench's timeline, as the backend last reported it.
#[component]
pub fn LiveTimeline() -> Html {
    // Hooks.
    let Some(workbench) = use_context::<WorkbenchContext>() else {
        return html! {};
    };
    let clear = use_request::<grantlab_shared::Timeline>();

    // Callbacks.
    let onclick = {
        let clear = clear.clone();
        Callback::from(move |_| clear.run(api::clear_timeline()))
    };

    // Derived values.
    let messages: Vec<Message> = workbench.timeline.entries.iter().map(message).collect();
    let dropped = workbench.timeline.dropped;

    html! {
        <aside class="timeline-panel">
            <Timeline {messages} />
            if dropped > 0 {
                <p class="note">{ format!("{dropped} older messages were dropped.") }</p>
            }
            <ListErrors error={clear.error.clone()} />
            if !workbench.timeline.entries.is_empty() {
                <SubmitButton label="Clear the timeline" busy={clear.busy} class="quiet"
                              busy_label="Clearing" {onclick} />
            }
        </aside>
    }
}

/// A backend timeline entry as the timeline shows it.
pub fn message(entry: &TimelineEntry) -> Message {
    let pairs = |params: &[grantlab_shared::Param]| {
        params.iter().map(|param| (param.name.clone(), param.value.clone())).collect()
    };
    let mut response_body = entry.response_body.clone();
    if let Some(note) = entry.truncated.as_ref().or(entry.failure.as_ref()) {
        response_body = Some(format!("{}\n[{note}]", response_body.unwrap_or_default()));
    }
    if let Some(note) = &entry.masking {
        response_body = Some(format!("{}\n[{note}]", response_body.unwrap_or_default()));
    }

    Message {
        id: entry.id.to_string(),
        lane: match entry.channel {
            Channel::Front => Lane::Front,
            Channel::Back => Lane::Back,
        },
        title: entry.label.clone(),
        method: entry.method.clone(),
        url: entry.url.clone(),
        request_headers: pairs(&entry.request_headers),
        request_body: entry.request_body.clone(),
        status: entry.status,
        response_headers: pairs(&entry.response_headers),
        response_body,
        duration_ms: entry.duration_ms,
        curl: entry.curl.clone(),
        deviations: entry
            .deviations
            .iter()
            .map(|d| {
                format!("`{}`: expected {}, found {}. {}", d.field, d.expected, d.found, d.handling)
            })
            .collect(),
        at: crate::time::format_utc((entry.at_ms / 1000) as i64)
            .split(' ')
            .nth(1)
            .map(str::to_owned),
    }
}
