//! The lab world: the APIs, users and clients the provider knows, read from a scenario TOML.
//!
//! The built-in world is `backend/scenarios/default.toml`, embedded at build time;
//! `--scenario path` replaces it. [`World::load`] checks every field once and names the field
//! at fault, so a workshop host's typo fails at start, not in the middle of a lesson.

use std::collections::{BTreeMap, HashSet};

use anyhow::{Context, bail};
use oauth2::{ClientSecret, CsrfToken};
use serde::Deserialize;
use url::Url;

use crate::{SANDBOX_CLIENT_ID, Site};

/// The scenario built into the binary.
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.toml");

/// The shortest lifetime a scenario may set, in seconds: Lab 2 shows refresh with 10 s tokens.
pub const MIN_LIFETIME: u64 = 10;

/// The OpenID Connect scopes the provider knows besides the APIs' permissions.
pub const OIDC_SCOPES: [&str; 4] = ["openid", "profile", "email", "offline_access"];

/// The whole lab world, checked.
#[derive(Debug, Clone)]
pub struct World {
    /// Provider-wide settings.
    pub provider: ProviderSettings,
    /// The protected APIs (resource servers).
    pub apis: Vec<Api>,
    /// The people who can log in.
    pub users: Vec<User>,
    /// The registered applications.
    pub clients: Vec<Client>,
}

/// Provider-wide settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSettings {
    /// How long an authorization code stays redeemable. Default 60 s (RFC 6749 4.1.2 advises
    /// at most ten minutes; shorter narrows the window for a stolen code).
    #[serde(default = "default_code_lifetime")]
    pub code_lifetime: u64,
    /// How long a login at the provider lasts. Default 8 hours.
    #[serde(default = "default_session_lifetime")]
    pub session_lifetime: u64,
}

/// A protected API, as an authorization server registers it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Api {
    /// The name shown on the consent page.
    pub name: String,
    /// The identifier: the `audience` / `resource` a client names, and the token's `aud`.
    pub identifier: String,
    /// The permissions (scopes) the API defines.
    pub permissions: Vec<String>,
    /// Whether refresh tokens may be issued for this API. Default false.
    #[serde(default)]
    pub allow_offline_access: bool,
    /// Whether a user only gets the permissions they hold. Default true; turning it off lets
    /// any user get any permission the client asks for.
    #[serde(default = "yes")]
    pub role_based_access: bool,
    /// Access token lifetime in seconds. Default 600.
    #[serde(default = "default_access_token_lifetime")]
    pub access_token_lifetime: u64,
    /// The client this API uses when it calls another API itself (trusted subsystem).
    #[serde(default)]
    pub client_id: Option<String>,
}

/// A person who can log in at the provider.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// The login name.
    pub username: String,
    /// The password, shown on the login page: this is a lab.
    pub password: String,
    /// The stable subject identifier (`sub`).
    pub sub: String,
    /// Full name (`profile` scope).
    pub name: String,
    /// Given name (`profile` scope); left out, the account lacks the claim.
    #[serde(default)]
    pub given_name: String,
    /// Family name (`profile` scope); left out, the account lacks the claim.
    #[serde(default)]
    pub family_name: String,
    /// Email address (`email` scope); left out, the account lacks the claim.
    #[serde(default)]
    pub email: String,
    /// Whether the email address was verified (`email` scope).
    #[serde(default)]
    pub email_verified: bool,
    /// The API permissions this user holds (role-based access).
    #[serde(default)]
    pub permissions: Vec<String>,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User").field("username", &self.username).field("sub", &self.sub).finish()
    }
}

/// A registered client (application).
#[derive(Debug, Clone)]
pub struct Client {
    /// The client identifier.
    pub client_id: String,
    /// The client secret; every lab client is confidential. `Debug` redacts it.
    pub client_secret: ClientSecret,
    /// The name shown on the consent page.
    pub name: String,
    /// The registered redirect URIs, matched exactly.
    pub redirect_uris: Vec<String>,
    /// Where RP-initiated logout may send the browser back to, matched exactly.
    pub post_logout_redirect_uris: Vec<String>,
    /// The grants this client may use.
    pub grant_types: Vec<String>,
    /// The response types this client may ask for (`code`, `code id_token`).
    pub response_types: Vec<String>,
    /// Whether an authorization request must carry a PKCE challenge. Default true.
    pub require_pkce: bool,
    /// ID token lifetime in seconds.
    pub id_token_lifetime: u64,
    /// Lifetime of an opaque access token (no API named), in seconds.
    pub opaque_token_lifetime: u64,
    /// A refresh token unused this long expires.
    pub refresh_idle_lifetime: u64,
    /// A refresh token family expires this long after the login, used or not.
    pub refresh_absolute_lifetime: u64,
    /// Whether each refresh returns a new refresh token and retires the old one. Default true;
    /// without rotation a stolen refresh token stays usable until it expires.
    pub rotate_refresh_tokens: bool,
    /// Client credentials grants: API identifier to the permissions this client may get.
    pub grants: BTreeMap<String, Vec<String>>,
    /// Whether a client credentials request that names no API gets an opaque access token,
    /// good only at introspection, instead of `invalid_request`. Default false (an API is
    /// required); on, the client holds tokens that no API accepts and userinfo refuses.
    pub opaque_token_without_api: bool,
}

