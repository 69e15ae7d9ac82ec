//! Part 1: provider throughput, the lab provider and oidc-provider side by side, and the RS256
//! signing floor of this machine.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use grantlab_tests::bench::median;
use reqwest::{Client, StatusCode, Url};
use serde_json::Value;

use crate::Paths;
use crate::load::{self, Limit};
use crate::procs::{self, Process};

/// The lab-web client of the default scenario, registered alike at oidc-provider.
const WEB_CLIENT: (&str, &str) = ("lab-web", "lab-web-secret");
const REDIRECT_URI: &str = "http://localhost:3000/callback";
/// The machine client, for client credentials.
const MACHINE_CLIENT: (&str, &str) = ("lab-machine", "lab-machine-secret");
const API: &str = "https://expenses-api";

/// One run's length and size; three runs per cell, the median is reported.
const LIMIT: Limit = Limit { time: Duration::from_millis(1500), rounds: 5000 };
const RUNS: usize = 3;
const CONCURRENCY: [usize; 2] = [16, 64];

/// The two providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Peer {
    Lab,
    OidcProvider,
}

impl Peer {
    fn name(self) -> &'static str {
        match self {
            Peer::Lab => "lab provider",
            Peer::OidcProvider => "oidc-provider 9",
        }
    }
}

/// What a round does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// Client credentials with `resource`: one RS256 JWT access token.
    CcJwt,
    /// Client credentials without a resource: an opaque access token.
    CcOpaque,
    /// Authorize with a live session, token with PKCE, userinfo.
    Code,
}

impl Case {
    fn name(self) -> &'static str {
        match self {
            Case::CcJwt => "client credentials, JWT",
            Case::CcOpaque => "client credentials, opaque",
            Case::Code => "code round (authorize, token, userinfo)",
        }
    }
}

/// The median run of one cell of the table.
#[derive(Debug, Clone)]
pub struct Cell {
    pub peer: Peer,
    pub case: Case,
    pub concurrency: usize,
    pub rate: f64,
    pub p50: Duration,
    pub p99: Duration,
    /// CPU of the server, in cores (1.0 is one core busy).
    pub server_cpu: f64,
    /// CPU of this load generator, in cores.
    pub bench_cpu: f64,
    /// Failed rounds over all three runs, and the first message.
    pub errors: u64,
    pub first_error: Option<String>,
}

/// The endpoints a peer's discovery document names.
struct Endpoints {
    authorization: String,
    token: String,
    userinfo: String,
}

/// The switch the bench scenario turns on for the machine client, named in the report.
const OPAQUE_SWITCH: &str = "opaque_token_without_api";

/// Runs every case on both peers; returns the table's cells.
pub async fn throughput(paths: &Paths) -> anyhow::Result<Vec<Cell>> {
    let scenario = bench_scenario()?;
    let mut cells = Vec::new();
    for case in [Case::CcJwt, Case::CcOpaque, Case::Code] {
        for concurrency in CONCURRENCY {
            for peer in [Peer::Lab, Peer::OidcProvider] {
                // A fresh process per cell: no store fills up across cells.
                let process = start(peer, paths, scenario.path())?;
                cells.push(cell(peer, case, concurrency, &process).await?);
            }
        }
    }
    Ok(cells)
}

/// The built-in scenario with the machine client's opaque tokens switched on: by default a
/// client credentials request must name an API (issue 3), and the opaque row names none.
fn bench_scenario() -> anyhow::Result<tempfile::NamedTempFile> {
    let grants = "grants = { \"https://expenses-api\" = [\"read:reports\"] }\n";
    let text = grantlab_backend::provider::world::DEFAULT_SCENARIO;
    if text.matches(grants).count() != 1 {
        bail!("the built-in scenario no longer has the machine client's grants line");
    }
    let text = text.replace(grants, &format!("{grants}{OPAQUE_SWITCH} = true\n"));
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile()?;
    std::io::Write::write_all(&mut file, text.as_bytes())?;
    Ok(file)
}

fn start(peer: Peer, paths: &Paths, scenario: &std::path::Path) -> anyhow::Result<Process> {
    match peer {
        Peer::Lab => Process::grantlab(&paths.server, &paths.dist, Some(scenario)),
        Peer::OidcProvider => Process::oidc_provider(&paths.interop, REDIRECT_URI),
    }
}

