//! The `claims` request parameter (OIDC Core 5.5): single claims asked for by name, for the
//! ID token and/or the userinfo answer, released on top of what the scopes give (5.5.1).
//!
//! Only the names this provider can release are kept, per target, as `'static` names: a
//! grant is copied into every code and token record, so it must stay small. Unknown names
//! are dropped as the spec says; `essential`, `value` and `values` are checked for shape and
//! then read only for `sub` (5.5.1: a requested `sub` value picks the user).

use grantlab_shared::json_kind;
use serde_json::{Map, Value};

use super::world::User;

/// The user claims the account record can give (OIDC Core 5.1), in release order.
pub const USER_CLAIMS: [&str; 6] =
    ["name", "given_name", "family_name", "preferred_username", "email", "email_verified"];

/// The claims a scope stands for (OIDC Core 5.4).
pub fn of_scope(scope: &str) -> &'static [&'static str] {
    match scope {
        "profile" => &USER_CLAIMS[..4],
        "email" => &USER_CLAIMS[4..],
        _ => &[],
    }
}

/// What a user claim is, in the words of the consent and account pages.
pub fn describe(name: &str) -> &'static str {
    match name {
        "name" => "your full name",
        "given_name" => "your given name",
        "family_name" => "your family name",
        "preferred_username" => "your username",
        "email" => "your email address",
        "email_verified" => "whether your email address is verified",
        _ => "a detail of your account",
    }
}

/// The longest `claims` value read, in bytes.
const MAX_LEN: usize = 4096;

/// The user claims a request asked for by name, per target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Requested {
    /// Asked for in the ID token.
    pub id_token: Box<[&'static str]>,
    /// Asked for at the userinfo endpoint.
    pub userinfo: Box<[&'static str]>,
}

impl Requested {
    /// The same request without `names`: a refresh that drops a scope drops the claims that
    /// only that scope had let through.
    pub fn without(&self, names: &[&str]) -> Self {
        let keep = |asked: &[&'static str]| {
            asked.iter().filter(|name| !names.contains(name)).copied().collect()
        };
        Self { id_token: keep(&self.id_token), userinfo: keep(&self.userinfo) }
    }
}

/// A `claims` parameter, read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimsRequest {
    /// The releasable claims asked for.
    pub requested: Requested,
    /// The `value` asked of `sub` in the ID token: only that user may get tokens (5.5.1).
    pub subject: Option<String>,
}

/// Reads a `claims` parameter; the error names the member at fault and what was expected.
pub fn parse(raw: &str) -> Result<ClaimsRequest, String> {
    // 1. A JSON object of bounded size (OIDC Core 5.5).
    if raw.len() > MAX_LEN {
        return Err(format!("`claims` is longer than {MAX_LEN} bytes"));
    }
    let parsed: Value = serde_json::from_str(raw)
        .map_err(|error| format!("`claims` must be a JSON object (OIDC Core 5.5): {error}"))?;
    let Value::Object(members) = parsed else {
        return Err(format!("`claims` must be a JSON object, found {}", json_kind(&parsed)));
    };

    // 2. Each target an object of claim requests; other members are ignored (5.5).
    let mut request = ClaimsRequest::default();
    for target in ["userinfo", "id_token"] {
        let Some(asked) = members.get(target) else { continue };
        let Value::Object(asked) = asked else {
            return Err(format!(
                "`claims.{target}` must be an object of claim names, found {}",
                json_kind(asked)
            ));
        };
        let names = read_target(target, asked)?;
        match target {
            "userinfo" => request.requested.userinfo = names,
            _ => request.requested.id_token = names,
        }
    }

    // 3. A `sub` value for the ID token names the only user who may answer (5.5.1).
    let sub = members.get("id_token").and_then(|asked| asked.get("sub"));
    if let Some(value) = sub.and_then(|sub| sub.get("value")) {
        let Value::String(value) = value else {
            return Err(format!(
                "`claims.id_token.sub.value` must be a string, found {}",
                json_kind(value)
            ));
        };
        request.subject = Some(value.clone());
    }
    Ok(request)
}

