//! The Lab 2 track: the identity lab's "Calling an API" exercises, done offline in the
//! sandbox, and the settings a learner's own lab web app needs to run against the lab provider.

use grantlab_shared::{EnvSetting, Mischief, OwnAppSettings};

use super::catalogue::{
    CALM, CODE_FLOW, EXPENSES_API, LessonDef, PredictionDef, RequestDef, SetupDef,
};
use super::goals::{Audience, Carried, Check, GoalDef};
use crate::provider::store::random_value;

/// The client id the lab provider registers for the learner's own web app.
pub const LAB_WEB_CLIENT_ID: &str = "lab-web";

/// The redirect URI the built-in scenario registers for `lab-web`: the lab app's usual
/// address, express-openid-connect's `{BASE_URL}/callback`.
pub const LAB_WEB_REDIRECT_URI: &str = "http://localhost:3000/callback";

/// The path express-openid-connect serves its callback at, under `BASE_URL`.
const CALLBACK_PATH: &str = "/callback";

/// What the scenario registers for `lab-web`; the Lab 2 page passes it on to the learner.
#[derive(Clone)]
pub struct LabWebClient {
    /// Its secret. It belongs to the learner's app, not to the sandbox.
    pub secret: String,
    /// Its first registered redirect URI, if it has one.
    pub redirect_uri: Option<String>,
}

/// The scopes the lab's web app asks for.
const LAB_SCOPES: &[&str] = &["openid", "profile", "email", "read:reports", "offline_access"];

const HYBRID: RequestDef = RequestDef {
    response_type: "code id_token",
    response_mode: Some("form_post"),
    scopes: &["openid", "profile", "read:reports"],
    ..CODE_FLOW
};

/// The three exercises, in the lab's order.
pub const EXERCISES: [LessonDef; 3] = [
    LessonDef {
        id: "lab2-hybrid-with-audience",
        title: "Exercise 1: code id_token for the Expenses API",
        topics: &[],
        explanation: &[
            "The lab's web app signs the user in with the hybrid flow and, in the same \
             round trip, asks for an access token for the Expenses API: response_type code \
             id_token, audience https://expenses-api, scope read:reports.",
            "Do the same here, then list the expenses with the token.",
        ],
        setup: SetupDef {
            user: Some("alice"),
            request: Some(HYBRID),
            machine: None,
            mischief: CALM,
            steps: &["Send the request as alice, redeem the code, call GET /expenses."],
        },
        prediction: PredictionDef {
            question: "Which token does the app send to the Expenses API?",
            choices: &["The access token from the code", "The ID token from the front channel"],
            answer: 0,
            explanation: "The ID token is for the app; only the access token names the API.",
        },
        goals: &[
            GoalDef {
                id: "front-channel-id-token",
                text: "An ID token arrived with the code.",
                check: Check::FrontChannelIdToken,
            },
            GoalDef {
                id: "token-for-expenses-api",
                text: "You obtained an access token whose audience is https://expenses-api.",
                check: Check::Token {
                    grant_type: "authorization_code",
                    audience: Audience::Api(EXPENSES_API),
                },
            },
            GoalDef {
                id: "expenses-listed",
                text: "The API listed the two expenses.",
                check: Check::Api {
                    carried: Carried::AccessToken,
                    status: 200,
                    path: Some("/expenses"),
                    failed: None,
                },
            },
        ],
    },
    LessonDef {
        id: "lab2-missing-token",
        title: "Exercise 2: the API refuses a missing token",
        topics: &[],
        explanation: &[
            "The lab has the app call the API once without its token, to see that the API \
             protects itself and does not trust its callers.",
        ],
        setup: SetupDef {
            user: Some("alice"),
            request: Some(HYBRID),
            machine: None,
            mischief: CALM,
            steps: &["Call GET /expenses with \"send no token\", then with the access token."],
        },
        prediction: PredictionDef {
            question: "What does the API answer a call without a token?",
            choices: &["200", "401 with a Bearer challenge", "403", "302 to the login page"],
            answer: 1,
            explanation: "A resource server answers 401 and WWW-Authenticate: Bearer.",
        },
        goals: &[
            GoalDef {
                id: "no-token-refused",
                text: "The API refused a call with no token.",
                check: Check::Api {
                    carried: Carried::Nothing,
                    status: 401,
                    path: None,
                    failed: None,
                },
            },
            GoalDef {
                id: "expenses-listed",
                text: "The API listed the expenses for the access token.",
                check: Check::Api {
                    carried: Carried::AccessToken,
                    status: 200,
                    path: Some("/expenses"),
                    failed: None,
                },
            },
        ],
    },
    LessonDef {
        id: "lab2-refresh",
        title: "Exercise 3: refresh with 10-second lifetimes, watching iat",
        topics: &[],
        explanation: &[
            "The lab shortens the access token's life to 10 seconds so a refresh is needed \
             within a minute of use. Each refresh brings a token with a new iat, which the \
             API logs for every token it accepts.",
        ],
        setup: SetupDef {
            user: Some("alice"),
            request: Some(RequestDef {
                scopes: &["openid", "profile", "read:reports", "offline_access"],
                ..HYBRID
            }),
            machine: None,
            mischief: Mischief { short_lifetimes: true, ..CALM },
            steps: &[
                "Run the flow, call the API, wait for the countdown, refresh, call again.",
                "Compare iat in the old and the new access token.",
            ],
        },
        prediction: PredictionDef {
            question: "After a refresh, how does the new access token's iat compare with the \
                       old one's?",
            choices: &["There is no iat", "The same", "Later: it is a new token", "Earlier"],
            answer: 2,
            explanation: "A refresh mints a new access token, issued now.",
        },
        goals: &[
            GoalDef {
                id: "refreshed",
                text: "You redeemed the refresh token.",
                check: Check::Token { grant_type: "refresh_token", audience: Audience::Any },
            },
            GoalDef {
                id: "iat-changed",
                text: "The refreshed access token has a new iat.",
                check: Check::IatChanged,
            },
        ],
    },
];

