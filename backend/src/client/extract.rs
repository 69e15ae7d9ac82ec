//! Extractors that refuse bad input in the API's own error shape.

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::error::ClientError;

/// Like [`axum::Json`], but a malformed body answers [`ClientError::InvalidJson`] naming the
/// field serde stopped at. Every body is a JSON object; an empty body reads as `{}`. A member
/// the request type does not have is refused by name, so a misspelt option is never quietly
/// replaced by its default.
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
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(ClientError::BodyTooLarge);
            }
            Err(rejection) => {
                return Err(ClientError::InvalidJson {
                    field: None,
                    message: rejection.body_text(),
                });
            }
        };

        // A step with nothing to say may send no body at all.
        let text = bytes.trim_ascii();
        let text = if text.is_empty() { b"{}".as_slice() } else { text };
        if text.first() != Some(&b'{') {
            let message = "the body must be a JSON object (`{...}`)".to_owned();
            return Err(ClientError::InvalidJson { field: None, message });
        }

        let mut unknown = Vec::new();
        let mut note_unknown = |path: serde_ignored::Path| unknown.push(member_path(&path));
        let deserializer = &mut serde_json::Deserializer::from_slice(text);
        let tracked = serde_ignored::Deserializer::new(deserializer, &mut note_unknown);
        let value = match serde_path_to_error::deserialize(tracked) {
            Ok(value) => value,
            Err(error) => {
                let field = field_at_fault(&error.path().to_string(), &error.inner().to_string());
                let message = match (&field, allowed_names::<T>(text, error.path())) {
                    (Some(field), Some(names)) => format!(
                        "the body is not the expected JSON: `{field}` must be {names}, found {}",
                        found_at(text, error.path()).unwrap_or_else(|| "another value".into())
                    ),
                    _ => format!("the body is not the expected JSON: {}", error.inner()),
                };
                return Err(ClientError::InvalidJson { field, message });
            }
        };

        match unknown.into_iter().next() {
            None => Ok(Json(value)),
            Some(field) => {
                let message = format!(
                    "`{field}` is not a member of this request: check its spelling against the \
                     API's request types (`shared/`)"
                );
                Err(ClientError::InvalidJson { field: Some(field), message })
            }
        }
    }
}

/// The body of a route that takes no fields: none, `{}`, or a refusal naming what was sent.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoFields {}

/// A member's path as the request writes it, `source.endpoints.token_endpoint`: the keys and
/// indices only, without the `?` that serde_ignored puts for an `Option` it went through.
fn member_path(path: &serde_ignored::Path) -> String {
    use serde_ignored::Path;
    let mut segments = Vec::new();
    let mut at = path;
    loop {
        at = match at {
            Path::Root => break,
            Path::Map { parent, key } => {
                segments.push(key.clone());
                parent
            }
            Path::Seq { parent, index } => {
                segments.push(index.to_string());
                parent
            }
            Path::Some { parent }
            | Path::NewtypeStruct { parent }
            | Path::NewtypeVariant { parent } => parent,
        };
    }
    segments.reverse();
    segments.join(".")
}

/// A string no enum of ours names, put where serde stopped to learn what it would take.
const PROBE: &str = "\u{1}";

/// The names a member takes, when serde stopped at it without listing them: a number or
/// `null` where a name from a list goes only says "expected value". The body is read again
/// with [`PROBE`] in that place, and serde's "unknown variant" answer lists the names
/// ("one of `a`, `b`, `c`", or "`a` or `b`").
fn allowed_names<T: DeserializeOwned>(
    text: &[u8],
    path: &serde_path_to_error::Path,
) -> Option<String> {
    let mut body: serde_json::Value = serde_json::from_slice(text).ok()?;
    *value_at(&mut body, path)? = serde_json::Value::String(PROBE.to_owned());
    let message = serde_json::from_value::<T>(body).err()?.to_string();
    let names = message.strip_prefix(&format!("unknown variant `{PROBE}`, expected "))?;
    Some(names.to_owned())
}

/// The JSON text serde stopped at, such as `7` or `null`.
fn found_at(text: &[u8], path: &serde_path_to_error::Path) -> Option<String> {
    let mut body: serde_json::Value = serde_json::from_slice(text).ok()?;
    let found = value_at(&mut body, path)?.to_string();

    // A learner needs the start of a huge value, not all of it echoed back.
    const SHOWN: usize = 200;
    if found.len() <= SHOWN {
        return Some(found);
    }
    let mut end = SHOWN;
    while !found.is_char_boundary(end) {
        end -= 1;
    }
    Some(format!("{}... ({} bytes)", &found[..end], found.len()))
}

/// The value at a serde path, through object members and array items.
fn value_at<'v>(
    mut value: &'v mut serde_json::Value,
    path: &serde_path_to_error::Path,
) -> Option<&'v mut serde_json::Value> {
    use serde_path_to_error::Segment;
    for segment in path.iter() {
        value = match segment {
            Segment::Map { key } => value.get_mut(key.as_str())?,
            Segment::Seq { index } => value.get_mut(*index)?,
            Segment::Enum { .. } | Segment::Unknown => return None,
        };
    }
    Some(value)
}

