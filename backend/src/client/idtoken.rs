//! ID token validation, step by step (OIDC Core §3.1.3.7, and §3.3.2.12 for the hybrid flow).
//!
//! `openidconnect` checks the signature against the provider's JWKS; the claim checks are made
//! here one by one so each is reported with what was expected and what was found.

use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use grantlab_shared::{Check, Param, ProfileView};
use openidconnect::core::{CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet};
use openidconnect::{ClientId, ClientSecret, IssuerUrl, JsonWebKeySetUrl, Nonce};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256, Sha384, Sha512};

use super::http::{Recorder, unix_ms};

/// What the checks compare the ID token against.
pub struct Context<'a> {
    /// The provider profile: issuer, client id, JWKS URI.
    pub profile: &'a ProfileView,
    /// The client secret, for HMAC-signed tokens.
    pub secret: Option<&'a str>,
    /// The nonce sent in the authorization request.
    pub nonce: Option<&'a str>,
    /// The access token that came with it, for `at_hash`.
    pub access_token: Option<&'a str>,
    /// The authorization code that came with it, for `c_hash`.
    pub code: Option<&'a str>,
    /// `max_age` as sent, for the `auth_time` check.
    pub max_age: Option<u64>,
    /// MISCHIEF (issue 6): how many seconds the client's clock runs behind; 0 but in the
    /// clock-skew scenario.
    pub clock_behind: u64,
}

/// How much clock skew the time checks allow, in seconds.
const SKEW: u64 = 300;

