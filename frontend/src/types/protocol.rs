//! Protocol terms the browser composes or shows, with the RFC section that defines each.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An error code from RFC 6749 §4.1.2.1 (authorization), §5.2 (token) or RFC 6750 §3.1
/// (resource), with a catch-all for the codes providers invent (`bad_verification_code`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum ErrorCode {
    /// `invalid_request`: a parameter is missing, repeated or malformed.
    InvalidRequest,
    /// `invalid_client`: client authentication failed (RFC 6749 §5.2).
    InvalidClient,
    /// `invalid_grant`: the code, refresh token or credentials are invalid or expired.
    InvalidGrant,
    /// `unauthorized_client`: the client may not use this grant or response type.
    UnauthorizedClient,
    /// `unsupported_grant_type`: the token endpoint does not know the grant type.
    UnsupportedGrantType,
    /// `unsupported_response_type`: the authorization endpoint refuses the response type.
    UnsupportedResponseType,
    /// `invalid_scope`: a requested scope is unknown or not allowed.
    InvalidScope,
    /// `access_denied`: the resource owner or the server said no.
    AccessDenied,
    /// `server_error`: the provider failed (sent as a redirect, since 500 cannot be).
    ServerError,
    /// `temporarily_unavailable`: the provider is overloaded or down for maintenance.
    TemporarilyUnavailable,
    /// `login_required` (OIDC Core §3.1.2.6): `prompt=none` but nobody is logged in.
    LoginRequired,
    /// `consent_required` (OIDC Core §3.1.2.6): `prompt=none` but consent is needed.
    ConsentRequired,
    /// `interaction_required` (OIDC Core §3.1.2.6): `prompt=none` but the user must act.
    InteractionRequired,
    /// `invalid_token` (RFC 6750 §3.1): the access token is expired, revoked or malformed.
    InvalidToken,
    /// `insufficient_scope` (RFC 6750 §3.1): the token lacks a scope the resource needs.
    InsufficientScope,
    /// Any other code, kept as sent.
    Extension(String),
}

impl ErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::InvalidScope => "invalid_scope",
            Self::AccessDenied => "access_denied",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::LoginRequired => "login_required",
            Self::ConsentRequired => "consent_required",
            Self::InteractionRequired => "interaction_required",
            Self::InvalidToken => "invalid_token",
            Self::InsufficientScope => "insufficient_scope",
            Self::Extension(code) => code,
        }
    }
}

impl From<String> for ErrorCode {
    fn from(code: String) -> Self {
        match code.as_str() {
            "invalid_request" => Self::InvalidRequest,
            "invalid_client" => Self::InvalidClient,
            "invalid_grant" => Self::InvalidGrant,
            "unauthorized_client" => Self::UnauthorizedClient,
            "unsupported_grant_type" => Self::UnsupportedGrantType,
            "unsupported_response_type" => Self::UnsupportedResponseType,
            "invalid_scope" => Self::InvalidScope,
            "access_denied" => Self::AccessDenied,
            "server_error" => Self::ServerError,
            "temporarily_unavailable" => Self::TemporarilyUnavailable,
            "login_required" => Self::LoginRequired,
            "consent_required" => Self::ConsentRequired,
            "interaction_required" => Self::InteractionRequired,
            "invalid_token" => Self::InvalidToken,
            "insufficient_scope" => Self::InsufficientScope,
            _ => Self::Extension(code),
        }
    }
}

impl From<ErrorCode> for String {
    fn from(code: ErrorCode) -> Self {
        code.as_str().to_owned()
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error a provider or a resource server answered with: the body of RFC 6749 §5.2 (or the
/// query of §4.1.2.1, or the `WWW-Authenticate` parameters of RFC 6750 §3), kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderError {
    /// `error`: the code.
    pub error: ErrorCode,
    /// `error_description`: human-readable text from the provider, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
    /// `error_uri`: a page about the error, if any. Shown as text; follow it with care.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_uri: Option<String>,
}

/// How the authorization response comes back (OAuth 2.0 Multiple Response Type Encoding
/// Practices §2.1, and OAuth 2.0 Form Post Response Mode §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseMode {
    /// `query`: parameters in the redirect's query string (the default for `code`).
    Query,
    /// `fragment`: parameters after `#`, read by a page (the default when tokens come back).
    Fragment,
    /// `form_post`: an auto-submitted HTML form POSTs the parameters to the redirect URI.
    FormPost,
}

impl ResponseMode {
    /// The value of the `response_mode` parameter.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Query => "query",
            Self::Fragment => "fragment",
            Self::FormPost => "form_post",
        }
    }
}

/// How the client authenticates at the token endpoint (RFC 6749 §2.3.1; OIDC Core §9).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuthMethod {
    /// `client_secret_basic`: HTTP Basic with the client id and secret. The default: RFC 6749
    /// §2.3.1 says servers must support it.
    #[default]
    ClientSecretBasic,
    /// `client_secret_post`: `client_id` and `client_secret` as form fields.
    ClientSecretPost,
    /// `none`: only `client_id` is sent, as a public client would (with PKCE).
    None,
}

/// Which token of the session a request is about.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// The access token (RFC 6749 §1.4).
    #[default]
    AccessToken,
    /// The refresh token (RFC 6749 §1.5).
    RefreshToken,
    /// The ID token (OIDC Core §2).
    IdToken,
}

/// A name and a value, as in a query string, a form or a header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param {
    /// The name.
    pub name: String,
    /// The value.
    pub value: String,
}