/// The field serde stopped at, or the one it found missing (serde names that one only in its
/// message, "missing field `x`", with the path of the object that lacks it).
fn field_at_fault(path: &str, message: &str) -> Option<String> {
    let parent = (path != "." && path != "?").then_some(path);
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name);

    match (parent, missing) {
        (Some(parent), Some(name)) => Some(format!("{parent}.{name}")),
        (None, Some(name)) => Some(name.to_owned()),
        (parent, None) => parent.map(str::to_owned),
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

    #[derive(Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Method {
        ClientSecretBasic,
        None,
    }

    #[derive(Deserialize)]
    struct Choice {
        #[allow(dead_code)]
        #[serde(default)]
        client_auth: Option<Method>,
        #[allow(dead_code)]
        #[serde(default)]
        other: Option<u32>,
    }

    #[derive(Deserialize)]
    struct Required {
        #[allow(dead_code)]
        client_auth: Method,
    }

    async fn post_to<T: DeserializeOwned + Send + 'static>(
        body: &'static str,
    ) -> serde_json::Value {
        let app = Router::new().route("/", post(|Json(_body): Json<T>| async { "ok" }));
        let request = Request::post("/").header("content-type", "application/json");
        let response = app.oneshot(request.body(Body::from(body)).unwrap()).await.unwrap();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice(&bytes).unwrap_or_default()
    }

    #[tokio::test]
    async fn a_number_or_null_for_a_name_lists_the_allowed_names() {
        let answer = post_to::<Choice>(r#"{"other": 1, "client_auth": 7}"#).await;

        let message = answer["message"].as_str().unwrap_or_default();
        assert_eq!(answer["field"], "client_auth", "{answer}");
        assert!(message.contains("must be `client_secret_basic` or `none`, found 7"), "{message}");

        let answer = post_to::<Required>(r#"{"client_auth": null}"#).await;

        let message = answer["message"].as_str().unwrap_or_default();
        assert!(message.contains("`client_secret_basic` or `none`, found null"), "{message}");
    }

    #[tokio::test]
    async fn a_wrong_type_that_is_not_a_name_keeps_serdes_message() {
        let answer = post_to::<Choice>(r#"{"other": "soon"}"#).await;

        let message = answer["message"].as_str().unwrap_or_default();
        assert!(message.contains("expected u32"), "{message}");
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
    async fn missing_field_is_named_in_the_field_member() {
        let (status, body) = post_json("{}").await;

        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["field"], "max_age", "{body}");
    }

    #[tokio::test]
    async fn an_unknown_member_is_refused_by_name_not_ignored() {
        let (status, body) = post_json(r#"{"max_age": 5, "max_agee": 6}"#).await;

        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["field"], "max_agee", "{body}");
        assert!(body["message"].as_str().unwrap().contains("not a member"), "{body}");
    }

    #[tokio::test]
    async fn an_array_is_refused_as_not_an_object() {
        let (status, body) = post_json("[]").await;

        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["message"].as_str().unwrap().contains("JSON object"), "{body}");
    }

    #[tokio::test]
    async fn an_empty_body_reads_as_an_empty_object() {
        let app = Router::new().route("/", post(|Json(_probe): Json<Empty>| async { "ok" }));

        let response = app.oneshot(Request::post("/").body(Body::empty()).unwrap()).await.unwrap();

        assert_eq!(response.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_413_naming_the_limit() {
        let app = Router::new().route("/", post(|Json(_probe): Json<Empty>| async { "ok" }));
        let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));

        let response =
            app.oneshot(Request::post("/").body(Body::from(huge)).unwrap()).await.unwrap();

        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["error"], "body_too_large");
    }

    #[derive(Deserialize)]
    struct Empty {}

    #[tokio::test]
    async fn a_route_without_fields_refuses_malformed_json_and_any_field() {
        let app = Router::new().route("/", post(|Json(_none): Json<NoFields>| async { "ok" }));
        let send = |body: &'static str| {
            app.clone().oneshot(Request::post("/").body(Body::from(body)).unwrap())
        };

        let malformed = send("{not json").await.unwrap();
        let unknown = send(r#"{"token": "x"}"#).await.unwrap();
        let empty = send("").await.unwrap();

        assert_eq!(malformed.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let bytes = unknown.into_body().collect().await.unwrap().to_bytes();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["error"], "invalid_json");
        assert!(body["message"].as_str().unwrap().contains("unknown field `token`"), "{body}");
        assert_eq!(empty.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn truncated_json_is_refused_saying_where_it_ended() {
        let (status, body) = post_json(r#"{"max_age": 3"#).await;

        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(body["error"], "invalid_json");
        assert!(body["message"].as_str().unwrap().contains("EOF"), "{body}");
    }

    /// Posts `body` as a `PUT /api/profile` body, a `ProfileChoice` with its tagged `source`.
    async fn post_profile(body: &'static str) -> serde_json::Value {
        let choose = |Json(_choice): Json<grantlab_shared::ProfileChoice>| async { "ok" };
        let app = Router::new().route("/", post(choose));
        let request = Request::post("/").header("content-type", "application/json");

        let response = app.oneshot(request.body(Body::from(body)).unwrap()).await.unwrap();

        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn a_wrong_type_inside_the_profile_source_is_named_by_its_path() {
        let body = post_profile(
            r#"{"source": {"kind": "manual", "endpoints":
                {"authorization_endpoint": "https://id.example/a", "token_endpoint": 7}}}"#,
        )
        .await;

        assert_eq!(body["field"], "source.endpoints.token_endpoint", "{body}");
        assert!(body["message"].as_str().unwrap().contains("expected a string"), "{body}");
    }

    #[tokio::test]
    async fn a_misspelt_member_inside_the_profile_source_is_refused_by_name() {
        let body = post_profile(
            r#"{"source": {"kind": "manual", "endpoints": {"authorization_endpoint":
                "https://id.example/a", "token_endpoint": "https://id.example/t",
                "userinfo_endpiont": "https://id.example/u"}}}"#,
        )
        .await;

        assert_eq!(body["field"], "source.endpoints.userinfo_endpiont", "{body}");
    }

    #[tokio::test]
    async fn a_source_missing_its_member_names_it() {
        let body = post_profile(r#"{"source": {"kind": "discovered"}}"#).await;

        assert_eq!(body["field"], "source.issuer", "{body}");
    }
}
