//! The provider's error: every way a request to `/idp` can fail, answered the way each
//! endpoint's spec says.

use axum::http::header::{CACHE_CONTROL, PRAGMA, RETRY_AFTER, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use axum::extract::rejection::{FormRejection, QueryRejection};

use super::pages;

/// The text of one of axum's extractor rejections.
pub trait IntoResponseText {
    /// The rejection's body text, as axum would have sent it.
    fn text(&self) -> String;
}

impl IntoResponseText for FormRejection {
    fn text(&self) -> String {
        self.body_text()
    }
}

impl IntoResponseText for QueryRejection {
    fn text(&self) -> String {
        self.body_text()
    }
}

/// Why a provider request failed. The `Display` text is the `error_description`.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The authorization request cannot be trusted to redirect back (unknown client,
    /// unregistered redirect URI): an error page at the provider, never a redirect
    /// (RFC 6749 4.1.2.1, first paragraph).
    #[error("{0}")]
    Page(String),

    /// A page at the provider for a request that is not an authorization request (logout,
    /// the account page), citing the spec that applies.
    #[error("{message}")]
    PageFor {
        /// Which rule keeps the answer at the provider.
        reason: pages::PageReason,
        /// What was wrong.
        message: String,
    },

    /// A form's anti-forgery token is missing or wrong (RFC 6749 10.12): a page at the
    /// provider, and nothing changes.
    #[error("{0}")]
    Forged(&'static str),

    /// An authorization error sent back to the client's redirect URI (RFC 6749 4.1.2.1).
    #[error("{}", .0.description)]
    Redirect(Box<RedirectError>),

    /// A token, revocation or introspection error (RFC 6749 5.2).
    #[error("{description}")]
    Token {
        /// The `error` code, as `invalid_grant`.
        code: &'static str,
        /// The `error_description`.
        description: String,
        /// Whether the client tried HTTP Basic; an `invalid_client` then carries a challenge.
        basic: bool,
    },

    /// A bearer token refused at userinfo (RFC 6750 3.1). No code when no token was sent.
    #[error("{description}")]
    Bearer {
        /// `invalid_request`, `invalid_token` or `insufficient_scope`.
        code: Option<&'static str>,
        /// The `error_description`.
        description: String,
    },

    /// Every store is full: the workshop made more sessions or tokens than the lab keeps.
    #[error("the lab provider is busy: too many live sessions, codes or tokens; retry later")]
    Busy,

    /// A bug or an outage on our side; the details go to the log.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

/// An authorization error on its way back to the client.
#[derive(Debug)]
pub struct RedirectError {
    /// The checked redirect URI.
    pub redirect_uri: String,
    /// How to deliver it: query, fragment or form post.
    pub response_mode: pages::ResponseMode,
    /// The request's `state`, echoed.
    pub state: Option<String>,
    /// The `error` code, as `access_denied`.
    pub code: &'static str,
    /// The `error_description`.
    pub description: String,
    /// The issuer, sent as `iss` (RFC 9207).
    pub issuer: String,
}

impl ProviderError {
    /// A token endpoint error with `code` (RFC 6749 5.2).
    pub fn token(code: &'static str, description: impl Into<String>) -> Self {
        Self::Token { code, description: description.into(), basic: false }
    }

    /// A back-channel form that cannot be read: `invalid_request` in JSON (RFC 6749 5.2).
    pub fn unreadable_form(rejection: &FormRejection) -> Self {
        Self::token("invalid_request", unreadable(&rejection.body_text()))
    }

    /// A browser's form or query that cannot be read: the provider's page, naming the field.
    pub fn unreadable_page(rejection: &impl IntoResponseText) -> Self {
        Self::Page(unreadable(&rejection.text()))
    }

    /// A page at the provider for `reason`, saying `message`.
    pub fn page_for(reason: pages::PageReason, message: impl Into<String>) -> Self {
        Self::PageFor { reason, message: message.into() }
    }

    /// A bearer token error (RFC 6750 3.1).
    pub fn bearer(code: &'static str, description: impl Into<String>) -> Self {
        Self::Bearer { code: Some(code), description: description.into() }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Page(_) | Self::PageFor { .. } => StatusCode::BAD_REQUEST,
            Self::Forged(_) => StatusCode::FORBIDDEN,
            Self::Redirect(_) => StatusCode::SEE_OTHER,
            Self::Token { code: "invalid_client", .. } => StatusCode::UNAUTHORIZED,
            Self::Token { .. } => StatusCode::BAD_REQUEST,
            Self::Bearer { code: Some("invalid_request"), .. } => StatusCode::BAD_REQUEST,
            Self::Bearer { code: Some("insufficient_scope"), .. } => StatusCode::FORBIDDEN,
            Self::Bearer { .. } => StatusCode::UNAUTHORIZED,
            Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ProviderError {
    fn into_response(self) -> Response {
        // Each error is logged here, once: 5xx with its chain, refusals at debug.
        match &self {
            Self::Internal(error) => tracing::error!(error = format!("{error:#}"), "idp error"),
            // The store warns the operator itself, once a minute, not once per refusal.
            Self::Busy => tracing::debug!("idp store at its budget; request refused"),
            other => tracing::debug!(error = %other, "idp request refused"),
        }
        let status = self.status();

        match self {
            Self::Page(message) => {
                let title = "The request cannot be sent back";
                (status, pages::error_page(title, &message, pages::PageReason::Authorization))
                    .into_response()
            }
            Self::PageFor { reason, message } => {
                let title = match reason {
                    pages::PageReason::Account => "The account page cannot do this",
                    pages::PageReason::Form => "This form cannot be used",
                    _ => "The logout request was refused",
                };
                (status, pages::error_page(title, &message, reason)).into_response()
            }
            Self::Forged(message) => {
                let mut response = pages::forged_page(message);
                *response.status_mut() = status;
                response
            }
            Self::Redirect(error) => {
                let mut params = vec![("error", error.code.to_owned())];
                params.push(("error_description", error.description));
                if let Some(state) = error.state {
                    params.push(("state", state));
                }
                params.push(("iss", error.issuer));
                pages::deliver(&error.redirect_uri, error.response_mode, &params)
            }
            Self::Token { code, description, basic } => {
                let body = serde_json::json!({ "error": code, "error_description": description });
                let mut response = (status, axum::Json(body)).into_response();
                let headers = response.headers_mut();
                headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
                headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
                if code == "invalid_client" && basic {
                    let challenge = HeaderValue::from_static("Basic realm=\"grantlab-idp\"");
                    headers.insert(WWW_AUTHENTICATE, challenge);
                }
                response
            }
            Self::Bearer { code, description } => {
                let challenge = match code {
                    Some(code) => format!(
                        "Bearer realm=\"grantlab-idp\", error=\"{code}\", error_description=\"{}\"",
                        quoted(&description)
                    ),
                    None => "Bearer realm=\"grantlab-idp\"".to_owned(),
                };
                let body = serde_json::json!({
                    "error": code.unwrap_or("invalid_request"),
                    "error_description": description,
                });
                let mut response = (status, axum::Json(body)).into_response();
                if let Ok(value) = HeaderValue::from_str(&challenge) {
                    response.headers_mut().insert(WWW_AUTHENTICATE, value);
                }
                response
            }
            Self::Busy => {
                // RFC 6749 4.1.2.1 names this case `temporarily_unavailable`; the authorization
                // endpoint sends it back to a trusted redirect URI instead (`proceed`), so this
                // JSON reaches clients of the token, userinfo and introspection endpoints, and
                // a browser only at the login and consent forms (known shortcoming: a page
                // would read better there). Retry-After (RFC 9110 10.2.3) says when to retry.
                let body = serde_json::json!({
                    "error": "temporarily_unavailable",
                    "error_description": Self::Busy.to_string(),
                });
                let mut response = (status, axum::Json(body)).into_response();
                let headers = response.headers_mut();
                headers.insert(RETRY_AFTER, HeaderValue::from_static("60"));
                headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
                response
            }
            Self::Internal(_) => (status, "internal error").into_response(),
        }
    }
}

/// Says in the provider's words why a form or query could not be read, from axum's rejection
/// text: which field is missing or repeated (RFC 6749 3.1: a parameter is sent at most once),
/// or that the body was not form-encoded. Axum's own 415/422 text never reaches the client.
pub fn unreadable(rejection: &str) -> String {
    let field = |marker: &str| {
        let rest = &rejection[rejection.find(marker)? + marker.len()..];
        rest.split('`').next().map(str::to_owned)
    };
    if let Some(name) = field("missing field `") {
        return format!("`{name}` is missing");
    }
    if let Some(name) = field("duplicate field `") {
        return format!("`{name}` is repeated; each parameter may be sent once (RFC 6749 3.1)");
    }
    if rejection.contains("Content-Type") {
        return "the body must be form fields, sent as application/x-www-form-urlencoded"
            .to_owned();
    }
    format!("the parameters cannot be read: {rejection}")
}

/// Makes `text` safe inside a quoted-string of a challenge (RFC 6750 3: no `"` or `\`).
pub fn quoted(text: &str) -> String {
    text.chars().filter(|c| *c != '"' && *c != '\\' && (' '..='~').contains(c)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_client_with_basic_auth_answers_401_with_a_basic_challenge() {
        let error = ProviderError::Token {
            code: "invalid_client",
            description: "client authentication failed".into(),
            basic: true,
        };

        let response = error.into_response();

        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.headers()[WWW_AUTHENTICATE].to_str().unwrap().starts_with("Basic"));
        assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
    }

    #[test]
    fn unreadable_form_names_the_missing_or_repeated_field_not_axums_text() {
        let missing = "Failed to deserialize form body: missing field `request`";
        let repeated = "Failed to deserialize query string: duplicate field `state`";
        let untyped = "Form requests must have `Content-Type: application/x-www-form-urlencoded`";

        assert_eq!(unreadable(missing), "`request` is missing");
        assert!(unreadable(repeated).starts_with("`state` is repeated"));
        assert!(unreadable(untyped).contains("application/x-www-form-urlencoded"));
        assert!(!unreadable(untyped).contains("Form requests"));
    }

    #[test]
    fn challenge_description_drops_quotes_and_non_ascii() {
        assert_eq!(quoted("a \"b\" \\ é"), "a b  ");
    }

    #[test]
    fn a_full_store_answers_temporarily_unavailable_as_json_with_retry_after() {
        let response = ProviderError::Busy.into_response();

        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[RETRY_AFTER], "60");
        assert_eq!(response.headers()["content-type"], "application/json");
    }
}
