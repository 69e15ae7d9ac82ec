//! Lessons, broken scenarios and the Lab 2 track: what `/api/lessons` and `/api/scenarios`
//! answer, and the learner's progress as the sandbox judges it from their own timeline.
//!
//! The demo users' passwords appear here on purpose: the lab shows them on its login page.
//! Nothing here carries the sandbox client's secret or any token.

use serde::{Deserialize, Serialize};

/// One topic of the course chapter, with where it starts in the chapter's video.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topic {
    /// The topic, in a few words.
    pub title: String,
    /// Where the topic starts in the video, as `minutes:seconds` (`"0:28"`, `"51:33"`).
    pub at: String,
}

impl Topic {
    /// The pointer in seconds from the start of the video, or `None` if `at` is not `m:ss`.
    pub fn seconds(&self) -> Option<u32> {
        let (minutes, seconds) = self.at.split_once(':')?;
        let all_digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(minutes) || seconds.len() != 2 || !all_digits(seconds) {
            return None;
        }

        let seconds: u32 = seconds.parse().ok()?;
        (seconds < 60).then_some(minutes.parse::<u32>().ok()? * 60 + seconds)
    }
}

/// A line of the lesson list: enough to show the title, the topics and the goals to reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonSummary {
    /// A stable slug, used in URLs (`/lessons/{id}`) and as the progress key.
    pub id: String,
    /// The lesson's place in the chapter's order, from 1.
    pub number: u32,
    /// The lesson's title.
    pub title: String,
    /// The chapter topics the lesson covers, in the video's order.
    pub topics: Vec<Topic>,
    /// The ids of the goals to reach, in the lesson's order.
    pub goal_ids: Vec<String>,
}

/// A whole lesson page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lesson {
    /// A stable slug, used in URLs (`/lessons/{id}`) and as the progress key.
    pub id: String,
    /// The lesson's place in the chapter's order, from 1.
    pub number: u32,
    /// The lesson's title.
    pub title: String,
    /// The chapter topics the lesson covers, in the video's order.
    pub topics: Vec<Topic>,
    /// A short explanation, one paragraph per item.
    pub explanation: Vec<String>,
    /// What the "set up" button puts in the workbench.
    pub setup: Setup,
    /// The question to answer before sending.
    pub prediction: Prediction,
    /// What the sandbox checks in the learner's timeline.
    pub goals: Vec<Goal>,
}

/// A demo user of the lab provider. The lab shows these passwords on its login page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoUser {
    /// The login name: `alice`, `bob` or `carol`.
    pub username: String,
    /// The lab password, public by design.
    pub password: String,
}

/// What a "set up" button prefills: the provider, who to log in as, the request and the
/// mischief switches a broken scenario needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setup {
    /// The provider profile to select: `lab` is the embedded lab provider.
    pub provider: String,
    /// The demo user to log in as at the lab provider, when the flow has a user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_as: Option<DemoUser>,
    /// The authorization request to compose, when the lesson starts with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestPreset>,
    /// The client credentials request to compose, for lessons about machine clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<MachinePreset>,
    /// The switches that make the sandbox misbehave on purpose; all off for lessons.
    #[serde(default)]
    pub mischief: Mischief,
    /// What the learner does after the set-up, step by step.
    pub steps: Vec<String>,
}

/// The authorization request a set-up composes (RFC 6749 §4.1.1, OIDC Core §3.1.2.1).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestPreset {
    /// `code`, or `code id_token` for the hybrid flow.
    pub response_type: String,
    /// `query`, `fragment` or `form_post`; `None` keeps the response type's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_mode: Option<String>,
    /// The scopes to ask for, OpenID scopes and API permissions alike.
    pub scopes: Vec<String>,
    /// The API to ask a token for, as Auth0's `audience` parameter takes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// The APIs to ask a token for, as RFC 8707 resource indicators.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resource: Vec<String>,
    /// Whether to send a PKCE S256 challenge (RFC 7636).
    pub pkce: bool,
    /// `prompt` (OIDC Core §3.1.2.1), such as `login` or `consent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// A redirect URI to send instead of the sandbox's registered callback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<String>,
}

/// A client credentials request (RFC 6749 §4.4) made by the lab's machine client.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MachinePreset {
    /// The API to ask a token for.
    pub audience: String,
    /// The API permissions to ask for.
    pub scopes: Vec<String>,
}

/// The per-learner-session switches that make the sandbox or the lab provider misbehave on
/// purpose, for the broken scenarios. All off by default; the server warns in its log whenever
/// a session turns one on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mischief {
    /// The client presents a wrong client secret at the token endpoint.
    #[serde(default)]
    pub wrong_client_secret: bool,
    /// The client expects a different `state` from the one it sent.
    #[serde(default)]
    pub tamper_state: bool,
    /// The client expects a different `nonce` from the one it sent.
    #[serde(default)]
    pub tamper_nonce: bool,
    /// The client redeems the code with a PKCE verifier that does not match the challenge.
    #[serde(default)]
    pub wrong_pkce_verifier: bool,
    /// How many seconds the client's clock runs behind when it checks an ID token's `iat`.
    #[serde(default)]
    pub clock_behind_seconds: u32,
    /// The lab provider issues access tokens that live 10 seconds.
    #[serde(default)]
    pub short_lifetimes: bool,
}

