//! Flows so far tested only through `/api`, driven in Chromium as a learner drives them: by
//! clicking and typing in the workbench, then reading what the page shows.

use fantoccini::Locator;
use grantlab_tests::{Browser, TestServer, wait_for};

use crate::browser::{STEP, all, authorize_as_alice, click, find, send_from_workbench, text_of};

const EXPENSES: &str = "https://expenses-api";
/// The sandbox client's secret, set so a profile typed by hand can name it.
const SECRET: &str = "e2e-sandbox-secret-browser";

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

#[tokio::test]
async fn hybrid_form_post_shows_the_front_channel_id_token_and_its_c_hash_is_checked() {
    let server = TestServer::start().await.unwrap();
    let browser = Browser::start().await.unwrap();

    // The hybrid grant, answered by form_post: the provider's page posts itself to us.
    send_from_workbench(&browser, &server, "code id_token", "form_post").await;
    log_in_as_alice_and_approve(&browser).await;
    let received = wait_for("the form_post response", STEP, || async {
        text_of(&browser, "#received-title").await.filter(|title| title.contains("form_post"))
    })
    .await
    .unwrap();
    let params = text_of(&browser, ".card .params").await.unwrap_or_default();
    assert!(params.contains("id_token") && params.contains("code"), "{received}: {params}");
    let front = text_of(&browser, ".jwt").await.unwrap_or_default();
    assert!(front.contains("front channel") && front.contains("c_hash"), "{front}");
    browser.screenshot("32-hybrid-form-post").await.unwrap();

    // Redeemed, the code is bound to the front-channel ID token by its c_hash.
    click(&browser, ".next a[href='/redeem']").await;
    click(&browser, "#redeem").await;
    wait_for("the code to be redeemed", STEP, || text_of(&browser, ".outcome.ok")).await.unwrap();
    click(&browser, ".rail a[href='/tokens']").await;
    let checks = wait_for("the ID token checks", STEP, || async {
        let passed = texts(&browser, ".checklist li.pass").await;
        passed.iter().any(|check| check.contains("front_channel.id_token.c_hash")).then_some(passed)
    })
    .await
    .unwrap();
    let tally = text_of(&browser, ".checklist .tally").await.unwrap_or_default();
    assert!(tally.contains("passed") && !tally.contains("failed"), "{tally}: {checks:?}");
    browser.screenshot("33-hybrid-checks").await.unwrap();
    browser.close().await.unwrap();
}

#[tokio::test]
async fn fragment_response_is_read_by_the_callback_page_and_its_code_redeems() {
    let server = TestServer::start().await.unwrap();
    let browser = Browser::start().await.unwrap();

    // The code in the fragment: only a script on our callback page can read it.
    send_from_workbench(&browser, &server, "code", "fragment").await;
    log_in_as_alice_and_approve(&browser).await;
    wait_for("the fragment response", STEP, || async {
        text_of(&browser, "#received-title").await.filter(|title| title.contains("fragment"))
    })
    .await
    .unwrap();
    let params = text_of(&browser, ".card .params").await.unwrap_or_default();
    assert!(params.contains("code") && params.contains("state"), "{params}");
    let check = text_of(&browser, ".checklist").await.unwrap_or_default();
    assert!(check.contains("passed"), "state check: {check}");

    // The backend got the code from the page, and redeems it.
    click(&browser, ".next a[href='/redeem']").await;
    click(&browser, "#redeem").await;
    wait_for("the code to be redeemed", STEP, || text_of(&browser, ".outcome.ok")).await.unwrap();
    browser.screenshot("34-fragment-redeemed").await.unwrap();
    browser.close().await.unwrap();
}

#[tokio::test]
async fn endpoints_typed_by_hand_run_the_code_flow() {
    let server =
        TestServer::start_with(|config| config.client_secret = Some(SECRET.into())).await.unwrap();
    let browser = Browser::start().await.unwrap();

    // Step 1: the lab provider's endpoints, typed by hand, with the sandbox client.
    browser.client.goto(&server.at("/provider")).await.unwrap();
    click(&browser, "input[name='source'][value='manual']").await;
    let typed = [
        ("#source-endpoints-issuer", server.at("/idp")),
        ("#source-endpoints-authorization_endpoint", server.at("/idp/authorize")),
        ("#source-endpoints-token_endpoint", server.at("/idp/token")),
        ("#source-endpoints-userinfo_endpoint", server.at("/idp/userinfo")),
        ("#source-endpoints-jwks_uri", server.at("/idp/jwks")),
        ("#client_id", "grantlab-sandbox".to_owned()),
        ("#client_secret", SECRET.to_owned()),
    ];
    for (selector, value) in &typed {
        find(&browser, selector).await.send_keys(value).await.unwrap();
    }
    click(&browser, "#use-provider").await;
    let card = wait_for("the profile in use", STEP, || async {
        text_of(&browser, "section[aria-labelledby='profile-title']")
            .await
            .filter(|card| card.contains(&server.at("/idp/token")))
    })
    .await
    .unwrap();
    assert!(card.contains("grantlab-sandbox") && card.contains("set (kept"), "{card}");
    assert!(!card.contains(SECRET), "{card}");
    browser.screenshot("35-manual-profile").await.unwrap();

    // The flow goes to the typed authorization endpoint, and the typed token endpoint answers.
    authorize_as_alice(&browser, &server, &["#scope-openid"]).await;
    click(&browser, ".next a[href='/redeem']").await;
    click(&browser, "#redeem").await;
    let done = wait_for("the code to be redeemed", STEP, || wire_shown(&browser)).await.unwrap();
    assert!(done.starts_with("Done:"), "{done}");
    assert!(done.contains(&server.at("/idp/token")), "{done}");
    browser.screenshot("36-manual-redeemed").await.unwrap();

    // The typed issuer and JWKS URI let every ID token check pass, iss and signature too.
    click(&browser, ".rail a[href='/tokens']").await;
    let tally = wait_for("the ID token checks", STEP, || text_of(&browser, ".checklist .tally"))
        .await
        .unwrap();
    assert!(tally.contains("passed") && !tally.contains("failed"), "{tally}");
    browser.close().await.unwrap();
}

