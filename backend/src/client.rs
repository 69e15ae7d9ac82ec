//! The client role: the sandbox's confidential web application, and its JSON API under `/api`.
//!
//! Every failure answers in one shape, [`grantlab_shared::ApiError`], unknown routes and
//! malformed JSON included (see [`error`] and [`extract`]). Request and response types are in
//! `grantlab_shared`.
//!
//! Routes (all JSON; the session cookie `grantlab_session` carries the learner's flow):
//!
//! | route | body | answer |
//! |---|---|---|
//! | `GET /api/session` | | `SessionView` |
//! | `DELETE /api/session` | | `SessionView` (a fresh flow, same profile) |
//! | `GET /api/profiles` | | `ProfileList` |
//! | `PUT /api/profile` | `ProfileChoice` | `ProfileView` (the secret is never sent back) |
//! | `GET /api/authorize/draft` | | `AuthorizationDraft` (new state, nonce) |
//! | `POST /api/authorize` | `AuthorizationDraft` | `ComposedRequest` |
//! | `POST /api/callback` | `FragmentCallback` | `SessionView` (the fragment page uses it) |
//! | `POST /api/redeem` | `RedeemRequest` | `Outcome` |
//! | `POST /api/refresh` | `RefreshRequest` | `Outcome` |
//! | `POST /api/userinfo` | | `Outcome` (claims in `fields`) |
//! | `POST /api/call` | `ApiCallRequest` | `ApiCallResult` |
//! | `POST /api/client-credentials` | `ClientCredentialsRequest` | `Outcome` |
//! | `POST /api/revoke` | `TokenRequest` | `Outcome` |
//! | `POST /api/introspect` | `TokenRequest` | `Outcome` (the answer in `fields`) |
//! | `GET /api/timeline` | | `Timeline` |
//! | `DELETE /api/timeline` | | `Timeline` (empty) |
//!
//! And at the top level, the redirect URI `{public_url}/callback`: `GET` with a query
//! (`response_mode=query`), `POST` with a form (`form_post`), and `GET` with neither, which
//! answers a small page that posts `location.hash` to `POST /api/callback`. Each ends with a
//! redirect to the workbench (`/`), which reads the result from `GET /api/session`.

pub mod error;
pub mod extract;

use axum::Router;

use self::error::ClientError;

/// The `/api` router. Unknown routes answer `not_found` in the API's JSON shape.
pub fn router() -> Router {
    Router::new().fallback(|| async { ClientError::UnknownRoute })
}
