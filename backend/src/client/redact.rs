//! Keeping the client secret out of everything the learner sees: the timeline, errors, and
//! "copy as curl", where `$CLIENT_SECRET` stands in for it.
//!
//! Where the client put the secret (the `client_secret` form field, the password of Basic
//! credentials, a `client_assertion`) it is masked by position, whatever its text. Elsewhere
//! (responses, URLs, other fields) only an echo is masked, and only when a match cannot be an
//! accident: a secret the server holds (the sandbox's, a host preset's, the lab machine
//! client's) is masked at any length, and one the learner typed only from
//! [`MIN_ECHO_MASKED`] characters on, so `secret` never turns `client_secret` into noise.
//! Masking only touches what is stored and shown; every check reads the real bytes.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use grantlab_shared::TimelineEntry;

/// What stands in for the secret, as a shell variable so a copied curl command works.
pub const PLACEHOLDER: &str = "$CLIENT_SECRET";

/// What stands in for a `client_assertion` (RFC 7523 §2.2), also a shell variable.
pub const ASSERTION_PLACEHOLDER: &str = "$CLIENT_ASSERTION";

/// The shortest typed secret whose echoes are masked: 16 characters rarely match by accident.
pub const MIN_ECHO_MASKED: usize = 16;

/// The form fields that carry the client's credentials, and what stands in for each.
const CREDENTIAL_FIELDS: [(&str, &str); 2] =
    [("client_secret", PLACEHOLDER), ("client_assertion", ASSERTION_PLACEHOLDER)];

/// Redacts clients' secrets in every form they travel in.
#[derive(Clone, Default)]
pub struct Redactor {
    client_id: String,
    /// The texts an echo is masked in, longest first.
    forms: Vec<String>,
    /// Whether a typed secret is too short for its echoes to be masked.
    short_typed: bool,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor").field("client_id", &self.client_id).finish_non_exhaustive()
    }
}

impl Redactor {
    /// A redactor for `client_id`'s `secret`, one the server holds (none for a public client).
    pub fn new(client_id: &str, secret: Option<&str>) -> Self {
        Self { client_id: client_id.to_owned(), ..Self::default() }.also(client_id, secret)
    }

    /// The same redactor, also masking echoes of `client_id`'s `secret`, held by the server.
    pub fn also(mut self, client_id: &str, secret: Option<&str>) -> Self {
        if let Some(secret) = secret.filter(|secret| !secret.is_empty()) {
            self.forms.extend(forms(client_id, secret));
            self.forms.sort_by_key(|form| std::cmp::Reverse(form.len()));
            self.forms.dedup();
        }
        self
    }

    /// The same redactor, also redacting the `secret` a learner typed for `client_id`: its
    /// echoes only from [`MIN_ECHO_MASKED`] characters on.
    pub fn typed(self, client_id: &str, secret: Option<&str>) -> Self {
        match secret.filter(|secret| !secret.is_empty()) {
            Some(secret) if secret.chars().count() < MIN_ECHO_MASKED => {
                Self { short_typed: true, ..self }
            }
            secret => self.also(client_id, secret),
        }
    }

    /// `text`, written by someone else, with every echo of a secret replaced.
    pub fn redact(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for form in &self.forms {
            if text.contains(form.as_str()) {
                text = text.replace(form.as_str(), PLACEHOLDER);
            }
        }
        text
    }

    /// A request header's value, with Basic credentials shown decoded and the password masked.
    pub fn header(&self, name: &str, value: &[u8]) -> String {
        let value = String::from_utf8_lossy(value);
        match basic_credentials(name, &value) {
            Some((user, _password)) => {
                format!("Basic base64({}:{PLACEHOLDER})", self.redact(&user))
            }
            None => self.redact(&value),
        }
    }

    /// A form body (`application/x-www-form-urlencoded`) with the credential fields masked
    /// and echoes masked in the others; the text is otherwise kept byte for byte.
    pub fn form(&self, body: &str) -> String {
        let fields = body.split('&').map(|field| {
            let name = field.split('=').next().unwrap_or_default();
            let name: String =
                url::form_urlencoded::parse(name.as_bytes()).map(|(name, _)| name).collect();
            match CREDENTIAL_FIELDS.iter().find(|(field_name, _)| *field_name == name) {
                Some((name, placeholder)) => format!("{name}={placeholder}"),
                None => self.redact(field),
            }
        });
        fields.collect::<Vec<_>>().join("&")
    }

    /// What the timeline says when a typed secret's echoes are left as they are.
    pub fn note(&self) -> Option<String> {
        self.short_typed.then(|| {
            format!(
                "the client secret you typed is shorter than {MIN_ECHO_MASKED} characters: it \
                 is masked where the client sends it, but an echo in other text is not, since \
                 such a short text can match by accident"
            )
        })
    }
}

/// The texts a secret can be echoed in: as is, form-encoded, and inside the Basic credentials
/// (RFC 6749 §2.3.1 form-encodes both parts first; some clients do not).
fn forms(client_id: &str, secret: &str) -> [String; 4] {
    let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let encoded_id: String = url::form_urlencoded::byte_serialize(client_id.as_bytes()).collect();
    [
        STANDARD.encode(format!("{encoded_id}:{encoded}")),
        STANDARD.encode(format!("{client_id}:{secret}")),
        secret.to_owned(),
        encoded,
    ]
}

