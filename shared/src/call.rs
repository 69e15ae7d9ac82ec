//! Calling a protected API with a token (RFC 6750) and reading its answer.

use serde::{Deserialize, Serialize};

use crate::protocol::{Param, ProviderError, TokenKind};

/// `POST /api/call`: one request to a resource server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiCallRequest {
    /// The HTTP method, such as `GET` or `POST`.
    pub method: String,
    /// The absolute URL, such as `{public_url}/expenses-api/expenses`.
    pub url: String,
    /// A request body, sent as given (with `content_type`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The body's content type; `application/json` when a body is given without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Which token to send; `None` sends no token at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<TokenKind>,
    /// Which token set `token` comes from: the user's (delegated) set by default, or the
    /// machine set from `POST /api/client-credentials` (RFC 6749 §4.4).
    #[serde(default)]
    pub token_set: TokenSet,
    /// Where the token goes (RFC 6750 §2).
    #[serde(default)]
    pub placement: TokenPlacement,
}

/// Which of the session's token sets an API call takes its token from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenSet {
    /// The tokens a flow with a user gave the client (RFC 6749 §1.4).
    #[default]
    Delegated,
    /// The machine client's own token, from the client credentials grant (RFC 6749 §4.4).
    Machine,
}

/// Where a bearer token goes in the request (RFC 6750 §2.1-2.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenPlacement {
    /// `Authorization: Bearer ...` (§2.1), the one to use.
    #[default]
    Header,
    /// An `access_token` form field in a POST body (§2.2).
    Form,
    /// An `access_token` query parameter (§2.3): it ends up in logs; avoid.
    Query,
}

/// `POST /api/call`'s answer: the response and, when the API explains itself, its checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiCallResult {
    /// The HTTP status.
    pub status: u16,
    /// The response headers.
    pub headers: Vec<Param>,
    /// The body as text (capped; see the timeline entry's note).
    pub body: String,
    /// The `checks` list of the Expenses API's answer (empty for other APIs).
    #[serde(default)]
    pub checks: Vec<ApiCheck>,
    /// The Bearer challenge of a 401 or 403 (`WWW-Authenticate`, RFC 6750 §3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<ProviderError>,
    /// The id of the timeline entry for this exchange.
    pub entry: u64,
}

/// One check the resource server reports about the token it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiCheck {
    /// What was checked, such as `aud` or `scope`.
    pub name: String,
    /// Whether it held.
    pub passed: bool,
    /// The API's explanation, with expected and found values when it gave them.
    pub detail: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_without_token_set_takes_the_delegated_token() {
        let body = r#"{"method":"GET","url":"http://127.0.0.1/x","token":"access_token"}"#;

        let request: ApiCallRequest = serde_json::from_str(body).unwrap();

        assert_eq!(request.token_set, TokenSet::Delegated);
    }

    #[test]
    fn token_set_machine_reads_in_snake_case() {
        let body = r#"{"method":"GET","url":"http://127.0.0.1/x","token_set":"machine"}"#;

        let request: ApiCallRequest = serde_json::from_str(body).unwrap();

        assert_eq!(request.token_set, TokenSet::Machine);
    }
}
