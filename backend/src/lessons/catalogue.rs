//! The catalogue's building blocks, as `'static` data: a lesson, a set-up, a prediction, and
//! their conversion to the `shared/` DTOs the frontend reads.
//!
//! The lessons themselves are in [`super::chapter`], the broken scenarios in
//! [`super::scenarios`] and the Lab 2 exercises in [`super::lab2`].

use grantlab_shared::{
    DemoUser, Goal, Lesson, LessonSummary, MachinePreset, Mischief, Prediction, RequestPreset,
    Scenario, Setup, Topic,
};

use super::goals::GoalDef;

/// The Expenses API's identifier at the lab provider.
pub const EXPENSES_API: &str = "https://expenses-api";

/// Every mischief switch off: how every lesson runs.
pub const CALM: Mischief = Mischief {
    wrong_client_secret: false,
    tamper_state: false,
    tamper_nonce: false,
    wrong_pkce_verifier: false,
    clock_behind_seconds: 0,
    short_lifetimes: false,
};

/// The usual request of the chapter: a code flow with PKCE, asking for the Expenses API.
pub const CODE_FLOW: RequestDef = RequestDef {
    response_type: "code",
    response_mode: None,
    scopes: &["openid", "profile", "read:reports"],
    audience: Some(EXPENSES_API),
    resource: &[],
    pkce: true,
    prompt: None,
    redirect_uri: None,
};

/// A lesson of the chapter, in the order the chapter teaches it.
#[derive(Debug, Clone, Copy)]
pub struct LessonDef {
    /// The slug, unique across lessons and exercises.
    pub id: &'static str,
    /// The title.
    pub title: &'static str,
    /// `(minutes:seconds, topic)` pointers into the chapter's video, in order.
    pub topics: &'static [(&'static str, &'static str)],
    /// The explanation, one paragraph per item.
    pub explanation: &'static [&'static str],
    /// What "set up" prefills.
    pub setup: SetupDef,
    /// The question asked before sending.
    pub prediction: PredictionDef,
    /// What the timeline must show.
    pub goals: &'static [GoalDef],
}

/// A broken scenario.
#[derive(Debug, Clone, Copy)]
pub struct ScenarioDef {
    /// The slug, unique across scenarios.
    pub id: &'static str,
    /// What is broken.
    pub title: &'static str,
    /// The number of the lesson it belongs with.
    pub lesson: u32,
    /// The one-click set-up, mischief included.
    pub setup: SetupDef,
    /// The question asked before trying.
    pub prediction: PredictionDef,
    /// What really happens.
    pub outcome: &'static str,
    /// What the timeline must show to confirm the outcome was seen.
    pub goals: &'static [GoalDef],
}

/// What a set-up prefills; see [`Setup`].
#[derive(Debug, Clone, Copy)]
pub struct SetupDef {
    /// The demo user to log in as: `alice`, `bob` or `carol`.
    pub user: Option<&'static str>,
    /// The authorization request to compose.
    pub request: Option<RequestDef>,
    /// The client credentials request to compose, as `(audience, scopes)`.
    pub machine: Option<(&'static str, &'static [&'static str])>,
    /// The switches to turn on for the learner's session.
    pub mischief: Mischief,
    /// What the learner does next.
    pub steps: &'static [&'static str],
}

/// An authorization request; see [`RequestPreset`].
#[derive(Debug, Clone, Copy)]
pub struct RequestDef {
    /// `code` or `code id_token`.
    pub response_type: &'static str,
    /// `query`, `fragment` or `form_post`.
    pub response_mode: Option<&'static str>,
    /// The scopes to ask for.
    pub scopes: &'static [&'static str],
    /// Auth0-style `audience`.
    pub audience: Option<&'static str>,
    /// RFC 8707 `resource` indicators.
    pub resource: &'static [&'static str],
    /// Whether to send a PKCE challenge.
    pub pkce: bool,
    /// OIDC `prompt`.
    pub prompt: Option<&'static str>,
    /// A redirect URI other than the sandbox's own callback.
    pub redirect_uri: Option<&'static str>,
}

/// A prediction question; see [`Prediction`].
#[derive(Debug, Clone, Copy)]
pub struct PredictionDef {
    /// The question.
    pub question: &'static str,
    /// The choices.
    pub choices: &'static [&'static str],
    /// The index of the right choice.
    pub answer: usize,
    /// Why it is right.
    pub explanation: &'static str,
}

/// The lab password of a demo user; the lab's login page shows them all.
fn demo_user(username: &str) -> DemoUser {
    DemoUser { username: username.to_owned(), password: format!("{username}-pass") }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|item| (*item).to_owned()).collect()
}

fn goals(defs: &[GoalDef]) -> Vec<Goal> {
    defs.iter().map(|goal| Goal { id: goal.id.to_owned(), text: goal.text.to_owned() }).collect()
}

fn topics(pointers: &[(&str, &str)]) -> Vec<Topic> {
    pointers
        .iter()
        .map(|(at, title)| Topic { title: (*title).to_owned(), at: (*at).to_owned() })
        .collect()
}

impl SetupDef {
    /// The DTO the frontend applies.
    pub fn to_dto(&self) -> Setup {
        Setup {
            provider: "lab".to_owned(),
            login_as: self.user.map(demo_user),
            request: self.request.map(|request| request.to_dto()),
            machine: self.machine.map(|(audience, scopes)| MachinePreset {
                audience: audience.to_owned(),
                scopes: strings(scopes),
            }),
            mischief: self.mischief,
            steps: strings(self.steps),
        }
    }
}

impl RequestDef {
    /// The DTO the frontend applies.
    pub fn to_dto(&self) -> RequestPreset {
        RequestPreset {
            response_type: self.response_type.to_owned(),
            response_mode: self.response_mode.map(str::to_owned),
            scopes: strings(self.scopes),
            audience: self.audience.map(str::to_owned),
            resource: strings(self.resource),
            pkce: self.pkce,
            prompt: self.prompt.map(str::to_owned),
            redirect_uri: self.redirect_uri.map(str::to_owned),
        }
    }
}

impl PredictionDef {
    /// The DTO the frontend shows.
    pub fn to_dto(&self) -> Prediction {
        Prediction {
            question: self.question.to_owned(),
            choices: strings(self.choices),
            answer: self.answer,
            explanation: self.explanation.to_owned(),
        }
    }
}

impl LessonDef {
    /// The whole lesson page; `number` is its place in its list, from 1.
    pub fn to_dto(&self, number: u32) -> Lesson {
        Lesson {
            id: self.id.to_owned(),
            number,
            title: self.title.to_owned(),
            topics: topics(self.topics),
            explanation: strings(self.explanation),
            setup: self.setup.to_dto(),
            prediction: self.prediction.to_dto(),
            goals: goals(self.goals),
        }
    }

    /// The lesson's line in the list.
    pub fn to_summary(&self, number: u32) -> LessonSummary {
        LessonSummary {
            id: self.id.to_owned(),
            number,
            title: self.title.to_owned(),
            topics: topics(self.topics),
            goal_ids: self.goals.iter().map(|goal| goal.id.to_owned()).collect(),
        }
    }
}

impl ScenarioDef {
    /// The scenario page.
    pub fn to_dto(&self) -> Scenario {
        Scenario {
            id: self.id.to_owned(),
            title: self.title.to_owned(),
            lesson: self.lesson,
            setup: self.setup.to_dto(),
            prediction: self.prediction.to_dto(),
            outcome: self.outcome.to_owned(),
            goals: goals(self.goals),
        }
    }
}
