//! The lessons of "Calling an API", the broken scenarios and the Lab 2 track, served under
//! `/api/lessons` as data the workbench renders.
//!
//! | route | answer |
//! |---|---|
//! | `GET /api/lessons` | `Vec<LessonSummary>`, the chapter's 18 lessons in order |
//! | `GET /api/lessons/{id}` | `Lesson`, a chapter lesson or a Lab 2 exercise |
//! | `GET /api/lessons/scenarios` | `Vec<Scenario>` |
//! | `GET /api/lessons/scenarios/{id}` | `Scenario` |
//! | `GET /api/lessons/lab2` | `LabTrack`: the exercises and the own app's settings |
//! | `GET /api/lessons/{id}/progress` | `Progress`, judged from the learner's own session |
//! | `POST /api/lessons/{id}/setup` | `Setup`, after setting the session's mischief switches |
//! | `GET /api/lessons/mischief` | `Mischief`: the session's switches |
//! | `DELETE /api/lessons/mischief` | `Mischief`: all off |
//!
//! The catalogue is `'static` data ([`chapter`], [`scenarios`], [`lab2`]); goals are judged
//! from the learner's own timeline by [`goals`].

pub mod catalogue;
pub mod chapter;
pub mod goals;
pub mod lab2;
pub mod mischief;
pub mod observe;
pub mod scenarios;

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use grantlab_shared::{
    ApiError, LabTrack, Lesson, LessonSummary, Mischief, Progress, Scenario, Setup,
};
use tower_sessions::Session;

use self::catalogue::{LessonDef, ScenarioDef};
use self::goals::{GoalDef, Observation};
use self::observe::{SessionFacts, observe};
use crate::Site;
use crate::client::error::ClientError;
use crate::client::state::ClientSession;

/// What the lesson routes read: where the server is reachable, and the `lab-web` client's
/// registration for the Lab 2 page.
#[derive(Clone)]
struct LessonsState {
    public_url: Arc<str>,
    lab_web: Option<Arc<lab2::LabWebClient>>,
}

/// The `/api/lessons` router, to be nested there. `lab_web` is what the lab provider's
/// scenario registers for the learner's own Lab 2 app: the Lab 2 page shows its secret and
/// redirect URI, since the learner must configure them. Its secret is not the sandbox's.
pub fn router(site: &Site, lab_web: Option<lab2::LabWebClient>) -> Router {
    let state = LessonsState {
        public_url: site.public_url.as_str().into(),
        lab_web: lab_web.map(Arc::new),
    };

    Router::new()
        .route("/", get(list_lessons))
        .route("/scenarios", get(list_scenarios))
        .route("/scenarios/{id}", get(show_scenario))
        .route("/lab2", get(show_lab2))
        .route("/mischief", get(show_mischief).delete(calm_mischief))
        .route("/{id}", get(show_lesson))
        .route("/{id}/setup", post(apply_setup))
        .route("/{id}/progress", get(show_progress))
        .fallback(|| async { ClientError::UnknownRoute })
        .method_not_allowed_fallback(|| async { ClientError::MethodNotAllowed })
        .with_state(state)
}

/// Why a lesson route failed; answered in the `/api` error shape.
#[derive(Debug, thiserror::Error)]
pub enum LessonsError {
    /// No lesson, exercise or scenario has this id.
    #[error("there is no lesson or scenario `{0}`; `GET /api/lessons` lists them")]
    UnknownId(String),

    /// The learner's session could not be read or written; details go to the log.
    #[error("internal error")]
    Session(#[from] tower_sessions::session::Error),

    /// The client role could not read its part of the session; it answers for itself.
    #[error(transparent)]
    Client(#[from] ClientError),
}

impl LessonsError {
    /// The HTTP status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::UnknownId(_) => StatusCode::NOT_FOUND,
            Self::Session(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Self::Client(error) => error.status(),
        }
    }
}

impl IntoResponse for LessonsError {
    fn into_response(self) -> Response {
        // A learner's mistake: logged once, at debug.
        tracing::debug!(error = %self, "lessons request refused");

        let body = ApiError {
            error: "not_found".to_owned(),
            message: self.to_string(),
            field: Some("id".to_owned()),
        };
        (self.status(), Json(body)).into_response()
    }
}

/// The chapter's lessons and the Lab 2 exercises, each with its number in its own list.
fn all_lessons() -> impl Iterator<Item = (u32, &'static LessonDef)> {
    let chapter = chapter::LESSONS.iter();
    let exercises = lab2::EXERCISES.iter();
    (1..).zip(chapter).chain((1..).zip(exercises))
}

fn find_lesson(id: &str) -> Result<(u32, &'static LessonDef), LessonsError> {
    all_lessons()
        .find(|(_, lesson)| lesson.id == id)
        .ok_or_else(|| LessonsError::UnknownId(id.to_owned()))
}

fn find_scenario(id: &str) -> Result<&'static ScenarioDef, LessonsError> {
    scenarios::SCENARIOS
        .iter()
        .find(|scenario| scenario.id == id)
        .ok_or_else(|| LessonsError::UnknownId(id.to_owned()))
}

