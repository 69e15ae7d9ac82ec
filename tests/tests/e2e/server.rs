//! The server's outer shell over real HTTP on loopback.

use grantlab_tests::TestServer;
use reqwest::StatusCode;

#[tokio::test]
async fn healthz_answers_ok() {
    let server = TestServer::start().await.unwrap();

    let response = reqwest::get(server.at("/healthz")).await.unwrap();

    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn unknown_api_route_answers_json_not_found() {
    let server = TestServer::start().await.unwrap();

    let response = reqwest::get(server.at("/api/no-such-thing")).await.unwrap();

    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let body: grantlab_shared::ApiError = response.json().await.unwrap();
    assert_eq!(body.error, "not_found");
}

#[tokio::test]
async fn deep_link_serves_the_app_and_missing_asset_is_404() {
    let index = grantlab_tests::dist().join("index.html");
    assert!(index.is_file(), "no frontend build at {}: run `cargo xtask dist`", index.display());
    let server = TestServer::start().await.unwrap();

    let deep_link = reqwest::get(server.at("/lessons/3")).await.unwrap();
    let missing = reqwest::get(server.at("/no-such-file.js")).await.unwrap();

    assert_eq!(deep_link.status(), StatusCode::OK);
    assert!(deep_link.text().await.unwrap().contains("<title>Grantlab</title>"));
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn wrong_method_on_an_api_route_answers_json_method_not_allowed() {
    let server = TestServer::start().await.unwrap();

    let response = reqwest::Client::new().post(server.at("/api/session")).send().await.unwrap();

    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: grantlab_shared::ApiError = response.json().await.unwrap();
    assert_eq!(body.error, "method_not_allowed");
}

#[tokio::test]
async fn unknown_paths_under_the_provider_and_the_apis_are_404_not_the_app() {
    let server = TestServer::start().await.unwrap();

    for path in ["/idp/no-such", "/expenses-api/expense", "/reports-service/x", "/api/lessons/a/b"]
    {
        let response = reqwest::get(server.at(path)).await.unwrap();

        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let text = response.text().await.unwrap();
        assert!(!text.contains("<title>Grantlab</title>"), "{path} answered the app: {text}");
    }
}
