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

/// One JWE compact string per field, named as PayKKa's own `encrypted-card.js` names them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptedCard {
    pub encrypted_card_number: String,
    pub encrypted_expire_month: String,
    pub encrypted_expire_year: String,
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

/// Encrypts one already-normalised field value into a JWE compact string.
pub fn encrypt_field<R: TryCryptoRng + ?Sized>(
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

/// Normalises the four card values (number digits only, month `01`–`12`, 4-digit year,
/// CVC digits) and encrypts each into its own JWE.
///
/// Checks shape only (digits, lengths, month range): brand rules and Luhn are the card
/// form's job and the receiver's, so custom integrations can send brands we do not know.
pub fn encrypt_card<R: TryCryptoRng + ?Sized>(
    key: &EncryptionKey,
    card: &CardFields,
    context: &EncryptionContext,
    rng: &mut R,
) -> Result<EncryptedCard, CryptoError> {
    let values = normalize_card(card)?;
    let mut encrypt =
        |field: FieldName, value: &str| encrypt_field(key, field, value, context, rng);
    Ok(EncryptedCard {
        encrypted_card_number: encrypt(FieldName::Number, &values.number)?,
        encrypted_expire_month: encrypt(FieldName::ExpiryMonth, &values.expiry_month)?,
        encrypted_expire_year: encrypt(FieldName::ExpiryYear, &values.expiry_year)?,
        encrypted_cvv: encrypt(FieldName::Cvc, &values.cvc)?,
    })
}

/// The normalised form of each field, or the first field that has none.
pub fn normalize_card(card: &CardFields) -> Result<Zeroizing<CardFields>, CryptoError> {
    use crate::card::number::{digits_only, normalize_number};
    let invalid = CryptoError::Validation;
    let number = normalize_number(&card.number).map_err(|_| invalid(FieldName::Number))?;
    if !(12..=19).contains(&number.len()) {
        return Err(invalid(FieldName::Number));
    }
    let month: u8 = digits_only(card.expiry_month.trim(), |_| false)
        .ok()
        .filter(|m| (1..=2).contains(&m.len()))
        .and_then(|m| m.parse().ok())
        .filter(|m| (1..=12).contains(m))
        .ok_or(invalid(FieldName::ExpiryMonth))?;
    let year = digits_only(card.expiry_year.trim(), |_| false)
        .map_err(|_| invalid(FieldName::ExpiryYear))?;
    let year = match year.len() {
        2 => format!("20{year}"),
        4 => year,
        _ => return Err(invalid(FieldName::ExpiryYear)),
    };
    let cvc = digits_only(card.cvc.trim(), |_| false).map_err(|_| invalid(FieldName::Cvc))?;
    if !(3..=4).contains(&cvc.len()) {
        return Err(invalid(FieldName::Cvc));
    }
    Ok(Zeroizing::new(CardFields {
        number,
        expiry_month: format!("{month:02}"),
        expiry_year: year,
        cvc,
    }))
}

/// Never prints card data, so a stray `{:?}` cannot leak it.
impl std::fmt::Debug for CardFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CardFields { .. }")
    }
}

impl zeroize::Zeroize for CardFields {
    fn zeroize(&mut self) {
        self.number.zeroize();
        self.expiry_month.zeroize();
        self.expiry_year.zeroize();
        self.cvc.zeroize();
    }
}
