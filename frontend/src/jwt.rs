//! Reading a JWT the way a debugger does: split, base64url-decode, parse, and explain each claim.
//!
//! This never verifies a signature; the backend does that (OIDC Core §3.1.3.7) and reports each
//! step. The workbench only shows what a token says.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use grantlab_shared::json_kind;
use serde_json::{Map, Value};

/// A JWT split into its parts (RFC 7519 §3), header and payload parsed, signature kept as text.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedJwt {
    /// The JOSE header (`alg`, `kid`, `typ`).
    pub header: Map<String, Value>,
    /// The claims set.
    pub payload: Map<String, Value>,
    /// The third part, still base64url-encoded.
    pub signature: String,
}

/// Why a string could not be read as a JWT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwtError {
    /// A JWS in compact form has exactly three dot-separated parts.
    PartCount(usize),
    /// A part is not base64url (RFC 7515 §2).
    Base64 { part: &'static str },
    /// A part decodes, but not to a JSON object.
    Json { part: &'static str, message: String },
}

impl std::fmt::Display for JwtError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::PartCount(found) => {
                write!(f, "expected 3 parts separated by `.`, found {found}: this is not a JWT")
            }
            Self::Base64 { part } => write!(f, "the {part} is not base64url"),
            Self::Json { part, message } => write!(f, "the {part} is not a JSON object: {message}"),
        }
    }
}

/// Splits and decodes `token` without checking its signature.
pub fn decode(token: &str) -> Result<DecodedJwt, JwtError> {
    // Step 1: compact serialization, three parts (RFC 7515 §7.1).
    let parts: Vec<&str> = token.trim().split('.').collect();
    let [header, payload, signature] = parts[..] else {
        return Err(JwtError::PartCount(parts.len()));
    };

    // Step 2: each of the first two parts is a base64url-encoded JSON object.
    let header = decode_part(header, "header")?;
    let payload = decode_part(payload, "payload")?;

    Ok(DecodedJwt { header, payload, signature: signature.to_owned() })
}

fn decode_part(part: &str, name: &'static str) -> Result<Map<String, Value>, JwtError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| JwtError::Base64 { part: name })?;

    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => {
            Err(JwtError::Json { part: name, message: format!("found {}", json_kind(&other)) })
        }
        Err(error) => Err(JwtError::Json { part: name, message: error.to_string() }),
    }
}

/// Where a claim comes in the workbench's tables: the registered claims in the order a
/// validator reads them, then the rest by name.
pub fn claim_rank(name: &str) -> usize {
    const ORDER: [&str; 18] = [
        "alg",
        "kid",
        "typ",
        "iss",
        "sub",
        "aud",
        "azp",
        "client_id",
        "scope",
        "exp",
        "iat",
        "nbf",
        "auth_time",
        "nonce",
        "at_hash",
        "c_hash",
        "sid",
        "jti",
    ];
    ORDER.iter().position(|known| *known == name).unwrap_or(ORDER.len())
}

/// The claims of `map` in [`claim_rank`] order, ties by name.
pub fn ordered(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut claims: Vec<_> = map.iter().collect();
    claims.sort_by_key(|(name, _)| (claim_rank(name), name.as_str()));
    claims
}

/// Whether a claim holds a NumericDate (seconds since the epoch, RFC 7519 §2).
pub fn is_time_claim(name: &str) -> bool {
    matches!(name, "exp" | "iat" | "nbf" | "auth_time" | "updated_at")
}

