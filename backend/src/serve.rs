//! The accept loop: the router on hyper's HTTP/1.1, with time limits on reading a request's
//! head and its body, which `axum::serve` does not set.
//!
//! The head's limit starts when a connection is ready for its next request, so it also closes
//! idle keep-alive connections. A room of learners leaves one open connection per browser, each
//! with hyper's buffers (about 8 KB, issue 7); without the limit they stay until the browser
//! lets go, and a client that opens connections and sends nothing holds them for ever. The
//! body's limit counts from the head's arrival, so a body sent a byte at a time cannot hold a
//! connection either.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;

use self::long_uri::LongUriPage;

mod long_uri;

/// How long a connection may take to send a request's head, counted from the moment it is
/// ready for one: an idle keep-alive connection is closed after this long. Browsers reopen
/// one when they need it; our back-channel pools forget theirs sooner (`client::http`).
pub const IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(20);

/// How long a request's whole body may take to arrive, from the moment its head has. Bodies
/// here are small forms and JSON; a slower one answers an error and its connection closes.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(20);

/// The time limits of [`serve_until`].
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// For a request's head, idle time included: [`IDLE_CONNECTION_TIMEOUT`].
    pub head: Duration,
    /// For a request's whole body: [`BODY_TIMEOUT`].
    pub body: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self { head: IDLE_CONNECTION_TIMEOUT, body: BODY_TIMEOUT }
    }
}

/// How long shutting down waits for requests in flight before it drops them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serves `router` on `listener` until `shutdown` resolves, then lets the requests in flight
/// finish, for at most [`SHUTDOWN_GRACE`].
pub async fn serve_until(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.head);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);

    loop {
        // 1. The next connection, unless the shutdown comes first.
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(error) => {
                // Out of file descriptors, most often: wait for some to be freed.
                tracing::warn!(%error, "cannot accept a connection; retrying in a second");
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                    () = &mut shutdown => break,
                }
            }
        };

        // 2. Serve it on its own task, watched so that the shutdown can wait for it.
        let service = router.clone().map_request(move |request: axum::http::Request<Incoming>| {
            request.map(|body| Body::new(Deadline::new(body, limits.body)))
        });
        let connection = http.serve_connection(
            TokioIo::new(LongUriPage::new(stream)),
            TowerToHyperService::new(service),
        );
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                // A head not sent in time, a reset, a malformed request: the client's doing.
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
        });
    }

    // 3. Stop accepting; let the requests in flight finish.
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await.is_err() {
        tracing::warn!(
            grace_seconds = SHUTDOWN_GRACE.as_secs(),
            "requests still running at shutdown were dropped"
        );
    }
}

/// A request body that fails once its time is up, however it trickles in.
struct Deadline {
    body: Incoming,
    expiry: Pin<Box<tokio::time::Sleep>>,
    limit: Duration,
}

impl Deadline {
    fn new(body: Incoming, limit: Duration) -> Self {
        Self { body, expiry: Box::pin(tokio::time::sleep(limit)), limit }
    }
}

