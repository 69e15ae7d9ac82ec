//! The wire boundary: every type that crosses HTTP between the Grantlab frontend and backend.
//!
//! Only serde types live here, one module per area, re-exported flat. Nothing here carries a
//! secret: the client secret and the tokens stay in the backend's session.

mod error;

pub use error::ApiError;
