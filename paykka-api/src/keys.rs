//! RSA key pairs kept in the data directory: generated on first start (PKCS#8 PEM, mode
//! 0600), loaded afterwards. Private keys are never logged.

use std::fs;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use anyhow::Context;
use base64ct::{Base64UrlUnpadded, Encoding};
use paykka_web::crypto::key::thumbprint;
use rsa::pkcs8::{
    DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey, LineEnding,
};
use rsa::traits::PublicKeyParts;
use rsa::{PrivateKey, PublicKey};

/// A key pair with its RFC 7638 thumbprint as the key id.
pub struct KeyPair {
    pub private: PrivateKey,
    pub kid: String,
}

/// Loads the key at `path`, or generates a 2048-bit key and stores it there.
pub fn load_or_create(path: &Path) -> anyhow::Result<KeyPair> {
    let private = if path.exists() {
        let pem =
            fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        PrivateKey::from_pkcs8_pem(&pem).with_context(|| format!("parsing {}", path.display()))?
    } else {
        tracing::info!("generating a new RSA-2048 key at {}", path.display());
        let key = PrivateKey::new(&mut rand::rng(), 2048).context("generating an RSA key")?;
        let pem = key
            .to_pkcs8_pem(LineEnding::LF)
            .context("encoding the key")?;
        write_secret(path, pem.as_bytes())?;
        key
    };
    let public = PublicKey::from(&private);
    let kid = thumbprint(
        &public.n().to_be_bytes_trimmed_vartime(),
        &public.e().to_be_bytes_trimmed_vartime(),
    );
    Ok(KeyPair { private, kid })
}

/// Writes a new secret file, readable by its owner only (mode 0600); an existing file is
/// never overwritten.
pub fn write_secret(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)?;
    Ok(())
}

impl KeyPair {
    /// The public half as a JWK for RSA-OAEP-256 encryption.
    pub fn public_jwk(&self) -> serde_json::Value {
        let public = PublicKey::from(&self.private);
        serde_json::json!({
            "kty": "RSA",
            "alg": "RSA-OAEP-256",
            "use": "enc",
            "kid": self.kid,
            "n": Base64UrlUnpadded::encode_string(&public.n().to_be_bytes_trimmed_vartime()),
            "e": Base64UrlUnpadded::encode_string(&public.e().to_be_bytes_trimmed_vartime()),
        })
    }
}

/// Loads a private key (PKCS#8 PEM) that must exist.
pub fn load_private(path: &Path) -> anyhow::Result<PrivateKey> {
    let pem = zeroize::Zeroizing::new(
        fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?,
    );
    PrivateKey::from_pkcs8_pem(&pem).with_context(|| format!("parsing {}", path.display()))
}

/// Writes `pair`'s public half to `path` (SPKI PEM), for whoever checks its signatures or
/// encrypts to it.
pub fn write_public(path: &Path, pair: &KeyPair) -> anyhow::Result<()> {
    let pem = PublicKey::from(&pair.private)
        .to_public_key_pem(LineEnding::LF)
        .context("encoding a public key")?;
    fs::write(path, pem).with_context(|| format!("writing {}", path.display()))
}

/// Loads a public key (SPKI PEM), e.g. PayKKa's platform key.
pub fn load_public(path: &Path) -> anyhow::Result<PublicKey> {
    let pem = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    PublicKey::from_public_key_pem(&pem).with_context(|| format!("parsing {}", path.display()))
}