impl http_body::Body for Deadline {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.body).poll_frame(cx) {
            return Poll::Ready(frame.map(|frame| frame.map_err(Into::into)));
        }
        match this.expiry.as_mut().poll(cx) {
            Poll::Ready(()) => {
                let seconds = this.limit.as_secs();
                let late = format!("the request body did not arrive within {seconds} s");
                Poll::Ready(Some(Err(late.into())))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use axum::routing::get;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    use super::*;

    /// The loop with `idle` on a loopback port: its address, its stop switch and its task.
    struct Started {
        address: std::net::SocketAddr,
        stop: tokio::sync::oneshot::Sender<()>,
        task: tokio::task::JoinHandle<()>,
    }

    async fn start(head: Duration) -> Started {
        start_with(Limits { head, body: BODY_TIMEOUT }).await
    }

    async fn start_with(limits: Limits) -> Started {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let router = Router::new()
            .route("/", get(|| async { "hello" }))
            .route("/echo", axum::routing::post(|body: String| async move { body }));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(serve_until(listener, router, limits, async {
            let _ = stopped.await;
        }));
        Started { address, stop, task }
    }

    /// Reads until the server closes the connection, for at most 5 s; returns what it sent.
    async fn read_to_close(stream: &mut TcpStream) -> String {
        let mut received = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut received));
        read.await.expect("the server did not close the connection within 5 s").unwrap();
        String::from_utf8_lossy(&received).into_owned()
    }

    #[tokio::test]
    async fn a_connection_that_sends_nothing_is_closed_after_the_idle_timeout() {
        let server = start(Duration::from_millis(300)).await;
        let mut stream = TcpStream::connect(server.address).await.unwrap();
        let opened = Instant::now();

        read_to_close(&mut stream).await;

        assert!(opened.elapsed() >= Duration::from_millis(300));
    }

    #[tokio::test]
    async fn a_request_line_past_hypers_limit_gets_our_414_page() {
        let server = start(Duration::from_secs(5)).await;
        let mut stream = TcpStream::connect(server.address).await.unwrap();
        let query = "a".repeat(100 * 1024);

        let request = format!("GET /callback?{query} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let answered = read_to_close(&mut stream).await;

        assert!(answered.starts_with("HTTP/1.1 414 URI Too Long"), "{answered}");
        assert!(answered.contains("content-type: text/html"), "{answered}");
        assert!(answered.contains("content-security-policy: "), "{answered}");
        assert!(answered.contains("64 KiB"), "{answered}");
    }

    #[tokio::test]
    async fn an_idle_keep_alive_connection_is_closed_after_its_response() {
        let server = start(Duration::from_millis(300)).await;
        let mut stream = TcpStream::connect(server.address).await.unwrap();

        stream.write_all(b"GET / HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n").await.unwrap();
        let answered = read_to_close(&mut stream).await;

        assert!(answered.starts_with("HTTP/1.1 200 OK"), "{answered}");
        assert!(answered.ends_with("hello"), "{answered}");
    }

    #[tokio::test]
    async fn a_busy_connection_serves_request_after_request() {
        let server = start(Duration::from_secs(1)).await;
        let mut stream = TcpStream::connect(server.address).await.unwrap();

        // Three requests 400 ms apart: each well under the limit, together over it.
        for _ in 0..3 {
            stream.write_all(b"GET / HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n").await.unwrap();
            let mut buffer = [0; 512];
            let read = stream.read(&mut buffer).await.unwrap();
            assert!(buffer[..read].starts_with(b"HTTP/1.1 200 OK"));
            tokio::time::sleep(Duration::from_millis(400)).await;
        }
    }

    #[tokio::test]
    async fn shutdown_ends_the_loop_and_closes_the_listener() {
        let server = start(Duration::from_secs(5)).await;

        server.stop.send(()).unwrap();

        let ended = tokio::time::timeout(Duration::from_secs(5), server.task).await;
        assert!(ended.is_ok(), "the loop still runs 5 s after the shutdown");
        assert!(TcpStream::connect(server.address).await.is_err());
    }

    #[tokio::test]
    async fn a_body_sent_a_byte_at_a_time_fails_at_its_deadline() {
        let limits = Limits { head: Duration::from_secs(5), body: Duration::from_millis(400) };
        let server = start_with(limits).await;
        let mut stream = TcpStream::connect(server.address).await.unwrap();
        let head = "POST /echo HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 20\r\n\r\n";
        stream.write_all(head.as_bytes()).await.unwrap();
        let started = Instant::now();

        // One byte every 100 ms: each well within any per-read limit, the whole far over
        // 400 ms. Once the server has answered and closed, a write fails.
        let mut sent = 0;
        while sent < 19 && started.elapsed() < Duration::from_secs(3) {
            if stream.write_all(b"x").await.is_err() {
                break;
            }
            sent += 1;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        assert!(sent < 19, "the server took 19 slow bytes, 1.9 s, past its 400 ms deadline");
    }

    #[tokio::test]
    async fn a_body_sent_in_time_is_read_whole() {
        let server = start(Duration::from_secs(5)).await;
        let mut stream = TcpStream::connect(server.address).await.unwrap();
        let request = "POST /echo HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 5\r\n\
                       connection: close\r\n\r\nhello";

        stream.write_all(request.as_bytes()).await.unwrap();

        let answered = read_to_close(&mut stream).await;
        assert!(answered.starts_with("HTTP/1.1 200 OK"), "{answered}");
        assert!(answered.ends_with("hello"), "{answered}");
    }
}
