//! The error body of the sandbox's own JSON API (`/api`).

use serde::{Deserialize, Serialize};

/// What `/api` answers on any failure: `{"error": code, "message": text, "field": name?}`.
///
/// `message` is written for the learner: it names what was expected. `field` names the
/// request field at fault, when one is, so the frontend can show the error beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// A stable, snake_case code such as `invalid_json` or `not_found`.
    pub error: String,
    /// A sentence for the learner saying what went wrong and what was expected.
    pub message: String,
    /// The request field at fault, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_is_left_out_when_absent() {
        let error =
            ApiError { error: "not_found".into(), message: "no such route".into(), field: None };

        let json = serde_json::to_value(&error).unwrap();

        assert_eq!(json, serde_json::json!({"error": "not_found", "message": "no such route"}));
    }
}