async fn cell(
    peer: Peer,
    case: Case,
    concurrency: usize,
    process: &Process,
) -> anyhow::Result<Cell> {
    let browser = browser_client()?;
    let issuer = match peer {
        Peer::Lab => format!("{}/idp", process.base),
        Peer::OidcProvider => process.base.clone(),
    };
    let endpoints = discover(&browser, &issuer).await?;
    if case == Case::Code {
        log_in(&browser, peer, &endpoints).await.context("cannot log alice in")?;
    }
    let round = || one_round(&browser, peer, case, &endpoints);

    // Warm up connections and caches, then three measured runs.
    load::run(concurrency, Limit { time: Duration::from_millis(300), rounds: 500 }, round).await;
    let mut runs = Vec::new();
    for _ in 0..RUNS {
        let (server_before, bench_before) =
            (procs::cpu_seconds(process.pid()), procs::own_cpu_seconds());
        let run = load::run(concurrency, LIMIT, round).await;
        let seconds = run.elapsed.as_secs_f64();
        let server_cpu = (procs::cpu_seconds(process.pid()) - server_before) / seconds;
        let bench_cpu = (procs::own_cpu_seconds() - bench_before) / seconds;
        runs.push(Cell {
            peer,
            case,
            concurrency,
            rate: run.rate(),
            p50: run.percentile(50.0),
            p99: run.percentile(99.0),
            server_cpu,
            bench_cpu,
            errors: run.errors,
            first_error: run.first_error,
        });
    }
    let errors = runs.iter().map(|run| run.errors).sum();
    let first_error = runs.iter().find_map(|run| run.first_error.clone());
    let mut middle = median(&runs, |run| run.rate).context("no runs")?;
    middle.errors = errors;
    middle.first_error = first_error;
    Ok(middle)
}

/// A client like a browser's: a cookie jar, redirects followed on loopback only, so the last
/// redirect, to the client's callback, is returned rather than followed.
fn browser_client() -> anyhow::Result<Client> {
    let policy = reqwest::redirect::Policy::custom(|attempt| {
        if attempt.url().host_str() == Some("127.0.0.1") && attempt.previous().len() < 10 {
            attempt.follow()
        } else {
            attempt.stop()
        }
    });
    Ok(Client::builder().cookie_store(true).redirect(policy).build()?)
}

async fn discover(client: &Client, issuer: &str) -> anyhow::Result<Endpoints> {
    let url = format!("{issuer}/.well-known/openid-configuration");
    let document: Value = client.get(&url).send().await?.error_for_status()?.json().await?;
    let field = |name: &str| {
        document[name].as_str().map(str::to_owned).with_context(|| format!("{url} has no {name}"))
    };
    Ok(Endpoints {
        authorization: field("authorization_endpoint")?,
        token: field("token_endpoint")?,
        userinfo: field("userinfo_endpoint")?,
    })
}

/// The authorization request of a code round, with a fresh PKCE pair; returns the verifier.
fn authorization_url(peer: Peer, endpoints: &Endpoints) -> anyhow::Result<(Url, String)> {
    let verifier = URL_SAFE_NO_PAD.encode(random_bytes::<32>()?);
    let challenge = URL_SAFE_NO_PAD
        .encode(ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes()).as_ref());
    let state = URL_SAFE_NO_PAD.encode(random_bytes::<16>()?);
    let mut url = Url::parse(&endpoints.authorization)?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", WEB_CLIENT.0)
        .append_pair("redirect_uri", REDIRECT_URI)
        .append_pair("state", &state)
        .append_pair("nonce", &state)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    // The lab issues a JWT access token good at userinfo too, so it signs twice per round.
    // oidc-provider refuses an API's JWT at userinfo, so it gets an opaque one and signs once.
    match peer {
        Peer::Lab => url
            .query_pairs_mut()
            .append_pair("scope", "openid profile email read:reports")
            .append_pair("resource", API),
        Peer::OidcProvider => url.query_pairs_mut().append_pair("scope", "openid profile email"),
    };
    Ok((url, verifier))
}

