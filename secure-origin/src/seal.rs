//! Private keys at rest: sealed under a master key, never stored in the clear. The
//! `KeyWrapper` trait is what a KMS (AWS KMS, Cloud KMS, Vault transit) would implement;
//! `MasterKey` is the local one — AES-256-GCM, the 32-byte key from a file or the
//! environment. Each sealed blob is bound to what it seals (merchant and key id) as
//! associated data, so a row copied onto another merchant does not open.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use anyhow::Context;
use base64ct::{Base64, Encoding};
use zeroize::Zeroizing;

/// Seals and opens key material.
pub trait KeyWrapper: Send + Sync {
    /// `plaintext` sealed, bound to `context`.
    fn wrap(&self, plaintext: &[u8], context: &[u8]) -> anyhow::Result<Vec<u8>>;
    /// The plaintext of `sealed`, if it was sealed for `context` under this key.
    fn unwrap(&self, sealed: &[u8], context: &[u8]) -> anyhow::Result<Zeroizing<Vec<u8>>>;
}

/// The local master key (AES-256-GCM; a 12-byte random nonce before each ciphertext).
pub struct MasterKey {
    cipher: Aes256Gcm,
}

impl MasterKey {
    /// From the base64 of 32 bytes (a file's content or an environment variable).
    pub fn from_base64(text: &str) -> anyhow::Result<MasterKey> {
        let bytes = Zeroizing::new(
            Base64::decode_vec(text.trim()).context("the master key is not base64")?,
        );
        anyhow::ensure!(bytes.len() == 32, "the master key must be 32 bytes");
        let cipher = Aes256Gcm::new_from_slice(&bytes).context("the master key")?;
        Ok(MasterKey { cipher })
    }

    /// Reads the key from `path`, or makes one there (mode 0600) when `create` and it is
    /// absent: for the demo and tests; a deployment provisions its own.
    pub fn from_file(path: &std::path::Path, create: bool) -> anyhow::Result<MasterKey> {
        if !path.exists() && create {
            let mut key = Zeroizing::new([0u8; 32]);
            rand::fill(&mut key[..]);
            let text = Zeroizing::new(Base64::encode_string(&key[..]));
            paykka_api::keys::write_secret(path, text.as_bytes())?;
        }
        let text = Zeroizing::new(
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?,
        );
        MasterKey::from_base64(&text)
    }
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(..)")
    }
}

impl KeyWrapper for MasterKey {
    fn wrap(&self, plaintext: &[u8], context: &[u8]) -> anyhow::Result<Vec<u8>> {
        let mut nonce = [0u8; 12];
        rand::fill(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: context,
                },
            )
            .map_err(|_| anyhow::anyhow!("sealing failed"))?;
        Ok([nonce.as_slice(), &sealed].concat())
    }

    fn unwrap(&self, sealed: &[u8], context: &[u8]) -> anyhow::Result<Zeroizing<Vec<u8>>> {
        anyhow::ensure!(sealed.len() > 12 + 16, "sealed key too short");
        let (nonce, ciphertext) = sealed.split_at(12);
        let nonce: [u8; 12] = nonce.try_into()?;
        self.cipher
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| anyhow::anyhow!("the key does not open under this master key"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> MasterKey {
        MasterKey::from_base64(&Base64::encode_string(&[7u8; 32])).unwrap()
    }

    #[test]
    fn a_sealed_key_opens_only_for_its_context_and_master_key() {
        let sealed = key().wrap(b"private key", b"M1/kid1").unwrap();
        assert!(!sealed.windows(11).any(|w| w == b"private key"));
        assert_eq!(
            &key().unwrap(&sealed, b"M1/kid1").unwrap()[..],
            b"private key"
        );
        assert!(key().unwrap(&sealed, b"M2/kid1").is_err());
        let other = MasterKey::from_base64(&Base64::encode_string(&[8u8; 32])).unwrap();
        assert!(other.unwrap(&sealed, b"M1/kid1").is_err());
        let mut tampered = sealed.clone();
        tampered[20] ^= 1;
        assert!(key().unwrap(&tampered, b"M1/kid1").is_err());
    }

    #[test]
    fn a_master_key_must_be_32_bytes_of_base64() {
        assert!(MasterKey::from_base64("not base64!").is_err());
        assert!(MasterKey::from_base64(&Base64::encode_string(&[1u8; 16])).is_err());
        assert_eq!(format!("{:?}", key()), "MasterKey(..)");
    }
}
