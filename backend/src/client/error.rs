//! The client role's error: what `/api` answers the frontend when a request fails.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use grantlab_shared::ApiError;

use super::http::HttpError;

/// Why a `/api` request failed. The `Display` text is what the learner reads.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No `/api` route matches the path and method.
    #[error("there is no such route in the sandbox API")]
    UnknownRoute,

    /// The body is over `lock::LONGEST_BODY`.
    #[error("the body is larger than the 2 MiB the sandbox API accepts")]
    BodyTooLarge,

    /// The body did not arrive whole: too slow (the server's body deadline) or cut off.
    #[error("the request body could not be read: {reason}")]
    BodyUnreadable {
        /// What happened to it.
        reason: String,
    },

    /// The route exists, but not with this method.
    #[error("this sandbox API route does not take this method; the route list is in its docs")]
    MethodNotAllowed,

    /// The body is not the JSON the route expects.
    #[error("{message}")]
    InvalidJson {
        /// The field at fault, when serde could tell.
        field: Option<String>,
        /// What serde found, in words.
        message: String,
    },

    /// A field holds a value the route cannot use.
    #[error("`{field}`: {expected}")]
    InvalidField {
        /// The request field at fault.
        field: &'static str,
        /// What was expected, in words.
        expected: String,
    },

    /// The step cannot run yet: something it needs is missing from the session.
    #[error("`{field}`: {expected}")]
    NotReady {
        /// What is missing.
        field: &'static str,
        /// What must happen first, in words.
        expected: String,
    },

    /// The URL points where the sandbox may not send requests (in `--hosted` mode, the host's
    /// own network): the learner's choice, so a 4xx naming the field.
    #[error("`{field}`: {reason}")]
    Refused {
        /// The request field holding the URL.
        field: &'static str,
        /// Which address was refused and why, in words.
        reason: String,
    },

    /// A provider could not be reached or answered something unusable.
    #[error("`{field}`: {message}")]
    Provider {
        /// The request field that pointed at the provider.
        field: &'static str,
        /// What went wrong, with the URL.
        message: String,
    },

    /// The learner's stored session cannot be read back (a bug, or a record from another
    /// version); starting over (`DELETE /api/session`) replaces it.
    #[error("the session could not be read back ({reason}); start over to replace it")]
    SessionUnreadable {
        /// What the decoder found, in words.
        reason: String,
    },

    /// Earlier requests of the same session ran too long for this one to wait its turn.
    #[error("the session is busy with earlier requests; try again in a moment")]
    Busy,

    /// A bug or an outage on our side; the details go to the log, not to the learner.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ClientError {
    /// Why a body could not be read whole: over the limit, or late or cut off.
    pub fn from_body_error(error: axum::Error) -> Self {
        let error = error.into_inner();
        if error.is::<http_body_util::LengthLimitError>() {
            return Self::BodyTooLarge;
        }
        Self::BodyUnreadable { reason: error.to_string() }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::UnknownRoute => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BodyUnreadable { .. } => StatusCode::BAD_REQUEST,
            Self::InvalidJson { .. } | Self::InvalidField { .. } => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::NotReady { .. } => StatusCode::CONFLICT,
            Self::Refused { .. } => StatusCode::FORBIDDEN,
            Self::Provider { .. } => StatusCode::BAD_GATEWAY,
            Self::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Self::SessionUnreadable { .. } | Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable code in the `error` member.
    fn code(&self) -> &'static str {
        match self {
            Self::UnknownRoute => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::BodyTooLarge => "body_too_large",
            Self::BodyUnreadable { .. } => "body_unreadable",
            Self::InvalidJson { .. } => "invalid_json",
            Self::InvalidField { .. } => "invalid_field",
            Self::NotReady { .. } => "not_ready",
            Self::Refused { .. } => "address_refused",
            Self::Provider { .. } => "provider_unusable",
            Self::SessionUnreadable { .. } => "session_unreadable",
            Self::Busy => "session_busy",
            Self::Internal(_) => "internal",
        }
    }

    fn field(&self) -> Option<String> {
        match self {
            Self::InvalidJson { field, .. } => field.clone(),
            Self::InvalidField { field, .. }
            | Self::NotReady { field, .. }
            | Self::Refused { field, .. }
            | Self::Provider { field, .. } => Some((*field).to_owned()),
            Self::SessionUnreadable { .. } | Self::Busy => Some("session".to_owned()),
            Self::UnknownRoute
            | Self::MethodNotAllowed
            | Self::BodyTooLarge
            | Self::BodyUnreadable { .. }
            | Self::Internal(_) => None,
        }
    }
}

impl ClientError {
    /// The error for a failed back-channel request to the URL in `field`: a refused address
    /// is the learner's to fix, anything else is the provider's failure.
    pub fn from_http(field: &'static str, error: HttpError) -> Self {
        match error {
            HttpError::Refused { .. } => Self::Refused { field, reason: error.to_string() },
            HttpError::Transport { .. } => Self::Provider { field, message: error.to_string() },
        }
    }
}

impl IntoResponse for ClientError {
    fn into_response(self) -> Response {
        // Each error is logged here, once: 5xx with its chain, learner mistakes at debug.
        match &self {
            Self::Internal(error) => tracing::error!(error = format!("{error:#}"), "api error"),
            Self::SessionUnreadable { reason } => {
                tracing::error!(reason = %reason, "a stored session cannot be read back")
            }
            // The provider is the learner's choice: its failures are not ours to alarm about.
            Self::Provider { .. } => tracing::warn!(error = %self, "provider unusable"),
            other => tracing::debug!(error = %other, "api request refused"),
        }

        let body = ApiError {
            error: self.code().to_owned(),
            message: self.to_string(),
            field: self.field(),
        };
        (self.status(), Json(body)).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::Captured;

    #[test]
    fn a_refused_address_is_a_403_naming_the_field_and_a_transport_failure_a_502() {
        let refused = HttpError::Refused { url: "http://127.0.0.1/".into(), reason: "no".into() };
        let failed = HttpError::Transport { url: "http://a.test/".into(), reason: "gone".into() };

        let refused = ClientError::from_http("url", refused);
        let failed = ClientError::from_http("source.issuer", failed);

        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert_eq!(refused.code(), "address_refused");
        assert_eq!(refused.field().as_deref(), Some("url"));
        assert_eq!(failed.status(), StatusCode::BAD_GATEWAY);
        assert_eq!(failed.field().as_deref(), Some("source.issuer"));
    }

    #[test]
    fn learner_choices_log_below_error_and_our_own_failures_at_error() {
        let log = Captured::default();
        let sink = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(move || sink.clone())
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let read = || log.text();

        let _ = ClientError::Refused { field: "url", reason: "loopback".into() }.into_response();
        let refused = read();
        let _ = ClientError::Provider { field: "url", message: "HTTP 404".into() }.into_response();
        let provider = read();
        let _ = ClientError::Internal(anyhow::anyhow!("bug")).into_response();
        let internal = read();

        assert!(refused.contains("DEBUG") && !refused.contains("WARN"), "{refused}");
        assert!(provider.contains("WARN") && !provider.contains("ERROR"), "{provider}");
        assert!(internal.contains("ERROR"), "{internal}");
    }
}
