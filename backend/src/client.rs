//! The client role: the sandbox's own JSON API under `/api`, used by the frontend.
//!
//! Every failure answers in one shape, [`grantlab_shared::ApiError`], unknown routes and
//! malformed JSON included (see [`error`] and [`extract`]).

pub mod error;
pub mod extract;

use axum::Router;

use self::error::ClientError;

/// The `/api` router. Unknown routes answer `not_found` in the API's JSON shape.
pub fn router() -> Router {
    Router::new().fallback(|| async { ClientError::UnknownRoute })
}