/// The decoded user and password of an `Authorization: Basic` header.
fn basic_credentials(name: &str, value: &str) -> Option<(String, String)> {
    if !name.eq_ignore_ascii_case("authorization") {
        return None;
    }
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(encoded.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
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
            // Known shortcoming: the client form-encodes id and secret before base64 (RFC 6749
            // 2.3.1) and curl does not, so a typed secret with `&`, `+` or `%` must be put in
            // CLIENT_SECRET already form-encoded (the secrets this server makes never need it):
            // encoding it in the shell would need a tool the learner may not have.
            command.push_str(&format!(" --user {}", quote(credentials)));
            continue;
        }
        command.push_str(&format!(" -H {}", quote(&format!("{}: {}", header.name, header.value))));
    }
    if let Some(body) = &entry.request_body {
        command.push_str(&data_options(body));
    }
    command
}

/// The body as curl options: a masked credential field goes through `--data-urlencode`, so
/// a secret holding `&` or `+` is sent right; the rest is sent raw, in the same order.
fn data_options(body: &str) -> String {
    let mut options = String::new();
    let mut raw: Vec<&str> = Vec::new();
    let flush = |raw: &mut Vec<&str>, options: &mut String| {
        if !raw.is_empty() {
            options.push_str(&format!(" --data-raw {}", quote(&raw.join("&"))));
            raw.clear();
        }
    };
    for field in body.split('&') {
        let masked = CREDENTIAL_FIELDS
            .iter()
            .any(|(name, placeholder)| field == format!("{name}={placeholder}"));
        if masked {
            flush(&mut raw, &mut options);
            options.push_str(&format!(" --data-urlencode {}", quote(field)));
        } else {
            raw.push(field);
        }
    }
    flush(&mut raw, &mut options);
    options
}

/// Single-quotes for a POSIX shell, leaving the placeholders outside so they expand.
fn quote(text: &str) -> String {
    let mut quoted = format!("'{}'", text.replace('\'', r"'\''"));
    for placeholder in [PLACEHOLDER, ASSERTION_PLACEHOLDER] {
        quoted = quoted.replace(placeholder, &format!("'\"{placeholder}\"'"));
    }
    quoted
}

#[cfg(test)]
mod tests {
    use grantlab_shared::{Channel, Param};

    use crate::client::http::request_entry;

    use super::*;

    const SECRET: &str = "s3cr3t+/=value&more";

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
    fn a_held_secret_is_masked_raw_and_form_encoded_in_echoes() {
        let redactor = Redactor::new("app", Some(SECRET));
        let text = "echo s3cr3t%2B%2F%3Dvalue%26more and s3cr3t+/=value&more";

        let redacted = redactor.redact(text);

        assert_eq!(redacted, "echo $CLIENT_SECRET and $CLIENT_SECRET");
    }

    #[test]
    fn the_client_secret_field_is_masked_by_position_and_nothing_else_is_rewritten() {
        let redactor = Redactor::new("sandbox", Some("a-long-sandbox-secret-value"))
            .typed("lab-machine", Some("e"));
        let body = "grant_type=client_credentials&client_id=lab-machine&client_secret=e";

        let shown = redactor.form(body);

        assert_eq!(
            shown,
            "grant_type=client_credentials&client_id=lab-machine&client_secret=$CLIENT_SECRET"
        );
        assert_eq!(redactor.redact("/idp/token"), "/idp/token");
        assert!(redactor.note().is_some_and(|note| note.contains("not")));
    }

    #[test]
    fn a_long_typed_secret_is_masked_in_echoes_too() {
        let redactor = Redactor::default().typed("app", Some(SECRET));

        assert_eq!(redactor.redact(&format!("echo {SECRET}")), "echo $CLIENT_SECRET");
        assert_eq!(redactor.note(), None);
    }

    #[test]
    fn a_client_assertion_is_masked_with_its_own_placeholder() {
        let redactor = Redactor::default();

        let shown = redactor.form("client_assertion=eyJ.eyJ.sig&grant_type=x");

        assert_eq!(shown, "client_assertion=$CLIENT_ASSERTION&grant_type=x");
    }

    #[test]
    fn basic_credentials_are_decoded_and_the_password_masked_whatever_it_is() {
        let redactor = Redactor::default().typed("app", Some("e"));
        let encoded = STANDARD.encode("app:e");

        let shown = redactor.header("Authorization", format!("Basic {encoded}").as_bytes());

        assert_eq!(shown, "Basic base64(app:$CLIENT_SECRET)");
    }

    #[test]
    fn the_basic_scheme_is_read_in_any_case() {
        let redactor = Redactor::default().typed("app", Some("e"));
        let encoded = STANDARD.encode("app:e");

        let shown = redactor.header("authorization", format!("BASIC {encoded}").as_bytes());

        assert!(!shown.contains(&encoded), "{shown}");
        assert!(shown.contains("$CLIENT_SECRET"), "{shown}");
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
    fn curl_form_encodes_the_posted_secret() {
        let body = "grant_type=client_credentials&client_secret=$CLIENT_SECRET&scope=a";

        let command = curl(&entry(Vec::new(), body));

        assert_eq!(
            command,
            "curl -X POST 'https://id.example/token' \
             --data-raw 'grant_type=client_credentials' \
             --data-urlencode 'client_secret='\"$CLIENT_SECRET\"'' --data-raw 'scope=a'"
        );
    }

    #[test]
    fn debug_output_shows_no_secret() {
        let redactor = Redactor::new("app", Some(SECRET));

        assert!(!format!("{redactor:?}").contains("s3cr3t"));
    }
}