/// The goals of a lesson, an exercise or a scenario.
fn goals_of(id: &str) -> Result<&'static [GoalDef], LessonsError> {
    match find_lesson(id) {
        Ok((_, lesson)) => Ok(lesson.goals),
        Err(_) => Ok(find_scenario(id)?.goals),
    }
}

/// A lesson's, exercise's or scenario's progress, judged from what the session shows.
pub fn progress(id: &str, observations: &[Observation]) -> Result<Progress, LessonsError> {
    let goals = goals::evaluate(goals_of(id)?, observations);
    Ok(Progress { id: id.to_owned(), goals })
}

/// The set-up of a lesson, an exercise or a scenario.
fn setup_of(id: &str) -> Result<Setup, LessonsError> {
    match find_lesson(id) {
        Ok((_, lesson)) => Ok(lesson.setup.to_dto()),
        Err(_) => Ok(find_scenario(id)?.setup.to_dto()),
    }
}

/// Applies a set-up's mischief switches to the learner's session (all off for a lesson) and
/// answers the set-up, which the workbench lays over its drafts.
async fn apply_setup(
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<Setup>, LessonsError> {
    // Step 1: find what to set up.
    let setup = setup_of(&id)?;

    // Step 2: switch the session's mischief to exactly what it asks for.
    mischief::set(&session, setup.mischief).await?;

    Ok(Json(setup))
}

/// The goals of a lesson, an exercise or a scenario, judged from the learner's own session:
/// its timeline, its last request, every callback's state check, and the checks on the ID
/// token it holds.
async fn show_progress(
    State(state): State<LessonsState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Json<Progress>, LessonsError> {
    // Step 1: read the client role's part of the session.
    let data = ClientSession::load(&session).await?;
    let checks = data.tokens.as_ref().map(|tokens| tokens.id_token_checks.as_slice());

    // Step 2: turn it into facts, and judge the goals by them.
    let callback_url = format!("{}/callback", state.public_url);
    let facts = SessionFacts {
        timeline: &data.timeline,
        request_url: data.request_url.as_deref(),
        callback_url: &callback_url,
        state_verdicts: &data.state_verdicts,
        id_token_checks: checks.unwrap_or_default(),
    };
    Ok(Json(progress(&id, &observe(facts))?))
}

/// The learner session's mischief switches, so the workbench can say when any is on.
async fn show_mischief(session: Session) -> Json<Mischief> {
    Json(mischief::current(&session).await)
}

/// Turns every mischief switch off for the learner's session.
async fn calm_mischief(session: Session) -> Result<Json<Mischief>, LessonsError> {
    mischief::set(&session, Mischief::default()).await?;
    Ok(Json(Mischief::default()))
}

/// The lesson list, in the chapter's order.
async fn list_lessons() -> Json<Vec<LessonSummary>> {
    Json((1..).zip(chapter::LESSONS.iter()).map(|(n, lesson)| lesson.to_summary(n)).collect())
}

/// One lesson page, chapter lesson or Lab 2 exercise.
async fn show_lesson(Path(id): Path<String>) -> Result<Json<Lesson>, LessonsError> {
    let (number, lesson) = find_lesson(&id)?;
    Ok(Json(lesson.to_dto(number)))
}

/// Every broken scenario.
async fn list_scenarios() -> Json<Vec<Scenario>> {
    Json(scenarios::SCENARIOS.iter().map(ScenarioDef::to_dto).collect())
}

/// One broken scenario.
async fn show_scenario(Path(id): Path<String>) -> Result<Json<Scenario>, LessonsError> {
    Ok(Json(find_scenario(&id)?.to_dto()))
}

/// The Lab 2 track: the exercises, and what the lab's own web app needs.
async fn show_lab2(State(state): State<LessonsState>) -> Json<LabTrack> {
    let exercises = (1..).zip(lab2::EXERCISES.iter()).map(|(n, e)| e.to_dto(n)).collect();

    let own_app = lab2::own_app_settings(&state.public_url, state.lab_web.as_deref());

    Json(LabTrack { exercises, own_app })
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    use tower_sessions::{MemoryStore, SessionManagerLayer};

    use super::*;
    use crate::Config;

    fn app() -> Router {
        let site = Site::new(Config::with_defaults(), "http://127.0.0.1:8080".to_owned());
        let lab_web = lab2::LabWebClient {
            secret: "lab-web-secret".to_owned(),
            redirect_uri: Some(lab2::LAB_WEB_REDIRECT_URI.to_owned()),
        };
        router(&site, Some(lab_web)).layer(SessionManagerLayer::new(MemoryStore::default()))
    }

    async fn send(app: &Router, method: &str, path: &str, cookie: Option<&str>) -> Answer {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }

        let response = app.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();

        let status = response.status();
        let cookie = response
            .headers()
            .get("set-cookie")
            .map(|value| value.to_str().unwrap().split(';').next().unwrap().to_owned());
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Answer { status, body: serde_json::from_slice(&bytes).unwrap(), cookie }
    }

    struct Answer {
        status: StatusCode,
        body: serde_json::Value,
        cookie: Option<String>,
    }

    async fn get_json(path: &str) -> (StatusCode, serde_json::Value) {
        let answer = send(&app(), "GET", path, None).await;
        (answer.status, answer.body)
    }

    #[tokio::test]
    async fn scenario_setup_turns_its_switch_on_and_a_lesson_turns_it_off() {
        let app = app();

        let scenario = send(&app, "POST", "/wrong-client-secret/setup", None).await;
        let cookie = scenario.cookie.expect("the set-up stores the switches in a session");
        let during = send(&app, "GET", "/mischief", Some(&cookie)).await;
        send(&app, "POST", "/code-grant/setup", Some(&cookie)).await;
        let after = send(&app, "GET", "/mischief", Some(&cookie)).await;

        assert_eq!(scenario.status, StatusCode::OK);
        assert_eq!(scenario.body["mischief"]["wrong_client_secret"], true);
        assert_eq!(during.body["wrong_client_secret"], true);
        assert_eq!(after.body["wrong_client_secret"], false);
    }

    #[tokio::test]
    async fn mischief_can_be_calmed_and_another_session_never_sees_it() {
        let app = app();

        let scenario = send(&app, "POST", "/state-mismatch/setup", None).await;
        let cookie = scenario.cookie.unwrap();
        let stranger = send(&app, "GET", "/mischief", None).await;
        let calmed = send(&app, "DELETE", "/mischief", Some(&cookie)).await;
        let after = send(&app, "GET", "/mischief", Some(&cookie)).await;

        assert_eq!(stranger.body["tamper_state"], false);
        assert_eq!(calmed.status, StatusCode::OK);
        assert_eq!(after.body["tamper_state"], false);
    }

    #[tokio::test]
    async fn setup_of_an_unknown_id_is_a_not_found() {
        let answer = send(&app(), "POST", "/nope/setup", None).await;

        assert_eq!(answer.status, StatusCode::NOT_FOUND);
        assert_eq!(answer.body["field"], "id");
    }

    #[tokio::test]
    async fn list_gives_the_eighteen_lessons_numbered_in_order() {
        let (status, body) = get_json("/").await;

        let lessons: Vec<LessonSummary> = serde_json::from_value(body).unwrap();
        assert_eq!(status, StatusCode::OK);
        assert_eq!(lessons.len(), 18);
        assert!(lessons.iter().zip(1..).all(|(lesson, n)| lesson.number == n));
    }

    #[tokio::test]
    async fn unknown_lesson_is_a_not_found_naming_the_id() {
        let (status, body) = get_json("/no-such-lesson").await;

        let error: ApiError = serde_json::from_value(body).unwrap();
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(error.message.contains("no-such-lesson"), "{}", error.message);
    }

    #[tokio::test]
    async fn lab2_exercises_are_pages_too_and_the_track_names_the_issuer() {
        let (status, exercise) = get_json("/lab2-refresh").await;
        let (_, track) = get_json("/lab2").await;

        let track: LabTrack = serde_json::from_value(track).unwrap();
        assert_eq!(status, StatusCode::OK);
        assert_eq!(exercise["id"], "lab2-refresh");
        assert_eq!(track.own_app.issuer, "http://127.0.0.1:8080/idp");
    }

    #[tokio::test]
    async fn scenario_pages_carry_their_mischief() {
        let (status, body) = get_json("/scenarios/state-mismatch").await;

        let scenario: Scenario = serde_json::from_value(body).unwrap();
        assert_eq!(status, StatusCode::OK);
        assert!(scenario.setup.mischief.tamper_state);
    }

    #[test]
    fn progress_judges_a_scenario_by_its_own_goals() {
        let refused = Observation::AuthorizationResponse {
            code: true,
            id_token: false,
            error: None,
            state_matched: Some(false),
        };

        let before = progress("state-mismatch", &[]).unwrap();
        let after = progress("state-mismatch", &[refused]).unwrap();

        assert!(!before.complete());
        assert!(after.complete());
        assert!(progress("nothing-here", &[]).is_err());
    }

    #[test]
    fn lesson_and_scenario_ids_are_unique() {
        let mut ids: Vec<&str> = all_lessons().map(|(_, lesson)| lesson.id).collect();
        ids.extend(scenarios::SCENARIOS.iter().map(|scenario| scenario.id));
        let count = ids.len();

        ids.sort_unstable();
        ids.dedup();

        assert_eq!(ids.len(), count);
    }
}
