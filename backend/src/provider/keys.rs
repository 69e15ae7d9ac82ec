//! The provider's signing key: RSA 2048, RS256, kept as PEM in the data folder so a restart
//! does not invalidate the tokens already issued, and published as a JWKS (RFC 7517).
//!
//! Signing uses aws-lc-rs's RSA key pair, parsed once at start. Per CPU-second here it signs
//! about 2.3x faster than ring (AWS-LC uses this CPU's AVX-512 IFMA) and about 9x faster than
//! jsonwebtoken's `encode` on RustCrypto `rsa` (see `BENCHMARKS.md`, issue 7).

use std::path::Path;
use std::sync::LazyLock;

use anyhow::Context;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents,
    UnparsedPublicKey,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::crypto::{CryptoProvider, JwtVerifier, rust_crypto};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::signature::Verifier;
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, DecodingKeyKind, EncodingKey};
use jsonwebtoken::{Header, Validation};
use rsa::PrivateKey;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey, LineEnding};
use rsa::pkcs8::DecodePrivateKey;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

/// The file, in the data folder, holding the private key.
pub const KEY_FILE: &str = "provider-signing-key.pem";

/// The signing key, parsed once, with its public half as a JWKS.
pub struct Keys {
    kid: String,
    signer: RsaKeyPair,
    random: SystemRandom,
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
        let text = std::str::from_utf8(pem).context("the PEM is not UTF-8")?;
        let private = PrivateKey::from_pkcs1_pem(text)
            .or_else(|_| PrivateKey::from_pkcs8_pem(text))
            .context("the PEM is neither PKCS#1 nor PKCS#8")?;
        let der = private.to_pkcs1_der().context("cannot encode the key as PKCS#1")?;
        let signer = RsaKeyPair::from_der(der.as_bytes())
            .map_err(|rejected| anyhow::anyhow!("the key cannot sign RS256: {rejected}"))?;
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

        let random = SystemRandom::new();
        Ok(Self { kid, signer, random, decoding, jwks: JwkSet { keys: vec![jwk] } })
    }

    /// The key id put in every token's header.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public keys, for `/idp/jwks`.
    pub fn jwks(&self) -> &JwkSet {
        &self.jwks
    }

    /// Signs `claims` with RS256 (RFC 7515 5.1); `typ` is `JWT` for ID tokens, `at+jwt` for
    /// access tokens. It takes about a millisecond: never call it under the store's lock.
    pub fn sign<T: Serialize>(&self, typ: &str, claims: &T) -> anyhow::Result<String> {
        let mut header = Header::new(Algorithm::RS256);
        header.typ = Some(typ.to_owned());
        header.kid = Some(self.kid.clone());

        // The signing input: BASE64URL(header) '.' BASE64URL(claims).
        let mut token = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header)?);
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims)?));

        // RSASSA-PKCS1-v1_5 with SHA-256 over it (RFC 7518 3.3).
        let mut signature = vec![0; self.signer.public_modulus_len()];
        self.signer
            .sign(&RSA_PKCS1_SHA256, &self.random, token.as_bytes(), &mut signature)
            .map_err(|_| anyhow::anyhow!("cannot sign a token"))?;
        token.push('.');
        token.push_str(&URL_SAFE_NO_PAD.encode(&signature));
        Ok(token)
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

/// Makes jsonwebtoken verify RS256 with aws-lc-rs, for the whole process; signing and every
/// other algorithm stay with its RustCrypto provider, and jsonwebtoken still checks the claims.
/// RustCrypto's RSA verification took about 5% of a code round's CPU, at userinfo (issue 7).
/// Calling it again, as every test app does, changes nothing.
pub fn install_rs256_verifier() {
    static PROVIDER: LazyLock<CryptoProvider> = LazyLock::new(|| CryptoProvider {
        verifier_factory: verifier,
        ..rust_crypto::DEFAULT_PROVIDER.clone()
    });
    let _already_installed = LazyLock::force(&PROVIDER).install_default();
}

fn verifier(
    algorithm: &Algorithm,
    key: &DecodingKey,
) -> jsonwebtoken::errors::Result<Box<dyn JwtVerifier>> {
    match algorithm {
        Algorithm::RS256 if key.family() == AlgorithmFamily::Rsa => {
            Ok(Box::new(AwsLcRs256(key.clone())))
        }
        Algorithm::RS256 => Err(ErrorKind::InvalidKeyFormat.into()),
        _ => (rust_crypto::DEFAULT_PROVIDER.verifier_factory)(algorithm, key),
    }
}

/// An RS256 public key checked by aws-lc-rs (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 3.3):
/// it takes 2048 to 8192-bit keys, as RFC 7518 asks for at least 2048.
struct AwsLcRs256(DecodingKey);

