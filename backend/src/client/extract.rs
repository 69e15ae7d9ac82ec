//! Extractors that refuse bad input in the API's own error shape.

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use super::error::ClientError;

/// Like [`axum::Json`], but a malformed body answers [`ClientError::InvalidJson`] naming the
/// field serde stopped at.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ClientError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = match axum::body::Bytes::from_request(request, state).await {
            Ok(bytes) => bytes,
            Err(rejection) => {
                return Err(ClientError::InvalidJson {
                    field: None,
                    message: rejection.body_text(),
                });
            }
        };

        let deserializer = &mut serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize(deserializer) {
            Ok(value) => Ok(Json(value)),
            Err(error) => {
                let path = error.path().to_string();
                let field = (path != ".").then_some(path);
                let message = format!("the body is not the expected JSON: {}", error.inner());
                Err(ClientError::InvalidJson { field, message })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::post;
    use http_body_util::BodyExt;
    use serde::Deserialize;
    use tower::ServiceExt;

    use super::*;

    #[derive(Deserialize)]
    struct Probe {
        #[allow(dead_code)]
        max_age: u32,
    }

    async fn post_json(body: &'static str) -> (StatusCode, serde_json::Value) {
        let app = Router::new().route("/", post(|Json(_probe): Json<Probe>| async { "ok" }));
        let request = Request::post("/").header("content-type", "application/json");

        let response = app.oneshot(request.body(Body::from(body)).unwrap()).await.unwrap();

        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, serde_json::from_slice(&bytes).unwrap_or_default())
    }

    #[tokio::test]
    async fn malformed_json_names_the_field_and_what_was_expected() {
        let (status, body) = post_json(r#"{"max_age": "soon"}"#).await;

        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"], "invalid_json");
        assert_eq!(body["field"], "max_age");
        assert!(body["message"].as_str().unwrap().contains("expected u32"), "{body}");
    }

    #[tokio::test]
    async fn truncated_json_is_refused_saying_where_it_ended() {
        let (status, body) = post_json(r#"{"max_age": 3"#).await;

        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"], "invalid_json");
        assert!(body["message"].as_str().unwrap().contains("EOF"), "{body}");
    }
}
