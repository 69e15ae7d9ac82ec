//! Issue 6, Lab 2 track: the lab's own Node web app (`tests/interop/lab2-web-app.mjs`,
//! express 5 and express-openid-connect) runs unchanged against the lab provider, configured
//! only with the `.env` the sandbox's Lab 2 page shows, and a real headless Chromium walks it:
//! log in at the lab provider's forms as alice, come back through form_post, see her profile
//! and the two expenses the Expenses API lists for her access token, log out of both.
//!
//! Where things run: Grantlab on `127.0.0.1:P`, as its default public URL has it, and the app
//! at `http://localhost:A`, as attendees browse it. The `lab-web` client registers
//! `http://localhost:3000/callback`; the test uses a scenario copy that moves only that URI and
//! its post-logout twin to port A, so runs never fight over port 3000. The Lab 2 page follows
//! the scenario, so the app's `BASE_URL` and `PORT` come from the page too.

use std::time::Duration;

use fantoccini::Locator;
use grantlab_shared::LabTrack;
use grantlab_tests::{Browser, LabWebApp, TestServer, lab2_scenario, parse_env_file, wait_for};
use serde_json::Value;

use crate::browser::{click, find, text_of};

/// How long one step of the flow may take in the browser.
const STEP: Duration = Duration::from_secs(20);

/// Grantlab with the lab app's scenario copy; `browser` given, the app is configured from the
/// `.env` the Lab 2 page shows in it, else from the page's JSON.
async fn start_lab(
    folder: &std::path::Path,
    expenses_token_lifetime: Option<u64>,
    browser: Option<&Browser>,
) -> (TestServer, LabWebApp) {
    let port = LabWebApp::free_port().unwrap();
    let scenario = lab2_scenario(folder, port, expenses_token_lifetime).unwrap();
    let server =
        TestServer::start_with(|config| config.scenario = Some(scenario.clone())).await.unwrap();

    // What the Lab 2 page shows is what the app gets.
    let env = match browser {
        Some(browser) => {
            browser.client.goto(&server.at("/lessons/lab2")).await.unwrap();
            let text = wait_for("the Lab 2 page's .env", STEP, || async {
                let element = browser.client.find(Locator::Css(".env-file code")).await.ok()?;
                element.text().await.ok().filter(|text| text.contains("API_URL="))
            })
            .await
            .unwrap();
            parse_env_file(&text).unwrap()
        }
        None => {
            let track: LabTrack =
                reqwest::get(server.at("/api/lessons/lab2")).await.unwrap().json().await.unwrap();
            track.own_app.env
        }
    };
    let app = LabWebApp::start(&env).await.unwrap();
    assert_eq!(app.base_url, format!("http://localhost:{port}"), "the page follows the scenario");
    (server, app)
}

/// From the app's home page: "Log in", `user`'s credentials and consent at the lab provider,
/// and back through form_post until the app greets them by `name`.
async fn sign_in(browser: &Browser, app: &LabWebApp, user: &str, name: &str) {
    // Signed out at first; "Log in" goes to the lab provider.
    browser.client.goto(&app.at("/")).await.unwrap();
    let status = text_of(browser, "#status").await.unwrap();
    assert!(status.contains("not signed in"), "{status}");
    click(browser, "#login").await;

    // At the lab provider: log in, then allow.
    let username = find(browser, "input[name='username']").await;
    username.send_keys(user).await.unwrap();
    let password = format!("{user}-pass");
    find(browser, "input[name='password']").await.send_keys(&password).await.unwrap();
    click(browser, "#login").await;
    click(browser, "#approve").await;

    // The form_post lands in the app, which signs the user in and shows their name.
    let greeted = wait_for("the app to greet the user", STEP, || text_of(browser, "#name")).await;
    let greeted = match greeted {
        Ok(greeted) => greeted,
        Err(error) => {
            let page = browser.client.source().await.unwrap_or_default();
            panic!("{error}; the browser shows: {page}");
        }
    };
    assert_eq!(greeted, name);
}

/// Opens the app's `/expenses` and returns whether it refreshed first and the `exp` the
/// Expenses API found in the token, after checking the API listed the two expenses.
async fn expenses(browser: &Browser, app: &LabWebApp) -> (String, u64) {
    browser.client.goto(&app.at("/expenses")).await.unwrap();
    let source = browser.client.source().await.unwrap_or_default();
    assert_eq!(text_of(browser, "#api-status").await.as_deref(), Some("200"), "{source}");

    let listed = browser.client.find_all(Locator::Css("#expenses .expense")).await.unwrap();
    assert_eq!(listed.len(), 2, "{source}");

    let refreshed = text_of(browser, "#refreshed").await.unwrap();
    let exp = check_found(browser, "not expired (exp)").await.parse().unwrap();
    (refreshed, exp)
}