impl Verifier<Vec<u8>> for AwsLcRs256 {
    fn verify(
        &self,
        message: &[u8],
        signature: &Vec<u8>,
    ) -> Result<(), jsonwebtoken::signature::Error> {
        let verified =
            match self.0.kind() {
                DecodingKeyKind::RsaModulusExponent { n, e } => RsaPublicKeyComponents { n, e }
                    .verify(&RSA_PKCS1_2048_8192_SHA256, message, signature),
                DecodingKeyKind::SecretOrDer(der) => {
                    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der)
                        .verify(message, signature)
                }
            };
        verified.map_err(|_| jsonwebtoken::signature::Error::new())
    }
}

impl JwtVerifier for AwsLcRs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::RS256
    }
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
    fn signature_verifies_with_the_published_jwk_and_names_typ_and_kid() {
        let folder = tempfile::tempdir().unwrap();
        let keys = Keys::load_or_create(folder.path()).unwrap();

        let token = keys.sign("at+jwt", &serde_json::json!({"sub": "y", "exp": u32::MAX})).unwrap();

        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.alg, Algorithm::RS256);
        assert_eq!(header.typ.as_deref(), Some("at+jwt"));
        assert_eq!(header.kid.as_deref(), Some(keys.kid()));
        let jwk = &keys.jwks().keys[0];
        let mut validation = Validation::new(Algorithm::RS256);
        validation.required_spec_claims.clear();
        let decoded = jsonwebtoken::decode::<serde_json::Value>(
            &token,
            &DecodingKey::from_jwk(jwk).unwrap(),
            &validation,
        )
        .unwrap();
        assert_eq!(decoded.claims["sub"], "y");
    }

    #[test]
    fn a_pkcs8_key_signs_too() {
        use rsa::pkcs8::EncodePrivateKey;
        let key = PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap();
        let pem = key.to_pkcs8_pem(LineEnding::LF).unwrap();

        let keys = Keys::from_pem(pem.as_bytes()).unwrap();
        let token = keys.sign("JWT", &serde_json::json!({"sub": "z", "exp": u32::MAX})).unwrap();

        let claims: serde_json::Value =
            keys.verify(&token, &Validation::new(Algorithm::RS256)).unwrap();
        assert_eq!(claims["sub"], "z");
    }

    #[test]
    fn rs256_verifier_accepts_our_signature_and_refuses_a_changed_one() {
        let keys = Keys::load_or_create(tempfile::tempdir().unwrap().path()).unwrap();
        let token = keys.sign("JWT", &serde_json::json!({"sub": "r", "exp": u32::MAX})).unwrap();
        let (input, signature) = token.rsplit_once('.').unwrap();
        let signature = URL_SAFE_NO_PAD.decode(signature).unwrap();
        let jwk = &keys.jwks().keys[0];
        let from_jwk = verifier(&Algorithm::RS256, &DecodingKey::from_jwk(jwk).unwrap()).unwrap();

        assert!(from_jwk.verify(input.as_bytes(), &signature).is_ok());
        let changed = format!("{input}x");
        assert!(from_jwk.verify(changed.as_bytes(), &signature).is_err());
    }

    #[test]
    fn decoding_through_the_installed_verifier_checks_signature_and_claims() {
        install_rs256_verifier();
        let keys = Keys::load_or_create(tempfile::tempdir().unwrap().path()).unwrap();
        let token = keys.sign("JWT", &serde_json::json!({"sub": "i", "exp": u32::MAX})).unwrap();
        let expired = keys.sign("JWT", &serde_json::json!({"sub": "i", "exp": 1})).unwrap();
        let validation = Validation::new(Algorithm::RS256);

        let claims: serde_json::Value = keys.verify(&token, &validation).unwrap();

        assert_eq!(claims["sub"], "i");
        let (input, _) = token.rsplit_once('.').unwrap();
        let (_, other_signature) = expired.rsplit_once('.').unwrap();
        let forged = format!("{input}.{other_signature}");
        assert!(keys.verify::<serde_json::Value>(&forged, &validation).is_err());
        assert!(keys.verify::<serde_json::Value>(&expired, &validation).is_err());
    }

    #[test]
    fn rs256_verifier_takes_a_pem_public_key_too() {
        use rsa::pkcs1::EncodeRsaPublicKey;
        let private = PrivateKey::new(&mut getrandom::SysRng, 2048).unwrap();
        let keys =
            Keys::from_pem(private.to_pkcs1_pem(LineEnding::LF).unwrap().as_bytes()).unwrap();
        let public = private.to_public_key().to_pkcs1_pem(LineEnding::LF).unwrap();
        let token = keys.sign("JWT", &serde_json::json!({"sub": "p", "exp": u32::MAX})).unwrap();
        let (input, signature) = token.rsplit_once('.').unwrap();
        let key = DecodingKey::from_rsa_pem(public.as_bytes()).unwrap();

        let verified = verifier(&Algorithm::RS256, &key)
            .unwrap()
            .verify(input.as_bytes(), &URL_SAFE_NO_PAD.decode(signature).unwrap());

        assert!(verified.is_ok());
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
