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

/// A JSON value's type as an error message names it: "found a number" where a string was
/// expected.
pub fn json_kind(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_kind_names_each_type_with_its_article() {
        let values = [
            serde_json::json!(null),
            serde_json::json!(true),
            serde_json::json!(1.5),
            serde_json::json!("s"),
            serde_json::json!([1]),
            serde_json::json!({}),
        ];

        let kinds: Vec<&str> = values.iter().map(json_kind).collect();

        assert_eq!(kinds, ["null", "a boolean", "a number", "a string", "an array", "an object"]);
    }

    #[test]
    fn field_is_left_out_when_absent() {
        let error =
            ApiError { error: "not_found".into(), message: "no such route".into(), field: None };

        let json = serde_json::to_value(&error).unwrap();

        assert_eq!(json, serde_json::json!({"error": "not_found", "message": "no such route"}));
    }
}
