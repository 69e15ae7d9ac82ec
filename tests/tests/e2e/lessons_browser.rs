//! The lesson and scenario pages in a real headless Chromium: they settle after one progress
//! check instead of polling the backend without end, a scenario's mischief is announced on
//! every workbench page until the learner turns it off, a prediction outlives the page, and an
//! unknown lesson says so once (a number opens the lesson at that place in the list).

use std::time::Duration;

use fantoccini::Locator;
use grantlab_shared::Mischief;
use grantlab_tests::{Browser, TestServer, wait_for};

/// How long one step may take in the browser.
const STEP: Duration = Duration::from_secs(20);

/// How long the page is watched for requests once it settled (bounded, inside the browser).
const WATCH_MS: u64 = 2000;

/// The most `/api/` requests a settled page may send while it is watched: it should send none,
/// and a few leave room for a late answer to the arrival check.
const QUIET: u64 = 3;

/// Counts the `/api/` requests the page sends during `WATCH_MS`, from resource timings. The
/// buffer is enlarged first so a flood is counted, not capped at the default 250.
const COUNT_API_REQUESTS: &str = r#"
    const [watchMs, done] = arguments;
    performance.setResourceTimingBufferSize(100000);
    performance.clearResourceTimings();
    setTimeout(() => {
        const api = performance.getEntriesByType('resource')
            .filter((entry) => new URL(entry.name).pathname.startsWith('/api/'));
        done(api.length);
    }, watchMs);
"#;

/// Reads the session's mischief switches with the browser's own session cookie.
const READ_MISCHIEF: &str = r#"
    const [done] = arguments;
    fetch('/api/lessons/mischief').then((answer) => answer.json()).then(done, () => done(null));
"#;

/// Opens `path`, waits for its goals, and answers how many `/api/` requests it sent afterwards.
async fn api_requests_once_settled(browser: &Browser, server: &TestServer, path: &str) -> u64 {
    browser.client.goto(&server.at(path)).await.unwrap();
    wait_for("the goals list", STEP, || async {
        browser.client.find(Locator::Css(".goals .goal")).await.ok()
    })
    .await
    .unwrap();

    let count =
        browser.client.execute_async(COUNT_API_REQUESTS, vec![WATCH_MS.into()]).await.unwrap();
    count.as_u64().unwrap_or(u64::MAX)
}

/// `Some` once `#check-goals` can be pressed (not busy, not disabled).
async fn check_goals_enabled(browser: &Browser) -> Option<()> {
    let button = browser.client.find(Locator::Css("#check-goals")).await.ok()?;
    let busy = button.attr("aria-busy").await.ok()?;
    let enabled = button.is_enabled().await.ok()?;
    (enabled && busy.as_deref() != Some("true")).then_some(())
}

#[tokio::test]
async fn lesson_and_scenario_pages_stop_requesting_once_the_goals_are_checked() {
    let server = TestServer::start().await.unwrap();
    let browser = Browser::start().await.unwrap();

    for path in ["/lessons/code-grant", "/lessons/scenarios/state-mismatch"] {
        // Step 1: once settled, the page sends (almost) nothing while nobody acts.
        let sent = api_requests_once_settled(&browser, &server, path).await;
        assert!(sent <= QUIET, "{path} sent {sent} /api/ requests in {WATCH_MS} ms while idle");

        // Step 2: the goal check is over, so its button can be pressed again.
        wait_for("#check-goals to be enabled", STEP, || check_goals_enabled(&browser))
            .await
            .unwrap_or_else(|error| panic!("{path}: {error}"));
    }
    browser.close().await.unwrap();
}

/// The banner's text once it is shown.
async fn banner(browser: &Browser) -> Option<String> {
    let element = browser.client.find(Locator::Css("#mischief-banner")).await.ok()?;
    element.text().await.ok().filter(|text| !text.is_empty())
}

#[tokio::test]
async fn a_scenarios_mischief_is_announced_on_every_page_until_turned_off() {
    let server = TestServer::start().await.unwrap();
    let browser = Browser::start().await.unwrap();

    // Step 1: a calm session shows no banner once the page settled.
    browser.client.goto(&server.at("/lessons/scenarios/state-mismatch")).await.unwrap();
    wait_for("#check-goals to be enabled", STEP, || check_goals_enabled(&browser)).await.unwrap();
    assert_eq!(banner(&browser).await, None, "a banner before any set-up");

    // Step 2: setting up the scenario turns its mischief on, and the banner names it.
    let setup = browser.client.find(Locator::Css("#setup")).await.unwrap();
    setup.click().await.unwrap();
    let text = wait_for("the mischief banner", STEP, || banner(&browser)).await.unwrap();
    assert!(text.contains("State mismatch"), "{text}");

    // Step 3: every workbench page shows it, not only the lessons.
    for path in ["/provider", "/authorize", "/tokens", "/lessons"] {
        browser.client.goto(&server.at(path)).await.unwrap();
        let text = wait_for("the mischief banner", STEP, || banner(&browser))
            .await
            .unwrap_or_else(|error| panic!("{path}: {error}"));
        assert!(text.contains("State mismatch"), "{path}: {text}");
    }

    // Step 4: its button turns the switches off for the session, and the banner goes.
    let off = browser.client.find(Locator::Css("#mischief-off")).await.unwrap();
    off.click().await.unwrap();
    wait_for("the banner to go", STEP, || async { banner(&browser).await.is_none().then_some(()) })
        .await
        .unwrap();
    let switches = browser.client.execute_async(READ_MISCHIEF, vec![]).await.unwrap();
    let switches: Mischief = serde_json::from_value(switches).unwrap();
    assert!(!switches.any(), "still on: {switches:?}");
    browser.close().await.unwrap();
}

