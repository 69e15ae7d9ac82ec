//! The workbench loads in headless Chromium.

use std::time::Duration;

use fantoccini::Locator;
use grantlab_tests::{Browser, TestServer, wait_for};

#[tokio::test]
async fn workbench_loads_without_console_errors() {
    let server = TestServer::start().await.unwrap();
    let browser = Browser::start().await.unwrap();

    browser.client.goto(&server.at("/")).await.unwrap();
    let heading = wait_for("the app to render", Duration::from_secs(15), || async {
        let element = browser.client.find(Locator::Css("#app h1")).await.ok()?;
        element.text().await.ok()
    })
    .await
    .unwrap();

    assert_eq!(heading, "Grantlab");
    browser.screenshot("01-workbench").await.unwrap();
    let errors = browser.console_errors().await.unwrap();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    browser.close().await.unwrap();
}
