//! The provider's own login session: a cookie named [`COOKIE`] on path `/idp`, HttpOnly,
//! SameSite=Lax, pointing at server-side state. It is not the sandbox's session cookie.
//!
//! The same cookie also marks a browser that has opened a login form but not logged in yet
//! (a [`Browser`]). Either way the IdP session holds the anti-forgery token that every
//! state-changing form carries and [`check_csrf`] compares in constant time.

use axum::http::header::{COOKIE as COOKIE_HEADER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;

use subtle::ConstantTimeEq;

use super::Provider;
use super::error::ProviderError;
use super::store::{Browser, Consents, Session, digest, random_value};

/// How long a browser that has not logged in keeps its login forms' anti-forgery token.
pub const BROWSER_LIFETIME: u64 = 3_600;

/// The cookie's name.
pub const COOKIE: &str = "grantlab_idp_session";

/// The session the request's cookie points at, with the cookie value's digest.
pub fn current(provider: &Provider, headers: &HeaderMap) -> Option<(String, Session)> {
    let value = cookie_value(headers)?;
    let key = digest(&value);
    let now = provider.now();
    let store = provider.store.lock();
    let session = store.sessions.get(&key).filter(|session| session.expires_at > now)?;
    Some((key, session.clone()))
}

/// Starts a session for `sub` and returns its cookie; the caller ends any previous one.
pub fn start(provider: &Provider, sub: &str) -> Result<(String, HeaderValue), ProviderError> {
    let value = random_value();
    let key = digest(&value);
    let now = provider.now();
    let lifetime = provider.world.provider.session_lifetime;
    let session = Session {
        sub: sub.to_owned(),
        auth_time: now,
        sid: random_value(),
        csrf: random_value(),
        expires_at: now + lifetime,
        consents: Consents::default(),
    };

    let mut store = provider.store.lock();
    store.make_room(now)?;
    store.sessions.insert(key.clone(), session);
    drop(store);

    Ok((key, cookie_header(provider, &value, lifetime)?))
}

/// Ends the IdP session stored under `key`, logged in or not.
pub fn end(provider: &Provider, key: &str) {
    let mut store = provider.store.lock();
    store.sessions.remove(key);
    store.browsers.remove(key);
}

/// The store key of the request's IdP session cookie, whether or not it points at anything.
pub fn key(headers: &HeaderMap) -> Option<String> {
    cookie_value(headers).map(|value| digest(&value))
}

/// The anti-forgery token of the IdP session stored under `key`, logged in or not.
fn csrf_of(provider: &Provider, key: &str) -> Option<String> {
    let now = provider.now();
    let store = provider.store.lock();
    let session = store.sessions.get(key).filter(|session| session.expires_at > now);
    let browser = store.browsers.get(key).filter(|browser| browser.expires_at > now);
    session.map(|session| session.csrf.clone()).or_else(|| browser.map(|b| b.csrf.clone()))
}

/// The anti-forgery token for a form shown to the IdP session under `key`. A browser with no
/// live IdP session gets a new one, and the cookie that names it to set on the response.
pub fn form_token(
    provider: &Provider,
    key: Option<&str>,
) -> Result<(String, Option<HeaderValue>), ProviderError> {
    // 1. A live session, logged in or not, keeps its token.
    if let Some(csrf) = key.and_then(|key| csrf_of(provider, key)) {
        return Ok((csrf, None));
    }

    // 2. Otherwise a new browser session, with its own cookie.
    let value = random_value();
    let now = provider.now();
    let browser = Browser { csrf: random_value(), expires_at: now + BROWSER_LIFETIME };
    let csrf = browser.csrf.clone();
    let mut store = provider.store.lock();
    store.make_room(now)?;
    store.browsers.insert(digest(&value), browser);
    drop(store);
    Ok((csrf, Some(cookie_header(provider, &value, BROWSER_LIFETIME)?)))
}

/// Checks a form's anti-forgery token against the request's IdP session, in constant time.
pub fn check_csrf(
    provider: &Provider,
    headers: &HeaderMap,
    sent: &str,
) -> Result<(), ProviderError> {
    let expected = key(headers).and_then(|key| csrf_of(provider, &key));
    let Some(expected) = expected else {
        return Err(ProviderError::Forged(
            "this browser has no session at the lab provider (cookies off, or it expired)",
        ));
    };
    if sent.is_empty() {
        return Err(ProviderError::Forged("the form carries no anti-forgery token (`csrf`)"));
    }
    if !bool::from(expected.as_bytes().ct_eq(sent.as_bytes())) {
        return Err(ProviderError::Forged(
            "the form's anti-forgery token (`csrf`) does not belong to this browser's session",
        ));
    }
    Ok(())
}

/// The `Set-Cookie` value naming the IdP session `value` for `lifetime` seconds.
fn cookie_header(
    provider: &Provider,
    value: &str,
    lifetime: u64,
) -> Result<HeaderValue, ProviderError> {
    let secure = if provider.secure_cookies { "; Secure" } else { "" };
    let cookie =
        format!("{COOKIE}={value}; Path=/idp; HttpOnly; SameSite=Lax; Max-Age={lifetime}{secure}");
    Ok(HeaderValue::from_str(&cookie).map_err(anyhow::Error::from)?)
}

/// Adds a `Set-Cookie` that clears the session cookie.
pub fn clear_cookie(response: &mut Response) {
    let cookie = format!("{COOKIE}=; Path=/idp; HttpOnly; SameSite=Lax; Max-Age=0");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

/// The value of our cookie in the request's `Cookie` headers.
fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE_HEADER)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_value_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers
            .insert(COOKIE_HEADER, HeaderValue::from_static("a=1; grantlab_idp_session=xyz; b=2"));

        assert_eq!(cookie_value(&headers).as_deref(), Some("xyz"));
    }
}
