//! Our page for a request line past 64 KiB. hyper refuses such a request itself, before any
//! route runs, with a bare `414 URI Too Long` and no body, and offers no hook to change it; a
//! browser landing on `/callback` with a huge query would show a blank page. [`LongUriPage`]
//! wraps a connection, spots that one answer as hyper writes it, and writes ours instead.
//!
//! hyper's answer is told apart from ours by its head: `414` with `content-length: 0`. Every
//! 414 of our own carries a page, so it is never replaced.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::csp;

/// The status line hyper's own refusal starts with.
const BARE_STATUS: &[u8] = b"HTTP/1.1 414 URI Too Long\r\n";

/// The header that marks it as bodiless, in hyper's lower case.
const EMPTY_BODY: &[u8] = b"\r\ncontent-length: 0\r\n";

/// The longest request line hyper reads, in KiB (`http::Uri`'s limit).
const HYPER_LIMIT_KIB: usize = 64;

/// A connection whose bare `414` from hyper is replaced by our page.
pub struct LongUriPage<S> {
    inner: S,
    /// Our page, still to write, and how much of it is written.
    pending: Option<(Vec<u8>, usize)>,
}

impl<S> LongUriPage<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        Self { inner, pending: None }
    }
}

/// Whether `buf` is hyper's bare 414 head; any other write costs one prefix comparison.
fn is_bare_414(buf: &[u8]) -> bool {
    if !buf.starts_with(BARE_STATUS) {
        return false;
    }
    let head_end = buf.windows(4).position(|window| window == b"\r\n\r\n");
    let head = &buf[..head_end.map_or(buf.len(), |at| at + 2)];
    head.windows(EMPTY_BODY.len()).any(|window| window == EMPTY_BODY)
}

/// Our whole answer: the page, under the same policy as the callback's pages, then close.
fn page() -> Vec<u8> {
    let html = format!(
        "<!doctype html><html lang=en><meta charset=utf-8><title>URL too long</title>\
         <link rel=icon href=\"data:,\"><h1>URL too long</h1><p role=alert>This URL is longer \
         than {HYPER_LIMIT_KIB} KiB, the most this server reads, so no page could answer it. \
         At the redirect URI, an authorization response (RFC 6749 \u{a7}4.1.2) holds a code, \
         state and iss: a few hundred bytes; a query this long is not one.</p>\
         <p><a href=\"/\">Back to the workbench</a></p>"
    );
    let policy = csp::app_policy(&[]);
    let policy = policy.to_str().unwrap_or("default-src 'none'");
    let head = format!(
        "HTTP/1.1 414 URI Too Long\r\ncontent-type: text/html; charset=utf-8\r\n\
         content-length: {}\r\ncontent-security-policy: {policy}\r\ncache-control: no-store\r\n\
         x-content-type-options: nosniff\r\nreferrer-policy: no-referrer\r\n\
         connection: close\r\n\r\n",
        html.len()
    );
    [head.into_bytes(), html.into_bytes()].concat()
}

impl<S: AsyncWrite + Unpin> LongUriPage<S> {
    /// Writes what is left of our page, if any.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = &mut self.pending {
            if *written == bytes.len() {
                self.pending = None;
                break;
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(()))
    }

    /// Swaps hyper's bare 414 for our page; `true` when it did.
    fn replace(&mut self, first: &[u8]) -> bool {
        if !is_bare_414(first) {
            return false;
        }
        tracing::debug!("request line over {HYPER_LIMIT_KIB} KiB; answering our 414 page");
        self.pending = Some((page(), 0));
        true
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for LongUriPage<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for LongUriPage<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        if this.replace(buf) {
            // hyper's bytes count as written; ours go out now or at the flush.
            let _ = this.poll_pending(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        if bufs.first().is_some_and(|first| this.replace(first)) {
            let _ = this.poll_pending(cx)?;
            return Poll::Ready(Ok(bufs.iter().map(|buf| buf.len()).sum()));
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_pending(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hypers_bodiless_414_is_replaced() {
        let bare = b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let ours = b"HTTP/1.1 414 URI Too Long\r\ncontent-length: 120\r\n\r\n<html>";
        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";

        assert!(is_bare_414(bare));
        assert!(!is_bare_414(ours));
        assert!(!is_bare_414(ok));
    }

    #[test]
    fn the_page_is_one_whole_response_with_its_policy() {
        let page = String::from_utf8(page()).unwrap();
        let (head, body) = page.split_once("\r\n\r\n").unwrap();

        assert!(head.contains(&format!("content-length: {}", body.len())));
        assert!(head.contains("content-security-policy: "));
        assert!(body.contains("64 KiB"));
    }
}
