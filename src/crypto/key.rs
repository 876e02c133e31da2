//! Public keys for field encryption: JWK, SPKI/PKCS#1 PEM or `"<exponent hex>|<modulus hex>"`,
//! RSA 2048–4096 bits, with a key id (given, or the RFC 7638 JWK thumbprint).

use base64ct::{Base64UrlUnpadded, Encoding};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::key_encoding::{pem_decode, rsa_public_key, spki_rsa_key};
use super::CryptoError;

/// Smallest accepted modulus, in bits.
pub const MIN_KEY_BITS: usize = 2048;
/// Largest accepted modulus, in bits.
pub const MAX_KEY_BITS: usize = 4096;

/// An RSA public JWK (RFC 7517). Only the members this crate reads.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Jwk {
    pub kty: String,
    pub n: String,
    pub e: String,
    #[serde(default)]
    pub kid: Option<String>,
    #[serde(default)]
    pub alg: Option<String>,
    #[serde(default, rename = "use")]
    pub key_use: Option<String>,
}

/// A validated RSA public key (big-endian modulus and exponent, no leading zeros) with the
/// id that goes into each JWE header. The primitives that use it (`Cipher`) import it.
#[derive(Clone, Debug)]
pub struct EncryptionKey {
    n: Vec<u8>,
    e: Vec<u8>,
    kid: String,
}

impl EncryptionKey {
    /// Parses a JWK. Its `kid` wins over `key_id`; without either the thumbprint is used.
    pub fn from_jwk(jwk: &Jwk, key_id: Option<&str>) -> Result<Self, CryptoError> {
        let (n, e) = jwk_components(jwk)?;
        Self::from_components(&n, &e, jwk.kid.as_deref().or(key_id))
    }

    /// Parses a JWK that must name its id (its `kid`, else `key_id`): a secure origin's key.
    /// No thumbprint is made, so the frame bundle carries no SHA-256.
    pub fn from_jwk_with_id(jwk: &Jwk, key_id: Option<&str>) -> Result<Self, CryptoError> {
        let (n, e) = jwk_components(jwk)?;
        let kid = given_id(jwk.kid.as_deref().or(key_id)).ok_or(CryptoError::KeyInvalid)?;
        let (n, e) = checked_components(&n, &e)?;
        Ok(Self {
            n: n.to_vec(),
            e: e.to_vec(),
            kid,
        })
    }

    /// Parses a key given as text: PEM (`PUBLIC KEY` or `RSA PUBLIC KEY`) or
    /// `"<exponent hex>|<modulus hex>"`. (JWK text is parsed by the caller into [`Jwk`].)
    pub fn from_text(text: &str, key_id: Option<&str>) -> Result<Self, CryptoError> {
        let text = text.trim();
        if text.starts_with("-----BEGIN") {
            let (label, der) = pem_decode(text)?;
            let pkcs1 = match label {
                "PUBLIC KEY" => spki_rsa_key(&der)?,
                "RSA PUBLIC KEY" => &der,
                _ => return Err(CryptoError::KeyUnsupported),
            };
            let (n, e) = rsa_public_key(pkcs1)?;
            Self::from_components(n, e, key_id)
        } else if let Some((e, n)) = text.split_once('|') {
            let e = decode_hex(e)?;
            let n = decode_hex(n)?;
            Self::from_components(&n, &e, key_id)
        } else {
            Err(CryptoError::KeyInvalid)
        }
    }

    /// Builds the key from big-endian modulus and exponent bytes.
    pub fn from_components(n: &[u8], e: &[u8], key_id: Option<&str>) -> Result<Self, CryptoError> {
        let (n, e) = checked_components(n, e)?;
        let kid = given_id(key_id).unwrap_or_else(|| thumbprint(n, e));
        Ok(Self {
            n: n.to_vec(),
            e: e.to_vec(),
            kid,
        })
    }

    /// The modulus, big-endian.
    pub fn modulus(&self) -> &[u8] {
        &self.n
    }

    /// The public exponent, big-endian.
    pub fn exponent(&self) -> &[u8] {
        &self.e
    }

    /// The key id written into every JWE header.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The modulus size in bits, rounded up to whole bytes (as `rsa` reports it).
    pub fn bits(&self) -> usize {
        self.n.len() * 8
    }
}

fn trim_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// A key id that names something: trimmed, and not blank.
fn given_id(id: Option<&str>) -> Option<String> {
    id.map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
}

/// The modulus and exponent of an RSA encryption JWK (for RSA-OAEP-256 if it says).
fn jwk_components(jwk: &Jwk) -> Result<(Vec<u8>, Vec<u8>), CryptoError> {
    if jwk.kty != "RSA" {
        return Err(CryptoError::KeyUnsupported);
    }
    if jwk.alg.as_deref().is_some_and(|alg| alg != "RSA-OAEP-256") {
        return Err(CryptoError::KeyUnsupported);
    }
    if jwk.key_use.as_deref().is_some_and(|u| u != "enc") {
        return Err(CryptoError::KeyUnsupported);
    }
    Ok((decode_b64url(&jwk.n)?, decode_b64url(&jwk.e)?))
}

/// Modulus and exponent without leading zeros, once they are a usable RSA key: 2048–4096
/// bits, an odd modulus, an odd exponent greater than 1 (and fitting 64 bits).
fn checked_components<'a>(n: &'a [u8], e: &'a [u8]) -> Result<(&'a [u8], &'a [u8]), CryptoError> {
    let n = trim_leading_zeros(n);
    let e = trim_leading_zeros(e);
    let bits = match n.first() {
        None => return Err(CryptoError::KeyInvalid),
        Some(first) => n.len() * 8 - first.leading_zeros() as usize,
    };
    if bits < MIN_KEY_BITS {
        return Err(CryptoError::KeyTooShort);
    }
    if bits > MAX_KEY_BITS {
        return Err(CryptoError::KeyTooLong);
    }
    let exponent_ok = e.len() <= 8 && e.last().is_some_and(|b| b & 1 == 1) && e != [1];
    if !exponent_ok || n.last().is_none_or(|b| b & 1 == 0) {
        return Err(CryptoError::KeyInvalid);
    }
    Ok((n, e))
}

fn decode_b64url(text: &str) -> Result<Vec<u8>, CryptoError> {
    Base64UrlUnpadded::decode_vec(text.trim_end_matches('=')).map_err(|_| CryptoError::KeyInvalid)
}

fn decode_hex(text: &str) -> Result<Vec<u8>, CryptoError> {
    let text = text.trim();
    let text = text.strip_prefix("0x").unwrap_or(text);
    // An odd number of digits means a leading zero nibble.
    let padded = if text.len() % 2 == 1 {
        format!("0{text}")
    } else {
        text.to_owned()
    };
    base16ct::mixed::decode_vec(padded).map_err(|_| CryptoError::KeyInvalid)
}

/// RFC 7638 thumbprint: SHA-256 over `{"e":…,"kty":"RSA","n":…}`, base64url.
pub fn thumbprint(n: &[u8], e: &[u8]) -> String {
    let canonical = format!(
        r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
        Base64UrlUnpadded::encode_string(e),
        Base64UrlUnpadded::encode_string(n)
    );
    Base64UrlUnpadded::encode_string(&Sha256::digest(canonical.as_bytes()))
}