/// Checks one target's claim requests; returns the releasable names asked, in release order.
fn read_target(target: &str, asked: &Map<String, Value>) -> Result<Box<[&'static str]>, String> {
    for (name, request) in asked {
        let at = |member: &str| format!("`claims.{target}.{name}{member}`");
        let request = match request {
            Value::Null => continue,
            Value::Object(request) => request,
            other => {
                let found = json_kind(other);
                return Err(format!("{} must be null or an object, found {found}", at("")));
            }
        };
        if let Some(essential) = request.get("essential").filter(|value| !value.is_boolean()) {
            let found = json_kind(essential);
            return Err(format!("{} must be true or false, found {found}", at(".essential")));
        }
        if let Some(values) = request.get("values").filter(|value| !value.is_array()) {
            let found = json_kind(values);
            return Err(format!("{} must be an array, found {found}", at(".values")));
        }
    }
    let names = USER_CLAIMS.iter().filter(|name| asked.contains_key(**name));
    Ok(names.copied().collect())
}

/// The claim `name` from `user`'s account record; `None` when the record lacks it (an empty
/// value), and `email_verified` only beside an email.
pub fn of_user(user: &User, name: &str) -> Option<Value> {
    let text = |value: &str| (!value.is_empty()).then(|| Value::from(value));
    match name {
        "name" => text(&user.name),
        "given_name" => text(&user.given_name),
        "family_name" => text(&user.family_name),
        "preferred_username" => text(&user.username),
        "email" => text(&user.email),
        "email_verified" => text(&user.email).map(|_| Value::from(user.email_verified)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(raw: &str) -> Requested {
        parse(raw).unwrap().requested
    }

    #[test]
    fn claims_go_to_the_target_that_asked_for_them() {
        let requested = names(r#"{"id_token":{"email":null},"userinfo":{"given_name":null}}"#);

        assert_eq!(&*requested.id_token, ["email"]);
        assert_eq!(&*requested.userinfo, ["given_name"]);
    }

    #[test]
    fn unknown_claims_and_members_are_ignored_oidc_core_5_5() {
        let raw = r#"{"id_token":{"phone_number":null,"name":{"essential":true}},"x":1}"#;

        let requested = names(raw);

        assert_eq!(&*requested.id_token, ["name"]);
        assert!(requested.userinfo.is_empty());
    }

    #[test]
    fn each_name_is_kept_once_in_release_order() {
        let requested = names(r#"{"userinfo":{"email":null,"name":{},"email":null}}"#);

        assert_eq!(&*requested.userinfo, ["name", "email"]);
    }

    #[test]
    fn malformed_json_is_refused_naming_the_parameter() {
        let error = parse(r#"{"id_token":"#).unwrap_err();

        assert!(error.starts_with("`claims` must be a JSON object"), "{error}");
    }

    #[test]
    fn wrong_shapes_are_refused_naming_the_member_and_what_was_expected() {
        let cases = [
            (r#"["email"]"#, "`claims` must be a JSON object, found an array"),
            (r#"{"userinfo":["email"]}"#, "`claims.userinfo` must be an object"),
            (r#"{"id_token":{"email":true}}"#, "`claims.id_token.email` must be null or an"),
            (
                r#"{"id_token":{"email":{"essential":"yes"}}}"#,
                "`claims.id_token.email.essential` must be true or false, found a string",
            ),
            (
                r#"{"userinfo":{"name":{"values":"Alice"}}}"#,
                "`claims.userinfo.name.values` must be an array, found a string",
            ),
            (r#"{"id_token":{"sub":{"value":7}}}"#, "`claims.id_token.sub.value` must be a string"),
        ];

        for (raw, expected) in cases {
            let error = parse(raw).unwrap_err();

            assert!(error.starts_with(expected), "{raw}: {error}");
        }
    }

    #[test]
    fn an_overlong_claims_value_is_refused() {
        let raw = format!(r#"{{"userinfo":{{"{}":null}}}}"#, "n".repeat(MAX_LEN));

        assert!(parse(&raw).unwrap_err().contains("longer than"));
    }

    #[test]
    fn a_sub_value_for_the_id_token_is_kept_as_the_subject() {
        let request = parse(r#"{"id_token":{"sub":{"value":"lab|bob-77d2a0"}}}"#).unwrap();

        assert_eq!(request.subject.as_deref(), Some("lab|bob-77d2a0"));
        assert!(request.requested.id_token.is_empty(), "sub is always in the ID token");
    }

    #[test]
    fn a_claim_the_account_lacks_is_absent() {
        let text = "username = \"dan\"\npassword = \"p\"\nsub = \"lab|dan\"\nname = \"Dan\"\n";
        let user: User = toml::from_str(text).unwrap();

        assert_eq!(of_user(&user, "name"), Some(Value::from("Dan")));
        assert_eq!(of_user(&user, "email"), None);
        assert_eq!(of_user(&user, "email_verified"), None);
        assert_eq!(of_user(&user, "phone_number"), None);
    }
}
