//! Why a call to the backend failed, keeping the cause so the learner sees what went wrong.

use grantlab_shared::ApiError;

/// A failed call to `/api`.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// The request never got an answer: the server is down or the network is gone.
    Network(String),
    /// The backend answered with its JSON error; `field` says which input it concerns.
    Api {
        /// The HTTP status.
        status: u16,
        /// The body, as `/api` sends it on every failure.
        body: ApiError,
    },
    /// The answer was not the JSON expected; `message` is serde's.
    Decode {
        /// The HTTP status.
        status: u16,
        /// What serde found, with line and column.
        message: String,
    },
}

impl Error {
    /// The message for input `field`, when the backend blamed that field.
    pub fn for_field(&self, field: &str) -> Option<&str> {
        match self {
            Self::Api { body, .. } if body.field.as_deref() == Some(field) => Some(&body.message),
            _ => None,
        }
    }

    /// Whether the error belongs at the top of a panel whose inputs show the errors of the
    /// fields `beside`: it names no field, or one with no input there (a 409 names what the
    /// session lacks, such as `refresh_token`).
    pub fn is_general(&self, beside: &[&str]) -> bool {
        match self {
            Self::Api { body, .. } => {
                body.field.as_deref().is_none_or(|field| !beside.contains(&field))
            }
            Self::Network(_) | Self::Decode { .. } => true,
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Network(message) => write!(f, "the sandbox server did not answer: {message}"),
            Self::Api { body, .. } => match &body.field {
                Some(field) => write!(f, "`{field}`: {}", body.message),
                None => f.write_str(&body.message),
            },
            Self::Decode { status, message } => {
                write!(f, "the answer (HTTP {status}) is not what the workbench expects: {message}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn api_error(field: Option<&str>) -> Error {
        let body = ApiError {
            error: "invalid_field".into(),
            message: "expected an absolute URL".into(),
            field: field.map(str::to_owned),
        };
        Error::Api { status: 422, body }
    }

    #[wasm_bindgen_test]
    fn a_field_error_is_shown_on_its_field_only() {
        let error = api_error(Some("issuer"));

        assert_eq!(error.for_field("issuer"), Some("expected an absolute URL"));
        assert_eq!(error.for_field("client_id"), None);
        assert!(!error.is_general(&["client_id", "issuer"]));
    }

    #[wasm_bindgen_test]
    fn an_error_naming_a_field_with_no_input_is_general() {
        let error = api_error(Some("refresh_token"));

        assert!(error.is_general(&[]));
        assert!(error.is_general(&["issuer"]));
    }

    #[wasm_bindgen_test]
    fn network_and_decode_errors_are_general() {
        let decode = Error::Decode { status: 200, message: "missing field `url`".into() };

        assert!(Error::Network("refused".into()).is_general(&["url"]));
        assert!(decode.is_general(&["url"]));
        assert!(decode.to_string().contains("missing field `url`"));
        assert!(api_error(None).is_general(&["url"]));
    }
}
