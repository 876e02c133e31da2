//! The JWE receiver: `paykka-web JWE v1` fields checked as SPEC §2.4 says (alg and enc
//! pinned, `kid` looked up, field bound to its slot, 15-minute window with ±5 minutes of
//! skew; nonce replay is checked where the payment is stored). Decryption is RSA-OAEP with
//! the constant-time `rsa` 0.10 private-key operation.

use aes_gcm::aead::AeadInOut;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce, Tag};
use base64ct::{Base64UrlUnpadded, Encoding};
use paykka_web::crypto::FieldName;
use rsa::Oaep;
use serde::Deserialize;
use sha2::Sha256;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::keys::KeyPair;

/// How old a ciphertext may be, and how far in the future (clock skew).
pub const MAX_AGE_MS: i64 = 15 * 60 * 1000;
pub const MAX_SKEW_MS: i64 = 5 * 60 * 1000;

/// Why card data was refused. The messages never contain card data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardError {
    /// Malformed, tampered, wrong algorithm or unknown key: PayKKa's 206020.
    Decryption(&'static str),
    /// Outside the time window: 206021.
    Expired,
    /// The same ciphertext nonce was seen before.
    Replayed,
    /// Decrypted but not a valid card (Luhn, expiry, CVC…): 010000.
    Invalid(&'static str),
}

impl CardError {
    pub fn ret_code(&self) -> &'static str {
        match self {
            CardError::Decryption(_) | CardError::Replayed => "206020",
            CardError::Expired => "206021",
            CardError::Invalid(_) => "010000",
        }
    }

    pub fn message(&self) -> &'static str {
        match self {
            CardError::Decryption(m) | CardError::Invalid(m) => m,
            CardError::Expired => "Card encryption info expired, retry payment",
            CardError::Replayed => "Card encryption info already used",
        }
    }
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    enc: String,
    kid: Option<String>,
    cty: Option<String>,
    /// Extensions we would have to understand (RFC 7515 §4.1.11): none are, so any is refused.
    crit: Option<serde_json::Value>,
    /// Compressed plaintext is not part of the format.
    zip: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct Payload {
    field: String,
    value: String,
    generationtime: String,
    nonce: String,
    sid: Option<String>,
}

/// One decrypted field.
pub struct Field {
    pub value: String,
    pub nonce: String,
    pub session_id: Option<String>,
}

fn b64(part: &str) -> Result<Vec<u8>, CardError> {
    Base64UrlUnpadded::decode_vec(part)
        .map_err(|_| CardError::Decryption("Card info decryption failed"))
}

/// The `kid` a compact JWE names in its header (to find the key before decrypting).
pub fn key_id(compact: &str) -> Option<String> {
    let header = compact.split('.').next()?;
    let header: Header = serde_json::from_slice(&b64(header).ok()?).ok()?;
    header.kid
}

/// Decrypts and checks one field's JWE for the slot `expected`.
pub fn decrypt_field<'k>(
    keys: impl IntoIterator<Item = &'k KeyPair>,
    expected: FieldName,
    compact: &str,
    now_ms: i64,
) -> Result<Field, CardError> {
    let failed = CardError::Decryption("Card info decryption failed");
    let parts: Vec<&str> = compact.split('.').collect();
    let [header_b64, wrapped, iv, ciphertext, tag] = parts.as_slice() else {
        return Err(failed);
    };
    let header: Header = serde_json::from_slice(&b64(header_b64)?).map_err(|_| failed.clone())?;
    if header.alg != "RSA-OAEP-256" || header.enc != "A256GCM" {
        return Err(CardError::Decryption(
            "Unsupported card encryption algorithm",
        ));
    }
    if header.crit.is_some() || header.zip.is_some() {
        return Err(CardError::Decryption("Unsupported card encryption header"));
    }
    if header.cty.as_deref() != Some("paykka-field+json;v=1") {
        return Err(CardError::Decryption("Unsupported card encryption format"));
    }
    let key = keys
        .into_iter()
        .find(|k| Some(k.kid.as_str()) == header.kid.as_deref())
        .ok_or(CardError::Decryption("Unknown card encryption key"))?;
    let cek = key
        .private
        .decrypt(Oaep::<Sha256>::new(), &b64(wrapped)?)
        .map_err(|_| failed.clone())?;
    let cipher = Aes256Gcm::new_from_slice(&cek).map_err(|_| failed.clone())?;
    let iv: [u8; 12] = b64(iv)?.try_into().map_err(|_| failed.clone())?;
    let tag: [u8; 16] = b64(tag)?.try_into().map_err(|_| failed.clone())?;
    let mut buffer = b64(ciphertext)?;
    cipher
        .decrypt_inout_detached(
            &Nonce::from(iv),
            header_b64.as_bytes(),
            buffer.as_mut_slice().into(),
            &Tag::from(tag),
        )
        .map_err(|_| failed.clone())?;
    let payload: Payload = serde_json::from_slice(&buffer).map_err(|_| failed.clone())?;
    if payload.field != expected.as_str() {
        return Err(CardError::Decryption("Card field does not match its slot"));
    }
    let generated =
        OffsetDateTime::parse(&payload.generationtime, &Rfc3339).map_err(|_| failed.clone())?;
    let generated_ms = (generated.unix_timestamp_nanos() / 1_000_000) as i64;
    if now_ms - generated_ms > MAX_AGE_MS || generated_ms - now_ms > MAX_SKEW_MS {
        return Err(CardError::Expired);
    }
    if payload.nonce.len() < 16 {
        return Err(failed);
    }
    Ok(Field {
        value: payload.value,
        nonce: payload.nonce,
        session_id: payload.sid,
    })
}
