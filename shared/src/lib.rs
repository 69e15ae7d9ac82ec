//! The wire boundary: every type that crosses HTTP between the Grantlab frontend and backend.
//!
//! Only serde types live here, one module per area, re-exported flat, and [`json_kind`], which
//! both sides use to word an error about a JSON value. Nothing here carries the
//! sandbox's secret: it and the tokens' keys stay in the backend. The one write-only field is
//! [`ProfileChoice::client_secret`], a learner's own secret for an outside provider, posted
//! once and never sent back.

mod authorize;
mod call;
mod error;
mod lessons;
mod profile;
mod protocol;
mod session;
mod timeline;
mod tokens;

pub use authorize::ParameterExplained;
pub use authorize::{AuthorizationDraft, CallbackView, Check, ComposedRequest, FragmentCallback};
pub use call::{ApiCallRequest, ApiCallResult, ApiCheck, TokenPlacement, TokenSet};
pub use error::{ApiError, json_kind};
pub use lessons::{
    DemoUser, EnvSetting, Goal, GoalStatus, LabTrack, Lesson, LessonSummary, MachinePreset,
};
pub use lessons::{Mischief, OwnAppSettings, Prediction, Progress, RequestPreset, Scenario};
pub use lessons::{Setup, Topic};
pub use profile::{Deviation, DiscoveryReport, Endpoints, ProfileChoice, ProfileKind};
pub use profile::{ProfileList, ProfileSource, ProfileView};
pub use protocol::{ClientAuthMethod, ErrorCode, Param, ProviderError, ResponseMode, TokenKind};
pub use session::{FlowStatus, SessionView};
pub use timeline::{Channel, Timeline, TimelineEntry};
pub use tokens::{ClientCredentialsRequest, JwtView, Outcome, RedeemRequest, RefreshRequest};
pub use tokens::{GrantClient, TokenRequest, TokenSetView};
