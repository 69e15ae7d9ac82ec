//! Reading a token endpoint's answer (RFC 6749 §5.1, §5.2) leniently: what bends the spec is
//! named as a [`Deviation`], what can safely be used is kept, and the rest fails clearly.

use grantlab_shared::{Deviation, ErrorCode, Param, ProviderError};
use serde_json::{Map, Value};

/// The members of a successful token response, read leniently.
#[derive(Debug, Default, PartialEq)]
pub struct TokenFields {
    /// `access_token` (REQUIRED).
    pub access_token: String,
    /// `token_type` (REQUIRED; case-insensitive).
    pub token_type: Option<String>,
    /// `expires_in`, in seconds.
    pub expires_in: Option<u64>,
    /// `scope`, split.
    pub scope: Option<Vec<String>>,
    /// `refresh_token`.
    pub refresh_token: Option<String>,
    /// `id_token` (OIDC Core §3.1.3.3).
    pub id_token: Option<String>,
    /// Every other member, as JSON text.
    pub extra: Vec<Param>,
}

/// Why a token response could not be used.
#[derive(Debug, PartialEq)]
pub struct Unusable {
    /// One sentence for the learner.
    pub summary: String,
    /// The provider's error response, when it sent one.
    pub error: Option<ProviderError>,
}

/// Reads a token endpoint's answer. Deviations are pushed whether or not it succeeds.
pub fn token_response(
    status: u16,
    content_type: &str,
    body: &str,
    deviations: &mut Vec<Deviation>,
) -> Result<TokenFields, Unusable> {
    // Step 1: get an object out of the body, JSON or, bending RFC 6749 §5.1, a form.
    let object = read_object(status, content_type, body, deviations)?;

    // Step 2: an `error` member is an error response, whatever the status (RFC 6749 §5.2).
    if let Some(error) = provider_error(&object) {
        if (200..300).contains(&status) {
            deviations.push(Deviation {
                field: "HTTP status".into(),
                expected: "400 (or 401) with an error response (RFC 6749 §5.2)".into(),
                found: format!("{status} carrying `error`"),
                handling: "read as the error response it is".into(),
            });
        }
        return Err(Unusable {
            summary: format!("the provider answered the error `{}`", error.error),
            error: Some(error),
        });
    }
    if !(200..300).contains(&status) {
        return Err(Unusable {
            summary: format!("HTTP {status} without an `error` member (RFC 6749 §5.2 wants one)"),
            error: None,
        });
    }

    // Step 3: the members of RFC 6749 §5.1, each read leniently.
    let access_token = match object.get("access_token") {
        Some(Value::String(token)) if !token.is_empty() => token.clone(),
        other => {
            return Err(Unusable {
                summary: format!(
                    "`access_token` must be a non-empty string (RFC 6749 §5.1), found {}",
                    other.map_or("nothing".into(), Value::to_string)
                ),
                error: None,
            });
        }
    };
    let token_type = object.get("token_type").and_then(Value::as_str).map(str::to_owned);
    if token_type.is_none() {
        deviations.push(Deviation {
            field: "token_type".into(),
            expected: "a string such as `Bearer` (REQUIRED, RFC 6749 §5.1)".into(),
            found: "nothing".into(),
            handling: "assumed Bearer".into(),
        });
    }
    let expires_in = expires_in(object.get("expires_in"), deviations);
    let scope = scope(object.get("scope"), deviations);

    let known = ["access_token", "token_type", "expires_in", "scope", "refresh_token", "id_token"];
    let extra = object
        .iter()
        .filter(|(name, _)| !known.contains(&name.as_str()))
        .map(|(name, value)| Param { name: name.clone(), value: value.to_string() })
        .collect();
    let text = |name: &str| object.get(name).and_then(Value::as_str).map(str::to_owned);
    Ok(TokenFields {
        access_token,
        token_type,
        expires_in,
        scope,
        refresh_token: text("refresh_token"),
        id_token: text("id_token"),
        extra,
    })
}