/// The text of `.verdict` once it is shown.
async fn verdict(browser: &Browser) -> Option<String> {
    let element = browser.client.find(Locator::Css(".verdict")).await.ok()?;
    element.text().await.ok().filter(|text| !text.is_empty())
}

/// Whether the prediction's choice `index` is checked, once the choices are shown.
async fn choice_checked(browser: &Browser, index: usize) -> Option<bool> {
    let selector = format!("input[name='prediction'][value='{index}']");
    let choice = browser.client.find(Locator::Css(&selector)).await.ok()?;
    Some(choice.prop("checked").await.ok()?.as_deref() == Some("true"))
}

#[tokio::test]
async fn a_prediction_and_its_verdict_are_still_there_after_leaving_the_lesson() {
    let server = TestServer::start().await.unwrap();
    let browser = Browser::start().await.unwrap();

    // Step 1: predict the second choice on a lesson; its verdict shows.
    browser.client.goto(&server.at("/lessons/code-grant")).await.unwrap();
    wait_for("the choices", STEP, || choice_checked(&browser, 1)).await.unwrap();
    let choice = browser.client.find(Locator::Css("input[name='prediction'][value='1']")).await;
    choice.unwrap().click().await.unwrap();
    let said = wait_for("the verdict", STEP, || verdict(&browser)).await.unwrap();

    // Step 2: another exercise keeps its own prediction, which is none yet.
    browser.client.goto(&server.at("/lessons/scenarios/state-mismatch")).await.unwrap();
    wait_for("#check-goals to be enabled", STEP, || check_goals_enabled(&browser)).await.unwrap();
    assert_eq!(choice_checked(&browser, 1).await, Some(false), "another page's choice leaked");
    assert_eq!(verdict(&browser).await, None, "a verdict on a page never predicted");

    // Step 3: back on the lesson (a fresh page load), the choice and its verdict are back.
    browser.client.goto(&server.at("/lessons/code-grant")).await.unwrap();
    let again = wait_for("the verdict again", STEP, || verdict(&browser)).await.unwrap();
    assert_eq!(again, said);
    assert_eq!(choice_checked(&browser, 1).await, Some(true));
    browser.close().await.unwrap();
}

/// The current page's path and its panel's heading, once the heading is not "Lesson".
async fn settled_lesson_heading(browser: &Browser) -> Option<(String, String)> {
    let heading = browser.client.find(Locator::Css("#panel h2")).await.ok()?;
    let heading = heading.text().await.ok().filter(|text| !text.is_empty() && text != "Lesson")?;
    let url = browser.client.current_url().await.ok()?;
    Some((url.path().to_owned(), heading))
}

#[tokio::test]
async fn an_unknown_lesson_says_only_not_found_and_a_number_opens_that_lesson() {
    let server = TestServer::start().await.unwrap();
    let browser = Browser::start().await.unwrap();
    let list: Vec<grantlab_shared::LessonSummary> =
        reqwest::get(server.at("/api/lessons")).await.unwrap().json().await.unwrap();
    let first = list.iter().find(|lesson| lesson.number == 1).unwrap();

    // Step 1: an id no lesson has shows one not-found message, with no loading text beside it.
    browser.client.goto(&server.at("/lessons/no-such-lesson")).await.unwrap();
    let (_, heading) =
        wait_for("the lesson page to settle", STEP, || settled_lesson_heading(&browser))
            .await
            .unwrap();
    assert_eq!(heading, "Lesson not found");
    let panel = browser.client.find(Locator::Css("#panel")).await.unwrap();
    let text = panel.text().await.unwrap();
    assert!(!text.contains("Loading"), "{text}");
    assert!(!text.contains("not_found"), "{text}");
    assert!(!text.contains("404"), "{text}");

    // Step 2: the number the list shows opens that lesson at its own path.
    browser.client.goto(&server.at("/lessons/1")).await.unwrap();
    let (path, heading) = wait_for("lesson 1", STEP, || async {
        settled_lesson_heading(&browser).await.filter(|(path, _)| path != "/lessons/1")
    })
    .await
    .unwrap();
    assert_eq!(path, format!("/lessons/{}", first.id));
    assert!(heading.contains(&first.title), "{heading}");
    browser.close().await.unwrap();
}
