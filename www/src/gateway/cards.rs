//! Card data as the sandbox receives it: `paykka-web JWE v1` fields checked as SPEC §2.4
//! says (alg and enc pinned, `kid` looked up, field bound to its slot, 15-minute window
//! with ±5 minutes of skew; nonce replay is checked where the payment is stored), then
//! the values checked (Luhn, expiry, CVC length). Decryption is RSA-OAEP with the
//! constant-time `rsa` 0.10 private-key operation.

use aes_gcm::aead::AeadInOut;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce, Tag};
use base64ct::{Base64UrlUnpadded, Encoding};
use paykka_web::card::{check_cvc, check_number, Brand, YearMonth};
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

/// A card as the sandbox processes it. Never logged, never stored (brand, BIN and last 4
/// are what is kept).
pub struct Card {
    pub number: String,
    pub brand: Brand,
}

impl std::fmt::Debug for Card {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Card {{ brand: {:?}, last4: {} }}",
            self.brand,
            self.last4()
        )
    }
}

impl Card {
    /// Checks decrypted or raw values.
    pub fn check(
        number: &str,
        month: &str,
        year: &str,
        cvc: &str,
        now_ms: i64,
    ) -> Result<Card, CardError> {
        let card = Card::without_code(number, month, year, now_ms)?;
        if !check_cvc(cvc, Some(card.brand)).is_valid() {
            return Err(CardError::Invalid("Security code invalid"));
        }
        Ok(card)
    }

    /// Checks a card that comes without a security code: a wallet's device account number
    /// (the cryptogram stands in for the code).
    pub fn without_code(
        number: &str,
        month: &str,
        year: &str,
        now_ms: i64,
    ) -> Result<Card, CardError> {
        let number_check = check_number(number, None);
        let brand = match (number_check.validity.is_valid(), number_check.brand()) {
            (true, Some(brand)) => brand,
            _ => return Err(CardError::Invalid("Card number invalid")),
        };
        let month: u8 = month
            .parse()
            .ok()
            .filter(|m| (1..=12).contains(m))
            .ok_or(CardError::Invalid("Expiry month invalid"))?;
        let year: u16 = match year.len() {
            2 => year.parse::<u16>().map(|y| 2000 + y).ok(),
            4 => year.parse().ok(),
            _ => None,
        }
        .ok_or(CardError::Invalid("Expiry year invalid"))?;
        let today = OffsetDateTime::from_unix_timestamp(now_ms / 1000)
            .map_err(|_| CardError::Invalid("Clock"))?;
        let current = YearMonth {
            year: today.year() as u16,
            month: u8::from(today.month()),
        };
        if (YearMonth { year, month }) < current {
            return Err(CardError::Invalid("Card expired"));
        }
        Ok(Card {
            number: number_check.digits,
            brand,
        })
    }

    pub fn bin(&self) -> &str {
        &self.number[..6]
    }

    pub fn last4(&self) -> &str {
        &self.number[self.number.len() - 4..]
    }

    /// PayKKa's `card_brand` value.
    pub fn brand_name(&self) -> &'static str {
        match self.brand {
            Brand::Visa => "VISA",
            Brand::Mastercard => "MASTERCARD",
            Brand::Amex => "AMEX",
            Brand::Diners => "DINERS",
            Brand::Discover => "DISCOVER",
            Brand::Jcb => "JCB",
            Brand::UnionPay => "UNIONPAY",
            Brand::Maestro => "MAESTRO",
            Brand::Elo => "ELO",
            Brand::Mir => "MIR",
            Brand::Hiper => "HIPER",
            Brand::Hipercard => "HIPERCARD",
        }
    }
}

/// What the sandbox does with a card (SPEC §5 test cards).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Authorised,
    Challenge,
    Declined(&'static str, &'static str),
    NotSupported,
}

pub fn outcome(number: &str) -> Outcome {
    match number {
        "4242424242424242" | "5555555555554444" | "378282246310005" | "3566002020360505" => {
            Outcome::Authorised
        }
        "4000000000003220" => Outcome::Challenge,
        "4000000000000002" => Outcome::Declined("3001", "Declined by the issuer"),
        "4000000000009995" => Outcome::Declined("3002", "Insufficient funds"),
        "4000000000000069" => Outcome::Declined("3003", "Expired card"),
        "4000000000000127" => Outcome::Declined("3004", "Incorrect security code"),
        _ => Outcome::NotSupported,
    }
}
