//! The workbench in a real headless Chromium: it loads cleanly, a learner can walk the lab code
//! flow through it, clicking through the lab provider's own login and consent pages, and what
//! a refused step answers is there on the page to read.

use std::time::Duration;

use fantoccini::Locator;
use fantoccini::elements::Element;
use grantlab_tests::{Browser, TestServer, wait_for};

/// How long one step of the flow may take in the browser.
pub(crate) const STEP: Duration = Duration::from_secs(20);

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
    wait_for("the home page to pick a step", STEP, || shown(&browser, ".rail [aria-current]"))
        .await
        .unwrap();
    browser.screenshot("00-workbench").await.unwrap();
    let errors = browser.console_errors().await.unwrap();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    browser.close().await.unwrap();
}

#[tokio::test]
async fn lab_code_flow_completes_through_the_workbench() {
    let server = TestServer::start().await.unwrap();
    let browser = Browser::start().await.unwrap();

    // Step 1: the lab provider is preselected.
    browser.client.goto(&server.at("/provider")).await.unwrap();
    let in_use = wait_for("the provider in use", STEP, || text_of(&browser, "#profile-title"))
        .await
        .unwrap();
    assert!(in_use.to_lowercase().contains("lab provider"), "{in_use}");
    browser.screenshot("01-provider").await.unwrap();

    // Step 2: compose from the rail; ask for an ID token and the Expenses API's read scope.
    click(&browser, ".rail a[href='/authorize']").await;
    wait_for("a fresh draft", STEP, || shown(&browser, "#send")).await.unwrap();
    let scopes =
        ["#scope-openid", "#scope-profile", "#scope-offline_access", "#scope-read-reports"];
    for scope in scopes {
        let checkbox = find(&browser, scope).await;
        if checkbox.prop("checked").await.unwrap().as_deref() != Some("true") {
            checkbox.click().await.unwrap();
        }
    }
    let audience = find(&browser, "#audience").await;
    audience.clear().await.unwrap();
    audience.send_keys("https://expenses-api").await.unwrap();
    let preview = wait_for("the preview to show the audience", STEP, || async {
        let url = text_of(&browser, ".url").await?;
        url.contains("audience=https%3A%2F%2Fexpenses-api").then_some(url)
    })
    .await
    .unwrap();
    assert!(preview.contains("read%3Areports"), "{preview}");
    browser.screenshot("02-authorize").await.unwrap();

    // Send: the whole page goes to the provider (past any warnings the composer gave).
    click(&browser, "#send").await;
    let login = wait_for("the provider's login page", STEP, || async {
        if let Ok(proceed) = browser.client.find(Locator::Css("#continue")).await {
            let _ = proceed.click().await;
        }
        browser.client.find(Locator::Css("input[name='username']")).await.ok()
    })
    .await
    .unwrap();

    // At the provider: log in as alice, then consent.
    login.send_keys("alice").await.unwrap();
    find(&browser, "input[name='password']").await.send_keys("alice-pass").await.unwrap();
    browser.screenshot("03-login").await.unwrap();
    click(&browser, "#login").await;
    wait_for("the consent page", STEP, || {
        shown(&browser, "button[name='decision'][value='approve']")
    })
    .await
    .unwrap();
    browser.screenshot("04-consent").await.unwrap();
    click(&browser, "button[name='decision'][value='approve']").await;

    // Step 3: back at the workbench, which shows the response and its state check.
    let received =
        wait_for("the authorization response", STEP, || text_of(&browser, ".card .params"))
            .await
            .unwrap();
    assert!(received.contains("code"), "{received}");
    let state_check = text_of(&browser, ".checklist").await.unwrap_or_default();
    assert!(state_check.contains("passed"), "{state_check}");
    browser.screenshot("05-response").await.unwrap();
    // What the provider's own pages logged is theirs (their tests cover them); from here on the
    // log is the workbench's alone.
    browser.console_errors().await.unwrap();

    // Step 4: redeem the code.
    click(&browser, ".rail a[href='/redeem']").await;
    click(&browser, "#redeem").await;
    let outcome = wait_for("the code to be redeemed", STEP, || text_of(&browser, ".outcome.ok"))
        .await
        .unwrap();
    assert!(outcome.starts_with("Done:"), "{outcome}");
    browser.screenshot("06-redeem").await.unwrap();

    // Step 5: the tokens, decoded and validated.
    click(&browser, ".rail a[href='/tokens']").await;
    let access =
        wait_for("the access token", STEP, || text_of(&browser, "#access-token")).await.unwrap();
    assert_eq!(access.matches('.').count(), 2, "an API's access token is a JWT: {access}");
    let id_token = text_of(&browser, ".jwt").await.unwrap_or_default();
    assert!(id_token.contains("nonce") && id_token.contains("UTC"), "{id_token}");
    let checks = text_of(&browser, ".checklist .tally").await.unwrap_or_default();
    assert!(checks.contains("passed"), "ID token checks: {checks}");
    browser.screenshot("07-tokens").await.unwrap();

    // Step 6: call the Expenses API with the access token.
    click(&browser, ".rail a[href='/call-api']").await;
    click(&browser, "#call").await;
    let status = wait_for("the API's answer", STEP, || text_of(&browser, "#api-answer .status"))
        .await
        .unwrap();
    assert_eq!(status, "200", "{}", text_of(&browser, "#api-answer").await.unwrap_or_default());
    browser.screenshot("08-api").await.unwrap();

    // The timeline holds both channels: the redirects and the server-to-server calls.
    let front = all(&browser, ".timeline li.message.front").await;
    let back = all(&browser, ".timeline li.message.back").await;
    assert!(!front.is_empty(), "no front-channel message in the timeline");
    assert!(back.len() >= 2, "expected the token request and the API call, found {}", back.len());
    browser
        .client
        .execute("document.querySelector('.timeline').scrollIntoView()", vec![])
        .await
        .unwrap();
    find(&browser, ".timeline li.message.back summary").await.click().await.unwrap();
    browser.screenshot("09-timeline").await.unwrap();

    // Step 7: refresh; with rotation the refresh token changes along with the tokens.
    click(&browser, ".rail a[href='/refresh']").await;
    click(&browser, "#refresh").await;
    wait_for("the refresh", STEP, || text_of(&browser, ".outcome.ok")).await.unwrap();
    let changed = wait_for("the before and after table", STEP, || async {
        text_of(&browser, "table.compare").await.filter(|table| table.contains("changed"))
    })
    .await
    .unwrap();
    assert!(changed.contains("refresh token") && changed.contains("changed"), "{changed}");
    browser.screenshot("10-refresh").await.unwrap();

    // Step 8: userinfo beside the ID token; both name the same user.
    click(&browser, ".rail a[href='/userinfo']").await;
    click(&browser, "#userinfo").await;
    let claims = wait_for("userinfo", STEP, || text_of(&browser, "table.compare")).await.unwrap();
    assert!(claims.contains("sub"), "{claims}");
    browser.screenshot("11-userinfo").await.unwrap();

    // The tokens on a phone, in the dark theme.
    browser.client.set_window_size(360, 800).await.unwrap();
    click(&browser, ".rail a[href='/tokens']").await;
    for _ in 0..3 {
        if text_of(&browser, ".theme").await.is_some_and(|label| label.contains("dark")) {
            break;
        }
        click(&browser, ".theme").await;
    }
    wait_for("the dark theme", STEP, || shown(&browser, "html[data-theme='dark'] #access-token"))
        .await
        .unwrap();
    browser.screenshot("12-tokens-phone-dark").await.unwrap();

    // Step 9: the lab machine client, preselected, gets a token for itself; the delegated
    // one stays beside it.
    browser.client.set_window_size(1280, 900).await.unwrap();
    click(&browser, ".rail a[href='/client-credentials']").await;
    click(&browser, "#client-credentials").await;
    wait_for("the client credentials grant", STEP, || text_of(&browser, ".outcome.ok"))
        .await
        .unwrap();
    let machine = wait_for("the machine's token", STEP, || async {
        text_of(&browser, "#machine-token").await.filter(|t| t.contains("scope"))
    })
    .await
    .unwrap();
    assert!(machine.contains("https://expenses-api") && machine.contains("read:reports"));
    assert!(!machine.contains("lab|alice"), "{machine}");
    let delegated = text_of(&browser, "#delegated-token").await.unwrap();
    assert!(delegated.contains("lab|alice"), "{delegated}");
    let why = text_of(&browser, "#why-no-refresh").await.unwrap();
    assert!(why.contains("No refresh token") && why.contains("No ID token"), "{why}");
    browser.screenshot("13-client-credentials").await.unwrap();

    let errors = browser.console_errors().await.unwrap();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    browser.close().await.unwrap();
}

