//! Builds `paykka-web JWE v1` compact strings: RSA-OAEP-256 wraps a fresh 256-bit key,
//! A256GCM (96-bit IV) encrypts the field payload, the protected header is the AAD. The
//! envelope (header, payload, random values, encoding) is built here; the two primitives
//! come from a [`Cipher`]: RustCrypto natively (`native`), WebCrypto in the browser.

use base64ct::{Base64UrlUnpadded, Encoding};
use rand_core::TryCryptoRng;
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

/// The two primitives of the envelope.
pub trait Cipher {
    /// RSA-OAEP with SHA-256 of `cek` under the public key.
    fn wrap_key(&self, cek: &[u8]) -> Result<Vec<u8>, CryptoError>;
    /// AES-256-GCM of `plaintext` with `aad`: the ciphertext followed by the 16-byte tag.
    fn seal(
        &self,
        cek: &[u8],
        iv: &[u8],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, CryptoError>;
}

/// One field, ready for the primitives: the encoded header (the AAD), the payload, and the
/// fresh content key and IV.
pub struct SealInput {
    pub header_b64: String,
    pub payload: Zeroizing<Vec<u8>>,
    pub cek: Zeroizing<[u8; 32]>,
    pub iv: [u8; 12],
}

/// Builds the header and payload of an already normalised `value`, with a fresh key, IV and
/// nonce from `rng`.
pub fn seal_input<R: TryCryptoRng + ?Sized>(
    kid: &str,
    field: FieldName,
    value: &str,
    context: &EncryptionContext,
    rng: &mut R,
) -> Result<SealInput, CryptoError> {
    let cek = random_bytes::<32, R>(rng)?;
    let iv = random_bytes::<12, R>(rng)?;
    let nonce = random_bytes::<16, R>(rng)?;
    let payload = field_payload(
        field,
        value,
        &rfc3339_millis(context.now_ms),
        &Base64UrlUnpadded::encode_string(nonce.as_ref()),
        context.session_id.as_deref(),
    );
    Ok(SealInput {
        header_b64: Base64UrlUnpadded::encode_string(protected_header(kid).as_bytes()),
        payload: Zeroizing::new(payload.as_bytes().to_vec()),
        cek,
        iv: *iv,
    })
}

/// The compact serialisation from the header, the wrapped key, the IV and the sealed
/// payload (ciphertext and tag).
pub fn compact(
    header_b64: &str,
    wrapped_key: &[u8],
    iv: &[u8],
    sealed: &[u8],
) -> Result<String, CryptoError> {
    let split = sealed
        .len()
        .checked_sub(16)
        .ok_or(CryptoError::EncryptionFailed)?;
    let (ciphertext, tag) = sealed.split_at(split);
    Ok([
        header_b64.to_owned(),
        Base64UrlUnpadded::encode_string(wrapped_key),
        Base64UrlUnpadded::encode_string(iv),
        Base64UrlUnpadded::encode_string(ciphertext),
        Base64UrlUnpadded::encode_string(tag),
    ]
    .join("."))
}

/// Normalises `value` for `field` (see [`normalize_value`]) and encrypts it into one JWE
/// compact string with `cipher`.
pub fn encrypt_field_with<R: TryCryptoRng + ?Sized>(
    cipher: &impl Cipher,
    key: &EncryptionKey,
    field: FieldName,
    value: &str,
    context: &EncryptionContext,
    rng: &mut R,
) -> Result<String, CryptoError> {
    let value = normalize_value(field, value)?;
    encrypt_normalized(cipher, key, field, &value, context, rng)
}

fn encrypt_normalized<R: TryCryptoRng + ?Sized>(
    cipher: &impl Cipher,
    key: &EncryptionKey,
    field: FieldName,
    value: &str,
    context: &EncryptionContext,
    rng: &mut R,
) -> Result<String, CryptoError> {
    let input = seal_input(key.kid(), field, value, context, rng)?;
    let wrapped = cipher.wrap_key(input.cek.as_ref())?;
    let sealed = Zeroizing::new(cipher.seal(
        input.cek.as_ref(),
        &input.iv,
        input.header_b64.as_bytes(),
        &input.payload,
    )?);
    compact(&input.header_b64, &wrapped, &input.iv, &sealed)
}

/// Normalises all four card values first (so nothing is encrypted when one is
/// malformed), then encrypts each into its own JWE with `cipher`.
pub fn encrypt_card_with<R: TryCryptoRng + ?Sized>(
    cipher: &impl Cipher,
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
        |field: FieldName, value: &str| encrypt_normalized(cipher, key, field, value, context, rng);
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
