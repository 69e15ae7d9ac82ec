//! What a learner's session holds, server-side: the provider profile, the flow's secrets
//! (state, nonce, PKCE verifier), the tokens and the timeline.
//!
//! The session is kept small (a shared workshop server holds many): bodies kept per timeline
//! entry are capped, the oldest entries go first once the timeline passes its budget, and the
//! whole is stored as one string, not as a `serde_json::Value` tree (issue 7: a tree makes a
//! heap allocation of every string, number and object, about three times the JSON's size).
//! That string is the JSON deflated and in base64: a flow's timeline is mostly headers and
//! token bodies that repeat, so it shrinks about four times for a fraction of a millisecond.

use grantlab_shared::{
    CallbackView, Check, FlowStatus, Param, ProfileView, Timeline, TimelineEntry,
};
use std::io::{Read, Write};

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use super::error::ClientError;

/// The session key all of the client role's data lives under, as one JSON string.
const KEY: &str = "grantlab.client";

/// The most of one body a timeline entry keeps in the session.
const KEPT_BODY: usize = 3 * 1024;

/// The most the whole session may take, serialized (a workshop server holds many).
const SESSION_BUDGET: usize = 30 * 1024;

/// The most the timeline may take in the session, serialized.
const TIMELINE_BUDGET: usize = 16 * 1024;

/// The most state verdicts kept: more than the front-channel responses a timeline in budget
/// can hold (a unit test checks it), and under 3 KiB of the session serialized.
const KEPT_STATE_VERDICTS: usize = 96;

/// The most authorization requests kept waiting after a newer one replaced them: enough for
/// a learner's few tabs, each about 300 bytes of the session's budget.
const KEPT_EARLIER_FLOWS: usize = 3;

/// The client role's session data. `Debug` shows no secret.
#[derive(Default, Serialize, Deserialize)]
pub struct ClientSession {
    /// The profile in use; `None` means the lab provider.
    pub profile: Option<StoredProfile>,
    /// The flow in progress.
    pub flow: Option<FlowState>,
    /// Requests a newer one replaced before their callback came, oldest first, at most
    /// [`KEPT_EARLIER_FLOWS`]: a learner who composed in two tabs can still finish the first.
    #[serde(default)]
    pub earlier_flows: Vec<FlowState>,
    /// Where the flow stands.
    pub status: FlowStatus,
    /// The last composed authorization URL.
    pub request_url: Option<String>,
    /// What the last callback received.
    pub callback: Option<CallbackView>,
    /// The authorization code waiting to be redeemed.
    pub code: Option<String>,
    /// The code redeemed last, kept so the learner can replay it (RFC 6749 §4.1.2).
    #[serde(default)]
    pub previous_code: Option<String>,
    /// Tokens that came at the callback (hybrid and implicit flows).
    pub front_tokens: Vec<Param>,
    /// The tokens held.
    pub tokens: Option<Tokens>,
    /// The last client credentials token (RFC 6749 §4.4), apart from the delegated `tokens`.
    #[serde(default)]
    pub machine_tokens: Option<Tokens>,
    /// The client that got `machine_tokens`.
    #[serde(default)]
    pub machine_client_id: Option<String>,
    /// The trace, oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// The next timeline id.
    pub next_id: u64,
    /// How many entries were dropped to stay in budget.
    pub dropped: u64,
    /// Every callback's state check still in the timeline, oldest first, so the lessons can
    /// judge an earlier mismatch too.
    #[serde(default)]
    pub state_verdicts: Vec<StateVerdict>,
}

/// How one callback's state check ended (RFC 6749 §10.12), by its timeline entry. The values
/// compared are not kept: the goals need the verdict only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateVerdict {
    /// The id of the callback's timeline entry.
    pub entry: u64,
    /// Whether `state` matched the one sent.
    pub passed: bool,
}

impl std::fmt::Debug for ClientSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSession")
            .field("status", &self.status)
            .field("timeline_len", &self.timeline.len())
            .finish_non_exhaustive()
    }
}

/// A profile other than the lab provider: its view and, write-only, its secret.
#[derive(Clone, Serialize, Deserialize)]
pub struct StoredProfile {
    /// What the browser may see.
    pub view: ProfileView,
    /// The learner's client secret at that provider.
    pub client_secret: Option<String>,
}

/// The secrets of one authorization request, kept to check the callback.
#[derive(Clone, Serialize, Deserialize)]
pub struct FlowState {
    /// `state` as sent.
    pub state: String,
    /// `nonce` as sent.
    pub nonce: Option<String>,
    /// The PKCE `code_verifier` (RFC 7636 §4.1).
    pub pkce_verifier: Option<String>,
    /// `redirect_uri` as sent; the token request repeats it (RFC 6749 §4.1.3).
    pub redirect_uri: String,
    /// The scopes requested, the granted scope when the response omits it.
    pub scopes: Vec<String>,
    /// `max_age` as sent, for the `auth_time` check.
    pub max_age: Option<u64>,
    /// Redeem as soon as the callback comes.
    pub auto_redeem: bool,
    /// A callback has consumed `state`: it is single use (RFC 6749 §10.12).
    #[serde(default)]
    pub state_used: bool,
}