#[tokio::test]
async fn discovery_by_issuer_shows_the_document_and_its_client_gets_a_token() {
    let server = TestServer::start().await.unwrap();
    let browser = Browser::start().await.unwrap();

    // Step 1: the lab provider found from its issuer, used with the lab's machine client.
    browser.client.goto(&server.at("/provider")).await.unwrap();
    click(&browser, "input[name='source'][value='discovered']").await;
    find(&browser, "#source-issuer").await.send_keys(&server.at("/idp")).await.unwrap();
    find(&browser, "#client_id").await.send_keys("lab-machine").await.unwrap();
    find(&browser, "#client_secret").await.send_keys("lab-machine-secret").await.unwrap();
    click(&browser, "#use-provider").await;
    let card = wait_for("the discovery document", STEP, || async {
        text_of(&browser, "section[aria-labelledby='profile-title']")
            .await
            .filter(|card| card.contains("Discovery document"))
    })
    .await
    .unwrap();
    let document = server.at("/idp/.well-known/openid-configuration");
    assert!(card.contains(&format!("Fetched from {document}")), "{card}");
    assert!(card.contains("No problem found"), "{card}");
    assert!(card.contains(&server.at("/idp/token")) && card.contains("lab-machine"), "{card}");
    browser.screenshot("37-discovered").await.unwrap();

    // The discovered token endpoint gives the client a token of its own.
    click(&browser, ".rail a[href='/client-credentials']").await;
    click(&browser, "#client-credentials").await;
    wait_for("the client credentials grant", STEP, || text_of(&browser, ".outcome.ok"))
        .await
        .unwrap();
    let machine = wait_for("the machine's token", STEP, || text_of(&browser, "#machine-token"))
        .await
        .unwrap();
    assert!(machine.contains("Got by lab-machine."), "shown as code, no backticks: {machine}");
    browser.close().await.unwrap();
}

#[tokio::test]
async fn claims_parameter_typed_in_the_composer_releases_the_claims_it_names() {
    let server = TestServer::start().await.unwrap();
    let browser = Browser::start().await.unwrap();

    // Only openid, and the claims parameter as an extra parameter: no scope gives email or
    // given_name, so only the parameter can release them.
    browser.client.goto(&server.at("/authorize")).await.unwrap();
    for scope in ["#scope-profile", "#scope-email"] {
        let checkbox = find(&browser, scope).await;
        if checkbox.prop("checked").await.unwrap().as_deref() == Some("true") {
            checkbox.click().await.unwrap();
        }
    }
    click(&browser, "#add-extra").await;
    find(&browser, "#extra-0-name").await.send_keys("claims").await.unwrap();
    let claims = r#"{"id_token":{"email":{"essential":true}},"userinfo":{"given_name":null}}"#;
    find(&browser, "#extra-0-value").await.send_keys(claims).await.unwrap();
    let preview = wait_for("the preview to show claims", STEP, || async {
        text_of(&browser, ".url").await.filter(|url| url.contains("claims="))
    })
    .await
    .unwrap();
    assert!(!preview.contains("email%20") && !preview.contains("profile"), "{preview}");
    click(&browser, "#send").await;
    log_in_as_alice_and_approve(&browser).await;
    wait_for("the response", STEP, || text_of(&browser, ".card .params")).await.unwrap();

    // The ID token carries email, asked for by the parameter alone.
    click(&browser, ".next a[href='/redeem']").await;
    click(&browser, "#redeem").await;
    wait_for("the code to be redeemed", STEP, || text_of(&browser, ".outcome.ok")).await.unwrap();
    click(&browser, ".rail a[href='/tokens']").await;
    let id_token = wait_for("the ID token", STEP, || text_of(&browser, ".jwt")).await.unwrap();
    assert!(id_token.contains("alice@expenses.lab"), "{id_token}");
    assert!(!id_token.contains("given_name"), "asked for at userinfo only: {id_token}");
    browser.screenshot("38-claims-in-id-token").await.unwrap();

    // Userinfo answers given_name, asked for there.
    click(&browser, ".rail a[href='/userinfo']").await;
    click(&browser, "#userinfo").await;
    let answer = wait_for("userinfo", STEP, || text_of(&browser, "table.compare")).await.unwrap();
    assert!(answer.contains("given_name") && answer.contains("Alice"), "{answer}");
    browser.screenshot("39-claims-at-userinfo").await.unwrap();
    browser.close().await.unwrap();
}

/// At the lab provider's pages: logs in as alice and approves what is asked.
async fn log_in_as_alice_and_approve(browser: &Browser) {
    let login = wait_for("the provider's login page", STEP, || async {
        browser.client.find(Locator::Css("input[name='username']")).await.ok()
    })
    .await
    .unwrap();
    login.send_keys("alice").await.unwrap();
    find(browser, "input[name='password']").await.send_keys("alice-pass").await.unwrap();
    click(browser, "#login").await;
    click(browser, "button[name='decision'][value='approve']").await;
}

/// The texts of every element `selector` finds now.
async fn texts(browser: &Browser, selector: &str) -> Vec<String> {
    let mut texts = Vec::new();
    for element in all(browser, selector).await {
        texts.push(element.text().await.unwrap_or_default());
    }
    texts
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
