//! The envelope's primitives from RustCrypto (`rsa`, `aes-gcm`), for native code: the
//! demo server, its tests and the interop tests. The browser uses WebCrypto instead.

use aes_gcm::aead::AeadInOut;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use rand_core::TryCryptoRng;
use rsa::{BoxedUint, Oaep, PublicKey};
use sha2::Sha256;

use super::jwe::{encrypt_card_with, encrypt_field_with, Cipher};
use super::{CardFields, CryptoError, EncryptedCard, EncryptionContext, EncryptionKey, FieldName};

/// RSA-OAEP-256 and A256GCM in Rust.
pub struct RustCipher {
    key: PublicKey,
}

impl RustCipher {
    pub fn new(key: &EncryptionKey) -> Result<RustCipher, CryptoError> {
        let key = PublicKey::new(
            BoxedUint::from_be_slice_vartime(key.modulus()),
            BoxedUint::from_be_slice_vartime(key.exponent()),
        )
        .map_err(|_| CryptoError::KeyInvalid)?;
        Ok(RustCipher { key })
    }
}

impl Cipher for RustCipher {
    fn wrap_key(&self, cek: &[u8]) -> Result<Vec<u8>, CryptoError> {
        self.key
            .encrypt(&mut getrandom::SysRng, Oaep::<Sha256>::new(), cek)
            .map_err(|_| CryptoError::EncryptionFailed)
    }

    fn seal(
        &self,
        cek: &[u8],
        iv: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError> {
        let cipher = Aes256Gcm::new_from_slice(cek).map_err(|_| CryptoError::EncryptionFailed)?;
        let iv: [u8; 12] = iv.try_into().map_err(|_| CryptoError::EncryptionFailed)?;
        let mut buffer = plaintext.to_vec();
        let tag = cipher
            .encrypt_inout_detached(&Nonce::from(iv), aad, buffer.as_mut_slice().into())
            .map_err(|_| CryptoError::EncryptionFailed)?;
        buffer.extend_from_slice(&tag);
        Ok(buffer)
    }
}

/// [`encrypt_field_with`] the Rust primitives.
pub fn encrypt_field<R: TryCryptoRng + ?Sized>(
    key: &EncryptionKey,
    field: FieldName,
    value: &str,
    context: &EncryptionContext,
    rng: &mut R,
) -> Result<String, CryptoError> {
    encrypt_field_with(&RustCipher::new(key)?, key, field, value, context, rng)
}

/// [`encrypt_card_with`] the Rust primitives.
pub fn encrypt_card<R: TryCryptoRng + ?Sized>(
    key: &EncryptionKey,
    card: &CardFields,
    context: &EncryptionContext,
    rng: &mut R,
) -> Result<EncryptedCard, CryptoError> {
    encrypt_card_with(&RustCipher::new(key)?, key, card, context, rng)
}
