//! The 18 lessons of the chapter "Calling an API", in the chapter's order, each with its
//! topics and where they start in the chapter's video.
//!
//! The explanations are our own words. The unit tests pin the 41 video pointers.

use super::catalogue::{
    CALM, CODE_FLOW, EXPENSES_API, LessonDef, PredictionDef, RequestDef, SetupDef,
};
use super::goals::{Audience, Carried, Check, GoalDef};

const CODE_RECEIVED: GoalDef = GoalDef {
    id: "code-received",
    text: "You received an authorization code at the callback, with the state you sent.",
    check: Check::CodeReceived,
};

const CODE_REDEEMED: GoalDef = GoalDef {
    id: "code-redeemed",
    text: "You swapped the code for an access token at the token endpoint.",
    check: Check::Token { grant_type: "authorization_code", audience: Audience::Any },
};

const TOKEN_FOR_EXPENSES: GoalDef = GoalDef {
    id: "token-for-expenses-api",
    text: "You obtained an access token whose audience is https://expenses-api.",
    check: Check::Token { grant_type: "authorization_code", audience: Audience::Api(EXPENSES_API) },
};

const EXPENSES_LISTED: GoalDef = GoalDef {
    id: "api-answered",
    text: "The Expenses API listed the expenses for your access token.",
    check: Check::Api {
        carried: Carried::AccessToken,
        status: 200,
        path: Some("/expenses"),
        failed: None,
    },
};

const NO_TOKEN_REFUSED: GoalDef = GoalDef {
    id: "no-token-refused",
    text: "The API refused a call that carried no token.",
    check: Check::Api { carried: Carried::Nothing, status: 401, path: None, failed: None },
};

const ID_TOKEN_REFUSED: GoalDef = GoalDef {
    id: "id-token-refused",
    text: "The API refused an ID token.",
    check: Check::Api { carried: Carried::IdToken, status: 401, path: None, failed: None },
};

const REFRESHED: GoalDef = GoalDef {
    id: "refreshed",
    text: "You redeemed a refresh token for a new access token.",
    check: Check::Token { grant_type: "refresh_token", audience: Audience::Any },
};

const OFFLINE: RequestDef =
    RequestDef { scopes: &["openid", "profile", "read:reports", "offline_access"], ..CODE_FLOW };

