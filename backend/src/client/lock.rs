//! One request at a time per learner session: each handler loads the session, changes it and
//! saves it, so two at once would lose one's changes (issue: 8 parallel introspections kept 3).
//!
//! The lock is keyed by the session cookie and taken outside the session layer, so it is held
//! from the first load to the layer's save, and taken once per request (no handler takes it
//! itself, so none can wait on its own request). It is taken only once the request's body has
//! arrived whole, so a client sending a body slowly keeps no other request of its session
//! waiting (the server's body deadline, `serve::BODY_TIMEOUT`, bounds the body itself).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::header::COOKIE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::SESSION_COOKIE;
use super::error::ClientError;

/// The most sessions locked at once; past it, requests of new sessions go unlocked.
const MOST_LOCKED: usize = 4096;

/// The longest cookie value taken as a session id; a longer one is no session of ours.
const LONGEST_ID: usize = 64;

/// How long a request waits for its session before answering that it is busy.
const LOCK_WAIT: Duration = Duration::from_secs(30);

/// The longest body a learner's route takes, read whole before the lock is taken (and set as
/// the routes' own limit in `app()`): axum's default. A real one is a few KiB, but a fragment
/// relayed to `/api/callback` may be a browser's whole URL, which the client cuts to fit the
/// session rather than refuse. Known shortcoming: every waiting request of a session may hold
/// this much, so a client sending many at once holds many times it, for `LOCK_WAIT` at most.
pub const LONGEST_BODY: usize = 2 * 1024 * 1024;

/// The per-session locks; an entry lives while a request of its session runs or waits.
#[derive(Default)]
pub struct SessionLocks {
    held: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl SessionLocks {
    /// The lock of session `id`, made if need be; `None` when too many are held.
    fn lock_for(&self, id: &str) -> Option<Arc<tokio::sync::Mutex<()>>> {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if held.len() >= MOST_LOCKED && !held.contains_key(id) {
            return None;
        }
        Some(held.entry(id.to_owned()).or_default().clone())
    }

    /// Forgets the lock of session `id` when no other request holds or waits for it.
    fn release(&self, id: &str, lock: Arc<tokio::sync::Mutex<()>>) {
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        // Only the map and `lock` itself point at it: nobody else holds or waits.
        if Arc::strong_count(&lock) == 2 {
            held.remove(id);
        }
    }

    /// How many sessions have a lock now.
    pub fn len(&self) -> usize {
        self.held.lock().unwrap_or_else(PoisonError::into_inner).len()
    }

    /// Whether no session has a lock now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Runs the request while holding its session's lock; a request with no session cookie has
/// no session to share and runs at once.
pub async fn serialize(
    State(locks): State<Arc<SessionLocks>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(id) = session_id(&request) else {
        return next.run(request).await;
    };

    // Step 1: the whole body first (within the server's body deadline), so a client sending
    //         it slowly holds no lock, nor a place in the lock map, and the learner's other
    //         tab is not kept waiting.
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, LONGEST_BODY).await {
        Ok(bytes) => axum::body::Body::from(bytes),
        Err(error) => {
            let error = ClientError::from_body_error(error);
            // The browser lands on the redirect URI: it reads a page, not `/api`'s JSON.
            if parts.uri.path() == "/callback" {
                let title = "Callback body not read";
                return super::callback::error_page(error.status(), title, &error.to_string());
            }
            return error.into_response();
        }
    };
    let request = Request::from_parts(parts, body);

    // Step 2: wait for the session's earlier requests, a bounded time.
    let Some(lock) = locks.lock_for(&id) else {
        tracing::warn!(held = MOST_LOCKED, "too many sessions locked; this request runs unlocked");
        return next.run(request).await;
    };
    let Ok(guard) = tokio::time::timeout(LOCK_WAIT, lock.clone().lock_owned()).await else {
        locks.release(&id, lock);
        return ClientError::Busy.into_response();
    };

    // Step 3: run it, the session layer's save included, then let the next one in.
    let response = next.run(request).await;
    drop(guard);
    locks.release(&id, lock);
    response
}

/// The value of the session cookie, when there is one of a plausible length.
fn session_id(request: &Request) -> Option<String> {
    let pairs = request
        .headers()
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'));
    pairs
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty() && value.len() <= LONGEST_ID)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(cookie: &str) -> Request {
        Request::builder().header(COOKIE, cookie).body(axum::body::Body::empty()).unwrap()
    }

    #[test]
    fn the_session_id_is_read_among_other_cookies() {
        let id = session_id(&request("theme=dark; grantlab_session=abc123; other=x"));

        assert_eq!(id.as_deref(), Some("abc123"));
    }