/// What the lab's own web app needs, for a server reachable at `public_url` whose scenario
/// registers `lab_web`. Without it (a scenario with no `lab-web`), the page says where to look.
pub fn own_app_settings(public_url: &str, lab_web: Option<&LabWebClient>) -> OwnAppSettings {
    let issuer = format!("{public_url}/idp");
    let api_url = format!("{public_url}/expenses-api");
    // The lab's app GETs API_URL itself for the expenses: the list's own URL, not the API's base.
    let expenses_url = format!("{api_url}/expenses");
    let secret = lab_web.map(|client| client.secret.clone());
    let secret_shown = secret.clone().unwrap_or_else(|| {
        "(the client_secret of the lab-web client in the provider's scenario file)".to_owned()
    });

    // The app serves its callback at `{BASE_URL}/callback`, so the registered URI fixes both
    // BASE_URL and PORT; browsers open the app there.
    let redirect_uri = lab_web
        .and_then(|client| client.redirect_uri.clone())
        .unwrap_or_else(|| LAB_WEB_REDIRECT_URI.to_owned());
    let base_url = redirect_uri.strip_suffix(CALLBACK_PATH).unwrap_or(&redirect_uri).to_owned();
    let port = url::Url::parse(&base_url)
        .ok()
        .and_then(|url| url.port_or_known_default())
        .map_or_else(|| "3000".to_owned(), |port| port.to_string());

    // The app's own session cookie key: any long random string works; a fresh one per visit.
    let session_secret = random_value();
    let env = [
        ("ISSUER_BASE_URL", issuer.as_str()),
        ("CLIENT_ID", LAB_WEB_CLIENT_ID),
        ("CLIENT_SECRET", secret_shown.as_str()),
        ("BASE_URL", base_url.as_str()),
        ("SECRET", session_secret.as_str()),
        ("PORT", port.as_str()),
        ("API_AUDIENCE", EXPENSES_API),
        ("API_URL", expenses_url.as_str()),
    ]
    .map(|(name, value)| EnvSetting { name: name.to_owned(), value: value.to_owned() });

    OwnAppSettings {
        issuer,
        client_id: LAB_WEB_CLIENT_ID.to_owned(),
        client_secret: secret,
        redirect_uri,
        audience: EXPENSES_API.to_owned(),
        scopes: LAB_SCOPES.iter().map(|scope| (*scope).to_owned()).collect(),
        api_url,
        env: env.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab_web(redirect_uri: Option<&str>) -> LabWebClient {
        LabWebClient {
            secret: "lab-web-secret".to_owned(),
            redirect_uri: redirect_uri.map(str::to_owned),
        }
    }

    #[test]
    fn the_track_has_the_three_lab_exercises_with_goals() {
        assert_eq!(EXERCISES.len(), 3);

        for exercise in EXERCISES {
            assert!(!exercise.goals.is_empty(), "{}", exercise.id);
            assert!(exercise.prediction.answer < exercise.prediction.choices.len());
        }
    }

    #[test]
    fn first_exercise_asks_code_id_token_for_the_expenses_api() {
        let request = EXERCISES[0].setup.request.unwrap();

        assert_eq!(request.response_type, "code id_token");
        assert_eq!(request.audience, Some(EXPENSES_API));
        assert!(request.scopes.contains(&"read:reports"));
    }

    #[test]
    fn refresh_exercise_uses_ten_second_lifetimes() {
        assert!(EXERCISES[2].setup.mischief.short_lifetimes);
    }

    #[test]
    fn own_app_settings_point_at_this_server() {
        let settings = own_app_settings("http://127.0.0.1:8080", Some(&lab_web(None)));

        assert_eq!(settings.issuer, "http://127.0.0.1:8080/idp");
        assert_eq!(settings.client_id, "lab-web");
        assert_eq!(settings.audience, "https://expenses-api");
        assert_eq!(settings.api_url, "http://127.0.0.1:8080/expenses-api");
    }

    #[test]
    fn own_app_env_lists_what_express_openid_connect_and_the_app_read() {
        let settings = own_app_settings("http://127.0.0.1:8080", Some(&lab_web(None)));
        let value = |name: &str| {
            let found = settings.env.iter().find(|setting| setting.name == name);
            found.map(|setting| setting.value.clone()).unwrap_or_else(|| panic!("no {name}"))
        };

        assert_eq!(value("ISSUER_BASE_URL"), "http://127.0.0.1:8080/idp");
        assert_eq!(value("CLIENT_ID"), "lab-web");
        assert_eq!(value("CLIENT_SECRET"), "lab-web-secret");
        assert_eq!(format!("{}/callback", value("BASE_URL")), settings.redirect_uri);
        assert!(value("SECRET").len() >= 32);
        assert_eq!(value("BASE_URL"), "http://localhost:3000");
        assert_eq!(value("PORT"), "3000");
        assert_eq!(value("API_AUDIENCE"), "https://expenses-api");
        assert_eq!(value("API_URL"), "http://127.0.0.1:8080/expenses-api/expenses");
        assert_eq!(settings.env.len(), 8);
    }

    #[test]
    fn own_app_env_says_where_the_secret_is_when_it_is_not_known() {
        let settings = own_app_settings("http://127.0.0.1:8080", None);

        let secret = settings.env.iter().find(|setting| setting.name == "CLIENT_SECRET").unwrap();

        assert!(secret.value.contains("scenario file"), "{}", secret.value);
    }

    #[test]
    fn own_app_base_url_and_port_follow_the_registered_redirect_uri() {
        let moved = lab_web(Some("http://localhost:4123/callback"));

        let settings = own_app_settings("http://127.0.0.1:8080", Some(&moved));

        let value =
            |name: &str| settings.env.iter().find(|s| s.name == name).unwrap().value.clone();
        assert_eq!(settings.redirect_uri, "http://localhost:4123/callback");
        assert_eq!(value("BASE_URL"), "http://localhost:4123");
        assert_eq!(value("PORT"), "4123");
    }
}
