//! Part 2: a workshop. Simulated learners, each with its own cookie jar, drive the client
//! role's `/api` as the frontend does: start the flow, log in at the lab provider, come back
//! through the callback, redeem, userinfo, call the API, refresh.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use grantlab_shared::{
    ApiCallRequest, AuthorizationDraft, ClientAuthMethod, ComposedRequest, RedeemRequest,
    RefreshRequest, TokenKind, TokenPlacement, TokenSet,
};
use grantlab_tests::bench::percentile;
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;

use crate::Paths;
use crate::procs::{self, Process};

/// The room: this many learners start within [`ARRIVAL`], and think 1 to 3 s between steps.
const LEARNERS: usize = 1000;
const ARRIVAL: Duration = Duration::from_secs(10);
/// No learner's flow may take longer than this, whatever happens.
const FLOW_LIMIT: Duration = Duration::from_secs(90);
/// Without think time: arrival rates tried (learners per second), each for [`RAMP_TIME`].
const RAMP: [usize; 8] = [10, 20, 40, 80, 160, 320, 640, 1280];
const RAMP_TIME: Duration = Duration::from_secs(4);

/// The steps of a learner's flow, in order.
const STEPS: [&str; 7] =
    ["start flow", "IdP login", "callback", "redeem", "userinfo", "API call", "refresh"];

/// What the learners measured: latencies per step, and failures with their first message.
#[derive(Default)]
struct Tally {
    latencies: BTreeMap<usize, Vec<Duration>>,
    errors: BTreeMap<usize, (u64, String)>,
    completed: usize,
}

impl Tally {
    fn all_latencies(&self) -> Vec<Duration> {
        let mut all: Vec<Duration> = self.latencies.values().flatten().copied().collect();
        all.sort_unstable();
        all
    }

    fn error_count(&self) -> u64 {
        self.errors.values().map(|(count, _)| count).sum()
    }
}

/// Runs the workshop with think time, then the ramp without; returns its Markdown.
pub async fn workshop(paths: &Paths) -> anyhow::Result<String> {
    let server = Process::grantlab(&paths.server, &paths.dist, None)?;
    let mut out = String::new();

    // One learner first, to check the route list and to measure one flow's timeline.
    let probe = Tally::default().into();
    let client = learner(&server.base, 0, Duration::ZERO, false, &probe).await;
    let client = client.context("a single learner's flow")?;
    let timeline = ok(client.get(format!("{}/api/timeline", server.base)).send().await?).await?;
    let timeline: Value = serde_json::from_slice(&timeline.bytes().await?)?;
    let timeline =
        (timeline["entries"].as_array().map_or(0, Vec::len), serde_json::to_vec(&timeline)?.len());
    drop(client);
    let (_, rss_before) = procs::memory(server.pid());

    let tally = RefCell::new(Tally::default());
    let started = Instant::now();
    let cpu_before = procs::cpu_seconds(server.pid());
    let learners = (0..LEARNERS).map(|index| {
        let delay = ARRIVAL.mul_f64(index as f64 / LEARNERS as f64);
        learner(&server.base, index as u64 + 1, delay, true, &tally)
    });
    let results = futures_util::future::join_all(learners).await;
    let failed = results.iter().filter(|result| result.is_err()).count();
    drop(results);
    let elapsed = started.elapsed();
    let cpu = procs::cpu_seconds(server.pid()) - cpu_before;
    let (peak, rss_after) = procs::memory(server.pid());
    let tally = tally.into_inner();

    // Again once the server's idle limit has closed whatever connection is left.
    let quiet = grantlab_backend::serve::IDLE_CONNECTION_TIMEOUT + Duration::from_secs(1);
    tokio::time::sleep(quiet).await;
    let (_, rss_quiet) = procs::memory(server.pid());

    out.push_str(&format!(
        "{LEARNERS} learners, each with its own cookie jar, started evenly within {} s and \
         thinking 1-3 s between steps; {} completed, {failed} failed, in {:.1} s. Server CPU \
         {:.0}% of one core on average.\n\n",
        ARRIVAL.as_secs(),
        tally.completed,
        elapsed.as_secs_f64(),
        cpu / elapsed.as_secs_f64() * 100.0,
    ));
    out.push_str(&step_table(&tally));
    let per_session = rss_after.saturating_sub(rss_before) as f64 / LEARNERS as f64 / 1024.0;
    let all = tally.all_latencies();
    let p99 = percentile(&all, 99.0);
    let worst_step = (0..STEPS.len())
        .map(|step| {
            let mut latencies = tally.latencies.get(&step).cloned().unwrap_or_default();
            latencies.sort_unstable();
            percentile(&latencies, 99.0)
        })
        .max()
        .unwrap_or_default();
    let met = |ok: bool| if ok { "met" } else { "**not met**" };
    out.push_str(&format!(
        "\nPeak RSS of the server {:.1} MB; resident memory grew {:.1} MB with {LEARNERS} live \
         sessions: **{per_session:.1} KB per learner session** (target <= 32 KB: {}). One \
         whole flow's timeline: {} entries, {} bytes of JSON. Worst step p99 {:.0} ms (target \
         < 100 ms: {}); errors {} (target 0: {}). All steps p99 {:.0} ms. {} s later, past the \
         server's idle-connection limit: {:.1} KB per learner session.\n\n",
        peak as f64 / 1048576.0,
        rss_after.saturating_sub(rss_before) as f64 / 1048576.0,
        met(per_session <= 32.0),
        timeline.0,
        timeline.1,
        worst_step.as_secs_f64() * 1000.0,
        met(worst_step < Duration::from_millis(100)),
        tally.error_count(),
        met(tally.error_count() == 0),
        p99.as_secs_f64() * 1000.0,
        quiet.as_secs(),
        rss_quiet.saturating_sub(rss_before) as f64 / LEARNERS as f64 / 1024.0,
    ));
    drop(server);

    out.push_str(&held_memory(paths).await?);
    out.push_str(&ramp(paths).await?);
    Ok(out)
}

