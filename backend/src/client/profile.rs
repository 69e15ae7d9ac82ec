//! Provider profiles: the lab provider, presets, discovery (OIDC Discovery §4, falling back to
//! RFC 8414 §3 after a 404) with its problems pointed out, and endpoints entered by hand.
//! Issuers use https; plain http is refused in `--hosted` mode (but for the lab provider's own
//! origin) and accepted locally, where toy providers run on plain http.

use std::path::Path;

use grantlab_shared::{
    Deviation, DiscoveryReport, Endpoints, ProfileChoice, ProfileKind, ProfileSource, ProfileView,
};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use super::ClientState;
use super::error::ClientError;
use super::http::{BODY_CAP, HttpError, Recorder};
use super::state::StoredProfile;

/// A preset from the `--profiles` file: `[{"id", "label", "issuer" | "endpoints",
/// "client_id", "client_secret"?}]`.
#[derive(Clone, Deserialize)]
pub struct Preset {
    /// A short id.
    pub id: String,
    /// A label for people.
    pub label: String,
    /// An issuer to discover at first use.
    #[serde(default)]
    pub issuer: Option<String>,
    /// Or the endpoints themselves.
    #[serde(default)]
    pub endpoints: Option<Endpoints>,
    /// The client id registered there.
    pub client_id: String,
    /// The client secret; never sent to the browser.
    #[serde(default)]
    pub client_secret: Option<String>,
}

/// Reads the presets file.
pub fn load_presets(path: &Path) -> anyhow::Result<Vec<Preset>> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| anyhow::anyhow!("cannot read {}: {error}", path.display()))?;
    serde_json::from_str(&text).map_err(|error| {
        anyhow::anyhow!("{} is not a JSON list of presets: {error}", path.display())
    })
}

impl ClientState {
    /// The lab provider's profile, its endpoints and scopes discovered once and cached.
    pub async fn lab_profile(&self, recorder: &Recorder<'_>) -> Result<ProfileView, ClientError> {
        let cached = self.lab.read().await.clone();
        let (endpoints, scopes) = match cached {
            Some(discovered) => discovered,
            None => {
                let (_, endpoints, scopes) = discover(recorder, &self.site.issuer()).await?;
                *self.lab.write().await = Some((endpoints.clone(), scopes.clone()));
                (endpoints, scopes)
            }
        };
        Ok(self.lab_view(endpoints, scopes))
    }

    /// The lab profile's view around its discovered `endpoints` and `scopes_supported`.
    pub fn lab_view(&self, endpoints: Endpoints, scopes_supported: Vec<String>) -> ProfileView {
        ProfileView {
            id: "lab".into(),
            label: "Grantlab lab provider".into(),
            kind: ProfileKind::Lab,
            endpoints,
            client_id: crate::SANDBOX_CLIENT_ID.into(),
            client_secret_set: true,
            redirect_uri: self.redirect_uri(),
            scopes_supported,
            discovery: None,
        }
    }

    /// The sandbox's redirect URI.
    pub fn redirect_uri(&self) -> String {
        format!("{}/callback", self.site.public_url)
    }