impl std::fmt::Debug for FlowState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlowState")
            .field("redirect_uri", &self.redirect_uri)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// The token set, raw.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct Tokens {
    /// `access_token`.
    pub access_token: Option<String>,
    /// `token_type`.
    pub token_type: Option<String>,
    /// Unix seconds.
    pub expires_at: Option<u64>,
    /// `expires_in` as received, in seconds.
    #[serde(default)]
    pub expires_in: Option<u64>,
    /// The granted scope.
    pub scope: Vec<String>,
    /// `refresh_token`.
    pub refresh_token: Option<String>,
    /// The refresh token before the last rotation.
    pub previous_refresh_token: Option<String>,
    /// Whether the last refresh rotated the refresh token.
    pub refresh_rotated: Option<bool>,
    /// `id_token`.
    pub id_token: Option<String>,
    /// The ID token checks.
    pub id_token_checks: Vec<Check>,
    /// Other members of the token response.
    pub extra: Vec<Param>,
}

/// The stored form of the session's JSON: deflated (fastest level), then base64.
fn pack(json: &str) -> Result<String, ClientError> {
    let mut encoder = DeflateEncoder::new(Vec::with_capacity(json.len() / 3), Compression::fast());
    encoder.write_all(json.as_bytes()).map_err(anyhow::Error::from)?;
    let deflated = encoder.finish().map_err(anyhow::Error::from)?;
    Ok(STANDARD_NO_PAD.encode(deflated))
}

/// The session's JSON back from its stored form, never more than twice the session's budget.
fn unpack(packed: &str) -> Result<String, ClientError> {
    let unreadable = |reason: &str| ClientError::SessionUnreadable { reason: reason.to_owned() };
    let deflated =
        STANDARD_NO_PAD.decode(packed).map_err(|_| unreadable("the record is not base64"))?;

    let mut json = String::new();
    let limit = 2 * SESSION_BUDGET as u64;
    DeflateDecoder::new(deflated.as_slice())
        .take(limit + 1)
        .read_to_string(&mut json)
        .map_err(|_| unreadable("the record does not inflate to UTF-8 text"))?;
    if json.len() as u64 > limit {
        return Err(unreadable("the record inflates past twice the session's budget"));
    }
    Ok(json)
}

impl ClientSession {
    /// Loads the session's data, or a fresh one.
    pub async fn load(session: &Session) -> Result<Self, ClientError> {
        // The decoder's own message may quote the record, secrets included: it is not shown.
        let stored = session.get::<String>(KEY).await.map_err(|_| {
            ClientError::SessionUnreadable { reason: format!("`{KEY}` does not hold a string") }
        })?;
        match stored {
            Some(packed) => Self::decode(&unpack(&packed)?),
            None => Ok(Self::default()),
        }
    }

    /// Saves it back, dropping the oldest timeline entries if the whole passes its budget.
    pub async fn save(&mut self, session: &Session) -> Result<(), ClientError> {
        let packed = pack(&self.encode()?)?;
        session.insert(KEY, packed).await.map_err(anyhow::Error::from)?;
        Ok(())
    }

    /// The session as stored: compact JSON of at most [`SESSION_BUDGET`] bytes, dropping the
    /// oldest timeline entries, with their state verdicts, to get there.
    pub fn encode(&mut self) -> Result<String, ClientError> {
        self.forget_dropped_verdicts();
        loop {
            let text = serde_json::to_string(&*self).map_err(anyhow::Error::from)?;
            if text.len() <= SESSION_BUDGET || self.timeline.is_empty() {
                return Ok(text);
            }
            self.timeline.remove(0);
            self.dropped += 1;
            self.forget_dropped_verdicts();
        }
    }

    /// Reads a stored session back; a record that is not one says where, never panics. The
    /// decoder's own message may quote the record, secrets included, so only its kind and
    /// position are kept.
    pub fn decode(text: &str) -> Result<Self, ClientError> {
        serde_json::from_str(text).map_err(|error| {
            let kind = match error.classify() {
                serde_json::error::Category::Io => "unreadable",
                serde_json::error::Category::Syntax => "not JSON",
                serde_json::error::Category::Data => "not a client session",
                serde_json::error::Category::Eof => "cut short",
            };
            let (line, column) = (error.line(), error.column());
            ClientError::SessionUnreadable { reason: format!("{kind} at {line}:{column}") }
        })
    }