/// Learners at once while the sessions are filled, in [`held_memory`].
const HELD_CONCURRENCY: usize = 16;

/// Memory per live session without the burst: a fresh server, the same flows 16 at a time.
///
/// The burst above also counts what the allocator keeps from its peak (buffers of requests
/// in flight, freed but not returned to the system) and every learner's open connection;
/// this measures the sessions alone.
async fn held_memory(paths: &Paths) -> anyhow::Result<String> {
    use futures_util::{FutureExt, StreamExt};

    let server = Process::grantlab(&paths.server, &paths.dist, None)?;
    let tally = RefCell::new(Tally::default());
    let warm = learner(&server.base, 0, Duration::ZERO, false, &tally).await;
    drop(warm.context("a single learner's flow")?);
    let (_, rss_before) = procs::memory(server.pid());

    // Each learner's client goes as its flow ends, closing its connection: what is measured is
    // the sessions, not 1,000 idle keep-alive connections (about 8 KB of buffers each).
    let flows = (0..LEARNERS).map(|index| {
        learner(&server.base, index as u64 + 1, Duration::ZERO, false, &tally)
            .map(|result| result.map(drop))
    });
    let results: Vec<_> =
        futures_util::stream::iter(flows).buffer_unordered(HELD_CONCURRENCY).collect().await;
    let failed = results.iter().filter(|result| result.is_err()).count();
    drop(results);
    let (_, rss_after) = procs::memory(server.pid());
    drop(server);

    let grown = rss_after.saturating_sub(rss_before) as f64;
    let per_session = grown / LEARNERS as f64 / 1024.0;
    Ok(format!(
        "The same {LEARNERS} flows on a fresh server, {HELD_CONCURRENCY} at a time and no \
         think time ({failed} failed): resident memory grew {:.1} MB, **{per_session:.1} KB per \
         learner session** held (target <= 32 KB: {}).\n\n",
        grown / 1048576.0,
        if per_session <= 32.0 { "met" } else { "**not met**" },
    ))
}