    /// Resolves a learner's choice into a profile to keep in the session.
    pub async fn choose(
        &self,
        recorder: &Recorder<'_>,
        choice: ProfileChoice,
    ) -> Result<Option<StoredProfile>, ClientError> {
        let outside_client = |label: String| -> Result<String, ClientError> {
            choice.client_id.clone().filter(|id| !id.trim().is_empty()).ok_or(
                ClientError::InvalidField {
                    field: "client_id",
                    expected: format!("the client id registered at {label}"),
                },
            )
        };

        match choice.source {
            ProfileSource::Lab => Ok(None),
            ProfileSource::Preset { id } => {
                let preset =
                    self.presets.iter().find(|preset| preset.id == id).ok_or_else(|| {
                        ClientError::InvalidField {
                            field: "source.id",
                            expected: format!(
                                "one of the presets from GET /api/profiles, not `{id}`"
                            ),
                        }
                    })?;
                let (endpoints, discovery) = match (&preset.endpoints, &preset.issuer) {
                    (Some(endpoints), _) => (endpoints.clone(), None),
                    (None, Some(issuer)) => {
                        let (report, endpoints, _) = discover(recorder, issuer).await?;
                        (endpoints, Some(report))
                    }
                    (None, None) => {
                        return Err(anyhow::anyhow!(
                            "preset {id} has neither issuer nor endpoints"
                        ))?;
                    }
                };
                let mut view =
                    self.profile_view(ProfileKind::Preset, &preset.id, endpoints, discovery);
                view.label = preset.label.clone();
                view.client_id = preset.client_id.clone();
                view.client_secret_set = preset.client_secret.is_some();
                Ok(Some(StoredProfile { view, client_secret: preset.client_secret.clone() }))
            }
            ProfileSource::Discovered { ref issuer } => {
                let client_id = outside_client(issuer.clone())?;
                let (report, endpoints, scopes) = discover(recorder, issuer).await?;
                let mut view = self.profile_view(
                    ProfileKind::Discovered,
                    "discovered",
                    endpoints,
                    Some(report),
                );
                view.scopes_supported = scopes;
                Ok(Some(self.outside(view, client_id, choice.client_secret)))
            }
            ProfileSource::Manual { ref endpoints } => {
                let client_id = outside_client(endpoints.authorization_endpoint.clone())?;
                check_url(
                    "source.endpoints.authorization_endpoint",
                    &endpoints.authorization_endpoint,
                )?;
                check_url("source.endpoints.token_endpoint", &endpoints.token_endpoint)?;
                let view =
                    self.profile_view(ProfileKind::Manual, "manual", endpoints.clone(), None);
                Ok(Some(self.outside(view, client_id, choice.client_secret)))
            }
        }
    }

    fn outside(
        &self,
        mut view: ProfileView,
        client_id: String,
        secret: Option<String>,
    ) -> StoredProfile {
        let secret = secret.filter(|secret| !secret.is_empty());
        view.client_id = client_id;
        view.client_secret_set = secret.is_some();
        StoredProfile { view, client_secret: secret }
    }

    fn profile_view(
        &self,
        kind: ProfileKind,
        id: &str,
        endpoints: Endpoints,
        discovery: Option<DiscoveryReport>,
    ) -> ProfileView {
        ProfileView {
            id: id.into(),
            label: endpoints
                .issuer
                .clone()
                .unwrap_or_else(|| endpoints.authorization_endpoint.clone()),
            kind,
            endpoints,
            client_id: String::new(),
            client_secret_set: false,
            redirect_uri: self.redirect_uri(),
            scopes_supported: Vec::new(),
            discovery,
        }
    }
}

/// Checks that a field holds an absolute http(s) URL.
pub fn check_url(field: &'static str, value: &str) -> Result<Url, ClientError> {
    let url = Url::parse(value).map_err(|error| ClientError::InvalidField {
        field,
        expected: format!("an absolute URL ({error}), found `{value}`"),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ClientError::InvalidField {
            field,
            expected: format!("an http or https URL, found scheme `{}`", url.scheme()),
        });
    }
    Ok(url)
}