#[tokio::test]
async fn form_post_and_fragment_responses_arrive_under_the_content_security_policy() {
    let server = TestServer::start().await.unwrap();
    let browser = Browser::start().await.unwrap();

    // The hybrid grant answered by form_post: the provider's page submits itself to us.
    send_from_workbench(&browser, &server, "code id_token", "form_post").await;
    let login = find(&browser, "input[name='username']").await;
    login.send_keys("alice").await.unwrap();
    find(&browser, "input[name='password']").await.send_keys("alice-pass").await.unwrap();
    click(&browser, "#login").await;
    click(&browser, "button[name='decision'][value='approve']").await;
    let received = wait_for("the form_post response", STEP, || async {
        text_of(&browser, "#received-title").await.filter(|title| title.contains("form_post"))
    })
    .await
    .unwrap();
    let params = text_of(&browser, ".card .params").await.unwrap_or_default();
    assert!(params.contains("id_token") && params.contains("code"), "{received}: {params}");

    // The code grant answered in the fragment: our callback page hands it to the backend.
    // Alice's session at the provider and her consent carry over, so no page stops us.
    send_from_workbench(&browser, &server, "code", "fragment").await;
    wait_for("the fragment response", STEP, || async {
        text_of(&browser, "#received-title").await.filter(|title| title.contains("fragment"))
    })
    .await
    .unwrap();
    let check = text_of(&browser, ".checklist").await.unwrap_or_default();
    assert!(check.contains("passed"), "state check: {check}");

    // Every page on the way ran its inline script under its policy: nothing was blocked.
    let errors = browser.console_errors().await.unwrap();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    browser.close().await.unwrap();
}

