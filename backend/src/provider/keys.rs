//! The provider's signing key: RSA 2048, RS256, kept as PEM in the data folder so a restart
//! does not invalidate the tokens already issued, and published as a JWKS (RFC 7517).

use std::path::Path;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rsa::PrivateKey;
use rsa::pkcs1::{EncodeRsaPrivateKey, LineEnding};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

/// The file, in the data folder, holding the private key.
pub const KEY_FILE: &str = "provider-signing-key.pem";

/// The signing key, parsed once, with its public half as a JWKS.
pub struct Keys {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    jwks: JwkSet,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl Keys {
    /// Loads the key from `data_dir`, or makes one and saves it there first.
    pub fn load_or_create(data_dir: &Path) -> anyhow::Result<Self> {
        let path = data_dir.join(KEY_FILE);
        let pem = match std::fs::read(&path) {
            Ok(pem) => pem,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                let pem = generate_pem()?;
                save_private(data_dir, &path, pem.as_bytes())?;
                tracing::info!(path = %path.display(), "made a new provider signing key");
                pem.into_bytes()
            }
            Err(error) => {
                return Err(error).with_context(|| format!("cannot read {}", path.display()));
            }
        };
        Self::from_pem(&pem).with_context(|| format!("{} holds no usable RSA key", path.display()))
    }

    /// Parses a PKCS#1 or PKCS#8 PEM private key.
    pub fn from_pem(pem: &[u8]) -> anyhow::Result<Self> {
        let encoding = EncodingKey::from_rsa_pem(pem)?;
        let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::RS256)?;
        let jsonwebtoken::jwk::AlgorithmParameters::RSA(rsa) = &jwk.algorithm else {
            anyhow::bail!("the key is not an RSA key");
        };
        let decoding = DecodingKey::from_rsa_components(&rsa.n, &rsa.e)?;

        // The key id: the first 12 bytes of SHA-256 over the modulus, so it follows the key.
        let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(rsa.n.as_bytes())[..12]);
        jwk.common.key_id = Some(kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        jwk.common.key_algorithm = Some(KeyAlgorithm::RS256);

        Ok(Self { kid, encoding, decoding, jwks: JwkSet { keys: vec![jwk] } })
    }

    /// The key id put in every token's header.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public keys, for `/idp/jwks`.
    pub fn jwks(&self) -> &JwkSet {
        &self.jwks
    }

    /// Signs `claims` with RS256; `typ` is `JWT` for ID tokens, `at+jwt` for access tokens.
    pub fn sign<T: Serialize>(&self, typ: &str, claims: &T) -> anyhow::Result<String> {
        let mut header = Header::new(Algorithm::RS256);
        header.typ = Some(typ.to_owned());
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).context("cannot sign a token")
    }

    /// Checks a token this provider signed, with `validation`'s rules.
    pub fn verify<T: DeserializeOwned>(
        &self,
        token: &str,
        validation: &Validation,
    ) -> Result<T, jsonwebtoken::errors::Error> {
        jsonwebtoken::decode::<T>(token, &self.decoding, validation).map(|data| data.claims)
    }
}

/// Makes a fresh RSA 2048 key, PKCS#1 PEM.
fn generate_pem() -> anyhow::Result<String> {
    let key = PrivateKey::new(&mut getrandom::SysRng, 2048).context("cannot make an RSA key")?;
    let pem = key.to_pkcs1_pem(LineEnding::LF).context("cannot encode the RSA key")?;
    Ok(pem.to_string())
}

/// Writes the private key readable by its owner only.
fn save_private(data_dir: &Path, path: &Path, pem: &[u8]) -> anyhow::Result<()> {
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create the data folder {}", data_dir.display()))?;

    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);

    let mut file =
        options.open(path).with_context(|| format!("cannot create {}", path.display()))?;
    std::io::Write::write_all(&mut file, pem)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// The left half of SHA-256 over an ASCII token, base64url: `at_hash` and `c_hash`
/// (OIDC Core 3.1.3.6 and 3.3.2.11).
pub fn half_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_kept_across_restarts() {
        let folder = tempfile::tempdir().unwrap();

        let first = Keys::load_or_create(folder.path()).unwrap();
        let second = Keys::load_or_create(folder.path()).unwrap();

        assert_eq!(first.kid(), second.kid());
        let token = first.sign("JWT", &serde_json::json!({"sub": "x", "exp": u32::MAX})).unwrap();
        let claims: serde_json::Value =
            second.verify(&token, &Validation::new(Algorithm::RS256)).unwrap();
        assert_eq!(claims["sub"], "x");
    }

    #[test]
    fn jwks_publishes_the_kid_and_rs256() {
        let folder = tempfile::tempdir().unwrap();
        let keys = Keys::load_or_create(folder.path()).unwrap();

        let jwks = serde_json::to_value(keys.jwks()).unwrap();

        assert_eq!(jwks["keys"][0]["kid"], keys.kid());
        assert_eq!(jwks["keys"][0]["alg"], "RS256");
        assert_eq!(jwks["keys"][0]["use"], "sig");
        assert_eq!(jwks["keys"][0]["e"], "AQAB");
    }

    #[test]
    fn half_hash_matches_the_oidc_core_c_hash_example() {
        // OIDC Core A.4: this code has the c_hash `LDktKdoQak3Pk0cnXxCltA`.
        let code = "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk";
        assert_eq!(half_hash(code), "LDktKdoQak3Pk0cnXxCltA");
    }
}