/// Fetches `{issuer}/.well-known/openid-configuration`, or after a 404 RFC 8414's
/// `/.well-known/oauth-authorization-server`, and reads it leniently: the endpoints, the
/// advertised scopes, and every problem found (OIDC Discovery §3 and §4.3, RFC 8414 §2-3).
/// The report's `url` tells the learner which of the two answered.
pub async fn discover(
    recorder: &Recorder<'_>,
    issuer: &str,
) -> Result<(DiscoveryReport, Endpoints, Vec<String>), ClientError> {
    // Step 1: build the OpenID well-known URL from the issuer (OIDC Discovery §4.1).
    let issuer_url = check_url("source.issuer", issuer)?;
    if let Err(reason) = recorder.outbound().check_url(&issuer_url) {
        let refused = HttpError::Refused { url: issuer.to_owned(), reason };
        return Err(ClientError::from_http("source.issuer", refused));
    }
    if recorder.outbound().plain_http_refused(&issuer_url) {
        return Err(ClientError::InvalidField {
            field: "source.issuer",
            expected: format!(
                "an https issuer (OIDC Discovery §3): hosted mode refuses plain http to other \
                 hosts, found `{issuer}`"
            ),
        });
    }
    let mut url = format!("{}/.well-known/openid-configuration", issuer.trim_end_matches('/'));

    // Step 2: fetch it through the recorder; after a 404, try RFC 8414's URL.
    recorder.label("discovery (OIDC Discovery §4)");
    let mut response = fetch_metadata(recorder, &url).await?;
    let oauth_only = response.status() == http::StatusCode::NOT_FOUND;
    if oauth_only {
        let tried = url;
        url = oauth_metadata_url(&issuer_url);
        recorder.label("discovery (RFC 8414 §3, after a 404 for OpenID's)");
        response = fetch_metadata(recorder, &url).await?;
        if !response.status().is_success() {
            return Err(ClientError::Provider {
                field: "source.issuer",
                message: format!(
                    "no discovery document: {tried} answered HTTP 404 and {url} answered HTTP {}",
                    response.status()
                ),
            });
        }
    }
    let body = String::from_utf8_lossy(response.body()).into_owned();
    if !response.status().is_success() {
        return Err(ClientError::Provider {
            field: "source.issuer",
            message: format!("discovery at {url} answered HTTP {}", response.status()),
        });
    }
    if recorder.last_truncated() {
        return Err(ClientError::Provider {
            field: "source.issuer",
            message: format!(
                "the discovery document at {url} exceeded the 1 MiB cap ({BODY_CAP} bytes); \
                 it was cut there and not read"
            ),
        });
    }
    let document: Value = serde_json::from_str(&body).map_err(|error| ClientError::Provider {
        field: "source.issuer",
        message: format!("the discovery document at {url} is not JSON: {error}"),
    })?;
    refuse_unusable(&url, issuer, &document)?;

    // Step 3: read the endpoints and point out what is missing or wrong.
    let mut problems = Vec::new();
    let text = |name: &str| document.get(name).and_then(Value::as_str).map(str::to_owned);
    let mut required = |name: &str, spec: &str| -> String {
        let found = text(name);
        if found.is_none() {
            problems.push(Deviation {
                field: name.into(),
                expected: format!("a JSON string ({spec})"),
                found: document.get(name).map_or("nothing".into(), described),
                handling: "left empty; the steps that need it will fail".into(),
            });
        }
        found.unwrap_or_default()
    };
    let found_issuer = required("issuer", "REQUIRED, OIDC Discovery §3, RFC 8414 §2");
    let authorization_endpoint = required("authorization_endpoint", "REQUIRED, OIDC Discovery §3");
    let token_endpoint = required("token_endpoint", "REQUIRED unless only implicit, §3");
    // RFC 8414 §2 makes `jwks_uri` optional and knows nothing of subjects or ID tokens.
    let jwks_uri = if oauth_only {
        text("jwks_uri").unwrap_or_default()
    } else {
        required("jwks_uri", "REQUIRED, OIDC Discovery §3")
    };
    let lists: &[&str] = if oauth_only {
        &["response_types_supported"]
    } else {
        &[
            "response_types_supported",
            "subject_types_supported",
            "id_token_signing_alg_values_supported",
        ]
    };
    for name in lists {
        if !document.get(*name).is_some_and(Value::is_array) {
            problems.push(missing_list(name));
        }
    }
    for name in OPTIONAL_ENDPOINTS {
        if let Some(value) = document.get(name).filter(|value| !value.is_string()) {
            problems.push(Deviation {
                field: name.into(),
                expected: "a JSON string holding a URL (OIDC Discovery §3)".into(),
                found: described(value),
                handling: "ignored; the steps that need it will fail".into(),
            });
        }
    }
    for (name, value) in
        [("authorization_endpoint", &authorization_endpoint), ("token_endpoint", &token_endpoint)]
    {
        if value.starts_with("http://") && !is_loopback(value) {
            problems.push(Deviation {
                field: name.into(),
                expected: "an https URL (RFC 6749 §3.1 and §3.2 require TLS)".into(),
                found: value.clone(),
                handling: "kept for the lesson; never use it in production".into(),
            });
        }
    }

    // Step 4: keep the endpoints, the document pretty-printed, and the problems.
    let endpoints = Endpoints {
        issuer: (!found_issuer.is_empty()).then_some(found_issuer),
        authorization_endpoint,
        token_endpoint,
        jwks_uri: (!jwks_uri.is_empty()).then_some(jwks_uri),
        userinfo_endpoint: text("userinfo_endpoint"),
        revocation_endpoint: text("revocation_endpoint"),
        introspection_endpoint: text("introspection_endpoint"),
    };
    let scopes = document
        .get("scopes_supported")
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    let _ = issuer_url;
    let document = kept_document(serde_json::to_string_pretty(&document).unwrap_or(body));
    Ok((DiscoveryReport { url, document, problems }, endpoints, scopes))
}

