//! A JWT decoded for reading: the raw parts coloured, then every header parameter and claim
//! with its meaning, times as dates and as "in 5 minutes".

use serde_json::{Map, Value};
use yew::prelude::*;

use crate::hooks::use_now;
use crate::jwt;
use crate::time;

/// Props of [`JwtView`].
#[derive(Properties, PartialEq)]
pub struct JwtViewProps {
    /// The token, compact serialization.
    pub token: AttrValue,
    /// A heading, such as "ID token".
    pub title: AttrValue,
}

/// The token's three parts, then a table of its header and one of its claims.
#[component]
pub fn JwtView(props: &JwtViewProps) -> Html {
    // Hooks.
    let now = use_now();

    // Derived values.
    let decoded = jwt::decode(&props.token);
    let parts: Vec<&str> = props.token.splitn(3, '.').collect();

    html! {
        <section class="jwt" aria-label={props.title.clone()}>
            <h3>{ &props.title }</h3>
            <p class="token raw">
                { for parts.iter().zip(["part-header", "part-payload", "part-signature"])
                    .enumerate()
                    .map(|(index, (part, class))| html! {
                        <>
                            if index > 0 { <span class="dot">{ "." }</span> }
                            <span class={class}>{ *part }</span>
                        </>
                    }) }
            </p>
            {
                match decoded {
                    Ok(token) => html! {
                        <>
                            { claims_table("Header", &token.header, now) }
                            { claims_table("Claims", &token.payload, now) }
                            <p class="note">{ "The signature is not checked here: the \
                                validation checklist says what the backend verified." }</p>
                        </>
                    },
                    Err(error) => html! { <p class="note">{ error.to_string() }</p> },
                }
            }
        </section>
    }
}

fn claims_table(caption: &str, claims: &Map<String, Value>, now: i64) -> Html {
    html! {
        <table class="claims">
            <caption>{ caption }</caption>
            <thead><tr>
                <th scope="col">{ "Name" }</th>
                <th scope="col">{ "Value" }</th>
                <th scope="col">{ "Meaning" }</th>
            </tr></thead>
            <tbody>
                { for jwt::ordered(claims).into_iter().map(|(name, value)| claim_row(name, value, now)) }
            </tbody>
        </table>
    }
}

fn claim_row(name: &str, value: &Value, now: i64) -> Html {
    let shown = match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    };
    let when = value
        .as_i64()
        .filter(|_| jwt::is_time_claim(name))
        .map(|seconds| (time::format_utc(seconds), time::relative(seconds, now)));
    let (meaning, spec) = jwt::explain(name).unwrap_or(("Not a registered claim.", ""));

    html! {
        <tr key={name.to_owned()}>
            <th scope="row"><code>{ name }</code></th>
            <td>
                <code class="value">{ shown }</code>
                if let Some((date, relative)) = when {
                    <span class="when">{ date }{ " · " }<strong>{ relative }</strong></span>
                }
            </td>
            <td>{ meaning }if !spec.is_empty() { <span class="spec">{ spec }</span> }</td>
        </tr>
    }
}
