//! Goals judged from the learner's own timeline: the checks a lesson names, the facts they
//! read, and [`evaluate`], which finds the entry that shows each goal reached.
//!
//! The facts ([`Observation`]) are a small reading of the client role's timeline, so the
//! checks stay pure functions that unit tests can feed by hand.

use grantlab_shared::GoalStatus;

/// What a request to an API or to userinfo carried in its `Authorization` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carried {
    /// The access token from a flow with a user.
    AccessToken,
    /// The ID token, sent where an access token belongs.
    IdToken,
    /// The machine's token from the client credentials grant.
    MachineToken,
    /// No token at all.
    Nothing,
}

/// One exchange with the token endpoint, as the goals read it (RFC 6749 §5.1 and §5.2).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenExchange {
    /// `authorization_code`, `refresh_token` or `client_credentials`.
    pub grant_type: String,
    /// The `error` code when the provider refused, `None` on success.
    pub error: Option<String>,
    /// The access token's `aud` when it is a JWT; empty when it is opaque.
    pub audience: Vec<String>,
    /// The granted scope, from the response's `scope`.
    pub scope: Vec<String>,
    /// Whether an `expires_in` came with the access token.
    pub expires_in: bool,
    /// Whether a refresh token came with the access token.
    pub refresh_token: bool,
    /// Whether an ID token came with the access token.
    pub id_token: bool,
    /// The access token's `iat`, when the token is a JWT.
    pub issued_at: Option<i64>,
    /// Whether the request replayed a refresh token the provider had already rotated away.
    pub replayed: bool,
}

/// One fact of the learner's timeline that a goal may need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observation {
    /// The browser was sent to the authorization endpoint (RFC 6749 §4.1.1).
    AuthorizationRequest {
        /// The `response_type` sent.
        response_type: String,
        /// The `scope` sent, split on spaces.
        scopes: Vec<String>,
        /// The `audience` sent, if any.
        audience: Option<String>,
        /// The `resource` indicators sent (RFC 8707).
        resource: Vec<String>,
        /// Whether the `redirect_uri` sent is the sandbox's registered callback.
        registered_redirect: bool,
    },
    /// The callback received the authorization response (RFC 6749 §4.1.2).
    AuthorizationResponse {
        /// Whether a code came back.
        code: bool,
        /// Whether an ID token came back on the front channel (the hybrid flow).
        id_token: bool,
        /// The `error` code, when the provider refused.
        error: Option<String>,
        /// Whether `state` matched the one the sandbox expected; `None` when the session no
        /// longer keeps that callback's check (it judges neither way).
        state_matched: Option<bool>,
    },
    /// The token endpoint answered.
    Token(TokenExchange),
    /// The sandbox validated an ID token (OIDC Core §3.1.3.7).
    IdTokenValidation {
        /// The first step that failed, named by the claim it checks (`nonce`, `iat`), or
        /// `None` when every step passed.
        failed_step: Option<String>,
    },
    /// An API was called.
    ApiCall {
        /// The path called, such as `/expenses-api/expenses`.
        path: String,
        /// What the call carried.
        carried: Carried,
        /// The HTTP status the API answered.
        status: u16,
        /// The names of the checks the API reported as failed, such as `not expired (exp)`.
        failed_checks: Vec<String>,
    },
    /// The userinfo endpoint was called (OIDC Core §5.3).
    Userinfo {
        /// The HTTP status it answered.
        status: u16,
    },
}

/// Which access token a goal wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// A JWT whose `aud` holds this API identifier.
    Api(&'static str),
    /// An opaque token, good only at the provider (no API was named).
    Opaque,
    /// Any access token.
    Any,
}