#[tokio::test]
async fn lab_web_app_signs_alice_in_and_lists_her_expenses_in_chromium() {
    let folder = tempfile::tempdir().unwrap();
    let browser = Browser::start().await.unwrap();
    let (_server, app) = start_lab(folder.path(), None, Some(&browser)).await;
    browser.screenshot("lab2-page").await.unwrap();

    sign_in(&browser, &app, "alice", "Alice Moreau").await;
    browser.screenshot("lab2-app-signed-in").await.unwrap();

    // Her ID token's claims, for this app.
    browser.client.goto(&app.at("/user")).await.unwrap();
    let claims: Value = serde_json::from_str(&text_of(&browser, "#claims").await.unwrap()).unwrap();
    assert_eq!(claims["sub"], "lab|alice-5b8c1e");
    assert_eq!(claims["email"], "alice@expenses.lab");
    assert_eq!(claims["aud"], "lab-web");

    // The Expenses API accepts the access token: it names the API, not the app.
    let (refreshed, _) = expenses(&browser, &app).await;
    assert_eq!(refreshed, "cached");
    let audience = check_found(&browser, "aud contains https://expenses-api").await;
    assert!(audience.split(' ').any(|aud| aud == "https://expenses-api"), "{audience}");
    assert!(!audience.split(' ').any(|aud| aud == "lab-web"), "{audience}");
    let scope = check_found(&browser, "scope includes read:reports").await;
    assert!(scope.split(' ').any(|word| word == "read:reports"), "{scope}");
    browser.screenshot("lab2-app-expenses").await.unwrap();

    // Logging out ends the app's session, then the provider's: the app's auth0Logout goes to
    // Auth0's /v2/logout, which carries no id_token_hint, so alice confirms at the provider,
    // which sends her back to BASE_URL.
    click(&browser, "#logout").await;
    click(&browser, "#confirm-logout").await;
    let status = wait_for("the app to sign alice out", STEP, || async {
        text_of(&browser, "#status").await.filter(|status| status.contains("not signed in"))
    })
    .await;
    let page = browser.client.source().await.unwrap_or_default();
    assert!(status.is_ok(), "{status:?}; the browser shows: {page}");
    let back = browser.client.current_url().await.unwrap();
    assert_eq!(back.as_str(), format!("{}/", app.base_url), "back at BASE_URL, no empty query");

    browser.close().await.unwrap();
}

/// Lab 2's third exercise with the app: 10-second access tokens, so the second visit to
/// `/expenses` finds the token expired, refreshes it, and the API sees a newer one.
#[tokio::test]
async fn lab_web_app_refreshes_an_expired_ten_second_access_token() {
    let folder = tempfile::tempdir().unwrap();
    let (_server, app) = start_lab(folder.path(), Some(10), None).await;
    let browser = Browser::start().await.unwrap();
    sign_in(&browser, &app, "alice", "Alice Moreau").await;

    // The first call uses the token from the code.
    let (refreshed, first_exp) = expenses(&browser, &app).await;
    assert_eq!(refreshed, "cached");

    // Wait for that token's expiry (a clock condition, polled, bounded).
    wait_for("the access token to expire", Duration::from_secs(15), || async {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?;
        (now.as_secs() > first_exp).then_some(())
    })
    .await
    .unwrap();

    // The app refreshes before calling, and the API accepts a newer token.
    let (refreshed, second_exp) = expenses(&browser, &app).await;
    assert_eq!(refreshed, "refreshed");
    assert!(second_exp > first_exp, "{second_exp} after {first_exp}");

    // The refreshed token was kept in the app's session.
    let (refreshed, third_exp) = expenses(&browser, &app).await;
    assert_eq!(refreshed, "cached");
    assert_eq!(third_exp, second_exp);

    browser.close().await.unwrap();
}

/// Carol holds no permission: the provider grants her no `read:reports`, so the Expenses API
/// refuses the app's call with 403 `insufficient_scope`, and the app shows that refusal.
#[tokio::test]
async fn lab_web_app_shows_the_apis_refusal_for_a_user_without_read_reports() {
    let folder = tempfile::tempdir().unwrap();
    let (_server, app) = start_lab(folder.path(), None, None).await;
    let browser = Browser::start().await.unwrap();
    sign_in(&browser, &app, "carol", "Carol Nguyễn-Sørensen").await;

    browser.client.goto(&app.at("/expenses")).await.unwrap();

    let source = browser.client.source().await.unwrap_or_default();
    assert_eq!(text_of(&browser, "#api-status").await.as_deref(), Some("403"), "{source}");
    let error = text_of(&browser, "#api-error").await.unwrap();
    assert!(error.contains("insufficient_scope"), "{error}");
    assert!(browser.client.find_all(Locator::Css(".expense")).await.unwrap().is_empty());

    browser.close().await.unwrap();
}

/// What the Expenses API found for its check `name`, as the app shows it.
async fn check_found(browser: &Browser, name: &str) -> String {
    let selector = format!("#checks .check[data-name='{name}'] code");
    text_of(browser, &selector).await.unwrap_or_else(|| panic!("no API check named {name}"))
}