/// The body as a JSON object, or a form read as one; an HTML page or other text fails.
fn read_object(
    status: u16,
    content_type: &str,
    body: &str,
    deviations: &mut Vec<Deviation>,
) -> Result<Map<String, Value>, Unusable> {
    let media = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();

    if let Ok(Value::Object(object)) = serde_json::from_str::<Value>(body) {
        if media != "application/json" {
            deviations.push(content_type_deviation(content_type, "read as JSON anyway"));
        }
        return Ok(object);
    }

    let looks_like_form = media == "application/x-www-form-urlencoded"
        || (!body.trim_start().starts_with('<') && body.contains('=') && !body.contains(' '));
    if looks_like_form {
        deviations.push(content_type_deviation(content_type, "read as a form, member by member"));
        let object = url::form_urlencoded::parse(body.trim().as_bytes())
            .map(|(name, value)| (name.into_owned(), Value::String(value.into_owned())))
            .collect();
        return Ok(object);
    }

    Err(Unusable {
        summary: format!(
            "HTTP {status} with content type `{}`, not JSON (RFC 6749 §5.1): {}",
            if content_type.is_empty() { "none" } else { content_type },
            excerpt(body)
        ),
        error: None,
    })
}

fn content_type_deviation(found: &str, handling: &str) -> Deviation {
    Deviation {
        field: "content-type".into(),
        expected: "application/json (RFC 6749 §5.1)".into(),
        found: if found.is_empty() { "none".into() } else { found.into() },
        handling: handling.into(),
    }
}

/// An error response's members, when `error` is there (RFC 6749 §5.2).
pub fn provider_error(object: &Map<String, Value>) -> Option<ProviderError> {
    let error = object.get("error")?.as_str()?;
    let text = |name: &str| object.get(name).and_then(Value::as_str).map(str::to_owned);
    Some(ProviderError {
        error: ErrorCode::from(error.to_owned()),
        error_description: text("error_description"),
        error_uri: text("error_uri"),
    })
}

/// `expires_in`: a JSON number, or a string of digits with a deviation.
fn expires_in(value: Option<&Value>, deviations: &mut Vec<Deviation>) -> Option<u64> {
    let value = value?;
    if let Some(seconds) = value.as_u64() {
        return Some(seconds);
    }

    let parsed = value.as_str().and_then(|text| text.trim().parse::<u64>().ok());
    deviations.push(Deviation {
        field: "expires_in".into(),
        expected: "a JSON number of seconds (RFC 6749 §5.1)".into(),
        found: value.to_string(),
        handling: match parsed {
            Some(seconds) => format!("read as {seconds} seconds"),
            None => "ignored; the expiry is unknown".into(),
        },
    });
    parsed
}

/// `scope`: space-delimited (RFC 6749 §3.3); an array or commas are read with a deviation.
fn scope(value: Option<&Value>, deviations: &mut Vec<Deviation>) -> Option<Vec<String>> {
    let value = value?;
    let expected = "one space-delimited string (RFC 6749 §3.3)";
    match value {
        Value::String(text) if text.contains(',') => {
            let scopes: Vec<String> = text
                .split([',', ' '])
                .filter(|scope| !scope.is_empty())
                .map(str::to_owned)
                .collect();
            deviations.push(Deviation {
                field: "scope".into(),
                expected: expected.into(),
                found: value.to_string(),
                handling: format!("split at commas: {}", scopes.join(" ")),
            });
            Some(scopes)
        }
        Value::String(text) => Some(text.split_whitespace().map(str::to_owned).collect()),
        Value::Array(items) => {
            let scopes: Vec<String> =
                items.iter().filter_map(Value::as_str).map(str::to_owned).collect();
            deviations.push(Deviation {
                field: "scope".into(),
                expected: expected.into(),
                found: value.to_string(),
                handling: format!("read the array as: {}", scopes.join(" ")),
            });
            Some(scopes)
        }
        other => {
            deviations.push(Deviation {
                field: "scope".into(),
                expected: expected.into(),
                found: other.to_string(),
                handling: "ignored; the requested scope applies".into(),
            });
            None
        }
    }
}

/// A short, plain-text excerpt of a body: tags and scripts dropped, whitespace squeezed.
pub fn excerpt(body: &str) -> String {
    let mut text = String::new();
    let mut rest = body;
    while let Some(start) = rest.find('<') {
        text.push_str(&rest[..start]);
        let lower = rest[start..].to_ascii_lowercase();
        let skip_to = if lower.starts_with("<script") {
            lower.find("</script>").map(|end| end + "</script>".len())
        } else {
            lower.find('>').map(|end| end + 1)
        };
        match skip_to {
            Some(end) => {
                text.push(' ');
                rest = &rest[start + end..];
            }
            None => {
                rest = "";
            }
        }
    }
    text.push_str(rest);

    let squeezed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut excerpt: String = squeezed.chars().take(200).collect();
    if squeezed.chars().count() > 200 {
        excerpt.push_str(" [...]");
    }
    format!("\"{excerpt}\"")
}

#[cfg(test)]
#[path = "lenient/tests.rs"]
mod tests;