/// Logs alice in and consents once, through each peer's own pages, so later rounds run with
/// a live session and a remembered consent.
async fn log_in(client: &Client, peer: Peer, endpoints: &Endpoints) -> anyhow::Result<()> {
    let (url, _) = authorization_url(peer, endpoints)?;
    let mut response = client.get(url).send().await?;
    for _ in 0..4 {
        if response.status().is_redirection() {
            code_from(&response)?;
            return Ok(());
        }
        let page_url = response.url().clone();
        let page = response.text().await?;
        let action = page_url.join(&attribute(&page, "action=\"").context("no form")?)?;
        let request = attribute(&page, "name=\"request\" value=\"").unwrap_or_default();
        // The lab's forms carry their IdP session's anti-forgery token.
        let csrf = attribute(&page, "name=\"csrf\" value=\"").unwrap_or_default();
        let form: Vec<(&str, &str)> = if page.contains("name=\"username\"") {
            vec![
                ("request", &request),
                ("csrf", &csrf),
                ("username", "alice"),
                ("password", "alice-pass"),
            ]
        } else if page.contains("name=\"decision\"") {
            vec![("request", &request), ("csrf", &csrf), ("decision", "approve")]
        } else if page.contains("value=\"login\"") {
            vec![("prompt", "login"), ("login", "alice"), ("password", "alice-pass")]
        } else if page.contains("value=\"consent\"") {
            vec![("prompt", "consent")]
        } else {
            bail!("an unexpected page at {page_url}:\n{page}");
        };
        response = client.post(action).form(&form).send().await?;
    }
    bail!("no code after four pages ({peer:?})")
}

/// The value after `prefix` up to the next quote.
fn attribute(page: &str, prefix: &str) -> Option<String> {
    let start = page.find(prefix)? + prefix.len();
    let end = page[start..].find('"')? + start;
    Some(page[start..end].replace("&amp;", "&"))
}

/// The code from a redirect to the callback.
fn code_from(response: &reqwest::Response) -> anyhow::Result<String> {
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|value| value.to_str().ok())
        .context("a redirect with no Location")?;
    let url = Url::parse(location)?;
    url.query_pairs()
        .find(|(name, _)| name == "code")
        .map(|(_, code)| code.into_owned())
        .with_context(|| format!("no code in the redirect ({} params)", url.query_pairs().count()))
}

async fn one_round(
    client: &Client,
    peer: Peer,
    case: Case,
    endpoints: &Endpoints,
) -> anyhow::Result<()> {
    match case {
        Case::CcJwt | Case::CcOpaque => {
            let mut form = vec![("grant_type", "client_credentials"), ("scope", "read:reports")];
            if case == Case::CcJwt {
                form.push(("resource", API));
            }
            let token = token(client, &endpoints.token, MACHINE_CLIENT, &form).await?;
            let dots = token.matches('.').count();
            if (case == Case::CcJwt) != (dots == 2) {
                bail!(
                    "expected a {} access token",
                    if case == Case::CcJwt { "JWT" } else { "opaque" }
                );
            }
            Ok(())
        }
        Case::Code => {
            let (url, verifier) = authorization_url(peer, endpoints)?;
            let response = client.get(url).send().await?;
            if !response.status().is_redirection() {
                bail!("authorize answered {} instead of a redirect", response.status());
            }
            let code = code_from(&response)?;
            let form = [
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT_URI),
                ("code_verifier", &verifier),
            ];
            let access = token(client, &endpoints.token, WEB_CLIENT, &form).await?;
            let response = client.get(&endpoints.userinfo).bearer_auth(access).send().await?;
            if response.status() != StatusCode::OK {
                bail!("userinfo answered {}", response.status());
            }
            let claims: Value = response.json().await?;
            if claims["sub"].as_str().is_none() {
                bail!("userinfo sent no sub");
            }
            Ok(())
        }
    }
}

/// Posts a token request with HTTP Basic client authentication; returns the access token.
async fn token(
    client: &Client,
    endpoint: &str,
    (id, secret): (&str, &str),
    form: &[(&str, &str)],
) -> anyhow::Result<String> {
    let response = client.post(endpoint).basic_auth(id, Some(secret)).form(form).send().await?;
    let status = response.status();
    let body: Value = response.json().await?;
    match body["access_token"].as_str() {
        Some(token) if status == StatusCode::OK => Ok(token.to_owned()),
        _ => bail!("token endpoint answered {status}: {}", body["error_description"]),
    }
}

fn random_bytes<const N: usize>() -> anyhow::Result<[u8; N]> {
    ring::rand::generate(&ring::rand::SystemRandom::new())
        .map(|bytes: ring::rand::Random<[u8; N]>| bytes.expose())
        .map_err(|_| anyhow::anyhow!("no randomness"))
}

