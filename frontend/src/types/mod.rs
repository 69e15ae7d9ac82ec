//! FIXME(#5): a private copy of the `/api` types from the `client` branch (issue 4), so the
//! workbench builds before they land in `grantlab_shared`. Delete this folder and import from
//! `grantlab_shared` once they are on main.
#![allow(dead_code, unused_imports, clippy::enum_variant_names)]

mod authorize;
mod call;
mod profile;
mod protocol;
mod session;
mod timeline;
mod tokens;

pub use authorize::ParameterExplained;
pub use authorize::{AuthorizationDraft, CallbackView, Check, ComposedRequest, FragmentCallback};
pub use call::{ApiCallRequest, ApiCallResult, ApiCheck, TokenPlacement};
pub use profile::{Deviation, DiscoveryReport, Endpoints, ProfileChoice, ProfileKind};
pub use profile::{ProfileList, ProfileSource, ProfileView};
pub use protocol::{ClientAuthMethod, ErrorCode, Param, ProviderError, ResponseMode, TokenKind};
pub use session::{FlowStatus, SessionView};
pub use timeline::{Channel, Timeline, TimelineEntry};
pub use tokens::{ClientCredentialsRequest, JwtView, Outcome, RedeemRequest, RefreshRequest};
pub use tokens::{TokenRequest, TokenSetView};