impl Client {
    /// Whether the client may use `grant_type`.
    pub fn allows_grant(&self, grant_type: &str) -> bool {
        self.grant_types.iter().any(|grant| grant == grant_type)
    }
}

impl World {
    /// Reads the scenario (`--scenario` or the built-in one) and checks it for `site`.
    pub fn load(site: &Site) -> anyhow::Result<Self> {
        match &site.config.scenario {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the scenario {}", path.display()))?;
                Self::parse(&text, site).with_context(|| format!("scenario {}", path.display()))
            }
            None => Self::parse(DEFAULT_SCENARIO, site).context("the built-in scenario"),
        }
    }

    /// Parses and checks a scenario's text.
    pub fn parse(text: &str, site: &Site) -> anyhow::Result<Self> {
        let raw: RawWorld = toml::from_str(text)?;

        let provider = raw.provider.unwrap_or_else(ProviderSettings::defaults);
        check_lifetime("provider.code_lifetime", provider.code_lifetime)?;
        check_lifetime("provider.session_lifetime", provider.session_lifetime)?;

        let apis = raw.apis;
        let mut identifiers = HashSet::new();
        for (index, api) in apis.iter().enumerate() {
            let at = format!("apis[{index}]");
            if !identifiers.insert(api.identifier.as_str()) {
                bail!("{at}.identifier: `{}` is used twice", api.identifier);
            }
            check_lifetime(&format!("{at}.access_token_lifetime"), api.access_token_lifetime)?;
            if api.permissions.iter().any(|permission| permission.contains(' ')) {
                bail!("{at}.permissions: a permission is a single word, with no space");
            }
        }
        let known_permission = |permission: &str| {
            apis.iter().any(|api| api.permissions.iter().any(|known| known == permission))
        };

        let mut usernames = HashSet::new();
        for (index, user) in raw.users.iter().enumerate() {
            let at = format!("users[{index}]");
            if !usernames.insert(user.username.as_str()) {
                bail!("{at}.username: `{}` is used twice", user.username);
            }
            if let Some(unknown) = user.permissions.iter().find(|p| !known_permission(p)) {
                bail!("{at}.permissions: `{unknown}` is not a permission of any API");
            }
        }

        let mut clients = Vec::new();
        for (index, raw_client) in raw.clients.into_iter().enumerate() {
            let client = raw_client.check(&format!("clients[{index}]"), site, &apis)?;
            if clients.iter().any(|known: &Client| known.client_id == client.client_id) {
                bail!("clients[{index}].client_id: `{}` is used twice", client.client_id);
            }
            clients.push(client);
        }
        if !clients.iter().any(|client| client.client_id == SANDBOX_CLIENT_ID) {
            bail!("clients: the sandbox's own client `{SANDBOX_CLIENT_ID}` is missing");
        }
        for (index, api) in apis.iter().enumerate() {
            if let Some(id) = &api.client_id
                && !clients.iter().any(|client| &client.client_id == id)
            {
                bail!("apis[{index}].client_id: no client `{id}` is registered");
            }
        }

        // Settings that weaken security are lessons, and say so loudly.
        for api in apis.iter().filter(|api| !api.role_based_access) {
            tracing::warn!(api = %api.identifier, "role-based access is off");
        }
        for client in &clients {
            if !client.require_pkce {
                tracing::warn!(client_id = %client.client_id, "PKCE is optional for this client");
            }
            if !client.rotate_refresh_tokens {
                tracing::warn!(client_id = %client.client_id, "refresh token rotation is off");
            }
        }

        Ok(Self { provider, apis, users: raw.users, clients })
    }

    /// The registered client `client_id`.
    pub fn client(&self, client_id: &str) -> Option<&Client> {
        self.clients.iter().find(|client| client.client_id == client_id)
    }

    /// The API whose identifier is `identifier`.
    pub fn api(&self, identifier: &str) -> Option<&Api> {
        self.apis.iter().find(|api| api.identifier == identifier)
    }

    /// The user who logs in as `username`.
    pub fn user(&self, username: &str) -> Option<&User> {
        self.users.iter().find(|user| user.username == username)
    }

    /// The user whose subject identifier is `sub`.
    pub fn user_by_sub(&self, sub: &str) -> Option<&User> {
        self.users.iter().find(|user| user.sub == sub)
    }
}

