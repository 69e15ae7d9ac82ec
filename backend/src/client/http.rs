//! The one back-channel HTTP client, and the recorder that traces every exchange through it.
//!
//! [`Outbound`] is built once: redirects off, connect and total timeouts, a 1 MiB body cap, a
//! bounded pool of idle connections, and in `--hosted` mode the address guard. [`Recorder`]
//! wraps it for one learner request and implements `oauth2`'s `AsyncHttpClient`, so `oauth2`
//! and `openidconnect` calls are traced raw like our own, with the client secret redacted.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use grantlab_shared::{Channel, Param, TimelineEntry};
use oauth2::{HttpRequest, HttpResponse};
use url::Url;

use super::guard;
use super::redact::Redactor;

/// The most of a response body read; the rest is dropped with a note.
pub const BODY_CAP: usize = 1024 * 1024;

/// Idle keep-alive connections kept per host. A burst opens more and closes them after use;
/// unbounded, a workshop's burst left 459 idle connections to our own provider for 90 s, each
/// holding buffers at both ends (issue 7).
const IDLE_PER_HOST: usize = 32;

/// How long an idle pooled connection is kept: less than our own server's
/// [`crate::serve::IDLE_CONNECTION_TIMEOUT`], so the pool lets a connection to the lab
/// provider go before the server closes it under a request.
pub const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(15);
const _: () =
    assert!(POOL_IDLE_TIMEOUT.as_secs() < crate::serve::IDLE_CONNECTION_TIMEOUT.as_secs());

/// Why an outbound request got no response.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The URL is not one the client may call.
    #[error("`{url}` is refused: {reason}")]
    Refused {
        /// The URL.
        url: String,
        /// Why, in words.
        reason: String,
    },
    /// The connection failed or timed out.
    #[error("no answer from `{url}`: {reason}")]
    Transport {
        /// The URL.
        url: String,
        /// What went wrong.
        reason: String,
    },
}

/// The back-channel client, shared by every session.
#[derive(Debug, Clone)]
pub struct Outbound {
    client: reqwest::Client,
    hosted: bool,
    exempt_origin: Option<url::Origin>,
}

impl Outbound {
    /// Builds the one client. `public_url`'s origin (the embedded provider) is always allowed.
    pub fn new(public_url: &str, hosted: bool) -> anyhow::Result<Self> {
        let public = Url::parse(public_url)?;
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(IDLE_PER_HOST)
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(15))
            .user_agent(concat!("grantlab/", env!("CARGO_PKG_VERSION")));
        if hosted {
            builder = builder.dns_resolver(guard::resolver(public.host_str().map(str::to_owned)));
        }

        let client = builder.build()?;
        Ok(Self { client, hosted, exempt_origin: Some(public.origin()) })
    }

    /// Whether plain http to `url` is refused: in hosted mode, where a learner's traffic
    /// crosses a real network, everything but this server's own origin must use https.
    pub fn plain_http_refused(&self, url: &Url) -> bool {
        self.hosted && url.scheme() == "http" && self.exempt_origin.as_ref() != Some(&url.origin())
    }

    /// Refuses what the client may never call: other schemes, and in hosted mode IP literals
    /// in refused ranges (host names are checked after resolution, by the resolver).
    pub fn check_url(&self, url: &Url) -> Result<(), String> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("the scheme must be http or https, found `{}`", url.scheme()));
        }
        if !self.hosted || self.exempt_origin.as_ref() == Some(&url.origin()) {
            return Ok(());
        }

        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
            _ => None,
        };
        if let Some(reason) = ip.and_then(guard::refusal) {
            return Err(format!("{reason}, which hosted mode forbids"));
        }

        // The resolver exempts the provider's host name, and sees no port: so any other port
        // on that host is refused here, or `localhost:6379` would pass as the provider.
        let exempt_host = self.exempt_origin.as_ref().and_then(|origin| match origin {
            url::Origin::Tuple(_, host, _) => Some(host.to_string()),
            url::Origin::Opaque(_) => None,
        });
        if exempt_host.is_some() && exempt_host.as_deref() == url.host_str() {
            return Err(
                "hosted mode allows this server's own host only at its public URL's origin".into(),
            );
        }
        Ok(())
    }
}

