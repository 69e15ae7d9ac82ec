//! The provider's own login session: a cookie named [`COOKIE`] on path `/idp`, HttpOnly,
//! SameSite=Lax, pointing at server-side state. It is not the sandbox's session cookie.

use axum::http::header::{COOKIE as COOKIE_HEADER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;

use super::Provider;
use super::error::ProviderError;
use super::store::{Session, digest, random_value};

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
    };

    let mut store = provider.store.lock();
    store.make_room(now)?;
    store.sessions.insert(key.clone(), session);
    drop(store);

    let secure = if provider.secure_cookies { "; Secure" } else { "" };
    let cookie =
        format!("{COOKIE}={value}; Path=/idp; HttpOnly; SameSite=Lax; Max-Age={lifetime}{secure}");
    let header = HeaderValue::from_str(&cookie).map_err(anyhow::Error::from)?;
    Ok((key, header))
}

/// Ends the session stored under `key`.
pub fn end(provider: &Provider, key: &str) {
    provider.store.lock().sessions.remove(key);
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
