//! Provider profiles: which authorization server the sandbox's client talks to, and how.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where a profile's endpoints came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileKind {
    /// The embedded lab provider at `{public_url}/idp`, with the sandbox's own client.
    Lab,
    /// A preset from the host's `--profiles` file.
    Preset,
    /// Read from an issuer's discovery document (OIDC Discovery §4, RFC 8414 §3).
    Discovered,
    /// Endpoints entered by hand.
    Manual,
}

/// A provider's endpoints. Only the authorization and token endpoints are needed for the
/// code flow; the rest unlock their features.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoints {
    /// `issuer` (OIDC Discovery §3): what `iss` in the ID token must equal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    /// `authorization_endpoint` (RFC 6749 §3.1).
    pub authorization_endpoint: String,
    /// `token_endpoint` (RFC 6749 §3.2).
    pub token_endpoint: String,
    /// `jwks_uri` (OIDC Discovery §3): the keys that sign ID tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// `userinfo_endpoint` (OIDC Core §5.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo_endpoint: Option<String>,
    /// `revocation_endpoint` (RFC 7009 §2, advertised per RFC 8414 §2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
    /// `introspection_endpoint` (RFC 7662 §2, advertised per RFC 8414 §2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint: Option<String>,
}

/// A profile as the browser sees it. The client secret is never here: only whether one is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileView {
    /// A stable id: `lab`, a preset's name, `discovered` or `manual`.
    pub id: String,
    /// A label for people.
    pub label: String,
    /// Where the endpoints came from.
    pub kind: ProfileKind,
    /// The endpoints in use.
    pub endpoints: Endpoints,
    /// The client id registered at this provider (RFC 6749 §2.2).
    pub client_id: String,
    /// Whether a client secret is set. The secret itself stays in the backend.
    pub client_secret_set: bool,
    /// The redirect URI to register at the provider: the sandbox's `{public_url}/callback`.
    pub redirect_uri: String,
    /// Scopes the provider advertises (`scopes_supported`), when known.
    #[serde(default)]
    pub scopes_supported: Vec<String>,
    /// For a discovered profile: the document and what is wrong with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discovery: Option<DiscoveryReport>,
}

/// `GET /api/profiles`: the profiles a learner can pick, the current one marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileList {
    /// The lab provider first, then the host's presets.
    pub profiles: Vec<ProfileView>,
    /// The id of the profile the session uses.
    pub current: String,
}

/// `PUT /api/profile`: choose a provider for this session.
///
/// The client secret is posted once and never sent back; `Debug` redacts it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProfileChoice {
    /// How to find the provider.
    pub source: ProfileSource,
    /// The client id at an outside provider. Ignored for the lab provider and presets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The client secret at an outside provider: write-only. Leave it out for a public client.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

impl fmt::Debug for ProfileChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileChoice")
            .field("source", &self.source)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// Where a chosen profile's endpoints come from: `{"kind": "manual", "endpoints": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "SourceFields")]
pub enum ProfileSource {
    /// The embedded lab provider.
    Lab,
    /// A preset by its id.
    Preset {
        /// The preset's id from `GET /api/profiles`.
        id: String,
    },
    /// Fetch `{issuer}/.well-known/openid-configuration`, or after a 404 RFC 8414's
    /// `/.well-known/oauth-authorization-server`; the report's `url` says which answered.
    Discovered {
        /// The issuer identifier, an https URL; plain http is refused in `--hosted` mode (but
        /// for the lab provider) and accepted locally.
        issuer: String,
    },
    /// Endpoints given by hand.
    Manual {
        /// The endpoints.
        endpoints: Endpoints,
    },
}

/// A [`ProfileSource`] as read: one flat object. serde buffers an internally tagged enum's
/// members before it picks the variant, which loses their path, so a wrong type inside would
/// be blamed on `source` alone and a stray member would pass unseen; read flat, each is named
/// (`source.endpoints.token_endpoint`).
#[derive(Deserialize)]
struct SourceFields {
    kind: ProfileKind,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    endpoints: Option<Endpoints>,
}

impl TryFrom<SourceFields> for ProfileSource {
    type Error = String;

