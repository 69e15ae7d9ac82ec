//! The API role's error: refusals per RFC 6750 3 with the checks that were run, in JSON.

use axum::Json;
use axum::http::header::WWW_AUTHENTICATE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::validate::Check;
use crate::provider::error::quoted;

/// Why an Expenses API or Reports service request failed. `Display` is `error_description`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No bearer token at all (RFC 6750 3.1: the challenge carries no error code).
    #[error("{explanation}")]
    NoToken {
        /// What the API ran.
        checks: Vec<Check>,
        /// In a learner's words.
        explanation: String,
    },

    /// The token is malformed, not for this API, expired, or does not verify (401).
    #[error("{explanation}")]
    InvalidToken {
        /// What the API ran, the failed check last.
        checks: Vec<Check>,
        /// In a learner's words.
        explanation: String,
    },

    /// A valid token without the permission the route needs (403).
    #[error("{explanation}")]
    InsufficientScope {
        /// What the API ran, the failed check last.
        checks: Vec<Check>,
        /// The permission the route needs.
        scope: &'static str,
        /// In a learner's words.
        explanation: String,
    },

    /// The Authorization header is not `Bearer <token>` (400).
    #[error("{explanation}")]
    InvalidRequest {
        /// What the API ran.
        checks: Vec<Check>,
        /// In a learner's words.
        explanation: String,
    },

    /// No expense has this id.
    #[error("there is no expense {0}")]
    NoSuchExpense(u32),

    /// A call the API makes itself failed (JWKS, its own token, the Reports service).
    #[error("{what}")]
    Upstream {
        /// What the API ran before.
        checks: Vec<Check>,
        /// What failed, in words.
        what: String,
    },

    /// A bug on our side; the details go to the log.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NoToken { .. } | Self::InvalidToken { .. } => StatusCode::UNAUTHORIZED,
            Self::InsufficientScope { .. } => StatusCode::FORBIDDEN,
            Self::InvalidRequest { .. } => StatusCode::BAD_REQUEST,
            Self::NoSuchExpense(_) => StatusCode::NOT_FOUND,
            Self::Upstream { .. } => StatusCode::BAD_GATEWAY,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The RFC 6750 error code, where there is one.
    fn code(&self) -> Option<&'static str> {
        match self {
            Self::InvalidToken { .. } => Some("invalid_token"),
            Self::InsufficientScope { .. } => Some("insufficient_scope"),
            Self::InvalidRequest { .. } => Some("invalid_request"),
            Self::NoToken { .. } => None,
            Self::NoSuchExpense(_) => Some("not_found"),
            Self::Upstream { .. } => Some("upstream_failed"),
            Self::Internal(_) => Some("internal"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // Each error is logged here, once.
        match &self {
            Self::Internal(error) => tracing::error!(error = format!("{error:#}"), "api error"),
            Self::Upstream { what, .. } => tracing::warn!(%what, "api upstream call failed"),
            other => tracing::debug!(error = %other, "api request refused"),
        }
        let status = self.status();
        let code = self.code();
        let description = self.to_string();

        // RFC 6750 3: the challenge names the error, and the scope for insufficient_scope.
        let challenge = match (&self, code) {
            (Self::NoToken { .. }, _) => Some("Bearer realm=\"grantlab-api\"".to_owned()),
            (Self::InsufficientScope { scope, .. }, Some(code)) => Some(format!(
                "Bearer realm=\"grantlab-api\", error=\"{code}\", error_description=\"{}\", \
                 scope=\"{scope}\"",
                quoted(&description)
            )),
            (Self::InvalidToken { .. } | Self::InvalidRequest { .. }, Some(code)) => Some(format!(
                "Bearer realm=\"grantlab-api\", error=\"{code}\", error_description=\"{}\"",
                quoted(&description)
            )),
            _ => None,
        };

        let checks = match self {
            Self::NoToken { checks, .. }
            | Self::InvalidToken { checks, .. }
            | Self::InsufficientScope { checks, .. }
            | Self::InvalidRequest { checks, .. }
            | Self::Upstream { checks, .. } => checks,
            Self::NoSuchExpense(_) | Self::Internal(_) => Vec::new(),
        };
        let body = json!({
            // RFC 6750 3.1 gives no code when no token was sent; the body says so plainly.
            "error": code.unwrap_or("missing_token"),
            "error_description": description,
            "checks": checks,
        });
        let mut response = (status, Json(body)).into_response();
        if let Some(value) = challenge.and_then(|text| HeaderValue::from_str(&text).ok()) {
            response.headers_mut().insert(WWW_AUTHENTICATE, value);
        }
        response
    }
}