/// Runs every check, in the spec's order.
pub async fn validate(recorder: &Recorder<'_>, context: &Context<'_>, raw: &str) -> Vec<Check> {
    let Some((header, claims)) = decode(raw) else {
        return vec![check(
            "id_token.format",
            "OIDC Core §2 (a JWT, RFC 7519 §7.2)",
            false,
            "three base64url parts of JSON",
            "not a decodable JWT",
        )];
    };
    let text = |name: &str| claims.get(name).map(shown).unwrap_or_else(|| "absent".into());
    let client_id = context.profile.client_id.as_str();
    let mut checks = Vec::new();

    // Step 6 (first, as it makes the rest meaningful): the signature, via the JWKS.
    checks.push(signature(recorder, context, raw, &header, &claims).await);

    // Step 2: iss must equal the issuer of the provider's discovery document.
    let issuer = context.profile.endpoints.issuer.clone().unwrap_or_default();
    let iss = claims.get("iss").and_then(Value::as_str).unwrap_or_default();
    checks.push(check(
        "id_token.iss",
        "OIDC Core §3.1.3.7 step 2",
        !issuer.is_empty() && iss == issuer,
        &issuer,
        &text("iss"),
    ));

    // Step 3: aud must contain the client id.
    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    checks.push(check(
        "id_token.aud",
        "OIDC Core §3.1.3.7 step 3",
        audiences.contains(&client_id),
        &format!("contains `{client_id}`"),
        &text("aud"),
    ));

    // Steps 4 and 5: with several audiences azp should be there, and be the client id.
    let azp = claims.get("azp").and_then(Value::as_str);
    let azp_ok = match azp {
        Some(azp) => azp == client_id,
        None => audiences.len() <= 1,
    };
    checks.push(check(
        "id_token.azp",
        "OIDC Core §3.1.3.7 steps 4-5",
        azp_ok,
        &format!("absent with one audience, else `{client_id}`"),
        &text("azp"),
    ));

    // Step 9: exp must be in the future.
    let now = (unix_ms() / 1000).saturating_sub(context.clock_behind);
    let exp = claims.get("exp").and_then(Value::as_u64);
    checks.push(check(
        "id_token.exp",
        "OIDC Core §3.1.3.7 step 9",
        exp.is_some_and(|exp| exp + SKEW > now),
        &format!("after now ({now}), {SKEW} s skew allowed"),
        &text("exp"),
    ));

    // Step 10: iat must be present and not in the future.
    let iat = claims.get("iat").and_then(Value::as_u64);
    checks.push(check(
        "id_token.iat",
        "OIDC Core §3.1.3.7 step 10",
        iat.is_some_and(|iat| iat <= now + SKEW),
        &format!("a time not after now ({now})"),
        &text("iat"),
    ));

    // Step 11: nonce must equal the one sent, compared in constant time.
    let found_nonce = claims.get("nonce").and_then(Value::as_str);
    let nonce_ok = match (context.nonce, found_nonce) {
        (Some(sent), Some(found)) => Nonce::new(sent.to_owned()) == Nonce::new(found.to_owned()),
        (None, None) => true,
        _ => false,
    };
    checks.push(check(
        "id_token.nonce",
        "OIDC Core §3.1.3.7 step 11",
        nonce_ok,
        context.nonce.unwrap_or("absent (none was sent)"),
        &text("nonce"),
    ));

    // Step 13: with max_age sent, auth_time must be there and recent enough.
    if let Some(max_age) = context.max_age {
        let auth_time = claims.get("auth_time").and_then(Value::as_u64);
        let passed = auth_time.is_some_and(|auth_time| auth_time + max_age + SKEW >= now);
        let expected = format!("present, and at most {max_age} s before now ({now})");
        checks.push(check(
            "id_token.auth_time",
            "OIDC Core §3.1.3.7 step 13",
            passed,
            &expected,
            &text("auth_time"),
        ));
    }

    // §3.1.3.8 / §3.3.2.12: at_hash and c_hash, when present, bind the token and the code.
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or_default();
    for (claim, value, spec) in [
        (
            "at_hash",
            context.access_token,
            "OIDC Core §3.1.3.8 and §3.3.2.12 (OPTIONAL in the code flow)",
        ),
        ("c_hash", context.code, "OIDC Core §3.3.2.11 (REQUIRED in the hybrid front channel)"),
    ] {
        let found = claims.get(claim).and_then(Value::as_str);
        let (Some(found), Some(value)) = (found, value) else {
            if found.is_some() {
                checks.push(check(
                    &format!("id_token.{claim}"),
                    spec,
                    false,
                    "a value to compare with",
                    "a claim but nothing to check it against",
                ));
            }
            continue;
        };
        let expected = half_hash(alg, value);
        let passed = expected.as_deref() == Some(found);
        let expected =
            expected.unwrap_or_else(|| format!("a hash for alg `{alg}`, which is unknown here"));
        checks.push(check(&format!("id_token.{claim}"), spec, passed, &expected, found));
    }
    checks
}

/// Step 6: has `openidconnect` verify the signature with every other check switched off.
async fn signature(
    recorder: &Recorder<'_>,
    context: &Context<'_>,
    raw: &str,
    header: &Map<String, Value>,
    claims: &Map<String, Value>,
) -> Check {
    let spec = "OIDC Core §3.1.3.7 steps 6-8 (JWS, RFC 7515)";
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("absent");
    let expected = format!(
        "a valid `{alg}` signature by a key from {}",
        context.profile.endpoints.jwks_uri.as_deref().unwrap_or("the JWKS (no jwks_uri known)")
    );
    let fail = |found: String| check("id_token.signature", spec, false, &expected, &found);

    // The key set: fetched through the recorder; an HMAC token uses the client secret instead.
    let jwks = match &context.profile.endpoints.jwks_uri {
        Some(uri) => {
            let Ok(url) = JsonWebKeySetUrl::new(uri.clone()) else {
                return fail(format!("jwks_uri `{uri}` is not a URL"));
            };
            recorder.label("JWKS (keys to check the ID token)");
            match CoreJsonWebKeySet::fetch_async(&url, recorder).await {
                Ok(jwks) => jwks,
                Err(error) => return fail(format!("the key set could not be read: {error}")),
            }
        }
        None => CoreJsonWebKeySet::new(Vec::new()),
    };

    let token = match CoreIdToken::from_str(raw) {
        Ok(token) => token,
        Err(error) => return fail(format!("not an ID token `openidconnect` can read: {error}")),
    };
    let iss = claims.get("iss").and_then(Value::as_str).unwrap_or("https://absent.invalid");
    let Ok(issuer) = IssuerUrl::new(iss.to_owned()) else {
        return fail(format!("iss `{iss}` is not a URL"));
    };
    let exp = claims.get("exp").and_then(Value::as_i64).unwrap_or(0);
    let at = chrono::DateTime::from_timestamp(exp - 1, 0).unwrap_or_default();
    let verifier = CoreIdTokenVerifier::new_confidential_client(
        ClientId::new(context.profile.client_id.clone()),
        ClientSecret::new(context.secret.unwrap_or_default().to_owned()),
        issuer,
        jwks,
    )
    .allow_any_alg()
    .require_issuer_match(false)
    .require_audience_match(false)
    .set_other_audience_verifier_fn(|_| true)
    .set_time_fn(move || at);

    match token.claims(&verifier, |_: Option<&Nonce>| Ok(())) {
        Ok(_) => {
            let kid = header.get("kid").and_then(Value::as_str).unwrap_or("none");
            check(
                "id_token.signature",
                spec,
                true,
                &expected,
                &format!("valid (`{alg}`, kid `{kid}`)"),
            )
        }
        Err(error) => fail(error.to_string()),
    }
}