/// The chapter's lessons, in order.
pub const LESSONS: [LessonDef; 18] = [
    LessonDef {
        id: "code-grant",
        title: "The code grant and delegated authorization",
        topics: &[
            ("0:28", "What the authorization code grant is"),
            ("1:50", "Scopes and delegated authorization"),
            ("5:14", "The code grant, message by message"),
        ],
        explanation: &[
            "A web application often needs to act for its user at an API: list their \
             expenses, approve a report. The code grant lets it do so without ever handling \
             the user's password. The user signs in at the identity provider, not at the app.",
            "The app says what it wants to do with scopes. The provider asks the user to \
             agree, then sends the browser back to the app with a short-lived, single-use \
             code. The app trades that code for tokens in a direct request of its own, out of \
             the browser's sight.",
            "This is delegation: the app receives a part of what the user may do, and the \
             user decided which part.",
        ],
        setup: SetupDef {
            user: Some("alice"),
            request: Some(CODE_FLOW),
            machine: None,
            mischief: CALM,
            steps: &[
                "Send the authorization request.",
                "Log in as alice and approve the consent page.",
                "Back in the workbench, redeem the code.",
            ],
        },
        prediction: PredictionDef {
            question: "After alice approves, what does the provider send back to the \
                       sandbox's callback through her browser?",
            choices: &[
                "An access token for the Expenses API",
                "A short-lived, single-use authorization code",
                "Alice's password, so the sandbox can log in for her",
                "Nothing: the sandbox must poll the provider",
            ],
            answer: 1,
            explanation: "The front channel only carries the code. Tokens come later, on the \
                          back channel, when the sandbox redeems it.",
        },
        goals: &[CODE_RECEIVED, CODE_REDEEMED],
    },
    LessonDef {
        id: "client-secret",
        title: "Why the code grant needs a secret",
        topics: &[("3:12", "Why the client authenticates when it redeems the code")],
        explanation: &[
            "The code travels through the browser: it can end up in the history, in a proxy's \
             log or in a Referer header. On its own it must not be enough to get tokens.",
            "So the token endpoint wants the client to prove who it is when it redeems the \
             code. A web app that runs on a server can keep a secret, and sends it with its \
             client id, here with HTTP Basic authentication. Apps that cannot keep a secret \
             (in a browser or on a phone) rely on PKCE instead.",
            "The sandbox's secret lives in the backend only. Look at the token request in the \
             timeline: its Authorization header is shown redacted.",
        ],
        setup: SetupDef {
            user: Some("alice"),
            request: Some(CODE_FLOW),
            machine: None,
            mischief: CALM,
            steps: &[
                "Send the request and log in as alice.",
                "Redeem the code, then open the token request in the timeline.",
            ],
        },
        prediction: PredictionDef {
            question: "How does the lab provider know the token request comes from the \
                       sandbox and not from someone who copied the code?",
            choices: &[
                "It cannot know",
                "The code alone proves it",
                "The client authenticates with its id and secret",
                "The provider checks the browser's cookie",
            ],
            answer: 2,
            explanation: "The token request carries the client's credentials, which never \
                          passed through the browser.",
        },
        goals: &[CODE_REDEEMED],
    },
    LessonDef {
        id: "authorization-request",
        title: "The authorization request message",
        topics: &[("6:42", "The authorization request, parameter by parameter")],
        explanation: &[
            "The app starts the flow by sending the browser to the provider's authorization \
             endpoint with a handful of query parameters: response_type says what the app \
             wants back (code), client_id who is asking, redirect_uri where to come back, \
             scope what for, and state a random value tied to the user's session.",
            "OpenID Connect adds nonce, which the provider copies into the ID token, and PKCE \
             adds code_challenge, the hash of a secret the app will show when it redeems the \
             code.",
            "Hover each parameter in the workbench's preview to see what it does and which \
             specification defines it.",
        ],
        setup: SetupDef {
            user: Some("bob"),
            request: Some(RequestDef {
                scopes: &["openid", "profile", "email", "read:reports", "approve:reports"],
                ..CODE_FLOW
            }),
            machine: None,
            mischief: CALM,
            steps: &["Read the preview of the URL, then send it and log in as bob."],
        },
        prediction: PredictionDef {
            question: "Which parameter lets the sandbox make sure the response it receives \
                       answers the request it sent?",
            choices: &["response_type", "client_id", "scope", "state"],
            answer: 3,
            explanation: "The provider returns state unchanged; the sandbox compares it with \
                          the value kept in the learner's session.",
        },
        goals: &[
            GoalDef {
                id: "request-sent",
                text: "You sent an authorization request with response_type code.",
                check: Check::Sent {
                    response_type: "code",
                    audience: None,
                    foreign_redirect: false,
                },
            },
            CODE_RECEIVED,
        ],
    },
    LessonDef {
        id: "audience",
        title: "Audience, scope stuffing and resource indicators",
        topics: &[
            ("9:23", "Audience: telling the provider which API"),
            ("10:38", "Scope stuffing"),
            ("11:25", "Resource indicators"),
        ],
        explanation: &[
            "A scope such as read:reports says what, not where. The provider must also know \
             which API the token is for, so it can write that API into the token's audience \
             and use a format the API can check. Auth0 takes an audience parameter; RFC 8707 \
             standardises the same idea as resource.",
            "Scope stuffing is asking for more than the user may do. The provider does not \
             fail: it grants what the user's privileges allow and drops the rest. The \
             response's scope tells the app what it really got.",
            "This set-up names the API with resource and, as alice, asks for a permission she \
             does not hold.",
        ],
        setup: SetupDef {
            user: Some("alice"),
            request: Some(RequestDef {
                scopes: &["openid", "read:reports", "approve:reports"],
                audience: None,
                resource: &[EXPENSES_API],
                ..CODE_FLOW
            }),
            machine: None,
            mischief: CALM,
            steps: &["Send the request, log in as alice, redeem the code and read `scope`."],
        },
        prediction: PredictionDef {
            question: "alice holds read:reports only, and asks for approve:reports too. What \
                       does the token response's scope say?",
            choices: &[
                "read:reports, without approve:reports",
                "Nothing: the provider answers invalid_scope",
                "approve:reports only",
                "Both permissions",
            ],
            answer: 0,
            explanation: "The granted scope is what was asked, within the API's permissions \
                          and within the user's privileges.",
        },
        goals: &[
            TOKEN_FOR_EXPENSES,
            GoalDef {
                id: "stuffed-scope-dropped",
                text: "The granted scope kept read:reports and dropped approve:reports.",
                check: Check::GrantedScope { has: "read:reports", lacks: "approve:reports" },
            },
        ],
    },
    LessonDef {
        id: "authorization-response",
        title: "The authorization response",
        topics: &[("11:52", "The authorization response")],
        explanation: &[
            "When the user is done at the provider, the browser comes back to the redirect \
             URI with code and state, or with error, error_description and state if something \
             went wrong or the user said no.",
            "Where the values travel is the response mode: in the query string, in the \
             fragment (which never reaches a server by itself), or in a form the browser \
             posts (form_post).",
            "The sandbox checks state before anything else, and redeems nothing if it does \
             not match.",
        ],
        setup: SetupDef {
            user: Some("carol"),
            request: Some(RequestDef {
                scopes: &["openid", "profile"],
                prompt: Some("consent"),
                ..CODE_FLOW
            }),
            machine: None,
            mischief: CALM,
            steps: &[
                "Send the request as carol and press Deny on the consent page.",
                "Send it again and approve this time.",
            ],
        },
        prediction: PredictionDef {
            question: "You press Deny on the consent page. What reaches the callback?",
            choices: &[
                "An HTTP 403 page from the provider",
                "Nothing: the browser stays at the provider",
                "error=access_denied, with the state you sent",
                "A code that grants no scope",
            ],
            answer: 2,
            explanation: "Once the redirect URI is trusted, errors go back to the app, with \
                          state so the app can tie them to its request.",
        },
        goals: &[
            GoalDef {
                id: "denied",
                text: "You saw an error response: access_denied.",
                check: Check::AuthorizationRefused { error: "access_denied" },
            },
            CODE_RECEIVED,
        ],
    },
    LessonDef {
        id: "redeem",
        title: "Redeeming the code: grant_type and the token response",
        topics: &[
            ("12:52", "Redeeming the code at the token endpoint"),
            ("13:39", "The grant_type parameter"),
            ("15:18", "The token response"),
        ],
        explanation: &[
            "To redeem the code, the app POSTs a form to the token endpoint: grant_type \
             authorization_code, the code, the same redirect_uri as before, the PKCE verifier, \
             and its client authentication.",
            "grant_type tells the endpoint which kind of proof the request brings; the same \
             endpoint serves refresh tokens and client credentials too.",
            "The JSON answer holds access_token, token_type Bearer, expires_in, the granted \
             scope, and an id_token when openid was asked. It must not be cached.",
        ],
        setup: SetupDef {
            user: Some("alice"),
            request: Some(CODE_FLOW),
            machine: None,
            mischief: CALM,
            steps: &["Send, log in as alice, then redeem the code and open the raw response."],
        },
        prediction: PredictionDef {
            question: "Which grant_type does the sandbox send when it redeems the code?",
            choices: &["bearer", "client_credentials", "code", "authorization_code"],
            answer: 3,
            explanation: "authorization_code names the grant; code is the response_type of \
                          the front-channel request.",
        },
        goals: &[
            CODE_REDEEMED,
            GoalDef {
                id: "id-token-came-along",
                text: "An ID token came with the access token, because you asked for openid.",
                check: Check::TokenWithIdToken { grant_type: "authorization_code" },
            },
        ],
    },
    LessonDef {
        id: "expires-in",
        title: "expires_in, and why a client never looks inside the access token",
        topics: &[("15:46", "expires_in and the access token's format")],
        explanation: &[
            "The token response says how long the access token lives in expires_in, in \
             seconds. That is what the app plans with.",
            "The access token is written for the API, not for the app. Its format is a \
             matter between the provider and the API: it may be a JWT today, encrypted or \
             opaque tomorrow. An app that decodes it will break when that changes.",
            "The workbench can show inside the token, labelled as the API's view. Use it to \
             learn; never build on it.",
        ],
        setup: SetupDef {
            user: Some("alice"),
            request: Some(CODE_FLOW),
            machine: None,
            mischief: CALM,
            steps: &["Run the flow and watch the countdown that starts from expires_in."],
        },
        prediction: PredictionDef {
            question: "Where should the sandbox read when its access token expires?",
            choices: &[
                "The exp claim inside the access token",
                "expires_in in the token response",
                "The ID token's exp",
                "It should ask the API",
            ],
            answer: 1,
            explanation: "expires_in is part of the client's contract with the provider; the \
                          token's insides are not.",
        },
        goals: &[GoalDef {
            id: "expires-in",
            text: "You received a token response that gives expires_in.",
            check: Check::ExpiresIn,
        }],
    },
    LessonDef {
        id: "call-api",
        title: "Calling an API with an access token",
        topics: &[("17:34", "Sending the access token to the API")],
        explanation: &[
            "The app sends the access token in the Authorization header: Bearer, a space, \
             the token (RFC 6750). Whoever holds a bearer token can use it, so it only ever \
             travels over TLS.",
            "The API checks the token on every call: signature, issuer, that its own \
             identifier is in the audience, that it has not expired, and that the scope \
             allows the operation. Without a token it answers 401 with a WWW-Authenticate \
             challenge.",
        ],
        setup: SetupDef {
            user: Some("alice"),
            request: Some(CODE_FLOW),
            machine: None,
            mischief: CALM,
            steps: &[
                "Run the flow, then call GET /expenses-api/expenses.",
                "Call it again with \"send no token\".",
            ],
        },
        prediction: PredictionDef {
            question: "alice calls GET /expenses-api/expenses with her access token. What \
                       does the API answer?",
            choices: &[
                "403 Forbidden",
                "401 Unauthorized",
                "A redirect to log in",
                "200 and the expenses",
            ],
            answer: 3,
            explanation: "Her token is for this API and its scope holds read:reports.",
        },
        goals: &[EXPENSES_LISTED, NO_TOKEN_REFUSED],
    },
    LessonDef {
        id: "permissions",
        title: "Permissions, privileges, scopes and effective permissions",
        topics: &[
            ("19:27", "Permissions: what the API can do"),
            ("20:05", "Privileges: what the user may do"),
            ("20:41", "Scopes: what the client asks to do"),
            ("21:08", "Effective permissions"),
            ("21:40", "Working out a token's effective permissions"),
        ],
        explanation: &[
            "Three lists meet in every token. The API defines permissions (read:reports, \
             approve:reports). Each user holds privileges: bob may do both, alice only read, \
             carol neither. The client asks for scopes.",
            "The token carries the intersection: what was asked, that the API offers, that \
             the user holds. Those are its effective permissions, and the API enforces them \
             with 403 insufficient_scope.",
        ],
        setup: SetupDef {
            user: Some("bob"),
            request: Some(RequestDef {
                scopes: &["openid", "read:reports", "approve:reports"],
                ..CODE_FLOW
            }),
            machine: None,
            mischief: CALM,
            steps: &[
                "Run the flow as bob and approve an expense.",
                "Run it again as alice and try the same approval.",
            ],
        },
        prediction: PredictionDef {
            question: "alice asks for approve:reports and calls the approve operation. What \
                       does the API answer?",
            choices: &["200", "401 invalid_token", "403 insufficient_scope", "404"],
            answer: 2,
            explanation: "Her token is valid but its scope lacks approve:reports, which she \
                          does not hold.",
        },
        goals: &[
            GoalDef {
                id: "bob-approved",
                text: "The API accepted an approval from a token that holds approve:reports.",
                check: Check::Api {
                    carried: Carried::AccessToken,
                    status: 200,
                    path: Some("/approve"),
                    failed: None,
                },
            },
            GoalDef {
                id: "alice-refused",
                text: "The API answered 403 to an approval from a token without it.",
                check: Check::Api {
                    carried: Carried::AccessToken,
                    status: 403,
                    path: Some("/approve"),
                    failed: None,
                },
            },
        ],
    },
    LessonDef {
        id: "offline-access",
        title: "Refresh tokens: why, and asking for them with offline_access",
        topics: &[
            ("3:44", "Refresh tokens, a first look"),
            ("24:24", "Why access tokens live briefly"),
            ("24:36", "What a refresh token is for"),
            ("25:53", "Asking for one with offline_access"),
        ],
        explanation: &[
            "Access tokens live briefly so that a leaked one is not worth much for long. When \
             one runs out, the app needs another without dragging the user back to the \
             provider.",
            "A refresh token is that long-lived right to ask again. It goes only to the token \
             endpoint, never to an API. At the lab provider, as at many, the app must ask for \
             it with the offline_access scope, and the API must allow it.",
        ],
        setup: SetupDef {
            user: Some("alice"),
            request: Some(OFFLINE),
            machine: None,
            mischief: CALM,
            steps: &[
                "Run the flow with offline_access.",
                "Run it again without offline_access and compare the responses.",
            ],
        },
        prediction: PredictionDef {
            question: "What does the token response hold that it did not hold without \
                       offline_access?",
            choices: &[
                "Nothing",
                "A refresh_token",
                "A longer expires_in",
                "A second access token",
            ],
            answer: 1,
            explanation: "offline_access asks for a refresh token; the access token does not \
                          change.",
        },
        goals: &[
            GoalDef {
                id: "refresh-token-issued",
                text: "A refresh token came back because you asked for offline_access.",
                check: Check::RefreshToken { grant_type: "authorization_code", issued: true },
            },
            GoalDef {
                id: "no-refresh-token",
                text: "Without offline_access, no refresh token came back.",
                check: Check::RefreshToken { grant_type: "authorization_code", issued: false },
            },
        ],
    },
    LessonDef {
        id: "refresh",
        title: "Using refresh tokens; expiration and rotation",
        topics: &[
            ("27:03", "Redeeming a refresh token"),
            ("29:19", "When refresh tokens expire"),
            ("29:58", "Refresh token rotation"),
        ],
        explanation: &[
            "The app POSTs grant_type refresh_token with the refresh token and its client \
             authentication, and gets a fresh access token. It may ask for less scope than \
             before, never more.",
            "Refresh tokens expire too: after a time without use (idle) and after a fixed \
             time whatever happens (absolute).",
            "With rotation, each refresh returns a new refresh token and spends the old one. \
             If a spent one comes back, someone copied it: the provider refuses it and \
             revokes the whole family, the thief's copy and the app's alike.",
        ],
        setup: SetupDef {
            user: Some("alice"),
            request: Some(OFFLINE),
            machine: None,
            mischief: CALM,
            steps: &["Run the flow, then refresh.", "Press \"reuse the old refresh token\"."],
        },
        prediction: PredictionDef {
            question: "Rotation is on. After a refresh, you send the old refresh token again. \
                       What happens?",
            choices: &[
                "The provider returns the same tokens again",
                "The provider extends its lifetime",
                "It still works",
                "It is refused with invalid_grant, and its family is revoked",
            ],
            answer: 3,
            explanation: "A rotated refresh token is single use; its reuse is a sign of theft.",
        },
        goals: &[
            REFRESHED,
            GoalDef {
                id: "reuse-refused",
                text: "A reused refresh token was refused.",
                check: Check::ReplayRefused,
            },
        ],
    },
    LessonDef {
        id: "sessions-caching",
        title: "Refresh tokens, sessions, and caching tokens",
        topics: &[
            ("31:15", "Refresh tokens and the user's session"),
            ("32:07", "Caching access tokens"),
        ],
        explanation: &[
            "A refresh token is not a login session. The user may have signed out of the \
             provider long ago and the app can still refresh, because the user granted \
             offline access. Signing out of the app should throw its tokens away.",
            "An app keeps the access token it has and reuses it until it is about to expire, \
             for the same user, API and scope. Asking for a new token on every call loads the \
             provider for nothing.",
        ],
        setup: SetupDef {
            user: Some("alice"),
            request: Some(OFFLINE),
            machine: None,
            mischief: CALM,
            steps: &["Run the flow, then call the API twice with the same token."],
        },
        prediction: PredictionDef {
            question: "The app calls the API three times in a minute. How many token requests \
                       should it make?",
            choices: &[
                "None beyond the first: it reuses the token until it nears expiry",
                "One refresh before each call",
                "It depends on the user's session at the provider",
                "Three, one per call",
            ],
            answer: 0,
            explanation: "The token is good until it expires; the app caches it.",
        },
        goals: &[GoalDef {
            id: "token-cached",
            text: "Two API calls succeeded on one access token, with no token request between.",
            check: Check::TokenReused,
        }],
    },
    LessonDef {
        id: "access-vs-id-token",
        title: "Access tokens vs ID tokens; never call an API with an ID token",
        topics: &[
            ("33:27", "Access tokens and ID tokens compared"),
            ("35:26", "Never send an ID token to an API"),
        ],
        explanation: &[
            "The ID token tells the app who the user is and how they signed in; its audience \
             is the app's client id. The access token lets the app call an API; its audience \
             is the API.",
            "An API that accepted ID tokens would accept any token minted for any app. A \
             proper API checks the audience, finds the client id instead of its own \
             identifier, and refuses.",
        ],
        setup: SetupDef {
            user: Some("alice"),
            request: Some(CODE_FLOW),
            machine: None,
            mischief: CALM,
            steps: &[
                "Run the flow and call the API with the access token.",
                "Call it again with \"send the ID token instead\".",
            ],
        },
        prediction: PredictionDef {
            question: "You send the ID token to the Expenses API. What does it answer?",
            choices: &[
                "500",
                "200, the ID token is signed by the same provider",
                "401 invalid_token: its audience is the client, not the API",
                "403 insufficient_scope",
            ],
            answer: 2,
            explanation: "The API looks for its own identifier in aud and does not find it.",
        },
        goals: &[EXPENSES_LISTED, ID_TOKEN_REFUSED],
    },
    LessonDef {
        id: "id-token-validation",
        title: "ID tokens on the back channel, and validating them",
        topics: &[
            ("37:50", "ID tokens from the token endpoint"),
            ("38:52", "Validating an ID token"),
        ],
        explanation: &[
            "In the code flow the ID token comes from the token endpoint, over a TLS \
             connection the app opened itself. The spec lets the app trust that connection in \
             place of checking the signature, though checking it costs little.",
            "The claims still need checking: iss is the provider, aud holds the client id \
             (and azp when there are several), exp is in the future, iat is not, and nonce \
             matches the value the app sent. The workbench shows each step.",
        ],
        setup: SetupDef {
            user: Some("alice"),
            request: Some(RequestDef { scopes: &["openid", "profile", "email"], ..CODE_FLOW }),
            machine: None,
            mischief: CALM,
            steps: &["Run the flow and open the ID token's checklist."],
        },
        prediction: PredictionDef {
            question: "The ID token came straight from the token endpoint over TLS. Which \
                       checks can the app still not skip?",
            choices: &[
                "Only the signature",
                "Only at_hash",
                "None: TLS covers everything",
                "aud, iss, exp and nonce",
            ],
            answer: 3,
            explanation: "TLS tells the app who sent the token, not that the token was meant \
                          for it, is current, and answers its own request.",
        },
        goals: &[GoalDef {
            id: "id-token-valid",
            text: "The sandbox validated an ID token and every step passed.",
            check: Check::IdTokenValid,
        }],
    },
    LessonDef {
        id: "userinfo",
        title: "Userinfo and the formatless access token",
        topics: &[
            ("40:10", "The userinfo endpoint"),
            ("42:36", "Calling userinfo with the access token"),
            ("43:06", "Userinfo or the ID token's claims?"),
            ("44:36", "An access token with no format"),
        ],
        explanation: &[
            "Userinfo is an API the provider runs itself: called with an access token, it \
             returns claims about the user, according to the scopes granted (profile, email).",
            "When no API was named, the lab provider has no API to write a JWT for. It issues \
             an opaque value that means something only to itself: good at userinfo, useless \
             anywhere else.",
        ],
        setup: SetupDef {
            user: Some("alice"),
            request: Some(RequestDef {
                scopes: &["openid", "profile", "email"],
                audience: None,
                ..CODE_FLOW
            }),
            machine: None,
            mischief: CALM,
            steps: &["Run the flow, then call userinfo and compare with the ID token."],
        },
        prediction: PredictionDef {
            question: "No API was named. What is the access token good for?",
            choices: &[
                "The Expenses API",
                "Userinfo, at the provider",
                "Nothing at all",
                "Logging in to other apps",
            ],
            answer: 1,
            explanation: "Only the provider that issued an opaque token can make sense of it.",
        },
        goals: &[
            GoalDef {
                id: "opaque-token",
                text: "You obtained an opaque access token: no API was named.",
                check: Check::Token {
                    grant_type: "authorization_code",
                    audience: Audience::Opaque,
                },
            },
            GoalDef {
                id: "userinfo",
                text: "Userinfo answered with alice's claims.",
                check: Check::Userinfo,
            },
        ],
    },
    LessonDef {
        id: "hybrid",
        title: "The hybrid grant",
        topics: &[("44:57", "The hybrid flow: code id_token")],
        explanation: &[
            "With response_type code id_token, the provider returns an ID token on the front \
             channel together with the code. The app learns who signed in at once, and \
             redeems the code for the access token as usual.",
            "An ID token that passed through the browser must be checked fully, signature \
             included, and its c_hash ties it to the code that came with it. A nonce is \
             required.",
        ],
        setup: SetupDef {
            user: Some("alice"),
            request: Some(RequestDef {
                response_type: "code id_token",
                response_mode: Some("form_post"),
                ..CODE_FLOW
            }),
            machine: None,
            mischief: CALM,
            steps: &["Send the request as alice; look at what the callback received; redeem."],
        },
        prediction: PredictionDef {
            question: "What arrives at the callback in the hybrid flow?",
            choices: &[
                "The code and an ID token",
                "An access token",
                "An ID token only",
                "The code only",
            ],
            answer: 0,
            explanation: "The response type names both, and both come back.",
        },
        goals: &[
            GoalDef {
                id: "front-channel-id-token",
                text: "An ID token arrived on the front channel with the code.",
                check: Check::FrontChannelIdToken,
            },
            CODE_REDEEMED,
        ],
    },
    LessonDef {
        id: "trusted-subsystem",
        title: "The trusted subsystem",
        topics: &[("46:06", "The trusted subsystem")],
        explanation: &[
            "An API often calls other services to answer. It does not pass the user's token \
             along: that token is for it alone. It calls them as itself, with a token from \
             the client credentials grant, and they trust it to have checked the user.",
            "The Expenses API's summary calls the Reports service this way, and says so in \
             its answer.",
        ],
        setup: SetupDef {
            user: Some("bob"),
            request: Some(CODE_FLOW),
            machine: None,
            mischief: CALM,
            steps: &["Run the flow, then call GET /expenses-api/reports/summary."],
        },
        prediction: PredictionDef {
            question: "The Expenses API calls the Reports service. Whose token does it send?",
            choices: &[
                "Bob's access token",
                "Its own, from the client credentials grant",
                "Bob's ID token",
                "None",
            ],
            answer: 1,
            explanation: "Bob's token's audience is the Expenses API; the Reports service \
                          would refuse it.",
        },
        goals: &[GoalDef {
            id: "summary",
            text: "The Expenses API answered a summary it got from the Reports service.",
            check: Check::Api {
                carried: Carried::AccessToken,
                status: 200,
                path: Some("/reports/summary"),
                failed: None,
            },
        }],
    },
    LessonDef {
        id: "client-credentials",
        title: "The client credentials grant",
        topics: &[
            ("49:01", "The client credentials grant"),
            ("50:42", "Not to be confused with client credentials"),
            ("51:33", "Why it needs no refresh token"),
        ],
        explanation: &[
            "When no user is involved, a machine client asks for a token for itself: \
             grant_type client_credentials, its id and secret, and the API it wants.",
            "The grant is named after the client's credentials, which every confidential \
             client presents at the token endpoint in every grant: the name of the grant and \
             the credentials are two different things.",
            "No refresh token comes back: the client can always ask again with what it holds.",
        ],
        setup: SetupDef {
            user: None,
            request: None,
            machine: Some((EXPENSES_API, &["read:reports"])),
            mischief: CALM,
            steps: &["Ask for a client credentials token as lab-machine, then call the Expenses \
                 API with \"Send the machine token instead\"."],
        },
        prediction: PredictionDef {
            question: "Does the client credentials grant return a refresh token?",
            choices: &[
                "Only with an ID token",
                "Yes, always",
                "No: the client can ask again whenever it needs",
                "Only with offline_access",
            ],
            answer: 2,
            explanation: "A refresh token stands in for a user who is not there; a machine \
                          client has its own credentials at hand.",
        },
        goals: &[
            GoalDef {
                id: "machine-token",
                text: "The machine client obtained a token for https://expenses-api.",
                check: Check::Token {
                    grant_type: "client_credentials",
                    audience: Audience::Api(EXPENSES_API),
                },
            },
            GoalDef {
                id: "no-refresh-token",
                text: "No refresh token and no ID token came with it.",
                check: Check::BareToken { grant_type: "client_credentials" },
            },
            GoalDef {
                id: "machine-called-api",
                text: "The Expenses API accepted the machine token (sent with \"the machine \
                       token\" in Call the API).",
                check: Check::Api {
                    carried: Carried::MachineToken,
                    status: 200,
                    path: None,
                    failed: None,
                },
            },
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The chapter's bookmarks as the issue lists them, lesson by lesson.
    const POINTERS: [&[&str]; 18] = [
        &["0:28", "1:50", "5:14"],
        &["3:12"],
        &["6:42"],
        &["9:23", "10:38", "11:25"],
        &["11:52"],
        &["12:52", "13:39", "15:18"],
        &["15:46"],
        &["17:34"],
        &["19:27", "20:05", "20:41", "21:08", "21:40"],
        &["3:44", "24:24", "24:36", "25:53"],
        &["27:03", "29:19", "29:58"],
        &["31:15", "32:07"],
        &["33:27", "35:26"],
        &["37:50", "38:52"],
        &["40:10", "42:36", "43:06", "44:36"],
        &["44:57"],
        &["46:06"],
        &["49:01", "50:42", "51:33"],
    ];

    #[test]
    fn the_chapter_has_41_video_pointers() {
        let count: usize = LESSONS.iter().map(|lesson| lesson.topics.len()).sum();

        assert_eq!(count, 41);
    }

    #[test]
    fn every_lesson_gives_the_issue_pointers_in_order() {
        for (lesson, expected) in LESSONS.iter().zip(POINTERS) {
            let found: Vec<&str> = lesson.topics.iter().map(|(at, _)| *at).collect();

            assert_eq!(found, expected, "lesson `{}`", lesson.id);
        }
    }

    #[test]
    fn lessons_come_in_the_chapter_order() {
        let titles: Vec<&str> = LESSONS.iter().map(|lesson| lesson.title).collect();

        assert_eq!(titles[0], "The code grant and delegated authorization");
        assert_eq!(titles[3], "Audience, scope stuffing and resource indicators");
        assert_eq!(titles[12], "Access tokens vs ID tokens; never call an API with an ID token");
        assert_eq!(titles[17], "The client credentials grant");
    }

    #[test]
    fn every_pointer_is_minutes_colon_seconds() {
        for lesson in LESSONS {
            for topic in lesson.to_dto(1).topics {
                assert!(topic.seconds().is_some(), "`{}` in `{}`", topic.at, lesson.id);
                assert!(!topic.title.is_empty());
            }
        }
    }

    #[test]
    fn predictions_put_the_right_answer_in_varied_places() {
        let mut places: Vec<usize> =
            LESSONS.iter().map(|lesson| lesson.prediction.answer).collect();
        places.sort_unstable();
        places.dedup();

        assert!(places.len() >= 3, "answers only ever at {places:?}");
        for lesson in LESSONS {
            assert!(lesson.prediction.answer < lesson.prediction.choices.len(), "{}", lesson.id);
        }
    }

    #[test]
    fn every_lesson_explains_sets_up_asks_and_has_a_goal() {
        for lesson in LESSONS {
            let dto = lesson.to_dto(1);

            assert!(dto.explanation.iter().all(|p| !p.is_empty()), "{}", dto.id);
            assert!(!dto.explanation.is_empty(), "`{}` explains nothing", dto.id);
            assert!(dto.setup.request.is_some() || dto.setup.machine.is_some(), "{}", dto.id);
            assert!(!dto.setup.steps.is_empty(), "`{}` has no set-up steps", dto.id);
            assert!(dto.prediction.question.ends_with('?'), "{}", dto.id);
            assert!(dto.prediction.choices.len() >= 2, "{}", dto.id);
            assert!(!dto.goals.is_empty(), "`{}` has no goal", dto.id);
        }
    }

    #[test]
    fn lessons_run_with_every_mischief_switch_off() {
        for lesson in LESSONS {
            assert!(!lesson.setup.mischief.any(), "lesson `{}` turns mischief on", lesson.id);
        }
    }
}
