//! Flows so far tested only through `/api`, driven in Chromium as a learner drives them: by
//! clicking and typing in the workbench, then reading what the page shows.

use grantlab_tests::{Browser, TestServer, wait_for};

use crate::browser::{STEP, authorize_as_alice, click, find, text_of};

const EXPENSES: &str = "https://expenses-api";

#[tokio::test]
async fn refresh_naming_the_granted_api_works_and_another_api_shows_invalid_target() {
    let server = TestServer::start().await.unwrap();
    let browser = Browser::start().await.unwrap();
    // A grant for the Expenses API: the audience typed is kept in the stored draft.
    browser.client.goto(&server.at("/authorize")).await.unwrap();
    find(&browser, "#audience").await.send_keys(EXPENSES).await.unwrap();
    wait_for("the preview to show the audience", STEP, || async {
        text_of(&browser, ".url").await.filter(|url| url.contains("audience="))
    })
    .await
    .unwrap();
    let scopes = ["#scope-openid", "#scope-offline_access", "#scope-read-reports"];
    authorize_as_alice(&browser, &server, &scopes).await;
    click(&browser, ".rail a[href='/redeem']").await;
    click(&browser, "#redeem").await;
    wait_for("the code to be redeemed", STEP, || text_of(&browser, ".outcome.ok")).await.unwrap();

    // The refresh form says why a learner would name an API, then names the granted one.
    click(&browser, ".rail a[href='/refresh']").await;
    let why = wait_for("the reason to name an API", STEP, || text_of(&browser, ".target .why"))
        .await
        .unwrap();
    assert!(why.contains("down-scopes"), "{why}");
    click(&browser, ".target .add-resource").await;
    find(&browser, "#resources-0-").await.send_keys(EXPENSES).await.unwrap();
    click(&browser, "#refresh").await;

    // It works, and the request on the wire carries the parameter.
    let done = wait_for("the refresh", STEP, || wire_shown(&browser)).await.unwrap();
    assert!(done.starts_with("Done:"), "{done}");
    assert!(done.contains("resource=https%3A%2F%2Fexpenses-api"), "{done}");
    let timeline = page_text(&browser, ".timeline").await;
    assert!(timeline.contains("resource=https%3A%2F%2Fexpenses-api"), "{timeline}");
    browser.screenshot("30-refresh-naming-the-api").await.unwrap();

    // Another API, by audience: the provider's refusal is on the page, with its reason.
    click(&browser, "button[aria-label='Remove resource 1']").await;
    find(&browser, "#audience").await.send_keys("https://reports-service").await.unwrap();
    click(&browser, "#refresh").await;
    let refused = wait_for("the refusal", STEP, || async {
        wire_shown(&browser).await.filter(|outcome| outcome.starts_with("Failed:"))
    })
    .await
    .unwrap();
    assert!(refused.contains("invalid_target"), "{refused}");
    assert!(refused.contains("https://reports-service"), "{refused}");
    assert!(refused.contains("granted for") && refused.contains(EXPENSES), "{refused}");
    assert!(refused.contains("the grant does not cover"), "explained in words: {refused}");
    assert!(refused.contains("audience=https%3A%2F%2Freports-service"), "{refused}");
    browser.screenshot("31-refresh-another-api").await.unwrap();
    browser.close().await.unwrap();
}

/// The outcome's text once its exchanges are in: the timeline that holds them is fetched
/// after the outcome arrives.
async fn wire_shown(browser: &Browser) -> Option<String> {
    text_of(browser, ".outcome").await.filter(|outcome| outcome.contains("On the wire"))
}

/// All the text under `selector`, hidden parts (closed `<details>`) included.
async fn page_text(browser: &Browser, selector: &str) -> String {
    let script = "return document.querySelector(arguments[0])?.textContent ?? '';";
    let text = browser.client.execute(script, vec![selector.into()]).await.unwrap();
    text.as_str().unwrap_or_default().to_owned()
}