/// What a claim or header parameter means, and which spec defines it.
pub fn explain(name: &str) -> Option<(&'static str, &'static str)> {
    let explained = match name {
        // JOSE header (RFC 7515 §4.1, RFC 9068 §2.1).
        "alg" => ("The algorithm that signed the token.", "RFC 7515 §4.1.1"),
        "kid" => ("Which key of the issuer's JWKS verifies the signature.", "RFC 7515 §4.1.4"),
        "typ" => (
            "The token's media type: at+jwt marks an access token, never an ID token.",
            "RFC 9068 §2.1",
        ),

        // Registered claims (RFC 7519 §4.1).
        "iss" => {
            ("Who issued the token; must equal the provider's issuer exactly.", "RFC 7519 §4.1.1")
        }
        "sub" => ("The user, as an identifier stable at this issuer.", "RFC 7519 §4.1.2"),
        "aud" => (
            "Who the token is for: the client for an ID token, an API for an access token.",
            "RFC 7519 §4.1.3",
        ),
        "exp" => ("After this time the token must be refused.", "RFC 7519 §4.1.4"),
        "nbf" => ("Before this time the token must be refused.", "RFC 7519 §4.1.5"),
        "iat" => ("When the token was issued.", "RFC 7519 §4.1.6"),
        "jti" => ("A unique id for this token, so a replay can be spotted.", "RFC 7519 §4.1.7"),

        // ID token claims (OIDC Core §2 and §3.3.2.11).
        "auth_time" => ("When the user last actually logged in.", "OIDC Core §2"),
        "nonce" => (
            "The value the client sent; a match proves the token answers this request.",
            "OIDC Core §2",
        ),
        "azp" => {
            ("The client the token was issued to, when it has several audiences.", "OIDC Core §2")
        }
        "at_hash" => {
            ("Half a hash of the access token, binding the two together.", "OIDC Core §3.1.3.6")
        }
        "c_hash" => ("Half a hash of the code, binding it to the ID token.", "OIDC Core §3.3.2.11"),
        "sid" => ("The provider's login session, used for logout.", "OIDC Front-Channel Logout §3"),
        "acr" => ("How strongly the user was authenticated.", "OIDC Core §2"),
        "amr" => ("Which methods authenticated the user (password, otp).", "OIDC Core §2"),

        // Access token claims (RFC 9068 §2.2).
        "client_id" => ("The client the access token was issued to.", "RFC 9068 §2.2"),
        "scope" => ("The permissions granted, separated by spaces.", "RFC 9068 §2.2.3"),

        // Standard profile claims (OIDC Core §5.1).
        "name" => ("The user's full name, for display.", "OIDC Core §5.1"),
        "given_name" => ("The user's first name.", "OIDC Core §5.1"),
        "family_name" => ("The user's last name.", "OIDC Core §5.1"),
        "preferred_username" => ("A short name; not unique, never a key.", "OIDC Core §5.1"),
        "email" => ("The user's email address; not a stable identifier.", "OIDC Core §5.1"),
        "email_verified" => ("Whether the provider checked the email address.", "OIDC Core §5.1"),
        "locale" => ("The user's language and region.", "OIDC Core §5.1"),
        "updated_at" => ("When the profile last changed.", "OIDC Core §5.1"),
        "picture" => ("A URL of the user's picture.", "OIDC Core §5.1"),
        _ => return None,
    };
    Some(explained)
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    fn encode(json: &str) -> String {
        URL_SAFE_NO_PAD.encode(json)
    }

    #[wasm_bindgen_test]
    fn decode_reads_header_and_payload() {
        let token = format!(
            "{}.{}.c2ln",
            encode(r#"{"alg":"RS256","kid":"k1"}"#),
            encode(r#"{"sub":"alice","exp":1700000000}"#)
        );

        let jwt = decode(&token).unwrap();

        assert_eq!(jwt.header["kid"], "k1");
        assert_eq!(jwt.payload["sub"], "alice");
        assert_eq!(jwt.signature, "c2ln");
    }

    #[wasm_bindgen_test]
    fn decode_refuses_an_opaque_token() {
        let error = decode("2YotnFZFEjr1zCsicMWpAA").unwrap_err();

        assert_eq!(error, JwtError::PartCount(1));
        assert!(error.to_string().contains("not a JWT"));
    }

    #[wasm_bindgen_test]
    fn decode_names_the_part_that_is_not_base64url() {
        let token = format!("{}.!!!.sig", encode(r#"{"alg":"none"}"#));

        assert_eq!(decode(&token).unwrap_err(), JwtError::Base64 { part: "payload" });
    }

    #[wasm_bindgen_test]
    fn decode_refuses_a_payload_that_is_not_an_object() {
        let token = format!("{}.{}.sig", encode(r#"{"alg":"none"}"#), encode("[1,2]"));

        let error = decode(&token).unwrap_err();

        assert_eq!(error, JwtError::Json { part: "payload", message: "found an array".into() });
    }

    #[wasm_bindgen_test]
    fn every_id_token_claim_is_explained() {
        let claims = ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "azp", "at_hash"];

        for claim in claims {
            assert!(explain(claim).is_some(), "{claim} has no explanation");
        }
    }

    #[wasm_bindgen_test]
    fn claims_are_ordered_as_a_validator_reads_them() {
        let payload =
            serde_json::json!({"name": "A", "exp": 2, "iss": "i", "email": "e", "aud": "a"});
        let Value::Object(map) = payload else { unreachable!("a JSON object") };

        let names: Vec<&str> = ordered(&map).into_iter().map(|(name, _)| name.as_str()).collect();

        assert_eq!(names, ["iss", "aud", "exp", "email", "name"]);
    }

    #[wasm_bindgen_test]
    fn time_claims_are_recognised() {
        assert!(is_time_claim("exp") && is_time_claim("auth_time"));
        assert!(!is_time_claim("sub"));
    }
}
