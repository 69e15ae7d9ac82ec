//! Using a token: calling a protected API (RFC 6750 §2) and userinfo (OIDC Core §5.3).

use grantlab_shared::{
    ApiCallRequest, ApiCallResult, ApiCheck, Outcome, Param, ProviderError, TokenKind,
    TokenPlacement, TokenSet,
};
use serde_json::Value;
use tower_sessions::Session;
use url::Url;

use super::ClientState;
use super::error::ClientError;
use super::state::ClientSession;
use super::token::{machine_token, session_token};

/// RFC 6750 §2: one request to a resource server, with the chosen token where asked.
#[tracing::instrument(skip_all, fields(endpoint = "api"))]
pub async fn api(
    state: &ClientState,
    session: &Session,
    request: ApiCallRequest,
) -> Result<ApiCallResult, ClientError> {
    // Step 1: check the method and URL, and pick the token.
    let mut data = ClientSession::load(session).await?;
    let recorder = state.recorder(&data);
    let method = http::Method::from_bytes(request.method.trim().to_ascii_uppercase().as_bytes())
        .map_err(|_| ClientError::InvalidField {
            field: "method",
            expected: format!("an HTTP method such as GET or POST, found `{}`", request.method),
        })?;
    let mut url = super::profile::check_url("url", &request.url)?;
    let token = match (request.token_set, request.token) {
        (_, None) => None,
        (TokenSet::Delegated, Some(kind)) => Some(session_token(&data, kind)?),
        (TokenSet::Machine, Some(TokenKind::AccessToken)) => Some(machine_token(&data)?),
        (TokenSet::Machine, Some(_)) => {
            return Err(ClientError::InvalidField {
                field: "token",
                expected: "`access_token` with `token_set: machine`: the client credentials \
                           grant gives no refresh token and no ID token"
                    .into(),
            });
        }
    };

    // Step 2: place the token (RFC 6750 §2.1 header, §2.2 form, §2.3 query).
    let mut builder = http::Request::builder().method(method.clone());
    let mut body = request.body.clone().unwrap_or_default().into_bytes();
    let mut content_type = request
        .content_type
        .clone()
        .or_else(|| (!body.is_empty()).then(|| "application/json".into()));
    match (&token, request.placement) {
        (Some(token), TokenPlacement::Header) => {
            builder = builder.header("authorization", format!("Bearer {token}"))
        }
        (Some(token), TokenPlacement::Query) => {
            url.query_pairs_mut().append_pair("access_token", token);
        }
        (Some(token), TokenPlacement::Form) => {
            let mut form =
                url::form_urlencoded::Serializer::new(String::from_utf8_lossy(&body).into_owned());
            form.append_pair("access_token", token);
            body = form.finish().into_bytes();
            content_type = Some("application/x-www-form-urlencoded".into());
        }
        (None, _) => {}
    }
    if let Some(content_type) = content_type {
        builder = builder.header("content-type", content_type);
    }
    let outgoing =
        builder.uri(url.as_str()).header("accept", "application/json").body(body).map_err(
            |error| ClientError::InvalidField {
                field: "url",
                expected: format!("a URL usable in a request ({error})"),
            },
        )?;

    // Step 3: send it and read the answer, the API's checks and any Bearer challenge.
    let label = match (request.token, request.token_set) {
        (Some(_), TokenSet::Machine) => "API call with the machine token",
        (Some(TokenKind::IdToken), _) => "API call with the ID token (wrong on purpose?)",
        (Some(_), _) => "API call with a token",
        (None, _) => "API call without a token",
    };
    recorder.label(label);
    let response =
        recorder.send(outgoing).await.map_err(|error| ClientError::from_http("url", error))?;
    let body = String::from_utf8_lossy(response.body()).into_owned();
    let headers: Vec<Param> = response
        .headers()
        .iter()
        .map(|(name, value)| Param {
            name: name.to_string(),
            value: String::from_utf8_lossy(value.as_bytes()).into_owned(),
        })
        .collect();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .and_then(|value| value.to_str().ok())
        .and_then(bearer_challenge);
    let entry = data.record(recorder.take()).last().copied().unwrap_or_default();
    data.save(session).await?;
    Ok(ApiCallResult {
        status: response.status().as_u16(),
        headers,
        checks: checks(&body),
        body,
        challenge,
        entry,
    })
}

