//! The backend's JSON API (`/api`), one async function per endpoint, all through [`request`].
//!
//! Response bodies are never logged: they carry codes and tokens.

use gloo_net::http::{Method, RequestBuilder};
use grantlab_shared::ApiError;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::Error;
use grantlab_shared::{
    ApiCallRequest, ApiCallResult, AuthorizationDraft, ClientCredentialsRequest, ComposedRequest,
    Outcome, ProfileChoice, ProfileList, ProfileView, RedeemRequest, RefreshRequest, SessionView,
    Timeline, TokenRequest,
};

/// `GET /api/session`: where the flow stands, the profile, the callback and the tokens.
pub async fn session() -> Result<SessionView, Error> {
    request(Method::GET, "/session", None::<&()>).await
}

/// `DELETE /api/session`: start a fresh flow with the same provider.
pub async fn reset_session() -> Result<SessionView, Error> {
    request(Method::DELETE, "/session", None::<&()>).await
}

/// `GET /api/profiles`: the providers to pick from.
pub async fn profiles() -> Result<ProfileList, Error> {
    request(Method::GET, "/profiles", None::<&()>).await
}

/// `PUT /api/profile`: use a provider. A client secret in `choice` is never sent back.
pub async fn choose_profile(choice: &ProfileChoice) -> Result<ProfileView, Error> {
    request(Method::PUT, "/profile", Some(choice)).await
}

/// `GET /api/authorize/draft`: a fresh draft (new state and nonce) for the current provider.
pub async fn authorization_draft() -> Result<AuthorizationDraft, Error> {
    request(Method::GET, "/authorize/draft", None::<&()>).await
}

/// `POST /api/authorize`: compose the authorization request (RFC 6749 §4.1.1).
pub async fn authorize(draft: &AuthorizationDraft) -> Result<ComposedRequest, Error> {
    request(Method::POST, "/authorize", Some(draft)).await
}

/// `POST /api/redeem`: exchange the code at the token endpoint (RFC 6749 §4.1.3).
pub async fn redeem(body: &RedeemRequest) -> Result<Outcome, Error> {
    request(Method::POST, "/redeem", Some(body)).await
}

/// `POST /api/refresh`: refresh the tokens (RFC 6749 §6).
pub async fn refresh(body: &RefreshRequest) -> Result<Outcome, Error> {
    request(Method::POST, "/refresh", Some(body)).await
}

/// `POST /api/userinfo`: call the userinfo endpoint with the access token (OIDC Core §5.3).
pub async fn userinfo() -> Result<Outcome, Error> {
    request(Method::POST, "/userinfo", None::<&()>).await
}

/// `POST /api/call`: call a protected API with one of the session's tokens (RFC 6750).
pub async fn call(body: &ApiCallRequest) -> Result<ApiCallResult, Error> {
    request(Method::POST, "/call", Some(body)).await
}

/// `POST /api/client-credentials`: a token for the client itself (RFC 6749 §4.4).
pub async fn client_credentials(body: &ClientCredentialsRequest) -> Result<Outcome, Error> {
    request(Method::POST, "/client-credentials", Some(body)).await
}

/// `POST /api/revoke`: revoke one of the session's tokens (RFC 7009).
pub async fn revoke(body: &TokenRequest) -> Result<Outcome, Error> {
    request(Method::POST, "/revoke", Some(body)).await
}

/// `POST /api/introspect`: ask the provider about a token (RFC 7662).
pub async fn introspect(body: &TokenRequest) -> Result<Outcome, Error> {
    request(Method::POST, "/introspect", Some(body)).await
}

/// `GET /api/timeline`: every message so far, oldest first.
pub async fn timeline() -> Result<Timeline, Error> {
    request(Method::GET, "/timeline", None::<&()>).await
}

/// `DELETE /api/timeline`: forget the messages.
pub async fn clear_timeline() -> Result<Timeline, Error> {
    request(Method::DELETE, "/timeline", None::<&()>).await
}

/// Sends one request to `/api{path}` and reads the answer: `T` on success, the backend's
/// [`ApiError`] otherwise. Each way it can fail keeps its cause.
///
/// Only the JSON encoding and decoding depend on `B` and `T`; the exchange is one shared
/// function, so each route adds its serde code to the bundle and not a copy of the fetch.
pub(crate) async fn request<B, T>(method: Method, path: &str, body: Option<&B>) -> Result<T, Error>
where
    B: Serialize + ?Sized,
    T: DeserializeOwned,
{
    // Encode the body here, where its type is known.
    let json = match body {
        Some(body) => {
            Some(serde_json::to_string(body).map_err(|error| Error::Network(error.to_string()))?)
        }
        None => None,
    };

    // Exchange, then decode the success answer as the type expected.
    let (status, text) = exchange(method, path, json).await?;
    serde_json::from_str(&text).map_err(|error| decode_error(status, &error))
}

/// The untyped half of [`request`]: sends `json` (if any) and answers the status and body
/// text of a success, or the backend's [`ApiError`] as an [`Error::Api`].
async fn exchange(
    method: Method,
    path: &str,
    json: Option<String>,
) -> Result<(u16, String), Error> {
    // Build: JSON in and out; the session cookie goes along (same origin).
    let builder = RequestBuilder::new(&format!("/api{path}"))
        .method(method)
        .header("Accept", "application/json");
    let request = match json {
        Some(json) => builder.header("Content-Type", "application/json").body(json),
        None => builder.build(),
    }
    .map_err(|error| Error::Network(error.to_string()))?;

    // Send, and read the whole body as text so a decode failure can say what was wrong.
    let response = request.send().await.map_err(|error| Error::Network(error.to_string()))?;
    let status = response.status();
    let text = response.text().await.map_err(|error| Error::Network(error.to_string()))?;
    if response.ok() {
        return Ok((status, text));
    }

    // A failure: the API's error shape, or a decode error saying why it is not that.
    match serde_json::from_str::<ApiError>(&text) {
        Ok(body) => Err(Error::Api { status, body }),
        Err(error) => Err(decode_error(status, &error)),
    }
}

/// The [`Error::Decode`] for an answer that is not the JSON expected.
fn decode_error(status: u16, error: &serde_json::Error) -> Error {
    Error::Decode { status, message: error.to_string() }
}
