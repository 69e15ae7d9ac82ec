//! Client authentication at the token, revocation and introspection endpoints:
//! `client_secret_basic` and `client_secret_post` (RFC 6749 2.3.1), secrets compared in
//! constant time.

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::Provider;
use super::error::ProviderError;
use super::world::Client;

/// The form parameters of a back-channel request, with repeated names refused.
pub struct Params(pub Vec<(String, String)>);

impl Params {
    /// The one value of `name`; a repeated parameter is an `invalid_request` (RFC 6749 3.2).
    pub fn get(&self, name: &str) -> Result<Option<&str>, ProviderError> {
        let mut values = self.0.iter().filter(|(key, _)| key == name);
        let first = values.next().map(|(_, value)| value.as_str());
        if values.next().is_some() {
            return Err(ProviderError::token("invalid_request", format!("`{name}` is repeated")));
        }
        Ok(first.filter(|value| !value.is_empty()))
    }

    /// Every non-empty value of `name`, for the parameters that may repeat (RFC 8707 `resource`).
    pub fn all(&self, name: &str) -> Vec<&str> {
        super::authorize::all(&self.0, name)
    }

    /// The value of `name`, which must be present.
    pub fn require(&self, name: &str) -> Result<&str, ProviderError> {
        self.get(name)?
            .ok_or_else(|| ProviderError::token("invalid_request", format!("`{name}` is missing")))
    }
}

/// Authenticates the client by HTTP Basic or by `client_id` + `client_secret` in the body.
pub fn authenticate<'p>(
    provider: &'p Provider,
    headers: &HeaderMap,
    params: &Params,
) -> Result<&'p Client, ProviderError> {
    let basic = basic_credentials(headers)?;
    let body_id = params.get("client_id")?;
    let body_secret = params.get("client_secret")?;
    let used_basic = basic.is_some();
    let refuse = |description: &str| ProviderError::Token {
        code: "invalid_client",
        description: description.to_owned(),
        basic: used_basic,
    };

    // 1. Exactly one method (RFC 6749 2.3).
    let (client_id, secret) = match (basic, body_secret) {
        (Some(_), Some(_)) => {
            return Err(ProviderError::token(
                "invalid_request",
                "the client authenticated twice, with Basic and in the body; use one method",
            ));
        }
        (Some((id, secret)), None) => {
            if body_id.is_some_and(|body_id| body_id != id) {
                return Err(ProviderError::token(
                    "invalid_request",
                    "`client_id` in the body differs from the one in the Basic header",
                ));
            }
            (id, secret)
        }
        (None, Some(secret)) => match body_id {
            Some(id) => (id.to_owned(), secret.to_owned()),
            None => return Err(refuse("`client_secret` was sent without `client_id`")),
        },
        (None, None) => {
            return Err(refuse(
                "no client authentication: every lab client is confidential; send its secret \
                 with HTTP Basic or as `client_secret`",
            ));
        }
    };

    // 2. A known client with that secret; the comparison takes the same time either way.
    let client = provider.world.client(&client_id);
    let expected = client.map(|client| client.client_secret.secret().as_str()).unwrap_or("");
    let matches: bool =
        Sha256::digest(expected.as_bytes()).ct_eq(&Sha256::digest(secret.as_bytes())).into();
    match client {
        Some(client) if matches => Ok(client),
        _ => Err(refuse("client authentication failed: unknown client or wrong secret")),
    }
}

/// The client id and secret of an `Authorization: Basic` header, form-decoded.
fn basic_credentials(headers: &HeaderMap) -> Result<Option<(String, String)>, ProviderError> {
    let Some(value) = headers.get(AUTHORIZATION) else { return Ok(None) };
    let malformed = || ProviderError::Token {
        code: "invalid_client",
        description: "the Basic header is not base64(client_id:client_secret)".to_owned(),
        basic: true,
    };
    let value = value.to_str().map_err(|_| malformed())?;
    let Some(encoded) = value.strip_prefix("Basic ") else { return Ok(None) };

    let decoded = STANDARD.decode(encoded.trim()).map_err(|_| malformed())?;
    let decoded = String::from_utf8(decoded).map_err(|_| malformed())?;
    let (id, secret) = decoded.split_once(':').ok_or_else(malformed)?;

    // RFC 6749 2.3.1: both parts are form-urlencoded before joining.
    let decode = |part: &str| {
        url::form_urlencoded::parse(format!("x={part}").as_bytes())
            .next()
            .map(|(_, value)| value.into_owned())
            .unwrap_or_default()
    };
    Ok(Some((decode(id), decode(secret))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn basic_credentials_are_form_decoded() {
        let mut headers = HeaderMap::new();
        let encoded = STANDARD.encode("my%20app:p%3Ass+word");
        headers.insert(AUTHORIZATION, HeaderValue::from_str(&format!("Basic {encoded}")).unwrap());

        let (id, secret) = basic_credentials(&headers).unwrap().unwrap();

        assert_eq!(id, "my app");
        assert_eq!(secret, "p:ss word");
    }

    #[test]
    fn repeated_parameter_is_invalid_request() {
        let params = Params(vec![("code".into(), "a".into()), ("code".into(), "b".into())]);

        let error = params.get("code").unwrap_err();

        assert!(matches!(error, ProviderError::Token { code: "invalid_request", .. }));
    }
}