    #[test]
    fn an_overlong_or_missing_session_cookie_takes_no_lock() {
        let long = format!("grantlab_session={}", "a".repeat(LONGEST_ID + 1));

        assert_eq!(session_id(&request(&long)), None);
        assert_eq!(session_id(&request("grantlab_sessionx=1")), None);
    }

    #[test]
    fn an_idle_lock_is_forgotten_and_a_shared_one_kept() {
        let locks = SessionLocks::default();
        let first = locks.lock_for("s").unwrap();
        let second = locks.lock_for("s").unwrap();

        locks.release("s", first);
        assert_eq!(locks.len(), 1);
        locks.release("s", second);
        assert!(locks.is_empty());
    }

    #[test]
    fn past_the_bound_a_new_session_gets_no_lock() {
        let locks = SessionLocks::default();
        let kept: Vec<_> =
            (0..MOST_LOCKED).map(|n| locks.lock_for(&n.to_string()).unwrap()).collect();

        assert!(locks.lock_for("new").is_none());
        assert!(locks.lock_for("0").is_some());
        drop(kept);
    }

    /// A body that sends one byte and then never another; it says when it is first read.
    struct Trickle {
        sent: bool,
        read: Option<tokio::sync::oneshot::Sender<()>>,
    }

    impl http_body::Body for Trickle {
        type Data = bytes::Bytes;
        type Error = std::io::Error;

        fn poll_frame(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<http_body::Frame<bytes::Bytes>, std::io::Error>>>
        {
            if let Some(read) = self.read.take() {
                let _ = read.send(());
            }
            if self.sent {
                return std::task::Poll::Pending;
            }
            self.sent = true;
            let byte = http_body::Frame::data(bytes::Bytes::from_static(b"{"));
            std::task::Poll::Ready(Some(Ok(byte)))
        }
    }

    /// A router whose one route reads the whole body, behind the session lock.
    fn locked_echo() -> axum::Router {
        let locks = Arc::new(SessionLocks::default());
        axum::Router::new()
            .route("/", axum::routing::post(|body: String| async move { body }))
            .layer(axum::middleware::from_fn_with_state(locks, serialize))
    }

    #[tokio::test]
    async fn a_body_still_arriving_holds_no_lock() {
        use tower::ServiceExt;
        let app = locked_echo();
        let cookie = format!("{SESSION_COOKIE}=same");

        // A first request whose body never ends: its first chunk, then nothing.
        let (read, being_read) = tokio::sync::oneshot::channel();
        let slow = Request::post("/")
            .header(COOKIE, &cookie)
            .body(axum::body::Body::new(Trickle { sent: false, read: Some(read) }))
            .unwrap();
        let _slow = tokio::spawn(app.clone().oneshot(slow));
        being_read.await.unwrap();

        // The same session's next request is answered at once, not after the lock's wait.
        let quick =
            Request::post("/").header(COOKIE, &cookie).body(axum::body::Body::from("hi")).unwrap();
        let answered = tokio::time::timeout(Duration::from_secs(5), app.oneshot(quick)).await;

        let response = answered.expect("the quick request waited on the slow one's lock").unwrap();
        assert_eq!(response.status(), axum::http::StatusCode::OK);
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_body_too_large() {
        use tower::ServiceExt;
        let huge = vec![b'x'; LONGEST_BODY + 1];
        let request = Request::post("/")
            .header(COOKIE, format!("{SESSION_COOKIE}=big"))
            .body(axum::body::Body::from(huge))
            .unwrap();

        let response = locked_echo().oneshot(request).await.unwrap();

        assert_eq!(response.status(), axum::http::StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[tokio::test]
    async fn a_callback_body_over_the_limit_gets_a_page_not_json() {
        use tower::ServiceExt;
        let locks = Arc::new(SessionLocks::default());
        let app = axum::Router::new()
            .route("/callback", axum::routing::post(|body: String| async move { body }))
            .layer(axum::middleware::from_fn_with_state(locks, serialize));
        let request = Request::post("/callback")
            .header(COOKIE, format!("{SESSION_COOKIE}=big"))
            .body(axum::body::Body::from(vec![b'x'; LONGEST_BODY + 1]))
            .unwrap();

        let response = app.oneshot(request).await.unwrap();

        assert_eq!(response.status(), axum::http::StatusCode::PAYLOAD_TOO_LARGE);
        let kind = response.headers()[axum::http::header::CONTENT_TYPE].to_str().unwrap();
        assert!(kind.starts_with("text/html"), "{kind}");
    }
}
