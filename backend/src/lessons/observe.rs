//! Reads the learner's session (the timeline, the last request, every callback's state check,
//! the ID token checks) into the [`Observation`]s the goals check.
//!
//! The timeline is raw HTTP, so this reads it the way a learner would: the token endpoint's
//! form and JSON (RFC 6749 §4.1.3, §5.1, §5.2), the API's status and its `checks` list, the
//! authorization URL's query. The access token is decoded only to tell which API it is for.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use grantlab_shared::{Channel, Check, TimelineEntry};
use serde_json::Value;
use url::Url;

use crate::client::state::StateVerdict;

use super::goals::{Carried, Observation, TokenExchange};

/// What of the learner's session the goals read. Built by the route from the client role's
/// session data.
#[derive(Debug, Clone, Copy)]
pub struct SessionFacts<'a> {
    /// The timeline, oldest first.
    pub timeline: &'a [TimelineEntry],
    /// The last composed authorization URL.
    pub request_url: Option<&'a str>,
    /// The sandbox's registered redirect URI, `{public_url}/callback`.
    pub callback_url: &'a str,
    /// The state check of each callback still in the timeline.
    pub state_verdicts: &'a [StateVerdict],
    /// The checks run on the ID token held, in spec order.
    pub id_token_checks: &'a [Check],
}

/// The observations the session shows, in the order they happened.
pub fn observe(facts: SessionFacts<'_>) -> Vec<Observation> {
    let mut seen = Vec::new();

    // The requests and responses of the front channel, and the back channel's exchanges.
    let is_request = |entry: &TimelineEntry| entry.label.starts_with("authorization request");
    for entry in facts.timeline {
        let observation = match entry.channel {
            Channel::Front if is_request(entry) => authorization_request(&entry.url, facts),
            Channel::Front => {
                let verdict = facts.state_verdicts.iter().find(|kept| kept.entry == entry.id);
                authorization_response(entry, verdict.map(|kept| kept.passed))
            }
            Channel::Back => back_channel(entry),
        };
        seen.extend(observation);
    }

    // The last composed request, when the timeline no longer holds it (it drops old entries).
    if !facts.timeline.iter().any(is_request) {
        let request = facts.request_url.and_then(|url| authorization_request(url, facts));
        seen.splice(0..0, request);
    }

    // Last, the verdict on the ID token held now.
    if !facts.id_token_checks.is_empty() {
        let failed = facts.id_token_checks.iter().find(|check| !check.passed);
        let step = failed.map(|check| check.id.trim_start_matches("id_token.").to_owned());
        seen.push(Observation::IdTokenValidation { failed_step: step });
    }
    seen
}

/// The authorization request, read off the URL the browser was sent to (RFC 6749 §4.1.1).
fn authorization_request(url: &str, facts: SessionFacts<'_>) -> Option<Observation> {
    let url = Url::parse(url).ok()?;
    let param = |name: &str| url.query_pairs().find(|(key, _)| key == name).map(|(_, v)| v);
    let all = |name: &str| -> Vec<String> {
        url.query_pairs().filter(|(key, _)| key == name).map(|(_, v)| v.into_owned()).collect()
    };

    Some(Observation::AuthorizationRequest {
        response_type: param("response_type")?.into_owned(),
        scopes: param("scope").map(|scope| split(&scope)).unwrap_or_default(),
        audience: param("audience").map(|audience| audience.into_owned()),
        resource: all("resource"),
        registered_redirect: param("redirect_uri").as_deref() == Some(facts.callback_url),
    })
}

/// An authorization response, with the verdict of its state check (RFC 6749 §10.12).
fn authorization_response(
    entry: &TimelineEntry,
    state_matched: Option<bool>,
) -> Option<Observation> {
    let params = response_params(entry);
    let param = |name: &str| params.iter().find(|(key, _)| key == name).map(|(_, v)| v.as_str());

    Some(Observation::AuthorizationResponse {
        code: param("code").is_some(),
        id_token: param("id_token").is_some(),
        error: param("error").map(str::to_owned),
        state_matched,
    })
}

