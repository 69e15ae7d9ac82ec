//! The broken scenarios: one thing broken on purpose, a prediction, and what really happens.
//!
//! Where a scenario needs the sandbox or the lab provider to misbehave, its set-up turns on a
//! switch of the learner's session [`Mischief`](grantlab_shared::Mischief); the others only
//! compose an unusual request.

use grantlab_shared::Mischief;

use super::catalogue::{CALM, CODE_FLOW, PredictionDef, RequestDef, ScenarioDef, SetupDef};
use super::goals::{Audience, Carried, Check, GoalDef};

const OFFLINE: RequestDef =
    RequestDef { scopes: &["openid", "profile", "read:reports", "offline_access"], ..CODE_FLOW };

const fn alice(
    request: RequestDef,
    mischief: Mischief,
    steps: &'static [&'static str],
) -> SetupDef {
    SetupDef { user: Some("alice"), request: Some(request), machine: None, mischief, steps }
}

/// Every broken scenario.
pub const SCENARIOS: [ScenarioDef; 13] = [
    ScenarioDef {
        id: "no-audience",
        title: "No audience: the API gets an opaque token",
        lesson: 4,
        setup: alice(
            RequestDef { audience: None, ..CODE_FLOW },
            CALM,
            &["Run the flow without naming an API, then call GET /expenses-api/expenses."],
        ),
        prediction: PredictionDef {
            question: "No audience and no resource were sent. What does the Expenses API do \
                       with the access token?",
            choices: &[
                "Asks the provider who the user is",
                "Answers 403 insufficient_scope",
                "Accepts it: the scope holds read:reports",
                "Refuses it with 401 invalid_token: it cannot validate it",
            ],
            answer: 3,
            explanation: "With no API named, the provider issues an opaque token.",
        },
        outcome: "The provider had no API to write a token for, so it issued an opaque value \
                  that only it understands. The API finds no JWT to check and answers 401 \
                  invalid_token. Name the API with audience or resource to get a token it can \
                  read.",
        goals: &[
            GoalDef {
                id: "opaque-token",
                text: "You obtained an opaque access token.",
                check: Check::Token {
                    grant_type: "authorization_code",
                    audience: Audience::Opaque,
                },
            },
            GoalDef {
                id: "api-refused",
                text: "The API refused it with 401.",
                check: Check::Api {
                    carried: Carried::AccessToken,
                    status: 401,
                    path: None,
                    failed: None,
                },
            },
        ],
    },
    ScenarioDef {
        id: "scope-not-held",
        title: "Scope not held: alice asks for approve:reports",
        lesson: 9,
        setup: alice(
            RequestDef { scopes: &["openid", "read:reports", "approve:reports"], ..CODE_FLOW },
            CALM,
            &["Run the flow as alice, read the granted scope, then approve an expense."],
        ),
        prediction: PredictionDef {
            question: "alice asks for approve:reports, which she does not hold. What happens?",
            choices: &[
                "She gets a token without approve:reports, and the approval fails with 403",
                "She gets approve:reports because she asked",
                "The consent page lets her grant it to herself",
                "The provider refuses the whole request",
            ],
            answer: 0,
            explanation: "The granted scope is cut down to her privileges.",
        },
        outcome: "The provider quietly drops approve:reports: the response's scope shows \
                  read:reports only. The token is valid, so the API does not answer 401; it \
                  answers 403 insufficient_scope to the approval.",
        goals: &[
            GoalDef {
                id: "scope-dropped",
                text: "The granted scope lacks approve:reports.",
                check: Check::GrantedScope { has: "read:reports", lacks: "approve:reports" },
            },
            GoalDef {
                id: "approval-refused",
                text: "The API answered 403 to the approval.",
                check: Check::Api {
                    carried: Carried::AccessToken,
                    status: 403,
                    path: Some("/approve"),
                    failed: None,
                },
            },
        ],
    },
    ScenarioDef {
        id: "expired-access-token",
        title: "Expired access token: a 10-second lifetime",
        lesson: 7,
        setup: alice(
            CODE_FLOW,
            Mischief { short_lifetimes: true, ..CALM },
            &["Run the flow, wait until the countdown reaches zero, then call the API."],
        ),
        prediction: PredictionDef {
            question: "The access token has expired. What does the API answer?",
            choices: &[
                "A new token",
                "200: it was valid when issued",
                "401 invalid_token: the token has expired",
                "403 insufficient_scope",
            ],
            answer: 2,
            explanation: "The API checks exp on every call, with a small leeway.",
        },
        outcome: "The API checks exp, finds it in the past, and answers 401 invalid_token. The \
                  app should have refreshed (or run the flow again) before the countdown ran \
                  out: it knows the lifetime from expires_in.",
        goals: &[GoalDef {
            id: "expired-refused",
            text: "The API refused an expired access token.",
            check: Check::Api {
                carried: Carried::AccessToken,
                status: 401,
                path: None,
                failed: Some("exp"),
            },
        }],
    },
    ScenarioDef {
        id: "id-token-to-api",
        title: "The ID token sent to the API",
        lesson: 13,
        setup: alice(CODE_FLOW, CALM, &["Run the flow, then \"send the ID token instead\"."]),
        prediction: PredictionDef {
            question: "The ID token is signed by the same provider. Does the API accept it?",
            choices: &[
                "No: 403",
                "Only for GET requests",
                "Yes",
                "No: 401, its audience is the client",
            ],
            answer: 3,
            explanation: "aud names the sandbox, not https://expenses-api.",
        },
        outcome: "The signature checks out, but the audience is the sandbox's client id. The \
                  API answers 401 invalid_token and explains that ID tokens are for the \
                  client, not for APIs.",
        goals: &[GoalDef {
            id: "id-token-refused",
            text: "The API refused the ID token.",
            check: Check::Api { carried: Carried::IdToken, status: 401, path: None, failed: None },
        }],
    },
    ScenarioDef {
        id: "code-redeemed-twice",
        title: "The code redeemed twice",
        lesson: 6,
        setup: alice(
            CODE_FLOW,
            CALM,
            &["Run the flow and redeem the code.", "Press \"Redeem the last code again\"."],
        ),
        prediction: PredictionDef {
            question: "You redeem the same code a second time. What happens?",
            choices: &[
                "The same tokens again",
                "invalid_grant, and what the first redemption issued is revoked",
                "A second, independent set of tokens",
                "Nothing: the provider ignores it",
            ],
            answer: 1,
            explanation: "A code is single use; a replay suggests it was stolen.",
        },
        outcome: "The provider answers 400 invalid_grant. Because a replayed code may mean \
                  theft, it also revokes the tokens the first redemption issued: the access \
                  token you had stops working at the provider.",
        goals: &[
            GoalDef {
                id: "redeemed-once",
                text: "The first redemption succeeded.",
                check: Check::Token { grant_type: "authorization_code", audience: Audience::Any },
            },
            GoalDef {
                id: "replay-refused",
                text: "The second was refused with invalid_grant.",
                check: Check::TokenRefused {
                    grant_type: "authorization_code",
                    error: "invalid_grant",
                },
            },
        ],
    },
    ScenarioDef {
        id: "unregistered-redirect-uri",
        title: "A redirect URI the provider does not know",
        lesson: 3,
        setup: alice(
            RequestDef { redirect_uri: Some("http://127.0.0.1:9/elsewhere"), ..CODE_FLOW },
            CALM,
            &["Send the request and see where the browser ends up."],
        ),
        prediction: PredictionDef {
            question: "The redirect_uri is not registered for the sandbox. Where does the \
                       browser end up?",
            choices: &[
                "On an error page at the provider",
                "At the sandbox's callback, with an error",
                "At the login page, as usual",
                "At that URI, with an error",
            ],
            answer: 0,
            explanation: "An untrusted redirect URI cannot be trusted with an error either.",
        },
        outcome: "The provider stops at once and shows its own error page. It never redirects \
                  to an address it does not know, not even with an error, or it would become \
                  an open redirector for anyone's phishing.",
        goals: &[GoalDef {
            id: "foreign-redirect-sent",
            text: "You sent an authorization request with an unregistered redirect URI.",
            check: Check::Sent { response_type: "code", audience: None, foreign_redirect: true },
        }],
    },
    ScenarioDef {
        id: "wrong-client-secret",
        title: "A wrong client secret",
        lesson: 2,
        setup: alice(
            CODE_FLOW,
            Mischief { wrong_client_secret: true, ..CALM },
            &["Run the flow and redeem the code: the sandbox presents a wrong secret."],
        ),
        prediction: PredictionDef {
            question: "The code is good but the client secret is wrong. What does the token \
                       endpoint answer?",
            choices: &[
                "The tokens: the code is what matters",
                "401 invalid_client",
                "400 invalid_grant",
                "A redirect to the login page",
            ],
            answer: 1,
            explanation: "Client authentication fails before the code is even looked at.",
        },
        outcome: "The token endpoint answers 401 invalid_client, with a WWW-Authenticate \
                  header since the sandbox used HTTP Basic. No token is issued: holding a code \
                  is not enough without the client's credentials.",
        goals: &[GoalDef {
            id: "invalid-client",
            text: "The token endpoint refused the client with invalid_client.",
            check: Check::TokenRefused {
                grant_type: "authorization_code",
                error: "invalid_client",
            },
        }],
    },
    ScenarioDef {
        id: "state-mismatch",
        title: "State mismatch",
        lesson: 5,
        setup: alice(
            CODE_FLOW,
            Mischief { tamper_state: true, ..CALM },
            &["Run the flow: the sandbox now expects a state other than the one it sent."],
        ),
        prediction: PredictionDef {
            question: "The state that comes back does not match the one the sandbox kept. \
                       What should the sandbox do?",
            choices: &[
                "Retry the callback",
                "Redeem the code anyway",
                "Refuse the response and redeem nothing",
                "Ask the provider for the right state",
            ],
            answer: 2,
            explanation: "A response that does not answer our request may be forged (CSRF).",
        },
        outcome: "The callback reports the state check as failed and leaves the code \
                  unredeemed. Someone could have sent the browser a response from their own \
                  login, to sign the learner in as them.",
        goals: &[GoalDef {
            id: "state-refused",
            text: "The sandbox refused an authorization response whose state did not match.",
            check: Check::StateRefused,
        }],
    },
    ScenarioDef {
        id: "nonce-mismatch",
        title: "Nonce mismatch",
        lesson: 14,
        setup: alice(
            CODE_FLOW,
            Mischief { tamper_nonce: true, ..CALM },
            &["Run the flow and redeem the code: the sandbox expects another nonce."],
        ),
        prediction: PredictionDef {
            question: "The ID token's nonce is not the one the sandbox expects. What happens?",
            choices: &[
                "The provider refuses to issue tokens",
                "The access token stops working",
                "Nothing: nonce is informational",
                "The ID token fails validation at the nonce step",
            ],
            answer: 3,
            explanation: "The nonce ties the ID token to this login; a mismatch means a replay.",
        },
        outcome: "The token endpoint answers normally, but the sandbox's validation stops at \
                  the nonce step, with the expected and the found values side by side. The \
                  app must not sign the user in with that ID token.",
        goals: &[GoalDef {
            id: "nonce-refused",
            text: "The sandbox refused the ID token at the nonce check.",
            check: Check::IdTokenRefused { step: "nonce" },
        }],
    },
    ScenarioDef {
        id: "pkce-mismatch",
        title: "PKCE verifier mismatch",
        lesson: 6,
        setup: alice(
            CODE_FLOW,
            Mischief { wrong_pkce_verifier: true, ..CALM },
            &["Run the flow and redeem the code: the sandbox sends a different verifier."],
        ),
        prediction: PredictionDef {
            question: "The code_verifier does not hash to the code_challenge sent earlier. \
                       What does the token endpoint answer?",
            choices: &[
                "400 invalid_grant",
                "401 invalid_client",
                "It ignores the verifier",
                "The tokens, since the client secret is right",
            ],
            answer: 0,
            explanation: "The code is bound to the challenge; only the matching verifier frees it.",
        },
        outcome: "The provider hashes the verifier, compares with the stored challenge, finds \
                  they differ and answers 400 invalid_grant. A code stolen in transit is \
                  worthless to a thief who does not hold the verifier.",
        goals: &[GoalDef {
            id: "pkce-refused",
            text: "The token endpoint refused the verifier with invalid_grant.",
            check: Check::TokenRefused { grant_type: "authorization_code", error: "invalid_grant" },
        }],
    },
    ScenarioDef {
        id: "refresh-token-reused",
        title: "A rotated refresh token reused",
        lesson: 11,
        setup: alice(
            OFFLINE,
            CALM,
            &[
                "Run the flow and refresh once.",
                "Press \"reuse the old refresh token\".",
                "Then refresh with the newest refresh token.",
            ],
        ),
        prediction: PredictionDef {
            question: "After the old refresh token is refused, does the newest one still work?",
            choices: &[
                "Only after logging in again",
                "Yes, it was never used",
                "No: the provider revoked the whole family",
                "Only once more",
            ],
            answer: 2,
            explanation: "The provider cannot tell the thief from the app, so it stops both.",
        },
        outcome: "The reused token is refused with invalid_grant, and the provider revokes every \
                  token descended from the same grant. The newest refresh token fails too: \
                  the user has to sign in again.",
        goals: &[
            GoalDef {
                id: "reuse-refused",
                text: "The reused refresh token was refused.",
                check: Check::ReplayRefused,
            },
            GoalDef {
                id: "family-revoked",
                text: "The newest refresh token was refused too: its family was revoked.",
                check: Check::FamilyRevoked,
            },
        ],
    },
    ScenarioDef {
        id: "clock-skew",
        title: "Clock skew: a token used before it was issued",
        lesson: 14,
        setup: alice(
            CODE_FLOW,
            Mischief { clock_behind_seconds: 600, ..CALM },
            &["Run the flow and redeem the code: the sandbox's clock is 10 minutes behind."],
        ),
        prediction: PredictionDef {
            question: "The sandbox's clock runs 10 minutes behind the provider's. What happens \
                       to the ID token?",
            choices: &[
                "It is treated as expired",
                "The provider adjusts the times",
                "Nothing: clocks do not matter",
                "Validation fails: it was issued in the sandbox's future",
            ],
            answer: 3,
            explanation: "iat is later than the sandbox's now, beyond the allowed leeway.",
        },
        outcome: "The iat check fails: by the sandbox's clock, the token was issued 10 minutes \
                  from now, beyond the 5 minutes of leeway it allows. Real systems allow some \
                  leeway and keep their clocks in sync with NTP; a large skew breaks logins in \
                  ways that are hard to see.",
        goals: &[GoalDef {
            id: "iat-refused",
            text: "The sandbox refused the ID token at the iat check.",
            check: Check::IdTokenRefused { step: "iat" },
        }],
    },
    ScenarioDef {
        id: "no-token",
        title: "The API called with no token",
        lesson: 8,
        setup: alice(CODE_FLOW, CALM, &["Run the flow, then call the API with \"send no token\"."]),
        prediction: PredictionDef {
            question: "The call carries no Authorization header. What does the API answer?",
            choices: &[
                "200 with public data",
                "401 with a WWW-Authenticate: Bearer challenge",
                "403 insufficient_scope",
                "A redirect to the provider",
            ],
            answer: 1,
            explanation: "RFC 6750 tells the API to challenge for a bearer token.",
        },
        outcome: "The API answers 401 and a WWW-Authenticate: Bearer header naming its realm. \
                  An API never redirects to a login page: its callers are programs.",
        goals: &[GoalDef {
            id: "no-token-refused",
            text: "The API refused a call with no token.",
            check: Check::Api { carried: Carried::Nothing, status: 401, path: None, failed: None },
        }],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_least_twelve_scenarios_each_with_setup_prediction_and_outcome() {
        assert!(SCENARIOS.len() >= 12);

        for scenario in SCENARIOS {
            let dto = scenario.to_dto();
            assert!(dto.setup.request.is_some() || dto.setup.machine.is_some(), "{}", dto.id);
            assert!(!dto.setup.steps.is_empty(), "{}", dto.id);
            assert!(dto.prediction.answer < dto.prediction.choices.len(), "{}", dto.id);
            assert!(!dto.outcome.is_empty() && !dto.goals.is_empty(), "{}", dto.id);
            assert!((1..=18).contains(&dto.lesson), "{}", dto.id);
        }
    }

    #[test]
    fn the_issue_scenarios_are_all_there() {
        let ids: Vec<&str> = SCENARIOS.iter().map(|scenario| scenario.id).collect();

        for id in [
            "no-audience",
            "scope-not-held",
            "expired-access-token",
            "id-token-to-api",
            "code-redeemed-twice",
            "unregistered-redirect-uri",
            "wrong-client-secret",
            "state-mismatch",
            "nonce-mismatch",
            "pkce-mismatch",
            "refresh-token-reused",
            "clock-skew",
        ] {
            assert!(ids.contains(&id), "missing scenario `{id}`");
        }
    }

    #[test]
    fn misbehaving_scenarios_turn_on_exactly_one_switch() {
        for scenario in SCENARIOS {
            let Mischief {
                wrong_client_secret,
                tamper_state,
                tamper_nonce,
                wrong_pkce_verifier,
                clock_behind_seconds,
                short_lifetimes,
            } = scenario.setup.mischief;
            let on = [
                wrong_client_secret,
                tamper_state,
                tamper_nonce,
                wrong_pkce_verifier,
                clock_behind_seconds > 0,
                short_lifetimes,
            ];

            assert!(on.iter().filter(|on| **on).count() <= 1, "{}", scenario.id);
        }
    }
}