/// A goal's check over the timeline. Each variant says what the timeline must show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// An authorization request with this `response_type`, naming an API when `audience`
    /// is given (by `audience` or `resource`), with a redirect URI the provider does not know
    /// when `foreign_redirect` is set.
    Sent { response_type: &'static str, audience: Option<&'static str>, foreign_redirect: bool },
    /// An authorization response with a code and a matching state.
    CodeReceived,
    /// An authorization response that carried an ID token on the front channel.
    FrontChannelIdToken,
    /// An authorization response refused by the provider with this `error`.
    AuthorizationRefused { error: &'static str },
    /// An authorization response the sandbox refused because `state` did not match.
    StateRefused,
    /// A successful token response for this grant with this kind of access token.
    Token { grant_type: &'static str, audience: Audience },
    /// A successful token response whose granted scope has `has` and lacks `lacks`.
    GrantedScope { has: &'static str, lacks: &'static str },
    /// A successful token response for this grant that carried an ID token.
    TokenWithIdToken { grant_type: &'static str },
    /// A successful token response for this grant that carried `expires_in`.
    ExpiresIn,
    /// A successful token response for this grant that carried a refresh token (`true`) or
    /// none (`false`).
    RefreshToken { grant_type: &'static str, issued: bool },
    /// A successful token response for this grant with neither a refresh token nor an ID
    /// token, as the client credentials grant gives (RFC 6749 §4.4.3).
    BareToken { grant_type: &'static str },
    /// A token request for this grant refused with this `error` (RFC 6749 §5.2).
    TokenRefused { grant_type: &'static str, error: &'static str },
    /// A successful refresh whose access token has a different `iat` from the one before.
    IatChanged,
    /// A replayed, rotated refresh token refused with `invalid_grant`.
    ReplayRefused,
    /// After a replay was refused, the newest refresh token refused too: the family is gone.
    FamilyRevoked,
    /// The sandbox validated an ID token and every step passed.
    IdTokenValid,
    /// The sandbox refused an ID token at the step checking this claim.
    IdTokenRefused { step: &'static str },
    /// An API call carrying this, answered with this status, on a path ending as given,
    /// with a failed check named `failed` when one is given.
    Api { carried: Carried, status: u16, path: Option<&'static str>, failed: Option<&'static str> },
    /// Two successful API calls with the same access token, no token request between.
    TokenReused,
    /// The userinfo endpoint answered 200.
    Userinfo,
}

/// A goal as the catalogue defines it: an id, the text the learner reads, and its check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GoalDef {
    /// Unique within its lesson or scenario.
    pub id: &'static str,
    /// What to achieve, in the learner's words.
    pub text: &'static str,
    /// What the timeline must show.
    pub check: Check,
}

/// Judges each goal against the timeline, oldest entry first.
pub fn evaluate(goals: &[GoalDef], timeline: &[Observation]) -> Vec<GoalStatus> {
    goals
        .iter()
        .map(|goal| {
            let evidence = find(goal.check, timeline);
            GoalStatus { id: goal.id.to_owned(), reached: evidence.is_some(), evidence }
        })
        .collect()
}

/// The first timeline entry that satisfies `check`, described for the learner.
fn find(check: Check, timeline: &[Observation]) -> Option<String> {
    let tokens = || {
        timeline.iter().enumerate().filter_map(|(at, entry)| match entry {
            Observation::Token(exchange) => Some((at, exchange)),
            _ => None,
        })
    };
    let granted = |grant: &'static str| {
        tokens().map(|(_, token)| token).filter(move |t| t.grant_type == grant && t.error.is_none())
    };

    match check {
        Check::Sent { response_type, audience, foreign_redirect } => {
            timeline.iter().find_map(|entry| match entry {
                Observation::AuthorizationRequest {
                    response_type: sent,
                    audience: named,
                    resource,
                    registered_redirect,
                    ..
                } if sent == response_type
                    && audience.is_none_or(|api| {
                        named.as_deref() == Some(api) || resource.iter().any(|r| r == api)
                    })
                    && *registered_redirect != foreign_redirect =>
                {
                    Some(format!("authorization request with response_type `{sent}`"))
                }
                _ => None,
            })
        }

        Check::CodeReceived => timeline.iter().find_map(|entry| match entry {
            Observation::AuthorizationResponse {
                code: true, state_matched: Some(true), ..
            } => Some("authorization response with a code and the expected state".to_owned()),
            _ => None,
        }),

        Check::FrontChannelIdToken => timeline.iter().find_map(|entry| match entry {
            Observation::AuthorizationResponse { id_token: true, .. } => {
                Some("authorization response carrying an ID token".to_owned())
            }
            _ => None,
        }),

        Check::AuthorizationRefused { error } => timeline.iter().find_map(|entry| match entry {
            Observation::AuthorizationResponse { error: Some(found), .. } if found == error => {
                Some(format!("authorization response with error `{found}`"))
            }
            _ => None,
        }),

        Check::StateRefused => timeline.iter().find_map(|entry| match entry {
            Observation::AuthorizationResponse { state_matched: Some(false), .. } => {
                Some("authorization response refused: its state did not match".to_owned())
            }
            _ => None,
        }),

        Check::Token { grant_type, audience } => granted(grant_type)
            .find(|token| match audience {
                Audience::Api(api) => token.audience.iter().any(|aud| aud == api),
                Audience::Opaque => token.audience.is_empty(),
                Audience::Any => true,
            })
            .map(|token| match token.audience.as_slice() {
                [] => format!("{grant_type} grant: an opaque access token"),
                audience => format!("{grant_type} grant: an access token for {audience:?}"),
            }),

        Check::GrantedScope { has, lacks } => tokens()
            .map(|(_, token)| token)
            .filter(|token| token.error.is_none())
            .find(|token| {
                token.scope.iter().any(|s| s == has) && !token.scope.iter().any(|s| s == lacks)
            })
            .map(|token| format!("granted scope `{}`", token.scope.join(" "))),

        Check::TokenWithIdToken { grant_type } => granted(grant_type)
            .find(|token| token.id_token)
            .map(|_| format!("{grant_type} grant: the response carried an ID token")),

        Check::ExpiresIn => tokens()
            .map(|(_, token)| token)
            .find(|token| token.error.is_none() && token.expires_in)
            .map(|_| "a token response giving `expires_in`".to_owned()),

        Check::RefreshToken { grant_type, issued } => {
            granted(grant_type).find(|token| token.refresh_token == issued).map(|_| match issued {
                true => format!("{grant_type} grant: a refresh token came back"),
                false => format!("{grant_type} grant: no refresh token came back"),
            })
        }

        Check::BareToken { grant_type } => granted(grant_type)
            .find(|token| !token.refresh_token && !token.id_token)
            .map(|_| format!("{grant_type} grant: no refresh token and no ID token came back")),

        Check::TokenRefused { grant_type, error } => tokens()
            .map(|(_, token)| token)
            .find(|token| token.grant_type == grant_type && token.error.as_deref() == Some(error))
            .map(|_| format!("{grant_type} grant refused with `{error}`")),

        Check::IatChanged => {
            let issued: Vec<(&str, i64)> = tokens()
                .filter(|(_, token)| token.error.is_none())
                .filter_map(|(_, token)| Some((token.grant_type.as_str(), token.issued_at?)))
                .collect();
            issued.windows(2).find_map(|pair| match pair {
                [(_, before), ("refresh_token", after)] if before != after => {
                    Some(format!("refresh: `iat` went from {before} to {after}"))
                }
                _ => None,
            })
        }

        Check::ReplayRefused => tokens()
            .map(|(_, token)| token)
            .find(|token| token.replayed && token.error.as_deref() == Some("invalid_grant"))
            .map(|_| "the reused refresh token was refused with `invalid_grant`".to_owned()),

        Check::FamilyRevoked => {
            let replay = tokens().find(|(_, token)| {
                token.replayed && token.error.as_deref() == Some("invalid_grant")
            })?;
            tokens()
                .skip_while(|(at, _)| *at <= replay.0)
                .find(|(_, token)| {
                    token.grant_type == "refresh_token"
                        && !token.replayed
                        && token.error.as_deref() == Some("invalid_grant")
                })
                .map(|_| "after the replay, the newest refresh token was refused too".to_owned())
        }

        Check::IdTokenValid => timeline.iter().find_map(|entry| match entry {
            Observation::IdTokenValidation { failed_step: None } => {
                Some("ID token validated: every step passed".to_owned())
            }
            _ => None,
        }),

        Check::IdTokenRefused { step } => timeline.iter().find_map(|entry| match entry {
            Observation::IdTokenValidation { failed_step: Some(found) } if found == step => {
                Some(format!("ID token refused at the `{found}` check"))
            }
            _ => None,
        }),

        Check::Api { carried, status, path, failed } => {
            timeline.iter().find_map(|entry| match entry {
                Observation::ApiCall {
                    path: called,
                    carried: sent,
                    status: got,
                    failed_checks,
                } if *sent == carried
                    && *got == status
                    && path.is_none_or(|end| called.ends_with(end))
                    && failed.is_none_or(|claim| failed_checks.iter().any(|c| names(c, claim))) =>
                {
                    Some(format!("{called} answered {got}"))
                }
                _ => None,
            })
        }

        Check::TokenReused => {
            let mut calls_on_this_token = 0;
            timeline.iter().find_map(|entry| {
                match entry {
                    Observation::Token(_) => calls_on_this_token = 0,
                    Observation::ApiCall { carried: Carried::AccessToken, status: 200, .. } => {
                        calls_on_this_token += 1;
                    }
                    _ => {}
                }
                (calls_on_this_token == 2)
                    .then(|| "two API calls answered with one access token".to_owned())
            })
        }

        Check::Userinfo => timeline.iter().find_map(|entry| match entry {
            Observation::Userinfo { status: 200 } => Some("userinfo answered 200".to_owned()),
            _ => None,
        }),
    }
}

/// Whether an API's check name is about `claim`: `exp`, or a label such as
/// `not expired (exp)` that ends by naming it.
fn names(check: &str, claim: &str) -> bool {
    check == claim || check.ends_with(&format!("({claim})"))
}

#[cfg(test)]
mod tests;
