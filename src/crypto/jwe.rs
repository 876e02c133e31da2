//! Builds `paykka-web JWE v1` compact strings: RSA-OAEP-256 wraps a fresh 256-bit key,
//! A256GCM (96-bit IV) encrypts the field payload, the protected header is the AAD.

use aes_gcm::aead::AeadInOut;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use base64ct::{Base64UrlUnpadded, Encoding};
use rand_core::TryCryptoRng;
use rsa::Oaep;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::key::EncryptionKey;
use super::payload::{field_payload, push_json_string, rfc3339_millis, FieldName};
use super::CryptoError;

/// The content type that versions the payload format.
pub const CONTENT_TYPE: &str = "paykka-field+json;v=1";

/// What every field of one encryption shares.
#[derive(Clone, Debug, Default)]
pub struct EncryptionContext {
    /// Milliseconds since the Unix epoch, on the gateway's clock when known.
    pub now_ms: i64,
    /// The checkout session id, when the card is paid inside a session.
    pub session_id: Option<String>,
}

/// The four card values, as typed (they are normalised before encryption).
#[derive(Clone, Default)]
pub struct CardFields {
    pub number: String,
    pub expiry_month: String,
    pub expiry_year: String,
    pub cvc: String,
}

/// One JWE compact string per field, named (when serialised) as PayKKa's own
/// `encrypted-card.js` names them.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EncryptedCard {
    pub encrypted_card_number: String,
    pub encrypted_expire_month: String,
    pub encrypted_expire_year: String,
    #[serde(rename = "encryptedCVV")]
    pub encrypted_cvv: String,
}

fn protected_header(kid: &str) -> String {
    let mut header = String::from(r#"{"alg":"RSA-OAEP-256","enc":"A256GCM","kid":"#);
    push_json_string(&mut header, kid);
    header.push_str(r#","cty":"#);
    push_json_string(&mut header, CONTENT_TYPE);
    header.push('}');
    header
}

fn random_bytes<const N: usize, R: TryCryptoRng + ?Sized>(
    rng: &mut R,
) -> Result<Zeroizing<[u8; N]>, CryptoError> {
    let mut bytes = Zeroizing::new([0u8; N]);
    rng.try_fill_bytes(bytes.as_mut())
        .map_err(|_| CryptoError::EncryptionFailed)?;
    Ok(bytes)
}

/// Normalises `value` for `field` (see [`normalize_value`]) and encrypts it into one JWE
/// compact string.
pub fn encrypt_field<R: TryCryptoRng + ?Sized>(
    key: &EncryptionKey,
    field: FieldName,
    value: &str,
    context: &EncryptionContext,
    rng: &mut R,
) -> Result<String, CryptoError> {
    let value = normalize_value(field, value)?;
    encrypt_normalized(key, field, &value, context, rng)
}

fn encrypt_normalized<R: TryCryptoRng + ?Sized>(
    key: &EncryptionKey,
    field: FieldName,
    value: &str,
    context: &EncryptionContext,
    rng: &mut R,
) -> Result<String, CryptoError> {
    let cek = random_bytes::<32, R>(rng)?;
    let iv = random_bytes::<12, R>(rng)?;
    let nonce = random_bytes::<16, R>(rng)?;
    let plaintext = field_payload(
        field,
        value,
        &rfc3339_millis(context.now_ms),
        &Base64UrlUnpadded::encode_string(nonce.as_ref()),
        context.session_id.as_deref(),
    );

    let header = Base64UrlUnpadded::encode_string(protected_header(key.kid()).as_bytes());
    let wrapped_key = key
        .key
        .encrypt(rng, Oaep::<Sha256>::new(), cek.as_ref())
        .map_err(|_| CryptoError::EncryptionFailed)?;
    let cipher =
        Aes256Gcm::new_from_slice(cek.as_ref()).map_err(|_| CryptoError::EncryptionFailed)?;
    let mut buffer = Zeroizing::new(plaintext.as_bytes().to_vec());
    let tag = cipher
        .encrypt_inout_detached(
            &Nonce::from(*iv),
            header.as_bytes(),
            buffer.as_mut_slice().into(),
        )
        .map_err(|_| CryptoError::EncryptionFailed)?;

    let parts = [
        header,
        Base64UrlUnpadded::encode_string(&wrapped_key),
        Base64UrlUnpadded::encode_string(iv.as_ref()),
        Base64UrlUnpadded::encode_string(&buffer),
        Base64UrlUnpadded::encode_string(&tag),
    ];
    Ok(parts.join("."))
}

/// Normalises all four card values first (so nothing is encrypted when one is
/// malformed), then encrypts each into its own JWE.
pub fn encrypt_card<R: TryCryptoRng + ?Sized>(
    key: &EncryptionKey,
    card: &CardFields,
    context: &EncryptionContext,
    rng: &mut R,
) -> Result<EncryptedCard, CryptoError> {
    let number = normalize_value(FieldName::Number, &card.number)?;
    let month = normalize_value(FieldName::ExpiryMonth, &card.expiry_month)?;
    let year = normalize_value(FieldName::ExpiryYear, &card.expiry_year)?;
    let cvc = normalize_value(FieldName::Cvc, &card.cvc)?;
    let mut encrypt =
        |field: FieldName, value: &str| encrypt_normalized(key, field, value, context, rng);
    Ok(EncryptedCard {
        encrypted_card_number: encrypt(FieldName::Number, &number)?,
        encrypted_expire_month: encrypt(FieldName::ExpiryMonth, &month)?,
        encrypted_expire_year: encrypt(FieldName::ExpiryYear, &year)?,
        encrypted_cvv: encrypt(FieldName::Cvc, &cvc)?,
    })
}

/// The value as it goes into the payload: number digits only (12–19, spaces and dashes
/// dropped), month `01`–`12`, year four digits (`31` → `2031`), CVC 3–4 digits.
///
/// Checks shape only: brand rules and Luhn are the card form's job and the receiver's,
/// so custom integrations can send brands this crate does not know.
pub fn normalize_value(field: FieldName, value: &str) -> Result<Zeroizing<String>, CryptoError> {
    use crate::card::number::{digits_only, normalize_number};
    let digits = match field {
        FieldName::Number => normalize_number(value),
        _ => digits_only(value.trim(), |_| false),
    }
    .map_err(|_| CryptoError::Validation(field))?;
    let digits = Zeroizing::new(digits);
    let normalized = match (field, digits.len()) {
        (FieldName::Number, 12..=19) | (FieldName::Cvc, 3..=4) | (FieldName::ExpiryYear, 4) => {
            digits.to_string()
        }
        (FieldName::ExpiryYear, 2) => format!("20{}", digits.as_str()),
        (FieldName::ExpiryMonth, 1..=2) => match digits.parse::<u8>() {
            Ok(month @ 1..=12) => format!("{month:02}"),
            _ => return Err(CryptoError::Validation(field)),
        },
        _ => return Err(CryptoError::Validation(field)),
    };
    Ok(Zeroizing::new(normalized))
}

/// Never prints card data, so a stray `{:?}` cannot leak it.
impl std::fmt::Debug for CardFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CardFields { .. }")
    }
}
