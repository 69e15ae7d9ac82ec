//! Tokens and the back-channel steps that get or use them: redeem (RFC 6749 §4.1.3), refresh
//! (§6), client credentials (§4.4), userinfo (OIDC Core §5.3), revocation (RFC 7009) and
//! introspection (RFC 7662).

use serde::{Deserialize, Serialize};

use crate::authorize::Check;
use crate::profile::Deviation;
use crate::protocol::{ClientAuthMethod, Param, ProviderError, TokenKind};

/// The session's tokens as the learner sees them: raw, and decoded where they are JWTs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSetView {
    /// The access token (RFC 6749 §5.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<JwtView>,
    /// `token_type` as sent (RFC 6749 §7.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// When the access token expires, Unix seconds, from `expires_in` at receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    /// `expires_in` as received (RFC 6749 §5.1): the access token's lifetime in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    /// The granted scope (RFC 6749 §5.1; when absent, the requested scope applies).
    #[serde(default)]
    pub scope: Vec<String>,
    /// The refresh token, if any (RFC 6749 §1.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Whether the last refresh returned a new refresh token (rotation, RFC 9700 §4.14.2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_rotated: Option<bool>,
    /// The refresh token before the last rotation, kept so the learner can replay it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_refresh_token: Option<String>,
    /// The ID token (OIDC Core §2), decoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<JwtView>,
    /// The ID token checks of OIDC Core §3.1.3.7 / §3.3.2.12, in spec order.
    #[serde(default)]
    pub id_token_checks: Vec<Check>,
    /// Members of the token response that no spec above defines, kept as JSON text.
    #[serde(default)]
    pub extra: Vec<Param>,
}

/// A token, raw, with its header and claims when it is a JWT (RFC 7519).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwtView {
    /// The token exactly as received.
    pub raw: String,
    /// Whether it parses as a JWS compact serialization (three base64url parts).
    pub is_jwt: bool,
    /// The JOSE header members (RFC 7515 §4), values as JSON text.
    #[serde(default)]
    pub header: Vec<Param>,
    /// The claims (RFC 7519 §4), values as JSON text, in the token's order.
    #[serde(default)]
    pub claims: Vec<Param>,
}

/// `POST /api/redeem`: exchange the authorization code (RFC 6749 §4.1.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RedeemRequest {
    /// How to authenticate; `client_secret_basic` by default.
    #[serde(default)]
    pub client_auth: ClientAuthMethod,
    /// Send the code already redeemed once more, to see the provider refuse a replay
    /// (RFC 6749 §4.1.2, §10.5).
    #[serde(default)]
    pub replay_previous: bool,
}

/// `POST /api/refresh` (RFC 6749 §6).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshRequest {
    /// How to authenticate; `client_secret_basic` by default.
    #[serde(default)]
    pub client_auth: ClientAuthMethod,
    /// Send the refresh token from before the last rotation, to see reuse detection.
    #[serde(default)]
    pub replay_previous: bool,
    /// `audience`, the common extension: which API the new access token is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// `resource` (RFC 8707 §2.2): which API the new access token is for; repeatable.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
}

/// `POST /api/client-credentials` (RFC 6749 §4.4): a token for the client itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientCredentialsRequest {
    /// How to authenticate; `client_secret_basic` by default.
    #[serde(default)]
    pub client_auth: ClientAuthMethod,
    /// `scope` (RFC 6749 §3.3).
    #[serde(default)]
    pub scopes: Vec<String>,
    /// `audience`, the common extension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// `resource` (RFC 8707 §2), repeatable.
    #[serde(default)]
    pub resources: Vec<String>,
    /// Which client runs the grant; the session profile's own client by default.
    #[serde(default)]
    pub client: GrantClient,
}

/// Which client asks for a token of its own (RFC 6749 §4.4).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantClient {
    /// The session profile's client: the sandbox at the lab, the learner's client elsewhere.
    #[default]
    Profile,
    /// The lab provider's machine client, `lab-machine`; only with the lab profile. The
    /// server holds its secret; the browser never sees it.
    LabMachine,
}

/// `POST /api/revoke` (RFC 7009 §2.1) and `POST /api/introspect` (RFC 7662 §2.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRequest {
    /// Which of the session's tokens; sent with it as `token_type_hint`.
    #[serde(default)]
    pub token: TokenKind,
    /// How to authenticate; `client_secret_basic` by default.
    #[serde(default)]
    pub client_auth: ClientAuthMethod,
}

/// What a back-channel step did. The exchanges themselves are in the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// Whether the step succeeded.
    pub ok: bool,
    /// One sentence for the learner.
    pub summary: String,
    /// The provider's error response, when it answered with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ProviderError>,
    /// What the provider's answer bent, and how the sandbox coped.
    #[serde(default)]
    pub deviations: Vec<Deviation>,
    /// Named results, such as introspection's `active` or userinfo's claims, as JSON text.
    #[serde(default)]
    pub fields: Vec<Param>,
    /// The ids of the timeline entries this step added.
    #[serde(default)]
    pub entries: Vec<u64>,
}
