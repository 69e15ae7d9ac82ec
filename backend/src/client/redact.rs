//! Keeping the client secret out of everything the learner sees: the timeline, errors, and
//! "copy as curl", where `$CLIENT_SECRET` stands in for it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use grantlab_shared::TimelineEntry;

/// What stands in for the secret, as a shell variable so a copied curl command works.
pub const PLACEHOLDER: &str = "$CLIENT_SECRET";

/// Redacts one client's secret in every form it travels in.
#[derive(Clone, Default)]
pub struct Redactor {
    client_id: String,
    forms: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor").field("client_id", &self.client_id).finish_non_exhaustive()
    }
}

impl Redactor {
    /// A redactor for `client_id`'s `secret` (none for a public client).
    pub fn new(client_id: &str, secret: Option<&str>) -> Self {
        let mut forms = Vec::new();
        if let Some(secret) = secret.filter(|secret| !secret.is_empty()) {
            // The secret as is, form-encoded, and inside the Basic credentials (RFC 6749 §2.3.1
            // form-encodes both parts first; some clients do not).
            let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
            let encoded_id: String =
                url::form_urlencoded::byte_serialize(client_id.as_bytes()).collect();
            forms.push(STANDARD.encode(format!("{encoded_id}:{encoded}")));
            forms.push(STANDARD.encode(format!("{client_id}:{secret}")));
            forms.push(secret.to_owned());
            forms.push(encoded);
            forms.sort_by_key(|form| std::cmp::Reverse(form.len()));
            forms.dedup();
        }
        Self { client_id: client_id.to_owned(), forms }
    }

    /// The same redactor, also redacting `client_id`'s `secret`.
    pub fn also(mut self, client_id: &str, secret: Option<&str>) -> Self {
        let other = Self::new(client_id, secret);
        self.forms.extend(other.forms);
        self.forms.sort_by_key(|form| std::cmp::Reverse(form.len()));
        self.forms.dedup();
        self
    }

    /// `text` with every form of the secret replaced by the placeholder.
    pub fn redact(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for form in &self.forms {
            if text.contains(form.as_str()) {
                text = text.replace(form.as_str(), PLACEHOLDER);
            }
        }
        text
    }

    /// A request header's value, with Basic credentials shown decoded and redacted.
    pub fn header(&self, name: &str, value: &[u8]) -> String {
        let value = String::from_utf8_lossy(value);
        if let Some(credentials) = basic_credentials(name, &value) {
            return format!("Basic base64({})", self.redact(&credentials));
        }
        self.redact(&value)
    }
}

/// The decoded `user:password` of an `Authorization: Basic` header.
fn basic_credentials(name: &str, value: &str) -> Option<String> {
    if !name.eq_ignore_ascii_case("authorization") {
        return None;
    }
    let encoded = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))?;
    let decoded = STANDARD.decode(encoded.trim()).ok()?;
    String::from_utf8(decoded).ok()
}

/// The entry's request as a `curl` command; the secret stays a shell variable.
pub fn curl(entry: &TimelineEntry) -> String {
    let mut command = format!("curl -X {} {}", entry.method, quote(&entry.url));
    for header in &entry.request_headers {
        if let Some(credentials) = header
            .value
            .strip_prefix("Basic base64(")
            .and_then(|rest| rest.strip_suffix(')'))
            .filter(|_| header.name.eq_ignore_ascii_case("authorization"))
        {
            // Show the pair as curl sends it; curl does the base64 encoding.
            command.push_str(&format!(" --user {}", quote(credentials)));
            continue;
        }
        command.push_str(&format!(" -H {}", quote(&format!("{}: {}", header.name, header.value))));
    }
    if let Some(body) = &entry.request_body {
        command.push_str(&format!(" --data-raw {}", quote(body)));
    }
    command
}

/// Single-quotes for a POSIX shell, leaving the placeholder outside so it expands.
fn quote(text: &str) -> String {
    let quoted = format!("'{}'", text.replace('\'', r"'\''"));
    quoted.replace(PLACEHOLDER, &format!("'\"{PLACEHOLDER}\"'"))
}

#[cfg(test)]
mod tests {
    use grantlab_shared::{Channel, Param};

    use crate::client::http::request_entry;

    use super::*;

    const SECRET: &str = "s3cr3t+/=value";

    fn entry(headers: Vec<Param>, body: &str) -> TimelineEntry {
        let url = "https://id.example/token".to_owned();
        let label = "token request".to_owned();
        let mut entry =
            request_entry(Channel::Back, label, "POST", url, headers, Some(body.into()));
        entry.id = 1;
        entry.at_ms = 0;
        entry
    }

    #[test]
    fn secret_is_redacted_raw_and_form_encoded() {
        let redactor = Redactor::new("app", Some(SECRET));
        let body = "client_id=app&client_secret=s3cr3t%2B%2F%3Dvalue&x=s3cr3t+/=value";

        let redacted = redactor.redact(body);

        assert!(!redacted.contains("s3cr3t"), "{redacted}");
        assert_eq!(redacted, "client_id=app&client_secret=$CLIENT_SECRET&x=$CLIENT_SECRET");
    }

    #[test]
    fn basic_credentials_are_decoded_and_redacted() {
        let redactor = Redactor::new("app", Some(SECRET));
        let encoded = STANDARD.encode("app:s3cr3t%2B%2F%3Dvalue");

        let shown = redactor.header("Authorization", format!("Basic {encoded}").as_bytes());

        assert_eq!(shown, "Basic base64(app:$CLIENT_SECRET)");
    }

    #[test]
    fn the_base64_credentials_are_redacted_anywhere() {
        let redactor = Redactor::new("app", Some(SECRET));
        let encoded = STANDARD.encode(format!("app:{SECRET}"));

        let redacted = redactor.redact(&format!("echo: {encoded}"));

        assert_eq!(redacted, "echo: $CLIENT_SECRET");
    }

    #[test]
    fn curl_uses_the_placeholder_as_a_shell_variable() {
        let header = Param {
            name: "authorization".into(),
            value: "Basic base64(app:$CLIENT_SECRET)".into(),
        };

        let command = curl(&entry(vec![header], "grant_type=authorization_code&code=it's"));

        assert_eq!(
            command,
            "curl -X POST 'https://id.example/token' --user 'app:'\"$CLIENT_SECRET\"'' \
             --data-raw 'grant_type=authorization_code&code=it'\\''s'"
        );
    }

    #[test]
    fn debug_output_shows_no_secret() {
        let redactor = Redactor::new("app", Some(SECRET));

        assert!(!format!("{redactor:?}").contains("s3cr3t"));
    }
}
