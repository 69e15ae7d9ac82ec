//! The server's settings: one clap `Config`, every flag also a `GRANTLAB_*` variable.
//!
//! The defaults run the embedded lab provider offline on loopback. The raw values are checked
//! once, at start, by [`Config::public_url`] and friends; handlers never parse settings.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use url::Url;

/// Grantlab: a sandbox to learn and debug OAuth 2.0 and OpenID Connect.
#[derive(Clone, Parser)]
#[command(name = "grantlab", version)]
pub struct Config {
    /// Address and port to listen on. Port 0 picks a free port; the log says which.
    #[arg(long, env = "GRANTLAB_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// The URL learners reach this server at: the root of a host, no path. Defaults to
    /// `http://{listen}`, with 127.0.0.1 standing in for an unspecified address. The lab
    /// provider's issuer is `{public_url}/idp` and the sandbox's callback `{public_url}/callback`.
    #[arg(long, env = "GRANTLAB_PUBLIC_URL")]
    pub public_url: Option<Url>,

    /// Folder holding the frontend built by Trunk.
    #[arg(long, env = "GRANTLAB_DIST", default_value = "dist")]
    pub dist: PathBuf,

    /// Folder for state that must survive a restart, such as the lab provider's signing keys.
    #[arg(long, env = "GRANTLAB_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// The sandbox client's secret at the lab provider. Default: a random one made at start.
    /// It stays in the backend: it is never logged and never sent to the browser.
    #[arg(long, env = "GRANTLAB_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: Option<String>,

    /// A lab world (TOML: APIs, users, clients, lifetimes) replacing the built-in one, which is
    /// `backend/scenarios/default.toml`. Checked at start; an error names the field at fault.
    #[arg(long, env = "GRANTLAB_SCENARIO")]
    pub scenario: Option<PathBuf>,

    /// Shared workshop mode: back-channel requests may not reach loopback, private,
    /// link-local, unique-local, CGNAT, multicast or cloud metadata addresses (checked after
    /// name resolution), except this server's own lab provider. Default: off.
    #[arg(long, env = "GRANTLAB_HOSTED")]
    pub hosted: bool,

    /// A JSON file of provider presets: `[{"id", "label", "issuer" or "endpoints",
    /// "client_id", "client_secret"}]`. Their secrets stay in the backend.
    #[arg(long, env = "GRANTLAB_PROFILES")]
    pub profiles: Option<PathBuf>,

    /// Memory the lab provider may use for its sessions, codes and tokens, in MiB. When they
    /// fill it, new logins and tokens are refused (503 Service Unavailable) until some
    /// expire, and the log says so at warn once a minute. It is a ceiling: only live entries
    /// take memory. The default holds a hall of 1,000 learners doing a full flow each minute
    /// for 24 hours (see BENCHMARKS.md); below the workload, honest learners are refused.
    #[arg(
        long,
        env = "GRANTLAB_STORE_BUDGET_MIB",
        default_value_t = 4096,
        value_parser = clap::value_parser!(u64).range(16..=1 << 20)
    )]
    pub store_budget_mib: u64,
}

/// The shortest client secret accepted: a shorter one is guessable, and the timeline's
/// redaction (which replaces the secret wherever it appears) would give it away.
const MIN_SECRET_LEN: usize = 16;

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("public_url", &self.public_url)
            .field("dist", &self.dist)
            .field("data_dir", &self.data_dir)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "[redacted]"))
            .field("scenario", &self.scenario)
            .field("hosted", &self.hosted)
            .field("profiles", &self.profiles)
            .field("store_budget_mib", &self.store_budget_mib)
            .finish()
    }
}

