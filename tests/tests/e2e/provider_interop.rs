//! The lab provider against a certified relying party: `openid-client` 6 from npm, run by
//! Node on loopback (`tests/interop/provider_flow.mjs`), with no rule loosened for it.

use std::time::Duration;

use grantlab_tests::{TestServer, workspace_root};
use serde_json::Value;

const SECRET: &str = "interop-sandbox-secret";

/// Runs an interop script with `args` and returns the JSON object it prints.
async fn run_script(script: &str, args: &[&str]) -> Value {
    let interop = workspace_root().join("tests/interop");
    assert!(
        interop.join("node_modules/openid-client").is_dir(),
        "tests/interop/node_modules is missing: run `cargo xtask setup` (npm ci there)"
    );
    let mut command = tokio::process::Command::new("node");
    command.arg(interop.join(script)).args(args).current_dir(&interop).kill_on_drop(true);

    let output = tokio::time::timeout(Duration::from_secs(60), command.output())
        .await
        .expect("the interop script finished within 60 s")
        .expect("node starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{script} failed: {stdout}\n{stderr}");
    serde_json::from_str(stdout.trim()).unwrap_or_else(|error| panic!("{error}: {stdout}"))
}

#[tokio::test]
async fn openid_client_runs_every_flow_against_the_lab_provider() {
    let server =
        TestServer::start_with(|config| config.client_secret = Some(SECRET.into())).await.unwrap();
    let issuer = server.at("/idp");

    let out = run_script(
        "provider_flow.mjs",
        &[&issuer, "grantlab-sandbox", SECRET, "lab-machine", "lab-machine-secret"],
    )
    .await;

    assert_eq!(out["discovered_issuer"], issuer.as_str());
    let cookie = out["session_cookie"].as_str().unwrap();
    assert!(cookie.contains("Path=/idp") && cookie.contains("HttpOnly"), "{cookie}");
    assert_eq!(out["id_token"]["aud"], "grantlab-sandbox");
    assert_eq!(out["id_token"]["azp"], "grantlab-sandbox");
    assert_eq!(out["id_token"]["name"], "Alice Moreau");
    assert_eq!(out["id_token"]["has_at_hash"], true);
    assert_eq!(out["id_token"]["has_sid"], true);
    assert_eq!(out["granted_scope"], "openid profile email offline_access read:reports");
    assert_eq!(out["userinfo"]["email"], "alice@expenses.lab");
    assert_eq!(out["userinfo"]["sub"], out["id_token"]["sub"]);
    assert_eq!(out["expenses_status"], 200);
    assert_eq!(out["refresh_rotated"], true);
    assert_eq!(out["reuse_error"], "invalid_grant");
    assert_eq!(out["client_credentials"]["scope"], "read:reports");
    assert_eq!(out["client_credentials"]["has_refresh_token"], false);
    assert_eq!(out["client_credentials"]["has_id_token"], false);
    assert_eq!(out["hybrid"]["sub"], out["id_token"]["sub"]);
    assert_eq!(out["hybrid"]["front_channel_id_token"], true);
    assert_eq!(out["logout"]["unhinted_status"], 200);
    assert_eq!(out["logout"]["unhinted_asks"], true);
    assert_eq!(out["logout"]["hinted_status"], 303);
    assert_eq!(out["logout"]["hinted_location"], format!("{}/?state=bye", server.url).as_str());
}
