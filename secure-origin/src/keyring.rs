//! Each merchant's card-encryption keys: one current key (the one `/v3/frames/load`
//! publishes), older keys that still open ciphertexts for a grace window after a rotation,
//! then retire. Keys rotate on a schedule (when the current key is older than the
//! rotation period, at the next use or the background tick) or on command. Private keys
//! are stored sealed (`seal`), opened per use and wiped when dropped.

use std::sync::Arc;

use anyhow::Context;
use paykka_api::keys::KeyPair;
use paykka_api::signing::now_ms;
use paykka_web::crypto::key::thumbprint;
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use rsa::traits::PublicKeyParts;
use rsa::{PrivateKey, PublicKey};

use crate::seal::KeyWrapper;
use crate::storage::{Storage, StoredKey};

/// When keys rotate and how long a replaced key still opens ciphertexts.
#[derive(Clone, Copy, Debug)]
pub struct Rotation {
    pub every_ms: i64,
    pub grace_ms: i64,
}

/// Why a ciphertext's key does not open it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyRefusal {
    /// Not a key of this merchant.
    Unknown,
    /// A key of this merchant whose grace window is over.
    Retired,
}

/// The keyring over the storage and the master key.
#[derive(Clone)]
pub struct Keyring {
    storage: Arc<dyn Storage>,
    wrapper: Arc<dyn KeyWrapper>,
    rotation: Rotation,
}

/// The context a merchant's key is sealed for.
fn seal_context(merchant_id: &str, kid: &str) -> Vec<u8> {
    format!("paykka-secure-origin card key {merchant_id}/{kid}").into_bytes()
}

impl Keyring {
    pub fn new(
        storage: Arc<dyn Storage>,
        wrapper: Arc<dyn KeyWrapper>,
        rotation: Rotation,
    ) -> Self {
        Keyring {
            storage,
            wrapper,
            rotation,
        }
    }

    /// The merchant's current key (made on first use, rotated when due).
    pub async fn current(&self, merchant_id: &str) -> anyhow::Result<StoredKey> {
        for _ in 0..3 {
            let keys = self.storage.keys_of(merchant_id.to_owned()).await?;
            let current = keys.into_iter().find(|k| k.decrypt_until.is_none());
            match current {
                Some(key) if now_ms() - key.created_at < self.rotation.every_ms => return Ok(key),
                current => {
                    // Due (or none yet): rotate; if another caller did, read again.
                    self.rotate_from(merchant_id, current.map(|k| k.kid))
                        .await?;
                }
            }
        }
        anyhow::bail!("the current key of {merchant_id} keeps changing")
    }

    /// Rotates now: a new current key; the old one opens ciphertexts for the grace window.
    pub async fn rotate(&self, merchant_id: &str) -> anyhow::Result<String> {
        let keys = self.storage.keys_of(merchant_id.to_owned()).await?;
        let current = keys.into_iter().find(|k| k.decrypt_until.is_none());
        self.rotate_from(merchant_id, current.map(|k| k.kid))
            .await?;
        Ok(self.current(merchant_id).await?.kid)
    }

    async fn rotate_from(&self, merchant_id: &str, current: Option<String>) -> anyhow::Result<()> {
        let merchant = merchant_id.to_owned();
        let wrapper = Arc::clone(&self.wrapper);
        // Generating an RSA key takes a while: off the async threads.
        let new =
            tokio::task::spawn_blocking(move || new_key(&merchant, wrapper.as_ref())).await??;
        let kid = new.kid.clone();
        let grace_until = now_ms() + self.rotation.grace_ms;
        if self.storage.rotate(current, new, grace_until).await? {
            tracing::info!(merchant_id, kid, "card key rotated");
        }
        Ok(())
    }

    /// The key `kid` of the merchant, opened, if it may still decrypt.
    pub async fn opening_key(
        &self,
        merchant_id: &str,
        kid: &str,
    ) -> anyhow::Result<Result<KeyPair, KeyRefusal>> {
        let keys = self.storage.keys_of(merchant_id.to_owned()).await?;
        let Some(key) = keys.into_iter().find(|k| k.kid == kid) else {
            return Ok(Err(KeyRefusal::Unknown));
        };
        if key.decrypt_until.is_some_and(|until| until < now_ms()) {
            return Ok(Err(KeyRefusal::Retired));
        }
        Ok(Ok(self.open(&key)?))
    }

    /// Opens a stored key (for decryption, or to check the master key at readiness).
    pub fn open(&self, key: &StoredKey) -> anyhow::Result<KeyPair> {
        let der = self
            .wrapper
            .unwrap(&key.sealed, &seal_context(&key.merchant_id, &key.kid))?;
        let private = PrivateKey::from_pkcs8_der(&der).context("a sealed key")?;
        Ok(KeyPair {
            private,
            kid: key.kid.clone(),
        })
    }
}

/// A new RSA-2048 key for `merchant_id`, sealed.
fn new_key(merchant_id: &str, wrapper: &dyn KeyWrapper) -> anyhow::Result<StoredKey> {
    let private = PrivateKey::new(&mut rand::rng(), 2048).context("generating an RSA key")?;
    let public = PublicKey::from(&private);
    let kid = thumbprint(
        &public.n().to_be_bytes_trimmed_vartime(),
        &public.e().to_be_bytes_trimmed_vartime(),
    );
    let der = private.to_pkcs8_der().context("encoding the key")?;
    let sealed = wrapper.wrap(der.as_bytes(), &seal_context(merchant_id, &kid))?;
    let pair = KeyPair { private, kid };
    Ok(StoredKey {
        merchant_id: merchant_id.to_owned(),
        kid: pair.kid.clone(),
        sealed,
        public_jwk: pair.public_jwk().to_string(),
        created_at: now_ms(),
        decrypt_until: None,
    })
}
