//! The learner's session as a whole: `GET /api/session`.

use serde::{Deserialize, Serialize};

use crate::authorize::{CallbackView, ComposedRequest};
use crate::profile::ProfileView;
use crate::tokens::TokenSetView;

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
    /// The last client credentials token (RFC 6749 §4.4), kept apart from the delegated
    /// `tokens` so both can be compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_tokens: Option<TokenSetView>,
    /// The client that got `machine_tokens`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine_client_id: Option<String>,
    /// How many entries the timeline holds (`GET /api/timeline` has them).
    pub timeline_len: usize,
}
