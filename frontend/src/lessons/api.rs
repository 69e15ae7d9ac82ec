//! The backend's `/api/lessons` routes, one function each, through the workbench's one
//! request helper.

use gloo_net::http::Method;
use grantlab_shared::{LabTrack, Lesson, LessonSummary, Mischief, Progress, Scenario, Setup};

use crate::api::request;
use crate::error::Error;

/// `GET /api/lessons`: the chapter's lessons, in order.
pub async fn lessons() -> Result<Vec<LessonSummary>, Error> {
    request(Method::GET, "/lessons", None::<&()>).await
}

/// `GET /api/lessons/{id}`: a lesson or a Lab 2 exercise.
pub async fn lesson(id: &str) -> Result<Lesson, Error> {
    request(Method::GET, &format!("/lessons/{id}"), None::<&()>).await
}

/// `GET /api/lessons/scenarios`: every broken scenario.
pub async fn scenarios() -> Result<Vec<Scenario>, Error> {
    request(Method::GET, "/lessons/scenarios", None::<&()>).await
}

/// `GET /api/lessons/scenarios/{id}`: one broken scenario.
pub async fn scenario(id: &str) -> Result<Scenario, Error> {
    request(Method::GET, &format!("/lessons/scenarios/{id}"), None::<&()>).await
}

/// `GET /api/lessons/lab2`: the Lab 2 exercises and the own app's settings.
pub async fn lab2() -> Result<LabTrack, Error> {
    request(Method::GET, "/lessons/lab2", None::<&()>).await
}

/// `POST /api/lessons/{id}/setup`: set the session's mischief switches for `id`.
pub async fn setup(id: &str) -> Result<Setup, Error> {
    request(Method::POST, &format!("/lessons/{id}/setup"), None::<&()>).await
}

/// `GET /api/lessons/{id}/progress`: the goals as the session shows them now.
pub async fn progress(id: &str) -> Result<Progress, Error> {
    request(Method::GET, &format!("/lessons/{id}/progress"), None::<&()>).await
}

/// `GET /api/lessons/mischief`: the session's switches.
pub async fn mischief() -> Result<Mischief, Error> {
    request(Method::GET, "/lessons/mischief", None::<&()>).await
}

/// `DELETE /api/lessons/mischief`: every switch off.
pub async fn calm() -> Result<Mischief, Error> {
    request(Method::DELETE, "/lessons/mischief", None::<&()>).await
}
