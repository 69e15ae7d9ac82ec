//! The lessons, scenarios and Lab 2 track as the workbench reads them from the real server.

use grantlab_shared::{ApiError, LabTrack, Lesson, LessonSummary, Scenario};
use grantlab_tests::TestServer;
use reqwest::StatusCode;

#[tokio::test]
async fn lessons_are_served_beside_the_client_api_without_shadowing_it() {
    let server = TestServer::start().await.unwrap();

    let lessons = reqwest::get(server.at("/api/lessons")).await.unwrap();
    let unknown = reqwest::get(server.at("/api/no-such-thing")).await.unwrap();

    assert_eq!(lessons.status(), StatusCode::OK);
    let lessons: Vec<LessonSummary> = lessons.json().await.unwrap();
    assert_eq!(lessons.len(), 18);
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let unknown: ApiError = unknown.json().await.unwrap();
    assert_eq!(unknown.error, "not_found");
}

#[tokio::test]
async fn every_listed_lesson_and_scenario_has_a_page() {
    let server = TestServer::start().await.unwrap();
    let list: Vec<LessonSummary> =
        reqwest::get(server.at("/api/lessons")).await.unwrap().json().await.unwrap();
    let scenarios: Vec<Scenario> =
        reqwest::get(server.at("/api/lessons/scenarios")).await.unwrap().json().await.unwrap();

    for summary in &list {
        let url = server.at(&format!("/api/lessons/{}", summary.id));
        let lesson: Lesson = reqwest::get(url).await.unwrap().json().await.unwrap();
        assert_eq!(lesson.topics, summary.topics);
    }
    for scenario in &scenarios {
        let url = server.at(&format!("/api/lessons/scenarios/{}", scenario.id));
        let page: Scenario = reqwest::get(url).await.unwrap().json().await.unwrap();
        assert_eq!(&page, scenario);
    }
    assert!(scenarios.len() >= 12);
}

#[tokio::test]
async fn lab2_page_gives_the_issuer_client_and_api_of_this_server() {
    let server = TestServer::start().await.unwrap();

    let track: LabTrack =
        reqwest::get(server.at("/api/lessons/lab2")).await.unwrap().json().await.unwrap();

    assert_eq!(track.own_app.issuer, server.at("/idp"));
    assert_eq!(track.own_app.client_id, "lab-web");
    assert_eq!(track.own_app.client_secret.as_deref(), Some("lab-web-secret"));
    assert_eq!(track.own_app.audience, "https://expenses-api");
    assert_eq!(track.exercises.len(), 3);
}