/// Without think time: arrival rates up, until p99 of a step passes 1 s or a flow fails.
async fn ramp(paths: &Paths) -> anyhow::Result<String> {
    let mut out = String::from(
        "Without think time (a fresh server per rate; learners arrive evenly for 4 s):\n\n\
         | learners/s | completed | completed/s | p50 ms | p99 ms (all steps) | errors |\n\
         |---|---|---|---|---|---|\n",
    );
    let mut best = None;
    for rate in RAMP {
        let server = Process::grantlab(&paths.server, &paths.dist, None)?;
        let count = rate * RAMP_TIME.as_secs() as usize;
        let tally = RefCell::new(Tally::default());
        let started = Instant::now();
        let learners = (0..count).map(|index| {
            let delay = RAMP_TIME.mul_f64(index as f64 / count as f64);
            learner(&server.base, index as u64 + 1, delay, false, &tally)
        });
        futures_util::future::join_all(learners).await;
        let elapsed = started.elapsed();
        let tally = tally.into_inner();
        let all = tally.all_latencies();
        let p99 = percentile(&all, 99.0);
        out.push_str(&format!(
            "| {rate} | {} | {:.0} | {:.0} | {:.0} | {}{} |\n",
            tally.completed,
            tally.completed as f64 / elapsed.as_secs_f64(),
            percentile(&all, 50.0).as_secs_f64() * 1000.0,
            p99.as_secs_f64() * 1000.0,
            tally.error_count(),
            first_error(&tally),
        ));
        if p99 >= Duration::from_secs(1) || tally.error_count() > 0 {
            break;
        }
        best = Some(rate);
    }
    out.push_str(&format!(
        "\nMost learners per second completed with p99 under 1 s: **{}**.\n",
        best.map_or_else(|| "none of the rates tried".to_owned(), |rate| format!("{rate}/s"))
    ));
    Ok(out)
}

fn step_table(tally: &Tally) -> String {
    let mut out =
        String::from("| step | count | p50 ms | p99 ms | errors |\n|---|---|---|---|---|\n");
    for (index, name) in STEPS.iter().enumerate() {
        let mut latencies = tally.latencies.get(&index).cloned().unwrap_or_default();
        latencies.sort_unstable();
        let (errors, message) = tally.errors.get(&index).cloned().unwrap_or_default();
        let message = if message.is_empty() { String::new() } else { format!(" ({message})") };
        out.push_str(&format!(
            "| {name} | {} | {:.1} | {:.1} | {errors}{message} |\n",
            latencies.len(),
            percentile(&latencies, 50.0).as_secs_f64() * 1000.0,
            percentile(&latencies, 99.0).as_secs_f64() * 1000.0,
        ));
    }
    out
}

fn first_error(tally: &Tally) -> String {
    tally
        .errors
        .iter()
        .next()
        .map(|(step, (_, message))| format!(" ({}: {message})", STEPS[*step]))
        .unwrap_or_default()
}

/// One learner's whole flow, after `delay`, each step timed into `tally`.
async fn learner(
    base: &str,
    seed: u64,
    delay: Duration,
    think: bool,
    tally: &RefCell<Tally>,
) -> anyhow::Result<Client> {
    tokio::time::sleep(delay).await;
    let client =
        Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build()?;
    let mut random = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let flow = async {
        let mut context =
            Flow { client: &client, base, login_url: String::new(), callback: String::new() };
        for step in 0..STEPS.len() {
            if think && step > 0 {
                // xorshift: a think time of 1 to 3 s, the same for every run of the bench.
                random ^= random << 13;
                random ^= random >> 7;
                random ^= random << 17;
                let think = Duration::from_millis(1000 + random % 2001);
                tokio::time::sleep(think).await;
            }
            let begin = Instant::now();
            let result = context.step(step).await;
            let mut tally = tally.borrow_mut();
            match result {
                Ok(()) => tally.latencies.entry(step).or_default().push(begin.elapsed()),
                Err(error) => {
                    let entry = tally.errors.entry(step).or_default();
                    entry.0 += 1;
                    if entry.1.is_empty() {
                        entry.1 = format!("{error:#}");
                    }
                    return Err(error);
                }
            }
        }
        tally.borrow_mut().completed += 1;
        Ok(())
    };
    tokio::time::timeout(FLOW_LIMIT, flow).await.context("the flow passed its time limit")??;
    Ok(client)
}

/// A learner's state between steps.
struct Flow<'a> {
    client: &'a Client,
    base: &'a str,
    login_url: String,
    callback: String,
}