    /// Makes `flow` the one in progress; the one it replaces waits among the earlier ones if
    /// its callback has not come yet.
    pub fn replace_flow(&mut self, flow: FlowState) {
        if let Some(replaced) = self.flow.take().filter(|replaced| !replaced.state_used) {
            self.earlier_flows.push(replaced);
            let extra = self.earlier_flows.len().saturating_sub(KEPT_EARLIER_FLOWS);
            self.earlier_flows.drain(..extra);
        }
        self.flow = Some(flow);
    }

    /// When `state` is not the flow's in progress but an earlier request's, makes that request
    /// the one in progress again (the replaced one waits in its place) and answers true.
    pub fn resume_flow(&mut self, state: &str) -> bool {
        let same = |flow: &FlowState| {
            oauth2::CsrfToken::new(flow.state.clone()) == oauth2::CsrfToken::new(state.to_owned())
        };
        if self.flow.as_ref().is_some_and(same) {
            return false;
        }
        let Some(index) = self.earlier_flows.iter().position(same) else { return false };

        let resumed = self.earlier_flows.remove(index);
        self.replace_flow(resumed);
        true
    }

    /// Keeps the state check of the callback recorded as timeline entry `entry`.
    pub fn keep_state_verdict(&mut self, entry: u64, passed: bool) {
        self.state_verdicts.push(StateVerdict { entry, passed });
        self.forget_dropped_verdicts();
    }

    /// Drops the verdicts whose timeline entry is gone, then the oldest past
    /// [`KEPT_STATE_VERDICTS`].
    pub fn forget_dropped_verdicts(&mut self) {
        let oldest = self.timeline.first().map_or(u64::MAX, |entry| entry.id);
        self.state_verdicts.retain(|kept| kept.entry >= oldest);

        let extra = self.state_verdicts.len().saturating_sub(KEPT_STATE_VERDICTS);
        self.state_verdicts.drain(..extra);
    }

    /// The session's size, serialized.
    pub fn size(&self) -> usize {
        serde_json::to_vec(self).map(|bytes| bytes.len()).unwrap_or(usize::MAX)
    }

    /// Adds entries to the timeline, numbering them, capping their bodies and keeping the
    /// timeline in budget. Answers their ids.
    pub fn record(&mut self, entries: Vec<TimelineEntry>) -> Vec<u64> {
        let mut ids = Vec::new();
        for mut entry in entries {
            self.next_id += 1;
            entry.id = self.next_id;
            cap_body(&mut entry.request_body, &mut entry.truncated, "request");
            cap_body(&mut entry.response_body, &mut entry.truncated, "response");
            ids.push(entry.id);
            self.timeline.push(entry);
        }

        // Each entry is measured once; the array's size is theirs plus brackets and commas.
        let sizes: Vec<usize> = self.timeline.iter().map(entry_size).collect();
        let mut total = sizes.iter().sum::<usize>() + sizes.len() + 1;
        let mut first = 0;
        while self.timeline.len() - first > 1 && total > TIMELINE_BUDGET {
            total -= sizes[first] + 1;
            first += 1;
        }
        self.timeline.drain(..first);
        self.dropped += first as u64;
        self.forget_dropped_verdicts();
        ids
    }

    /// The timeline as the browser gets it.
    pub fn timeline_view(&self) -> Timeline {
        let entries = self
            .timeline
            .iter()
            .cloned()
            .map(|mut entry| {
                entry.curl = Some(super::redact::curl(&entry));
                entry
            })
            .collect();
        Timeline { entries, dropped: self.dropped }
    }
}

/// Cuts a body to [`KEPT_BODY`] bytes (on a character boundary), saying so.
fn cap_body(body: &mut Option<String>, note: &mut Option<String>, which: &str) {
    let Some(text) = body else { return };
    if text.len() <= KEPT_BODY {
        return;
    }

    let mut end = KEPT_BODY;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let total = text.len();
    text.truncate(end);
    text.push_str(" [...]");
    let kept = format!("the {which} body kept here is the first {end} of {total} bytes");
    *note = Some(match note.take() {
        Some(earlier) => format!("{earlier}; {kept}"),
        None => kept,
    });
}

/// An entry's size in the timeline's JSON.
fn entry_size(entry: &TimelineEntry) -> usize {
    serde_json::to_vec(entry).map(|bytes| bytes.len()).unwrap_or(usize::MAX / 2)
}

#[cfg(test)]
fn timeline_size(timeline: &[TimelineEntry]) -> usize {
    serde_json::to_vec(timeline).map(|bytes| bytes.len()).unwrap_or(usize::MAX)
}

#[cfg(test)]
#[path = "state/tests.rs"]
mod tests;
