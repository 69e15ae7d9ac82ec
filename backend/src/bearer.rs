//! Reading a bearer token off a request (RFC 6750 2.1) and saying why a token shaped like a
//! JWT is not one (RFC 7519 7.2): shared by the sample APIs and the provider's userinfo.

use serde_json::Value;

/// What is wrong with an Authorization header that is not `Bearer <b64token>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BearerSyntax {
    /// The header holds bytes outside visible ASCII and the space.
    NotAscii,
    /// The scheme is not `Bearer`.
    Scheme,
    /// `Bearer` and nothing after it.
    NoToken,
    /// More than one space between the scheme and the token.
    ExtraSpace,
    /// A space inside the token, so two words or more.
    TwoWords,
    /// A character outside the b64token set, or `=` before the end.
    BadCharacter,
}

impl BearerSyntax {
    /// What the check found, in a few words.
    pub fn found(self) -> &'static str {
        match self {
            Self::NotAscii => "bytes outside visible ASCII",
            Self::Scheme => "another scheme than Bearer",
            Self::NoToken => "Bearer without a token",
            Self::ExtraSpace => "more than one space after Bearer",
            Self::TwoWords => "two words after Bearer",
            Self::BadCharacter => "a character outside the b64token set",
        }
    }

    /// Why the header is refused, for the learner.
    pub fn explanation(self) -> &'static str {
        match self {
            Self::NotAscii => "the header holds bytes outside visible ASCII",
            Self::Scheme => "the scheme is not `Bearer` (its case does not matter)",
            Self::NoToken => "no token follows `Bearer`",
            Self::ExtraSpace => "exactly one space must separate `Bearer` from the token",
            Self::TwoWords => "the token is one word: a space inside it makes two",
            Self::BadCharacter => {
                "a b64token holds only letters, digits and `-._~+/`, then optional `=` padding"
            }
        }
    }
}

/// The token of an `Authorization: Bearer <b64token>` header (RFC 6750 2.1): the scheme in
/// any case, one space, then one b64token.
pub fn bearer_credentials(value: &[u8]) -> Result<&str, BearerSyntax> {
    let value = std::str::from_utf8(value).map_err(|_| BearerSyntax::NotAscii)?;
    if !value.bytes().all(|byte| byte == b' ' || byte.is_ascii_graphic()) {
        return Err(BearerSyntax::NotAscii);
    }
    let Some((scheme, token)) = value.split_once(' ') else {
        return Err(if value.eq_ignore_ascii_case("bearer") {
            BearerSyntax::NoToken
        } else {
            BearerSyntax::Scheme
        });
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(BearerSyntax::Scheme);
    }

    // The token itself: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
    if token.trim().is_empty() {
        return Err(BearerSyntax::NoToken);
    }
    if token.starts_with(' ') {
        return Err(BearerSyntax::ExtraSpace);
    }
    if token.contains(' ') {
        return Err(BearerSyntax::TwoWords);
    }
    let body = token.trim_end_matches('=');
    let b64token = |byte: u8| byte.is_ascii_alphanumeric() || b"-._~+/".contains(&byte);
    if body.is_empty() || !body.bytes().all(b64token) {
        return Err(BearerSyntax::BadCharacter);
    }
    Ok(token)
}

/// Which part of a three-part token keeps it from being a JWT (RFC 7519 7.2): each part
/// base64url without padding, the first two JSON objects.
pub fn jwt_fault(token: &str) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return format!("it has {} parts, not 3 (header.payload.signature)", parts.len());
    }
    for (index, name) in ["header", "payload"].into_iter().enumerate() {
        let Ok(bytes) = URL_SAFE_NO_PAD.decode(parts[index]) else {
            return format!("the {name} (part {}) is not base64url", index + 1);
        };
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(header)) if index == 0 => {
                // The header is read first: its `alg` must name a signing algorithm.
                let alg = header.get("alg").and_then(Value::as_str);
                if alg.is_none_or(|alg| alg.parse::<jsonwebtoken::Algorithm>().is_err()) {
                    let found = alg.map_or("none given".to_owned(), |alg| format!("`{alg}`"));
                    return format!("the header (part 1) names no supported `alg`: {found}");
                }
            }
            Ok(Value::Object(_)) => {}
            Ok(_) => return format!("the {name} (part {}) is JSON but not an object", index + 1),
            Err(_) => return format!("the {name} (part {}) does not decode to JSON", index + 1),
        }
    }
    if parts[2].is_empty() || URL_SAFE_NO_PAD.decode(parts[2]).is_err() {
        return "the signature (part 3) is not base64url".to_owned();
    }
    "the header (part 1) lacks a supported `alg` or has a malformed field".to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_credentials_follow_the_b64token_syntax() {
        assert_eq!(bearer_credentials(b"Bearer abc-._~+/=="), Ok("abc-._~+/=="));
        assert_eq!(bearer_credentials(b"BEARER abc"), Ok("abc"));
        assert_eq!(bearer_credentials(b"bearer x y"), Err(BearerSyntax::TwoWords));
        assert_eq!(bearer_credentials(b"Bearer  x"), Err(BearerSyntax::ExtraSpace));
        assert_eq!(bearer_credentials(b"Bearer "), Err(BearerSyntax::NoToken));
        assert_eq!(bearer_credentials(b"Bearer"), Err(BearerSyntax::NoToken));
        assert_eq!(bearer_credentials(b"Basic abc"), Err(BearerSyntax::Scheme));
        assert_eq!(bearer_credentials(b"Bearer a=b"), Err(BearerSyntax::BadCharacter));
        assert_eq!(bearer_credentials(b"Bearer ==="), Err(BearerSyntax::BadCharacter));
        assert_eq!(bearer_credentials(b"Bearer a,b"), Err(BearerSyntax::BadCharacter));
        assert_eq!(bearer_credentials(b"Bearer \xff"), Err(BearerSyntax::NotAscii));
    }

    #[test]
    fn jwt_fault_names_the_part_that_does_not_parse() {
        assert!(jwt_fault("a.b.c").contains("header (part 1)"));
        // {"alg":"RS256"} then a payload that is not base64url.
        assert!(jwt_fault("eyJhbGciOiJSUzI1NiJ9.!!.c").contains("payload (part 2)"));
        // {"alg":"RS256"} and a payload of `{}`, then an empty signature.
        assert!(jwt_fault("eyJhbGciOiJSUzI1NiJ9.e30.").contains("signature (part 3)"));
    }

    #[test]
    fn jwt_fault_blames_a_header_without_a_signing_alg_before_the_rest() {
        // {"alg":"none"} and `{}` with a bad payload after: the header is at fault first.
        let fault = jwt_fault("eyJhbGciOiJub25lIn0.!!.c");
        assert!(fault.contains("header (part 1)") && fault.contains("`none`"), "{fault}");
        // A header of `{}`.
        assert!(jwt_fault("e30.e30.c2ln").contains("none given"));
    }
}