/// Traces the exchanges of one learner request. Handlers set a label before each call.
#[derive(Debug)]
pub struct Recorder<'a> {
    outbound: &'a Outbound,
    redactor: Redactor,
    label: Mutex<String>,
    entries: Mutex<Vec<TimelineEntry>>,
    /// The last response as it came (status, content type, body), for the checks to read.
    last: Mutex<Option<(u16, String, String)>>,
    /// Why the last request was refused before any traffic, if it was.
    refusal: Mutex<Option<String>>,
}

impl<'a> Recorder<'a> {
    /// A recorder that redacts `redactor`'s secrets from everything it keeps.
    pub fn new(outbound: &'a Outbound, redactor: Redactor) -> Self {
        Self {
            outbound,
            redactor,
            label: Mutex::new("back-channel request".into()),
            entries: Mutex::new(Vec::new()),
            last: Mutex::new(None),
            refusal: Mutex::new(None),
        }
    }

    /// The client this recorder sends through.
    pub fn outbound(&self) -> &Outbound {
        self.outbound
    }

    /// Names the next exchange in the timeline.
    pub fn label(&self, label: &str) {
        if let Ok(mut current) = self.label.lock() {
            *current = label.to_owned();
        }
    }

    /// The entries recorded so far, ids unset; the session numbers them.
    pub fn take(&self) -> Vec<TimelineEntry> {
        self.entries.lock().map(|mut entries| std::mem::take(&mut *entries)).unwrap_or_default()
    }

    /// The last response as it came, unmasked, for lenient parsing and the checks: the
    /// timeline's copy is masked and may not parse.
    pub fn last_response(&self) -> Option<(u16, String, String)> {
        self.last.lock().ok()?.clone()
    }

    /// Why the last request was refused (a URL the client may not call), if it was.
    pub fn refusal(&self) -> Option<String> {
        self.refusal.lock().ok()?.clone()
    }

    /// `text` as it may be shown, with echoes of a secret masked.
    pub fn redact(&self, text: &str) -> String {
        self.redactor.redact(text)
    }

    /// Whether the last response recorded was cut at [`BODY_CAP`].
    pub fn last_truncated(&self) -> bool {
        let entries = self.entries.lock();
        entries.is_ok_and(|entries| entries.last().is_some_and(|last| last.truncated.is_some()))
    }

    /// Sends one request and records it, whatever happens.
    pub async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let started = Instant::now();
        let at_ms = unix_ms();
        let mut entry = self.request_entry(&request, at_ms);

        let result = self.exchange(request, &mut entry).await;

        entry.duration_ms = Some(started.elapsed().as_millis() as u64);
        if let Err(error) = &result {
            entry.failure = Some(self.redactor.redact(&error.to_string()));
        }