/// One GET for a metadata document, recorded; any HTTP status is handed back.
async fn fetch_metadata(
    recorder: &Recorder<'_>,
    url: &str,
) -> Result<http::Response<Vec<u8>>, ClientError> {
    let request = http::Request::get(url)
        .header("accept", "application/json")
        .body(Vec::new())
        .map_err(anyhow::Error::from)?;
    recorder.send(request).await.map_err(|error| ClientError::from_http("source.issuer", error))
}

/// RFC 8414 §3's metadata URL: the well-known segment goes between the host and the issuer's
/// path, so `https://a.test/tenant` is described at
/// `https://a.test/.well-known/oauth-authorization-server/tenant`.
fn oauth_metadata_url(issuer: &Url) -> String {
    let path = issuer.path().trim_end_matches('/');
    let mut url = issuer.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.set_path(&format!("/.well-known/oauth-authorization-server{path}"));
    url.to_string()
}

/// Endpoints a discovery document may hold (OIDC Discovery §3, RFC 7009, RFC 7662).
const OPTIONAL_ENDPOINTS: [&str; 3] =
    ["userinfo_endpoint", "revocation_endpoint", "introspection_endpoint"];

/// Refuses a document no profile can come from: an error response, something other than an
/// object, or another issuer than the one asked for (OIDC Discovery §4.3).
fn refuse_unusable(url: &str, issuer: &str, document: &Value) -> Result<(), ClientError> {
    let refuse = |message: String| Err(ClientError::Provider { field: "source.issuer", message });

    // The provider's own error, quoted (RFC 6749 §5.2 style members).
    if let Some(error) = document.get("error") {
        let description = document.get("error_description").map_or("none".into(), described);
        return refuse(format!(
            "discovery at {url} answered an error instead of a document: \
             error {}, error_description {description}",
            described(error)
        ));
    }

    if !document.is_object() {
        return refuse(format!(
            "the discovery document at {url} must be a JSON object (OIDC Discovery §4.2), \
             found {}",
            described(document)
        ));
    }

    // §4.3: the issuer in the document must be identical to the one discovery started from.
    match document.get("issuer").and_then(Value::as_str) {
        Some(found) if found != issuer => refuse(format!(
            "`issuer`: OIDC Discovery §4.3 requires the document's issuer to equal the issuer \
             asked for, exactly `{issuer}`; the document at {url} says `{found}`, so ID tokens \
             from it could not be checked against your issuer: refused"
        )),
        _ => Ok(()),
    }
}

/// A JSON value in words, with its type: what a learner needs to see what went wrong.
fn described(value: &Value) -> String {
    let kind = grantlab_shared::json_kind(value);
    let mut text = value.to_string();
    if text.len() > 200 {
        let mut end = 200;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push_str("...");
    }
    format!("{kind}, `{text}`")
}

