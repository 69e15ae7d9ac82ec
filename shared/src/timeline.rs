//! The trace: every message that crossed the wire during the learner's flow.

use serde::{Deserialize, Serialize};

use crate::profile::Deviation;
use crate::protocol::Param;

/// Which channel a message used (OAuth 2.0 terms: the browser's redirects are the front
/// channel; server-to-server calls the back channel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Through the browser: the authorization request and the callback.
    Front,
    /// Server to server: token, userinfo, JWKS, discovery, API calls.
    Back,
}

/// One exchange. The client secret never appears: it is replaced by `[client_secret]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// Increasing id within the session.
    pub id: u64,
    /// When it started, Unix milliseconds.
    pub at_ms: u64,
    /// Which channel.
    pub channel: Channel,
    /// What this step was, such as "token request (authorization_code)".
    pub label: String,
    /// The HTTP method.
    pub method: String,
    /// The URL requested (or, for the callback, received).
    pub url: String,
    /// The request headers sent.
    #[serde(default)]
    pub request_headers: Vec<Param>,
    /// The request body sent, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_body: Option<String>,
    /// The response status, when a response came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The response headers.
    #[serde(default)]
    pub response_headers: Vec<Param>,
    /// The response body as text, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_body: Option<String>,
    /// How long the exchange took, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    /// Set when a body was cut short, saying what was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<String>,
    /// When no response came: why (timeout, refused address, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    /// What the answer bent.
    #[serde(default)]
    pub deviations: Vec<Deviation>,
    /// The request as a `curl` command, with `$CLIENT_SECRET` in place of the secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curl: Option<String>,
    /// Set when echoes of the client secret are not masked, saying why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masking: Option<String>,
}

/// `GET /api/timeline`: the entries, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeline {
    /// The entries kept.
    pub entries: Vec<TimelineEntry>,
    /// How many older entries were dropped to keep the session small.
    #[serde(default)]
    pub dropped: u64,
}