        // The host and status only: the path or query may carry a token.
        let host = Url::parse(&entry.url).ok().and_then(|url| url.host_str().map(str::to_owned));
        tracing::debug!(
            label = %entry.label,
            method = %entry.method,
            host = host.as_deref().unwrap_or("?"),
            status = entry.status,
            duration_ms = entry.duration_ms,
            "back-channel exchange"
        );
        if let Ok(mut refusal) = self.refusal.lock() {
            *refusal = match &result {
                Err(error @ HttpError::Refused { .. }) => {
                    Some(self.redactor.redact(&error.to_string()))
                }
                _ => None,
            };
        }
        if let Ok(mut last) = self.last.lock() {
            *last = result.as_ref().ok().map(|response| {
                let content_type = response
                    .headers()
                    .get(::http::header::CONTENT_TYPE)
                    .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
                    .unwrap_or_default();
                let body = String::from_utf8_lossy(response.body()).into_owned();
                (response.status().as_u16(), content_type, body)
            });
        }
        if let Ok(mut entries) = self.entries.lock() {
            entries.push(entry);
        }
        result
    }

    async fn exchange(
        &self,
        request: HttpRequest,
        entry: &mut TimelineEntry,
    ) -> Result<HttpResponse, HttpError> {
        // Step 1: refuse what may not be called, before any traffic.
        let url_text = request.uri().to_string();
        let url = Url::parse(&url_text).map_err(|error| HttpError::Refused {
            url: url_text.clone(),
            reason: error.to_string(),
        })?;
        self.outbound
            .check_url(&url)
            .map_err(|reason| HttpError::Refused { url: url_text.clone(), reason })?;

        // Step 2: send it with the shared client.
        let (parts, body) = request.into_parts();
        let mut outgoing = self.outbound.client.request(parts.method, url).body(body);
        for (name, value) in &parts.headers {
            outgoing = outgoing.header(name, value);
        }
        let mut response = outgoing.send().await.map_err(|error| match host_refused(&error) {
            Some(refused) => {
                HttpError::Refused { url: url_text.clone(), reason: refused.0.clone() }
            }
            None => HttpError::Transport { url: url_text.clone(), reason: error_chain(&error) },
        })?;

        // Step 3: read at most BODY_CAP bytes of the body.
        let status = response.status();
        let headers = response.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|error| HttpError::Transport {
            url: url_text.clone(),
            reason: error_chain(&error),
        })? {
            body.extend_from_slice(&chunk);
            if body.len() > BODY_CAP {
                body.truncate(BODY_CAP);
                entry.truncated = Some("the body was cut at 1 MiB; the rest was not read".into());
                break;
            }
        }

        // Step 4: record the answer, then hand it back as oauth2 expects.
        entry.status = Some(status.as_u16());
        entry.response_headers = headers
            .iter()
            .map(|(name, value)| Param {
                name: name.to_string(),
                value: self.redactor.redact(&String::from_utf8_lossy(value.as_bytes())),
            })
            .collect();
        entry.response_body = Some(self.redactor.redact(&String::from_utf8_lossy(&body)));
        let mut answer = http::Response::builder().status(status);
        if let Some(answer_headers) = answer.headers_mut() {
            *answer_headers = headers;
        }
        answer
            .body(body)
            .map_err(|error| HttpError::Transport { url: url_text, reason: error.to_string() })
    }

    /// The request half of an entry, redacted: a form body field by field.
    fn request_entry(&self, request: &HttpRequest, at_ms: u64) -> TimelineEntry {
        let label = self.label.lock().map(|label| label.clone()).unwrap_or_default();
        let form = request.headers().get(::http::header::CONTENT_TYPE).is_some_and(|value| {
            value.as_bytes().starts_with(b"application/x-www-form-urlencoded")
        });
        let body = (!request.body().is_empty()).then(|| {
            let text = String::from_utf8_lossy(request.body());
            if form { self.redactor.form(&text) } else { self.redactor.redact(&text) }
        });
        let mut entry = request_entry(
            Channel::Back,
            label,
            request.method().as_str(),
            self.redactor.redact(&request.uri().to_string()),
            request
                .headers()
                .iter()
                .map(|(name, value)| Param {
                    name: name.to_string(),
                    value: self.redactor.header(name.as_str(), value.as_bytes()),
                })
                .collect(),
            body,
        );
        entry.at_ms = at_ms;
        entry.masking = self.redactor.note();
        entry
    }
}

impl<'c> oauth2::AsyncHttpClient<'c> for Recorder<'_> {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}

/// Now, in Unix milliseconds.
pub fn unix_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|now| now.as_millis() as u64).unwrap_or(0)
}