/// RS256 signatures per second on all cores, each library with the key parsed once: aws-lc-rs
/// (AWS-LC, using AVX-512 IFMA where the CPU has it), the floor under any issuer, and ring
/// (BoringSSL's older RSA code) beside it; and the lab's own signing path.
pub struct Floor {
    pub threads: usize,
    pub aws_lc: Rate,
    pub ring: Rate,
    pub lab_keys: Rate,
}

impl Floor {
    /// The floor: what all cores sign with aws-lc-rs, per second, had they no other work.
    pub fn all_cores(&self) -> f64 {
        self.aws_lc.per_cpu_second * self.threads as f64
    }
}

/// Measures the signing floor with the lab's own key (made by a lab process), for `time`.
pub fn signing_floor(paths: &Paths, time: Duration) -> anyhow::Result<Floor> {
    let process = Process::grantlab(&paths.server, &paths.dist, None)?;
    let pem = std::fs::read_to_string(process.lab_key())?;
    drop(process);

    let body: String = pem.lines().filter(|line| !line.starts_with("-----")).collect();
    let der = STANDARD.decode(body)?;
    let aws_lc = aws_lc_rs::signature::RsaKeyPair::from_der(&der)
        .map_err(|e| anyhow::anyhow!("aws-lc-rs: {e}"))?;
    let ring =
        ring::signature::RsaKeyPair::from_der(&der).map_err(|e| anyhow::anyhow!("ring: {e}"))?;
    let keys = grantlab_backend::provider::keys::Keys::from_pem(pem.as_bytes())?;
    let claims = serde_json::json!({
        "iss": "http://127.0.0.1:1/idp", "sub": "lab-machine", "aud": [API],
        "client_id": "lab-machine", "scope": "read:reports", "iat": 1, "exp": 2,
        "jti": "0123456789abcdef0123456789abcdef0123456789a",
    });
    let input = format!("eyJhbGciOiJSUzI1NiJ9.{}", URL_SAFE_NO_PAD.encode(claims.to_string()));
    let threads = std::thread::available_parallelism().map_or(1, usize::from);

    let aws_lc_rate = on_all_cores(threads, time, || {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let mut signature = vec![0; aws_lc.public_modulus_len()];
        let scheme = &aws_lc_rs::signature::RSA_PKCS1_SHA256;
        aws_lc.sign(scheme, &rng, input.as_bytes(), &mut signature).is_ok()
    });
    let ring_rate = on_all_cores(threads, time, || {
        let rng = ring::rand::SystemRandom::new();
        let mut signature = vec![0; ring.public().modulus_len()];
        let scheme = &ring::signature::RSA_PKCS1_SHA256;
        ring.sign(scheme, &rng, input.as_bytes(), &mut signature).is_ok()
    });
    let lab_rate = on_all_cores(threads, time, || keys.sign("at+jwt", &claims).is_ok());
    Ok(Floor { threads, aws_lc: aws_lc_rate, ring: ring_rate, lab_keys: lab_rate })
}