/// OIDC Core §3.3.2.12: the token endpoint's ID token names the same `iss` and `sub` as the
/// front channel's.
pub fn same_subject(front: &str, back: &str) -> Check {
    let subject = |raw: &str| {
        decode(raw).map(|(_, claims)| {
            let text = |name: &str| claims.get(name).map(shown).unwrap_or_else(|| "absent".into());
            format!("iss {} sub {}", text("iss"), text("sub"))
        })
    };
    let (front, back) = (subject(front), subject(back));
    let passed = front.is_some() && front == back;
    check(
        "id_token.same_subject",
        "OIDC Core §3.3.2.12: iss and sub equal in both ID tokens",
        passed,
        &front.unwrap_or_else(|| "a decodable front-channel ID token".into()),
        &back.unwrap_or_else(|| "no decodable ID token".into()),
    )
}

/// The JOSE header and the claims of a compact JWS, without checking anything.
pub fn decode(raw: &str) -> Option<(Map<String, Value>, Map<String, Value>)> {
    let mut parts = raw.split('.');
    let (header, payload, _signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let json = |part: &str| -> Option<Map<String, Value>> {
        let bytes = URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
        match serde_json::from_slice(&bytes).ok()? {
            Value::Object(object) => Some(object),
            _ => None,
        }
    };
    Some((json(header)?, json(payload)?))
}

/// A JWT's members as parameters for the browser, values as JSON text.
pub fn members(object: &Map<String, Value>) -> Vec<Param> {
    object
        .iter()
        .map(|(name, value)| Param { name: name.clone(), value: value.to_string() })
        .collect()
}

/// The left half of the token's hash, base64url (OIDC Core §3.1.3.6 for at_hash).
pub fn half_hash(alg: &str, value: &str) -> Option<String> {
    let digest: Vec<u8> = if alg.ends_with("256") {
        Sha256::digest(value.as_bytes()).to_vec()
    } else if alg.ends_with("384") {
        Sha384::digest(value.as_bytes()).to_vec()
    } else if alg.ends_with("512") || alg == "EdDSA" {
        Sha512::digest(value.as_bytes()).to_vec()
    } else {
        return None;
    };
    Some(URL_SAFE_NO_PAD.encode(&digest[..digest.len() / 2]))
}

fn shown(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn check(id: &str, spec: &str, passed: bool, expected: &str, found: &str) -> Check {
    Check {
        id: id.into(),
        spec: spec.into(),
        passed,
        expected: expected.into(),
        found: found.into(),
    }
}

#[cfg(test)]
#[path = "idtoken/tests.rs"]
mod tests;