/// Composes a lab request with `response_type` and `response_mode` in the workbench and
/// sends it, past any warning the composer gives.
pub(crate) async fn send_from_workbench(
    browser: &Browser,
    server: &TestServer,
    kind: &str,
    mode: &str,
) {
    browser.client.goto(&server.at("/authorize")).await.unwrap();
    find(browser, "#response_type").await.select_by_value(kind).await.unwrap();
    find(browser, "#response_mode").await.select_by_value(mode).await.unwrap();
    wait_for("the preview to show the mode", STEP, || async {
        text_of(browser, ".url").await.filter(|url| url.contains(&format!("response_mode={mode}")))
    })
    .await
    .unwrap();

    click(browser, "#send").await;
    let away = wait_for("the flow to leave the composer", STEP, || async {
        if let Ok(proceed) = browser.client.find(Locator::Css("#continue")).await {
            let _ = proceed.click().await;
        }
        let url = browser.client.current_url().await.ok()?;
        (!url.path().starts_with("/authorize")).then_some(())
    })
    .await;
    away.unwrap();
}

#[tokio::test]
async fn refresh_with_no_refresh_token_shows_the_409_explained() {
    let server = TestServer::start().await.unwrap();
    let browser = Browser::start().await.unwrap();

    // A fresh session holds no token at all; the learner presses Refresh anyway.
    browser.client.goto(&server.at("/refresh")).await.unwrap();
    wait_for("the no-refresh-token help", STEP, || async {
        text_of(&browser, ".card").await.filter(|card| card.contains("No refresh token held"))
    })
    .await
    .unwrap();
    click(&browser, "#refresh").await;

    // The refusal is on the page, with its status and what to do.
    let alert =
        wait_for("the refusal", STEP, || text_of(&browser, ".errors[role=alert]")).await.unwrap();
    assert!(alert.contains("not_ready (HTTP 409)"), "{alert}");
    assert!(alert.contains("refresh_token") && alert.contains("offline_access"), "{alert}");
    assert!(all(&browser, ".outcome").await.is_empty(), "no token request was sent");
    browser.screenshot("20-refresh-409").await.unwrap();
    browser.close().await.unwrap();
}

