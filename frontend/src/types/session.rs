//! The learner's session as a whole: `GET /api/session`.

use serde::{Deserialize, Serialize};

use super::authorize::{CallbackView, ComposedRequest};
use super::profile::ProfileView;
use super::tokens::TokenSetView;

/// Where the learner's flow stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowStatus {
    /// Nothing composed yet.
    #[default]
    Idle,
    /// A request was composed; the browser went (or will go) to the provider.
    AwaitingCallback,
    /// The callback came with a code that waits to be redeemed.
    CodeReceived,
    /// The callback came with an error, or failed the state check.
    CallbackFailed,
    /// Tokens are held.
    TokensReceived,
}

/// `GET /api/session`: everything the workbench shows, secrets excepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    /// The provider in use.
    pub profile: ProfileView,
    /// Where the flow stands.
    pub status: FlowStatus,
    /// The last composed authorization request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<ComposedRequest>,
    /// What the last callback received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<CallbackView>,
    /// The tokens held, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<TokenSetView>,
    /// How many entries the timeline holds (`GET /api/timeline` has them).
    pub timeline_len: usize,
}