/// The parameters of a front-channel response: in the query, the fragment or the form body.
fn response_params(entry: &TimelineEntry) -> Vec<(String, String)> {
    let encoded = match (&entry.request_body, entry.url.split_once(['?', '#'])) {
        (Some(body), _) => body.as_str(),
        (None, Some((_, encoded))) => encoded,
        (None, None) => "",
    };
    url::form_urlencoded::parse(encoded.as_bytes()).into_owned().collect()
}

/// A back-channel exchange: a token request, an API call or userinfo; others are skipped.
fn back_channel(entry: &TimelineEntry) -> Option<Observation> {
    let label = entry.label.as_str();

    if label.starts_with("token request") {
        return token_exchange(entry).map(Observation::Token);
    }

    if label.starts_with("API call") {
        let carried = if label.contains("ID token") {
            Carried::IdToken
        } else if label.contains("without") {
            Carried::Nothing
        } else if label.contains("machine token") {
            Carried::MachineToken
        } else {
            Carried::AccessToken
        };
        let path = Url::parse(&entry.url).map(|url| url.path().to_owned()).unwrap_or_default();
        return Some(Observation::ApiCall {
            path,
            carried,
            status: entry.status?,
            failed_checks: failed_checks(entry.response_body.as_deref()),
        });
    }

    if label.starts_with("userinfo") {
        return Some(Observation::Userinfo { status: entry.status? });
    }
    None
}

/// A token request and its answer (RFC 6749 §5.1 on success, §5.2 on error).
fn token_exchange(entry: &TimelineEntry) -> Option<TokenExchange> {
    let form = url::form_urlencoded::parse(entry.request_body.as_deref()?.as_bytes());
    let grant_type = form.into_iter().find(|(key, _)| key == "grant_type")?.1.into_owned();
    let body: Value = entry
        .response_body
        .as_deref()
        .and_then(|body| serde_json::from_str(body).ok())
        .unwrap_or(Value::Null);
    let text = |name: &str| body.get(name).and_then(Value::as_str);

    // A 200 can carry an error too (a known provider quirk): the `error` member decides.
    let error = match (text("error"), entry.status) {
        (Some(error), _) => Some(error.to_owned()),
        (None, Some(200)) if text("access_token").is_some() => None,
        (None, status) => Some(format!("http_{}", status.unwrap_or_default())),
    };
    let claims = text("access_token").and_then(jwt_claims).unwrap_or(Value::Null);

    Some(TokenExchange {
        grant_type,
        error,
        audience: audience(&claims),
        scope: text("scope").map(split).unwrap_or_default(),
        expires_in: body.get("expires_in").is_some(),
        refresh_token: text("refresh_token").is_some(),
        id_token: text("id_token").is_some(),
        issued_at: claims.get("iat").and_then(Value::as_i64),
        replayed: entry.label.contains("replayed"),
    })
}

/// The names of the checks an API reported as failed, from its `checks` list.
fn failed_checks(body: Option<&str>) -> Vec<String> {
    let body: Value = body.and_then(|body| serde_json::from_str(body).ok()).unwrap_or_default();
    let checks = body.get("checks").and_then(Value::as_array).cloned().unwrap_or_default();
    checks
        .iter()
        .filter(|check| check.get("passed").and_then(Value::as_bool) == Some(false))
        .filter_map(|check| check.get("name").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

/// A JWT's claims (RFC 7519 §7.2), without checking its signature: only to name the API it is
/// for, as the API's own view. `None` when the token is not a JWT (an opaque token).
fn jwt_claims(token: &str) -> Option<Value> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }

    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// `aud` as a list, whether the token gave a string or an array (RFC 7519 §4.1.3).
fn audience(claims: &Value) -> Vec<String> {
    match claims.get("aud") {
        Some(Value::String(one)) => vec![one.clone()],
        Some(Value::Array(many)) => {
            many.iter().filter_map(Value::as_str).map(str::to_owned).collect()
        }
        _ => Vec::new(),
    }
}

fn split(scope: &str) -> Vec<String> {
    scope.split_whitespace().map(str::to_owned).collect()
}

#[cfg(test)]
mod tests;