#[tokio::test]
async fn redeeming_the_last_code_again_shows_invalid_grant_and_what_it_revoked() {
    let server = TestServer::start().await.unwrap();
    let browser = Browser::start().await.unwrap();
    authorize_as_alice(&browser, &server, &["#scope-openid", "#scope-offline_access"]).await;

    // Redeem once: the tokens, a refresh token among them.
    browser.client.goto(&server.at("/redeem")).await.unwrap();
    click(&browser, "#redeem").await;
    wait_for("the code to be redeemed", STEP, || text_of(&browser, ".outcome.ok")).await.unwrap();

    // The same code again: the provider refuses it and says it revoked what it issued.
    click(&browser, "#redeem-again").await;
    let refused = wait_for("the replay's answer", STEP, || text_of(&browser, ".outcome.failed"))
        .await
        .unwrap();
    assert!(refused.starts_with("Failed:"), "{refused}");
    assert!(refused.contains("invalid_grant"), "{refused}");
    assert!(refused.contains("already used") && refused.contains("revoked"), "{refused}");
    browser.screenshot("21-code-replayed").await.unwrap();

    // What it revoked: the refresh token the first redemption gave is refused now.
    browser.client.goto(&server.at("/refresh")).await.unwrap();
    click(&browser, "#refresh").await;
    let refresh = wait_for("the refresh's answer", STEP, || text_of(&browser, ".outcome.failed"))
        .await
        .unwrap();
    assert!(refresh.contains("invalid_grant"), "{refresh}");
    browser.screenshot("22-refresh-after-replay").await.unwrap();
    browser.close().await.unwrap();
}

#[tokio::test]
async fn machine_token_instead_is_explained_when_missing_then_reaches_the_api() {
    let server = TestServer::start().await.unwrap();
    let browser = Browser::start().await.unwrap();

    // With no machine token yet, the button's refusal is on the page.
    browser.client.goto(&server.at("/call-api")).await.unwrap();
    click(&browser, "#send-machine-token").await;
    let alert =
        wait_for("the refusal", STEP, || text_of(&browser, ".errors[role=alert]")).await.unwrap();
    assert!(alert.contains("not_ready (HTTP 409)"), "{alert}");
    assert!(alert.contains("no machine token"), "{alert}");
    assert!(all(&browser, "#api-answer").await.is_empty(), "no API call was made");

    // The lab machine client gets its token; the same button now sends it.
    browser.client.goto(&server.at("/client-credentials")).await.unwrap();
    click(&browser, "#client-credentials").await;
    wait_for("the machine's token", STEP, || text_of(&browser, ".outcome.ok")).await.unwrap();
    browser.client.goto(&server.at("/call-api")).await.unwrap();
    click(&browser, "#send-machine-token").await;
    let status = wait_for("the API's answer", STEP, || text_of(&browser, "#api-answer .status"))
        .await
        .unwrap();
    assert_eq!(status, "200", "{}", text_of(&browser, "#api-answer").await.unwrap_or_default());
    assert!(all(&browser, ".errors[role=alert]").await.is_empty());
    browser.screenshot("23-machine-token-sent").await.unwrap();

    // Lesson 18 sees the machine token at the API in the learner's timeline.
    browser.client.goto(&server.at("/lessons/client-credentials")).await.unwrap();
    let selector = "li.goal.reached[data-goal='machine-called-api']";
    let goal = wait_for("the goal reached", STEP, || text_of(&browser, selector)).await.unwrap();
    assert!(goal.contains("accepted the machine token"), "{goal}");
    browser.close().await.unwrap();
}