impl ProviderSettings {
    fn defaults() -> Self {
        Self {
            code_lifetime: default_code_lifetime(),
            session_lifetime: default_session_lifetime(),
        }
    }
}

/// The scenario file as written, before the checks.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorld {
    provider: Option<ProviderSettings>,
    #[serde(default)]
    apis: Vec<Api>,
    #[serde(default)]
    users: Vec<User>,
    #[serde(default)]
    clients: Vec<RawClient>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClient {
    client_id: String,
    client_secret: Option<String>,
    name: String,
    #[serde(default)]
    redirect_uris: Vec<String>,
    #[serde(default)]
    post_logout_redirect_uris: Vec<String>,
    grant_types: Vec<String>,
    #[serde(default)]
    response_types: Vec<String>,
    #[serde(default = "yes")]
    require_pkce: bool,
    #[serde(default = "default_id_token_lifetime")]
    id_token_lifetime: u64,
    #[serde(default = "default_access_token_lifetime")]
    opaque_token_lifetime: u64,
    #[serde(default = "default_refresh_idle_lifetime")]
    refresh_idle_lifetime: u64,
    #[serde(default = "default_refresh_absolute_lifetime")]
    refresh_absolute_lifetime: u64,
    #[serde(default = "yes")]
    rotate_refresh_tokens: bool,
    #[serde(default)]
    grants: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    opaque_token_without_api: bool,
}

impl RawClient {
    /// Checks one client entry; `at` names it in errors, as `clients[2]`.
    fn check(self, at: &str, site: &Site, apis: &[Api]) -> anyhow::Result<Client> {
        let client_secret = match (self.client_id == SANDBOX_CLIENT_ID, self.client_secret) {
            (true, Some(_)) => {
                bail!("{at}.client_secret: the sandbox's secret comes from --client-secret")
            }
            (true, None) => site.client_secret.clone(),
            (false, Some(secret)) => ClientSecret::new(secret),
            // 32 random bytes, base64url, as for the sandbox's default secret.
            (false, None) => ClientSecret::new(CsrfToken::new_random_len(32).secret().clone()),
        };

        for grant in &self.grant_types {
            if !["authorization_code", "refresh_token", "client_credentials"].contains(&&**grant) {
                bail!(
                    "{at}.grant_types: `{grant}` is not one of authorization_code, \
                       refresh_token, client_credentials"
                );
            }
        }
        for response_type in &self.response_types {
            if !["code", "code id_token"].contains(&&**response_type) {
                bail!("{at}.response_types: `{response_type}` is not `code` or `code id_token`");
            }
        }
        let expand = |uris: Vec<String>, field: &str| -> anyhow::Result<Vec<String>> {
            uris.into_iter()
                .map(|uri| {
                    let uri = uri.replace("{public_url}", &site.public_url);
                    let parsed = Url::parse(&uri)
                        .with_context(|| format!("{at}.{field}: `{uri}` is not an absolute URL"))?;
                    if parsed.fragment().is_some() {
                        bail!("{at}.{field}: `{uri}` has a fragment (RFC 6749 3.1.2)");
                    }
                    Ok(uri)
                })
                .collect()
        };
        let redirect_uris = expand(self.redirect_uris, "redirect_uris")?;
        let post_logout_redirect_uris =
            expand(self.post_logout_redirect_uris, "post_logout_redirect_uris")?;

        check_lifetime(&format!("{at}.id_token_lifetime"), self.id_token_lifetime)?;
        check_lifetime(&format!("{at}.opaque_token_lifetime"), self.opaque_token_lifetime)?;
        check_lifetime(&format!("{at}.refresh_idle_lifetime"), self.refresh_idle_lifetime)?;
        check_lifetime(&format!("{at}.refresh_absolute_lifetime"), self.refresh_absolute_lifetime)?;
        for (identifier, permissions) in &self.grants {
            let Some(api) = apis.iter().find(|api| &api.identifier == identifier) else {
                bail!("{at}.grants: `{identifier}` is not the identifier of any API");
            };
            if let Some(unknown) = permissions.iter().find(|p| !api.permissions.contains(p)) {
                bail!("{at}.grants: `{unknown}` is not a permission of `{identifier}`");
            }
        }

        Ok(Client {
            client_id: self.client_id,
            client_secret,
            name: self.name,
            redirect_uris,
            post_logout_redirect_uris,
            grant_types: self.grant_types,
            response_types: self.response_types,
            require_pkce: self.require_pkce,
            id_token_lifetime: self.id_token_lifetime,
            opaque_token_lifetime: self.opaque_token_lifetime,
            refresh_idle_lifetime: self.refresh_idle_lifetime,
            refresh_absolute_lifetime: self.refresh_absolute_lifetime,
            rotate_refresh_tokens: self.rotate_refresh_tokens,
            grants: self.grants,
            opaque_token_without_api: self.opaque_token_without_api,
        })
    }
}