/// OIDC Core §5.3: the userinfo endpoint, with the access token, and the `sub` check of §5.3.2.
#[tracing::instrument(skip_all, fields(endpoint = "userinfo"))]
pub async fn userinfo(state: &ClientState, session: &Session) -> Result<Outcome, ClientError> {
    // Step 1: the endpoint and the access token.
    let mut data = ClientSession::load(session).await?;
    let recorder = state.recorder(&data);
    let (profile, _) = state.current(&data, &recorder).await?;
    let endpoint = profile.endpoints.userinfo_endpoint.clone().ok_or(ClientError::NotReady {
        field: "profile.endpoints.userinfo_endpoint",
        expected: "a userinfo endpoint: this provider advertises none".into(),
    })?;
    let url: Url = super::profile::check_url("profile.endpoints.userinfo_endpoint", &endpoint)?;
    let token = session_token(&data, TokenKind::AccessToken)?;

    // Step 2: send it (RFC 6750 §2.1).
    let request = http::Request::get(url.as_str())
        .header("authorization", format!("Bearer {token}"))
        .header("accept", "application/json")
        .body(Vec::new())
        .map_err(anyhow::Error::from)?;
    recorder.label("userinfo (OIDC Core §5.3)");
    let sent = recorder.send(request).await;

    // Step 3: read the claims and check sub against the ID token's (§5.3.2).
    let mut outcome = Outcome {
        ok: false,
        summary: String::new(),
        error: None,
        deviations: Vec::new(),
        fields: Vec::new(),
        entries: Vec::new(),
    };
    match sent {
        Err(error) => outcome.summary = error.to_string(),
        Ok(response) => {
            let status = response.status().as_u16();
            let body = String::from_utf8_lossy(response.body()).into_owned();
            match serde_json::from_str::<Value>(&body) {
                Ok(Value::Object(claims)) if (200..300).contains(&status) => {
                    let id_sub = data
                        .tokens
                        .as_ref()
                        .and_then(|t| t.id_token.as_deref())
                        .and_then(super::idtoken::decode)
                        .and_then(|(_, c)| c.get("sub").cloned());
                    let sub = claims.get("sub").cloned();
                    outcome.ok = id_sub.is_none() || id_sub == sub;
                    outcome.summary = if outcome.ok {
                        "userinfo answered; `sub` matches the ID token's".into()
                    } else {
                        format!(
                            "`sub` {} differs from the ID token's {} \
                             (OIDC Core §5.3.2: do not use these claims)",
                            show(&sub),
                            show(&id_sub)
                        )
                    };
                    outcome.fields = super::idtoken::members(&claims);
                }
                _ => {
                    outcome.error = response
                        .headers()
                        .get("www-authenticate")
                        .and_then(|v| v.to_str().ok())
                        .and_then(bearer_challenge);
                    outcome.summary = format!("HTTP {status}: {}", super::lenient::excerpt(&body));
                }
            }
        }
    }
    outcome.entries = data.record(recorder.take());
    data.save(session).await?;
    Ok(outcome)
}

fn show(value: &Option<Value>) -> String {
    value.as_ref().map_or("absent".into(), Value::to_string)
}

/// The parameters of a `Bearer` challenge (RFC 6750 §3).
pub fn bearer_challenge(header: &str) -> Option<ProviderError> {
    let rest =
        header.trim().strip_prefix("Bearer").or_else(|| header.trim().strip_prefix("bearer"))?;
    let mut error = None;
    let mut description = None;
    let mut uri = None;
    for part in split_params(rest) {
        let Some((name, value)) = part.split_once('=') else { continue };
        let value = value.trim().trim_matches('"').to_owned();
        match name.trim() {
            "error" => error = Some(value),
            "error_description" => description = Some(value),
            "error_uri" => uri = Some(value),
            _ => {}
        }
    }
    Some(ProviderError { error: error?.into(), error_description: description, error_uri: uri })
}

/// Splits `a="x, y", b=z` at the commas outside quotes.
fn split_params(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for character in text.chars() {
        match character {
            '"' => {
                quoted = !quoted;
                current.push(character);
            }
            ',' if !quoted => parts.push(std::mem::take(&mut current)),
            _ => current.push(character),
        }
    }
    parts.push(current);
    parts
}

/// The `checks` list of an answer, read leniently: each item's name, verdict and detail.
pub fn checks(body: &str) -> Vec<ApiCheck> {
    let Ok(Value::Object(object)) = serde_json::from_str::<Value>(body) else { return Vec::new() };
    let Some(Value::Array(items)) = object.get("checks") else { return Vec::new() };
    items
        .iter()
        .filter_map(Value::as_object)
        .map(|item| {
            let text = |names: &[&str]| {
                names.iter().find_map(|name| item.get(*name)).map(|value| match value {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                })
            };
            let passed = ["passed", "ok", "pass"]
                .iter()
                .find_map(|name| item.get(*name).and_then(Value::as_bool))
                .unwrap_or(false);
            let mut detail =
                text(&["detail", "message", "reason", "explanation"]).unwrap_or_default();
            for name in ["expected", "found"] {
                if let Some(value) = item.get(name) {
                    detail.push_str(&format!(" ({name}: {value})"));
                }
            }
            ApiCheck {
                name: text(&["name", "check", "id"]).unwrap_or_else(|| "check".into()),
                passed,
                detail: detail.trim().to_owned(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_challenge_reads_quoted_parameters_with_commas() {
        let header = concat!(
            r#"Bearer realm="expenses", error="insufficient_scope", "#,
            r#"error_description="needs read:reports, sorry""#
        );

        let error = bearer_challenge(header).unwrap();

        assert_eq!(error.error, grantlab_shared::ErrorCode::InsufficientScope);
        assert_eq!(error.error_description.as_deref(), Some("needs read:reports, sorry"));
    }

    #[test]
    fn checks_are_read_from_the_api_answer() {
        let body = concat!(
            r#"{"checks":[{"name":"aud","passed":false,"detail":"wrong audience","#,
            r#""expected":"https://expenses-api"}]}"#
        );

        let checks = checks(body);

        assert_eq!(checks.len(), 1);
        assert!(!checks[0].passed);
        assert!(checks[0].detail.contains("https://expenses-api"));
    }
}
