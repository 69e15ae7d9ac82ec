//! Composing the authorization request (RFC 6749 §4.1.1, OIDC Core §3.1.2.1) and what came
//! back to the callback (RFC 6749 §4.1.2).

use serde::{Deserialize, Serialize};

use super::protocol::{Param, ProviderError, ResponseMode};

/// `GET /api/authorize/draft` answers a fresh draft with defaults for the current profile;
/// `POST /api/authorize` takes the learner's edited draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationDraft {
    /// `response_type` (RFC 6749 §3.1.1; OIDC Core §3): `code`, `code id_token`, ...
    pub response_type: String,
    /// `response_mode`; `None` leaves it out so the response type's default applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_mode: Option<ResponseMode>,
    /// `scope` (RFC 6749 §3.3), one entry per scope; sent space-separated.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// `audience`: the API the token is for (a common extension, as at Auth0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// `resource` (RFC 8707 §2): absolute URIs of the APIs the token is for; repeatable.
    #[serde(default)]
    pub resources: Vec<String>,
    /// `redirect_uri` (RFC 6749 §3.1.2). Defaults to the sandbox's callback; another value
    /// makes the provider refuse or the callback never come, which is a lesson too.
    pub redirect_uri: String,
    /// `state` (RFC 6749 §10.12): generated; editable, but kept server-side to check.
    pub state: String,
    /// `nonce` (OIDC Core §3.1.2.1): generated; bound into the ID token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// Whether to send a PKCE `code_challenge` with method `S256` (RFC 7636 §4.3).
    pub pkce: bool,
    /// `prompt` (OIDC Core §3.1.2.1): `none`, `login`, `consent`, `select_account`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// `max_age` in seconds (OIDC Core §3.1.2.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u64>,
    /// `login_hint` (OIDC Core §3.1.2.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_hint: Option<String>,
    /// Any other parameters, sent as given after the ones above.
    #[serde(default)]
    pub extra: Vec<Param>,
    /// Redeem the code as soon as the callback arrives, instead of waiting for the learner.
    #[serde(default)]
    pub auto_redeem: bool,
}

/// `POST /api/authorize`: the URL to send the browser to, and every parameter explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComposedRequest {
    /// The full authorization URL. The browser goes there at the top level.
    pub url: String,
    /// One entry per parameter, in the order they appear in the URL.
    pub parameters: Vec<ParameterExplained>,
    /// Notes about the draft as a whole, such as "openid missing: no ID token will come".
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// One parameter of a composed request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParameterExplained {
    /// The parameter name as sent.
    pub name: String,
    /// The value as sent (before URL encoding).
    pub value: String,
    /// What it does, in one or two sentences.
    pub meaning: String,
    /// Where the spec defines it, such as "RFC 6749 §4.1.1".
    pub spec: String,
}

/// What the callback received, as kept in the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallbackView {
    /// How the parameters arrived.
    pub response_mode: ResponseMode,
    /// The parameters as received. Codes and tokens are shown: this is a sandbox.
    pub params: Vec<Param>,
    /// The state check (RFC 6749 §10.12): `state` must equal the one sent.
    pub state_check: Check,
    /// The provider's error, when the response is one (RFC 6749 §4.1.2.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ProviderError>,
    /// Whether an authorization code came and waits to be redeemed.
    pub code_received: bool,
}

/// One check the sandbox made, with expected and found values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    /// A stable id, such as `state` or `id_token.nonce`.
    pub id: String,
    /// The rule, with its section: "OIDC Core §3.1.3.7 step 11".
    pub spec: String,
    /// Whether it held.
    pub passed: bool,
    /// What was expected.
    pub expected: String,
    /// What was found.
    pub found: String,
}

/// `POST /api/callback`: the fragment page hands over `location.hash` (without `#`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FragmentCallback {
    /// The fragment, form-encoded as the provider sent it.
    pub fragment: String,
}