fn check_lifetime(field: &str, seconds: u64) -> anyhow::Result<()> {
    if seconds < MIN_LIFETIME {
        bail!("{field}: {seconds} s is too short, expected at least {MIN_LIFETIME} s");
    }
    Ok(())
}

fn yes() -> bool {
    true
}
fn default_code_lifetime() -> u64 {
    60
}
fn default_session_lifetime() -> u64 {
    8 * 3600
}
fn default_access_token_lifetime() -> u64 {
    600
}
fn default_id_token_lifetime() -> u64 {
    3600
}
fn default_refresh_idle_lifetime() -> u64 {
    24 * 3600
}
fn default_refresh_absolute_lifetime() -> u64 {
    7 * 24 * 3600
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Config;

    fn site() -> Site {
        Site::new(Config::with_defaults(), "http://127.0.0.1:8080".to_owned())
    }

    #[test]
    fn built_in_scenario_has_the_lab_users_and_clients() {
        let site = site();
        let world = World::parse(DEFAULT_SCENARIO, &site).unwrap();

        let bob = world.user("bob").unwrap();
        assert_eq!(bob.permissions, ["read:reports", "approve:reports"]);
        assert!(world.user("carol").unwrap().permissions.is_empty());
        let sandbox = world.client(SANDBOX_CLIENT_ID).unwrap();
        assert_eq!(sandbox.redirect_uris, ["http://127.0.0.1:8080/callback"]);
        assert_eq!(sandbox.client_secret.secret(), site.client_secret.secret());
        assert!(world.api("https://reports-service").is_some());
    }

    #[test]
    fn lifetime_below_ten_seconds_is_refused_naming_the_field() {
        let text =
            DEFAULT_SCENARIO.replace("access_token_lifetime = 600", "access_token_lifetime = 5");

        let error = World::parse(&text, &site()).unwrap_err();

        assert!(error.to_string().contains("apis[0].access_token_lifetime"), "{error}");
    }

    #[test]
    fn unknown_field_is_refused_naming_it() {
        let text = format!("{DEFAULT_SCENARIO}\n[[users]]\nusername = \"x\"\npasword = \"y\"\n");

        let error = World::parse(&text, &site()).unwrap_err();

        assert!(format!("{error:#}").contains("pasword"), "{error:#}");
    }

    #[test]
    fn sandbox_secret_in_the_scenario_is_refused() {
        let text = DEFAULT_SCENARIO.replace(
            "name = \"Grantlab sandbox\"",
            "name = \"Grantlab sandbox\"\nclient_secret = \"nope\"",
        );

        let error = World::parse(&text, &site()).unwrap_err();

        assert!(error.to_string().contains("clients[0].client_secret"), "{error}");
    }

    #[test]
    fn scenario_flag_replaces_the_built_in_world_with_ten_second_tokens() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("lab2.toml");
        let text =
            DEFAULT_SCENARIO.replace("access_token_lifetime = 600", "access_token_lifetime = 10");
        std::fs::write(&path, text).unwrap();
        let mut config = Config::with_defaults();
        config.scenario = Some(path);

        let world = World::load(&Site::new(config, "http://127.0.0.1:1".to_owned())).unwrap();

        assert_eq!(world.api("https://expenses-api").unwrap().access_token_lifetime, 10);
    }

    #[test]
    fn missing_scenario_file_is_named_in_the_error() {
        let mut config = Config::with_defaults();
        config.scenario = Some("/no/such/scenario.toml".into());

        let error = World::load(&Site::new(config, "http://127.0.0.1:1".to_owned())).unwrap_err();

        assert!(format!("{error:#}").contains("/no/such/scenario.toml"), "{error:#}");
    }

    #[test]
    fn grant_for_an_unknown_permission_is_refused() {
        let text = DEFAULT_SCENARIO.replace(r#"["summarize:reports"] }"#, r#"["fly"] }"#);

        let error = World::parse(&text, &site()).unwrap_err();

        assert!(error.to_string().contains("`fly`"), "{error}");
    }
}