/// The most of a discovery document the session keeps; large ones (Keycloak's) are cut.
const KEPT_DOCUMENT: usize = 6 * 1024;

/// The document as kept in the session, cut with a note when too long.
fn kept_document(mut document: String) -> String {
    if document.len() <= KEPT_DOCUMENT {
        return document;
    }
    let total = document.len();
    let mut end = KEPT_DOCUMENT;
    while !document.is_char_boundary(end) {
        end -= 1;
    }
    document.truncate(end);
    document.push_str(&format!("\n[... cut at {end} of {total} bytes; the timeline has more]"));
    document
}

fn missing_list(name: &str) -> Deviation {
    Deviation {
        field: name.into(),
        expected: "a JSON array (REQUIRED, OIDC Discovery §3)".into(),
        found: "nothing, or not an array".into(),
        handling: "ignored".into(),
    }
}

fn is_loopback(url: &str) -> bool {
    Url::parse(url)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
        .is_some_and(|host| host == "localhost" || host.starts_with("127.") || host == "[::1]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_8414_metadata_url_puts_the_well_known_segment_before_the_issuer_path() {
        let url = |issuer: &str| oauth_metadata_url(&Url::parse(issuer).unwrap());

        assert_eq!(
            url("https://a.test/tenant/"),
            "https://a.test/.well-known/oauth-authorization-server/tenant"
        );
        assert_eq!(url("https://a.test"), "https://a.test/.well-known/oauth-authorization-server");
    }

    #[test]
    fn presets_file_is_read_with_endpoints_or_issuer() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let presets = r#"[
            {"id": "corp", "label": "Corp IdP", "issuer": "https://id.corp.example",
             "client_id": "app", "client_secret": "s"},
            {"id": "hand", "label": "By hand", "client_id": "app2", "endpoints": {
                "authorization_endpoint": "https://a.example/authorize",
                "token_endpoint": "https://a.example/token"}}
        ]"#;
        std::fs::write(file.path(), presets).unwrap();

        let read = load_presets(file.path()).unwrap();

        assert_eq!(read.len(), 2);
        assert_eq!(read[0].issuer.as_deref(), Some("https://id.corp.example"));
        assert!(read[1].endpoints.is_some());
    }

    #[test]
    fn a_malformed_presets_file_names_the_file() {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), "{not a list").unwrap();

        let error = load_presets(file.path()).err().map(|e| e.to_string()).unwrap_or_default();

        assert!(error.contains(&file.path().display().to_string()), "{error}");
    }

    #[test]
    fn an_error_document_is_refused_quoting_the_providers_error_and_description() {
        let document = serde_json::json!({"error": "server_error", "error_description": "boom"});

        let error =
            refuse_unusable("http://127.0.0.1:1/d", "http://127.0.0.1:1", &document).unwrap_err();

        assert_eq!(error.status(), axum::http::StatusCode::BAD_GATEWAY);
        let message = error.to_string();
        assert!(message.contains("server_error") && message.contains("boom"), "{message}");
    }

    #[test]
    fn an_issuer_other_than_the_one_asked_for_is_refused_citing_discovery_4_3() {
        let document = serde_json::json!({"issuer": "https://elsewhere.example"});

        let error = refuse_unusable("u", "https://id.example", &document).unwrap_err();

        let message = error.to_string();
        assert!(message.contains("§4.3") && message.contains("`issuer`"), "{message}");
        assert!(message.contains("https://elsewhere.example"), "{message}");
        assert!(refuse_unusable("u", "https://id.example", &serde_json::json!({})).is_ok());
    }

    #[test]
    fn a_value_of_the_wrong_type_is_described_with_its_type() {
        assert_eq!(described(&serde_json::json!(42)), "a number, `42`");
    }

    #[test]
    fn a_url_field_with_another_scheme_is_refused_by_name() {
        let error = check_url("source.issuer", "ftp://id.example").unwrap_err();

        assert!(error.to_string().contains("source.issuer"), "{error}");
    }
}