impl Flow<'_> {
    async fn step(&mut self, step: usize) -> anyhow::Result<()> {
        let api = |path: &str| format!("{}/api/{path}", self.base);
        match step {
            // The workbench asks for a draft, adds the API and offline access, composes.
            0 => {
                let mut draft: AuthorizationDraft =
                    ok(self.client.get(api("authorize/draft")).send().await?).await?.json().await?;
                draft.scopes.extend(["offline_access".into(), "read:reports".into()]);
                draft.resources = vec!["https://expenses-api".into()];
                let composed: ComposedRequest =
                    ok(self.client.post(api("authorize")).json(&draft).send().await?)
                        .await?
                        .json()
                        .await?;
                self.login_url = composed.url;
            }
            // The browser goes to the provider: login page, password, and the consent page the
            // first time alice meets the sandbox (the provider remembers her consent after).
            1 => {
                let page = ok(self.client.get(&self.login_url).send().await?).await?.text().await?;
                let request = hidden(&page, "request").context("no login form")?;
                let csrf = hidden(&page, "csrf").context("no anti-forgery token")?;
                let form = [
                    ("request", request.as_str()),
                    ("csrf", csrf.as_str()),
                    ("username", "alice"),
                    ("password", "alice-pass"),
                ];
                let login = format!("{}/idp/login", self.base);
                let response = self.client.post(login).form(&form).send().await?;
                if let Some(callback) = location(&response) {
                    self.callback = callback;
                    return Ok(());
                }
                let page = ok(response).await?.text().await?;
                let request = hidden(&page, "request").context("no consent form")?;
                let csrf = hidden(&page, "csrf").context("no anti-forgery token")?;
                let form = [
                    ("request", request.as_str()),
                    ("csrf", csrf.as_str()),
                    ("decision", "approve"),
                ];
                let consent = format!("{}/idp/consent", self.base);
                let response = self.client.post(consent).form(&form).send().await?;
                self.callback = location(&response).context("consent did not redirect")?;
            }
            // The callback, then the workbench reads the session.
            2 => {
                let response = self.client.get(&self.callback).send().await?;
                if !response.status().is_redirection() {
                    bail!("the callback answered {}", response.status());
                }
                let session: Value =
                    ok(self.client.get(api("session")).send().await?).await?.json().await?;
                if session["callback"]["code_received"] != true {
                    bail!("the session shows no code after the callback");
                }
            }
            3 => {
                let body = RedeemRequest {
                    client_auth: ClientAuthMethod::ClientSecretBasic,
                    replay_previous: false,
                };
                outcome(self.client.post(api("redeem")).json(&body).send().await?).await?;
            }
            4 => outcome(self.client.post(api("userinfo")).send().await?).await?,
            5 => {
                let body = ApiCallRequest {
                    method: "GET".into(),
                    url: format!("{}/expenses-api/expenses", self.base),
                    body: None,
                    content_type: None,
                    token: Some(TokenKind::AccessToken),
                    token_set: TokenSet::Delegated,
                    placement: TokenPlacement::Header,
                };
                ok(self.client.post(api("call")).json(&body).send().await?).await?;
            }
            _ => {
                let body = RefreshRequest {
                    client_auth: ClientAuthMethod::ClientSecretBasic,
                    replay_previous: false,
                    ..RefreshRequest::default()
                };
                outcome(self.client.post(api("refresh")).json(&body).send().await?).await?;
            }
        }
        Ok(())
    }
}

/// The response if its status is a success; otherwise its status and body as the error.
async fn ok(response: Response) -> anyhow::Result<Response> {
    if response.status().is_success() {
        return Ok(response);
    }
    let status = response.status();
    let url = response.url().path().to_owned();
    let body = response.text().await.unwrap_or_default();
    bail!("{url} answered {status}: {}", body.chars().take(200).collect::<String>())
}

/// An `Outcome` that must say `ok`.
async fn outcome(response: Response) -> anyhow::Result<()> {
    let outcome: Value = ok(response).await?.json().await?;
    if outcome["ok"] != true {
        bail!("outcome not ok: {}", outcome["summary"]);
    }
    Ok(())
}

/// A hidden field of the provider's login and consent forms: `request`, or the anti-forgery
/// token `csrf`.
fn hidden(page: &str, name: &str) -> Option<String> {
    let prefix = format!("name=\"{name}\" value=\"");
    let start = page.find(&prefix)? + prefix.len();
    let end = page[start..].find('"')? + start;
    Some(page[start..end].to_owned())
}

fn location(response: &Response) -> Option<String> {
    if response.status() != StatusCode::SEE_OTHER && response.status() != StatusCode::FOUND {
        return None;
    }
    let value = response.headers().get(reqwest::header::LOCATION)?.to_str().ok()?;
    Some(value.to_owned())
}