/// A timeline entry for a message sent and not yet answered: what went out, nothing back.
pub fn request_entry(
    channel: Channel,
    label: String,
    method: &str,
    url: String,
    request_headers: Vec<Param>,
    request_body: Option<String>,
) -> TimelineEntry {
    TimelineEntry {
        id: 0,
        at_ms: unix_ms(),
        channel,
        label,
        method: method.to_owned(),
        url,
        request_headers,
        request_body,
        status: None,
        response_headers: Vec::new(),
        response_body: None,
        duration_ms: None,
        truncated: None,
        failure: None,
        deviations: Vec::new(),
        curl: None,
        masking: None,
    }
}

/// An error and its causes on one line: reqwest hides the useful part in the chain.
/// The guard's refusal, if the resolver's is among the error's causes.
fn host_refused<'e>(
    error: &'e (dyn std::error::Error + 'static),
) -> Option<&'e guard::HostRefused> {
    let mut cause = Some(error);
    while let Some(current) = cause {
        if let Some(refused) = current.downcast_ref::<guard::HostRefused>() {
            return Some(refused);
        }
        cause = current.source();
    }
    None
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(hosted: bool, url: &str) -> Result<(), String> {
        let outbound = Outbound::new("http://127.0.0.1:8080", hosted).unwrap();
        outbound.check_url(&Url::parse(url).unwrap())
    }

    #[test]
    fn hosted_mode_refuses_private_and_metadata_literals_before_any_traffic() {
        for url in ["http://10.0.0.1/", "http://169.254.169.254/latest", "http://[fd00::1]/"] {
            assert!(check(true, url).is_err(), "{url}");
        }
    }

    #[test]
    fn hosted_mode_allows_the_embedded_provider_origin_only() {
        assert!(check(true, "http://127.0.0.1:8080/idp/token").is_ok());
        assert!(check(true, "http://127.0.0.1:8081/").is_err());
    }

    #[test]
    fn hosted_mode_refuses_other_ports_on_the_providers_host_name() {
        let outbound = Outbound::new("http://localhost:8091", true).unwrap();
        let check = |url: &str| outbound.check_url(&Url::parse(url).unwrap());

        assert!(check("http://localhost:8091/idp/jwks").is_ok());
        assert!(check("http://localhost:9600/good").is_err());
        assert!(check("https://localhost/").is_err());
    }

    #[tokio::test]
    async fn a_host_name_resolving_to_loopback_is_refused_not_a_transport_failure() {
        // Only `127.0.0.1` is exempt, so `localhost` is judged by what it resolves to.
        let outbound = Outbound::new("http://127.0.0.1:8080", true).unwrap();
        let recorder = Recorder::new(&outbound, Redactor::new("client", None));
        let request = http::Request::get("http://localhost:9/").body(Vec::new()).unwrap();

        let result = recorder.send(request).await;

        match result {
            Err(HttpError::Refused { reason, .. }) => {
                assert!(reason.contains("`localhost`") && reason.contains("loopback"), "{reason}")
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn hosted_mode_names_the_refused_address_and_its_range() {
        let reason = check(true, "http://[::169.254.169.254]/").unwrap_err();

        assert!(reason.contains("169.254.169.254, which is link-local"), "{reason}");
    }

    #[test]
    fn hosted_mode_refuses_plain_http_except_at_its_own_origin() {
        let hosted = Outbound::new("http://127.0.0.1:8080", true).unwrap();
        let local = Outbound::new("http://127.0.0.1:8080", false).unwrap();
        let url = |text: &str| Url::parse(text).unwrap();

        assert!(hosted.plain_http_refused(&url("http://id.example.test/")));
        assert!(!hosted.plain_http_refused(&url("https://id.example.test/")));
        assert!(!hosted.plain_http_refused(&url("http://127.0.0.1:8080/idp")));
        assert!(!local.plain_http_refused(&url("http://id.example.test/")));
    }

    #[test]
    fn local_mode_allows_loopback_and_every_mode_refuses_other_schemes() {
        assert!(check(false, "http://127.0.0.1:9999/").is_ok());
        assert!(check(false, "file:///etc/passwd").is_err());
    }
}