    /// Each kind takes its one member and no other's. A missing one reads as serde's own
    /// "missing field" so that the API's error names it.
    fn try_from(fields: SourceFields) -> Result<Self, String> {
        let SourceFields { kind, id, issuer, endpoints } = fields;
        let (name, needs) = match kind {
            ProfileKind::Lab => ("lab", None),
            ProfileKind::Preset => ("preset", Some("id")),
            ProfileKind::Discovered => ("discovered", Some("issuer")),
            ProfileKind::Manual => ("manual", Some("endpoints")),
        };
        let given = [
            ("id", id.is_some()),
            ("issuer", issuer.is_some()),
            ("endpoints", endpoints.is_some()),
        ];
        if let Some((stray, _)) = given.iter().find(|(member, set)| *set && Some(*member) != needs)
        {
            return Err(format!("`{stray}` is not a member of a `{name}` source"));
        }

        let missing = || format!("missing field `{}` for a `{name}` source", needs.unwrap_or(""));
        Ok(match kind {
            ProfileKind::Lab => Self::Lab,
            ProfileKind::Preset => Self::Preset { id: id.ok_or_else(missing)? },
            ProfileKind::Discovered => Self::Discovered { issuer: issuer.ok_or_else(missing)? },
            ProfileKind::Manual => Self::Manual { endpoints: endpoints.ok_or_else(missing)? },
        })
    }
}

/// A discovery document as fetched, with the problems found in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscoveryReport {
    /// The URL the document was fetched from.
    pub url: String,
    /// The document, pretty-printed JSON (or the raw body when it is not JSON).
    pub document: String,
    /// What the document lacks or gets wrong, each with the rule it breaks.
    pub problems: Vec<Deviation>,
}

/// Something a provider sent that bends a spec: which field, what came, what the spec wants,
/// and what the sandbox did about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deviation {
    /// The field or part at fault, such as `expires_in` or `content-type`.
    pub field: String,
    /// What the spec expects, with its section, such as "a JSON number (RFC 6749 §5.1)".
    pub expected: String,
    /// What the provider sent (shortened when long).
    pub found: String,
    /// What the sandbox did: "read as 3599 seconds", "kept the previous refresh token".
    pub handling: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_choice_debug_redacts_the_client_secret() {
        let choice = ProfileChoice {
            source: ProfileSource::Lab,
            client_id: Some("app".into()),
            client_secret: Some("hunter2-do-not-print".into()),
        };

        let printed = format!("{choice:?}");

        assert!(!printed.contains("hunter2"), "{printed}");
    }

    #[test]
    fn profile_source_is_tagged_by_kind() {
        let source: ProfileSource =
            serde_json::from_str(r#"{"kind": "discovered", "issuer": "https://id.example"}"#)
                .unwrap();

        assert_eq!(source, ProfileSource::Discovered { issuer: "https://id.example".into() });
    }

    #[test]
    fn every_source_reads_back_what_it_writes() {
        let endpoints = Endpoints {
            authorization_endpoint: "https://id.example/authorize".into(),
            token_endpoint: "https://id.example/token".into(),
            ..Endpoints::default()
        };
        let sources = [
            ProfileSource::Lab,
            ProfileSource::Preset { id: "auth0".into() },
            ProfileSource::Discovered { issuer: "https://id.example".into() },
            ProfileSource::Manual { endpoints },
        ];

        for source in sources {
            let written = serde_json::to_string(&source).unwrap();
            let read: ProfileSource = serde_json::from_str(&written).unwrap();
            assert_eq!(read, source, "{written}");
        }
    }

    #[test]
    fn a_member_of_another_kind_is_refused_by_name() {
        let read = serde_json::from_str::<ProfileSource>(
            r#"{"kind": "lab", "issuer": "https://id.example"}"#,
        );

        let error = read.unwrap_err().to_string();
        assert!(error.starts_with("`issuer` is not a member of a `lab` source"), "{error}");
    }

    #[test]
    fn a_missing_member_reads_as_serde_s_missing_field() {
        let read = serde_json::from_str::<ProfileSource>(r#"{"kind": "preset"}"#);

        let error = read.unwrap_err().to_string();
        assert!(error.starts_with("missing field `id` for a `preset` source"), "{error}");
    }
}