impl Mischief {
    /// Whether any switch is on.
    pub fn any(&self) -> bool {
        self != &Self::default()
    }
}

/// A question the learner answers before sending, to predict the outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prediction {
    /// The question.
    pub question: String,
    /// The choices offered.
    pub choices: Vec<String>,
    /// The index of the right choice in `choices`.
    pub answer: usize,
    /// Why that choice is right, shown once the learner has chosen.
    pub explanation: String,
}

/// Something the sandbox can check in the learner's own timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    /// A stable id, unique within its lesson or scenario.
    pub id: String,
    /// What to achieve, in the learner's words: "the API refused an ID token".
    pub text: String,
}

/// One goal's status, judged from the learner's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalStatus {
    /// The goal's id.
    pub id: String,
    /// Whether the timeline shows the goal reached.
    pub reached: bool,
    /// The timeline entry that shows it, in words, when reached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// A lesson's or a scenario's progress: `GET /api/lessons/{id}/progress`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// The lesson's or scenario's id.
    pub id: String,
    /// Every goal, in order.
    pub goals: Vec<GoalStatus>,
}

impl Progress {
    /// Whether every goal is reached.
    pub fn complete(&self) -> bool {
        self.goals.iter().all(|goal| goal.reached)
    }
}

/// A broken scenario: break one thing on purpose and see what a real system does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    /// A stable slug, used in URLs (`/lessons/scenarios/{id}`).
    pub id: String,
    /// What is broken, in a few words.
    pub title: String,
    /// The number of the lesson the scenario belongs with.
    pub lesson: u32,
    /// The one-click set-up, mischief switches included.
    pub setup: Setup,
    /// The question to answer before trying.
    pub prediction: Prediction,
    /// What really happens, and why.
    pub outcome: String,
    /// What the sandbox checks in the timeline to confirm the outcome was seen.
    pub goals: Vec<Goal>,
}

/// The Lab 2 track: the identity lab's "Calling an API" exercises, offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabTrack {
    /// The exercises done in the sandbox itself, as lessons.
    pub exercises: Vec<Lesson>,
    /// What a learner's own lab web app needs to run against the lab provider.
    pub own_app: OwnAppSettings,
}

/// The settings for the lab's own Node web app, part of `GET /api/lessons/lab2`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnAppSettings {
    /// The lab provider's issuer, `{public_url}/idp`.
    pub issuer: String,
    /// The client id registered for the learner's app: `lab-web`.
    pub client_id: String,
    /// The `lab-web` secret from the provider's scenario file. It belongs to the learner's
    /// app, not to the sandbox, and is shown so they can configure it.
    pub client_secret: Option<String>,
    /// The redirect URI registered for `lab-web`.
    pub redirect_uri: String,
    /// The API identifier to ask tokens for, `https://expenses-api`.
    pub audience: String,
    /// The scopes the exercises ask for.
    pub scopes: Vec<String>,
    /// The Expenses API's base URL on this server.
    pub api_url: String,
    /// The lab app's environment, in `.env` order: what express-openid-connect reads itself
    /// (`ISSUER_BASE_URL`, `CLIENT_ID`, `CLIENT_SECRET`, `BASE_URL`, `SECRET`), then `PORT`,
    /// `API_AUDIENCE` and `API_URL` (the Expenses API's list, which the app GETs as is), which
    /// the app's own code reads.
    pub env: Vec<EnvSetting>,
}

/// One environment variable of the lab's web app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvSetting {
    /// Its name, as the app reads it.
    pub name: String,
    /// Its value for this server.
    pub value: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_pointer_converts_minutes_and_seconds() {
        let topic = |at: &str| Topic { title: "t".into(), at: at.into() };

        assert_eq!(topic("0:28").seconds(), Some(28));
        assert_eq!(topic("51:33").seconds(), Some(51 * 60 + 33));
        assert_eq!(topic("1:5").seconds(), None);
        assert_eq!(topic("1:60").seconds(), None);
        assert_eq!(topic("x:10").seconds(), None);
        assert_eq!(topic("110").seconds(), None);
    }

    #[test]
    fn mischief_is_off_by_default_and_absent_switches_read_as_off() {
        let mischief: Mischief = serde_json::from_str(r#"{"tamper_state": true}"#).unwrap();

        assert!(!Mischief::default().any());
        assert!(mischief.any());
        assert!(!mischief.wrong_client_secret);
    }

    #[test]
    fn progress_is_complete_only_when_every_goal_is_reached() {
        let status = |reached| GoalStatus { id: "g".into(), reached, evidence: None };
        let half = Progress { id: "l".into(), goals: vec![status(true), status(false)] };
        let full = Progress { id: "l".into(), goals: vec![status(true), status(true)] };

        assert!(!half.complete());
        assert!(full.complete());
    }
}