/// Calls `sign` on `threads` threads for `time`; returns successful calls per second of CPU
/// time the threads used (read from `/proc`), so that other work on the machine does not
/// lower it: times the cores, it is what the cores would sign if the machine were ours.
fn on_all_cores(threads: usize, time: Duration, sign: impl Fn() -> bool + Sync) -> Rate {
    let count = AtomicU64::new(0);
    let failed = AtomicBool::new(false);
    let cpu_before = procs::own_cpu_seconds();
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while started.elapsed() < time {
                    if sign() {
                        count.fetch_add(1, Ordering::Relaxed);
                    } else {
                        failed.store(true, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    let count = count.load(Ordering::Relaxed) as f64;
    let cpu = (procs::own_cpu_seconds() - cpu_before).max(0.01);
    Rate { wall: count / started.elapsed().as_secs_f64(), per_cpu_second: count / cpu }
}

/// Signatures per second of wall time, and per second of CPU time.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    pub wall: f64,
    pub per_cpu_second: f64,
}

/// The part's Markdown: the table, then each target against what was measured.
pub fn report(cells: &[Cell], floor: &Floor) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "RS256 signing floor, aws-lc-rs with the key parsed once, on {} threads: {:.0} \
         signatures per CPU-second, so **{:.0}/s on all cores** (measured {:.0}/s of wall time \
         while sharing the machine). ring, the same way: {:.0} per CPU-second. The lab's \
         signing path (`Keys::sign`): {:.0} per CPU-second ({:.0}/s of wall time).\n\n",
        floor.threads,
        floor.aws_lc.per_cpu_second,
        floor.all_cores(),
        floor.aws_lc.wall,
        floor.ring.per_cpu_second,
        floor.lab_keys.per_cpu_second,
        floor.lab_keys.wall,
    ));
    out.push_str(
        "| case | concurrency | provider | rounds/s | per server CPU-s | p50 ms | p99 ms | server \
         CPU | bench CPU | errors |\n|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for cell in cells {
        let peer = match (cell.peer, cell.case) {
            (Peer::Lab, Case::CcOpaque) => {
                format!(
                    "{} (bench scenario: `lab-machine` with `{OPAQUE_SWITCH}`)",
                    cell.peer.name()
                )
            }
            (peer, _) => peer.name().to_owned(),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {:.0} | {:.0} | {:.2} | {:.2} | {:.0}% | {:.0}% | {}{} |\n",
            cell.case.name(),
            cell.concurrency,
            peer,
            cell.rate,
            cell.rate / cell.server_cpu.max(1e-9),
            ms(cell.p50),
            ms(cell.p99),
            cell.server_cpu * 100.0,
            cell.bench_cpu * 100.0,
            cell.errors,
            cell.first_error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default(),
        ));
    }

    out.push_str(
        "\nTargets, judged on both wall-clock throughput and throughput per CPU-second of the \
         server (the machine is shared, so the second is the fairer one):\n\n\
         | target | concurrency | wall clock | per CPU-second | met (wall / CPU) |\n\
         |---|---|---|---|---|\n",
    );
    let met = |ok: bool| if ok { "yes" } else { "**no**" };
    for concurrency in CONCURRENCY {
        let find = |peer, case| {
            cells
                .iter()
                .find(|c| c.peer == peer && c.case == case && c.concurrency == concurrency)
                .filter(|c| c.errors == 0)
        };
        let wall = |peer, case| find(peer, case).map_or(0.0, |c| c.rate);
        let cpu = |peer, case| find(peer, case).map_or(0.0, |c| c.rate / c.server_cpu.max(1e-9));
        let ratio = |rate: &dyn Fn(Peer, Case) -> f64, case| {
            rate(Peer::Lab, case) / rate(Peer::OidcProvider, case).max(1e-9)
        };
        for (name, case, goal) in [
            ("code rounds >= 2.5x oidc-provider", Case::Code, 2.5),
            ("opaque client credentials >= 3x oidc-provider", Case::CcOpaque, 3.0),
        ] {
            let (by_wall, by_cpu) = (ratio(&wall, case), ratio(&cpu, case));
            out.push_str(&format!(
                "| {name} | {concurrency} | {by_wall:.2}x | {by_cpu:.2}x | {} / {} |\n",
                met(by_wall >= goal),
                met(by_cpu >= goal)
            ));
        }
        let lab_wall = wall(Peer::Lab, Case::CcJwt) / floor.all_cores();
        let lab_cpu = cpu(Peer::Lab, Case::CcJwt) / floor.aws_lc.per_cpu_second;
        let node_cpu = cpu(Peer::OidcProvider, Case::CcJwt) / floor.aws_lc.per_cpu_second;
        out.push_str(&format!(
            "| JWT client credentials >= 90% of the floor (oidc-provider: {:.0}% per CPU-s) | \
             {concurrency} | {:.0}% | {:.0}% | {} / {} |\n",
            node_cpu * 100.0,
            lab_wall * 100.0,
            lab_cpu * 100.0,
            met(lab_wall >= 0.9),
            met(lab_cpu >= 0.9),
        ));
        // A lab code round signs twice (ID token, JWT access token); oidc-provider's once.
        let signing = |peer, signatures: f64| {
            cpu(peer, Case::Code) * signatures / floor.aws_lc.per_cpu_second
        };
        out.push_str(&format!(
            "| (code rounds: share of the floor spent signing, lab / oidc-provider) | \
             {concurrency} | | {:.0}% / {:.0}% | |\n",
            signing(Peer::Lab, 2.0) * 100.0,
            signing(Peer::OidcProvider, 1.0) * 100.0,
        ));
    }
    out
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