/// Composes a request with these scope boxes ticked (others as drafted), sends it, logs in as
/// alice and approves; ends back at the workbench with the response shown.
pub(crate) async fn authorize_as_alice(browser: &Browser, server: &TestServer, scopes: &[&str]) {
    browser.client.goto(&server.at("/authorize")).await.unwrap();
    wait_for("a fresh draft", STEP, || shown(browser, "#send")).await.unwrap();
    for scope in scopes {
        let checkbox = find(browser, scope).await;
        if checkbox.prop("checked").await.unwrap().as_deref() != Some("true") {
            checkbox.click().await.unwrap();
        }
    }
    click(browser, "#send").await;

    let login = wait_for("the provider's login page", STEP, || async {
        if let Ok(proceed) = browser.client.find(Locator::Css("#continue")).await {
            let _ = proceed.click().await;
        }
        browser.client.find(Locator::Css("input[name='username']")).await.ok()
    })
    .await
    .unwrap();
    login.send_keys("alice").await.unwrap();
    find(browser, "input[name='password']").await.send_keys("alice-pass").await.unwrap();
    click(browser, "#login").await;
    click(browser, "button[name='decision'][value='approve']").await;
    let received =
        wait_for("the authorization response", STEP, || text_of(browser, ".card .params"))
            .await
            .unwrap();
    assert!(received.contains("code"), "{received}");
}

#[tokio::test]
async fn links_move_without_a_reload_and_back_returns_to_the_previous_step() {
    let server = TestServer::start().await.unwrap();
    let browser = Browser::start().await.unwrap();
    browser.client.goto(&server.at("/provider")).await.unwrap();
    wait_for("step 1 marked", STEP, || shown(&browser, ".rail a[href='/provider'][aria-current]"))
        .await
        .unwrap();
    // A mark on this page's window: a reload would lose it.
    browser.client.execute("window.grantlabMark = 7;", Vec::new()).await.unwrap();

    click(&browser, ".rail a[href='/tokens']").await;
    wait_for("step 5 marked", STEP, || shown(&browser, ".rail a[href='/tokens'][aria-current]"))
        .await
        .unwrap();
    let moved_to = browser.client.current_url().await.unwrap();
    browser.client.back().await.unwrap();
    wait_for("step 1 again", STEP, || shown(&browser, ".rail a[href='/provider'][aria-current]"))
        .await
        .unwrap();
    let mark = browser.client.execute("return window.grantlabMark;", Vec::new()).await.unwrap();

    assert_eq!(moved_to.path(), "/tokens");
    assert_eq!(browser.client.current_url().await.unwrap().path(), "/provider");
    assert_eq!(mark, serde_json::json!(7), "the page was reloaded");
    browser.close().await.unwrap();
}

/// The element `selector` finds, once it is there.
pub(crate) async fn find(browser: &Browser, selector: &str) -> Element {
    wait_for(selector, STEP, || async { browser.client.find(Locator::Css(selector)).await.ok() })
        .await
        .unwrap()
}

/// Clicks `selector` once it is there and enabled.
pub(crate) async fn click(browser: &Browser, selector: &str) {
    let element = wait_for(selector, STEP, || async {
        let element = browser.client.find(Locator::Css(selector)).await.ok()?;
        element.is_enabled().await.ok()?.then_some(element)
    })
    .await
    .unwrap();
    element.click().await.unwrap();
}

/// The text of `selector` when it is there and not empty.
pub(crate) async fn text_of(browser: &Browser, selector: &str) -> Option<String> {
    let element = browser.client.find(Locator::Css(selector)).await.ok()?;
    element.text().await.ok().filter(|text| !text.is_empty())
}

/// `Some` once `selector` finds an element.
pub(crate) async fn shown(browser: &Browser, selector: &str) -> Option<()> {
    browser.client.find(Locator::Css(selector)).await.ok().map(|_| ())
}

/// Every element `selector` finds now, none if it finds nothing.
pub(crate) async fn all(browser: &Browser, selector: &str) -> Vec<Element> {
    browser.client.find_all(Locator::Css(selector)).await.unwrap_or_default()
}