impl Config {
    /// Checks what clap cannot, once at start. Errors never echo the secret itself.
    pub fn validate(&self) -> anyhow::Result<()> {
        if let Some(secret) = &self.client_secret {
            let length = secret.chars().count();
            anyhow::ensure!(
                length >= MIN_SECRET_LEN,
                "`--client-secret`: expected at least {MIN_SECRET_LEN} characters \
                 (try `openssl rand -base64 32`), found {length}"
            );
        }

        // The pages, assets and `/api` calls use absolute paths, so a prefix would break them.
        if let Some(url) = &self.public_url {
            anyhow::ensure!(
                matches!(url.scheme(), "http" | "https"),
                "`--public-url`: expected an http or https URL, found scheme `{}`",
                url.scheme()
            );
            anyhow::ensure!(
                url.path() == "/" && url.query().is_none() && url.fragment().is_none(),
                "`--public-url`: expected the root of a host, like `https://lab.example`, found \
                 `{url}`; Grantlab serves its pages and API at absolute paths and cannot sit \
                 under a path prefix"
            );
        }
        Ok(())
    }

    /// The lab provider's store budget in bytes.
    pub fn store_budget(&self) -> usize {
        usize::try_from(self.store_budget_mib << 20).unwrap_or(usize::MAX)
    }

    /// A configuration with every default, for tests and tools.
    pub fn with_defaults() -> Self {
        Self::parse_from(["grantlab"])
    }

    /// The public URL, given or derived from the address actually bound, with no trailing
    /// slash so that `format!("{public_url}/idp")` joins cleanly.
    pub fn public_url(&self, bound: SocketAddr) -> String {
        if let Some(url) = &self.public_url {
            return url.as_str().trim_end_matches('/').to_owned();
        }

        let mut shown = bound;
        if shown.ip().is_unspecified() {
            shown.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
        }
        format!("http://{shown}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_url_defaults_to_the_bound_address() {
        let config = Config::with_defaults();

        let url = config.public_url("0.0.0.0:4000".parse().unwrap());

        assert_eq!(url, "http://127.0.0.1:4000");
    }

    #[test]
    fn public_url_is_given_without_its_trailing_slash() {
        let config = Config::parse_from(["grantlab", "--public-url", "https://lab.example/"]);

        let url = config.public_url("127.0.0.1:1".parse().unwrap());

        assert!(config.validate().is_ok());
        assert_eq!(url, "https://lab.example");
    }

    #[test]
    fn public_url_with_a_path_prefix_is_refused_by_name() {
        for given in ["https://lab.example/room1/", "https://lab.example/?room=1", "ftp://lab"] {
            let config = Config::parse_from(["grantlab", "--public-url", given]);

            let error = config.validate().map(|()| String::new()).unwrap_or_else(|e| e.to_string());

            assert!(error.contains("`--public-url`: expected"), "{given}: {error}");
        }
    }

    #[test]
    fn debug_output_redacts_the_client_secret() {
        let config = Config::parse_from(["grantlab", "--client-secret", "hunter2-do-not-print"]);

        let printed = format!("{config:?}");

        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(printed.contains("[redacted]"));
    }

    #[test]
    fn short_or_empty_client_secret_is_refused_at_start() {
        for secret in ["", "Zq", "fifteen-chars!!"] {
            let config = Config::parse_from(["grantlab", "--client-secret", secret]);

            let error = config.validate().unwrap_err().to_string();
            assert!(error.contains("at least 16 characters"), "{error}");
            assert!(secret.is_empty() || !error.contains(secret), "{error}");
        }
    }

    #[test]
    fn store_budget_is_read_in_mib_and_refused_below_16() {
        let config = Config::parse_from(["grantlab", "--store-budget-mib", "64"]);
        assert_eq!(config.store_budget(), 64 * 1024 * 1024);

        let error = Config::try_parse_from(["grantlab", "--store-budget-mib", "8"]).unwrap_err();
        assert!(error.to_string().contains("store-budget-mib"), "{error}");
    }

    #[test]
    fn every_flag_has_an_environment_variable() {
        use clap::CommandFactory;

        for arg in Config::command().get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            let env = arg.get_env().map(|env| env.to_string_lossy().into_owned());
            assert!(
                env.as_deref().is_some_and(|env| env.starts_with("GRANTLAB_")),
                "flag `{id}` has env {env:?}, expected GRANTLAB_*"
            );
        }
    }
}
