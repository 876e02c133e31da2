//! `CardEncryptor`: the low-level path (key in, four JWE strings out) for custom
//! integrations and benchmarks. The page that uses it handles raw card data, so it carries
//! the larger PCI DSS scope; the secure fields are the default path.

use getrandom::SysRng;
use wasm_bindgen::prelude::*;

use super::options::{invalid, number, options_object, required_string, string};
use crate::crypto::{
    encrypt_card, encrypt_field, CardFields, EncryptionContext, EncryptionKey, FieldName, Jwk,
};

#[wasm_bindgen(typescript_custom_section)]
const ENCRYPTOR_TYPES: &str = r#"
/** An RSA public key: a JWK object or JSON text, an SPKI/PKCS#1 PEM, or "<exponent hex>|<modulus hex>". */
export type PublicKeyInput = string | { kty: "RSA"; n: string; e: string; kid?: string; alg?: string; use?: string };
export interface CardEncryptorOptions {
  /** Key id for the JWE header when the key has none (default: the RFC 7638 thumbprint). */
  keyId?: string;
  /** The gateway's clock (ms since the epoch) at the time of this call, for `generationtime`. */
  serverTime?: number;
  /** The checkout session id, added to each payload as `sid`. */
  sessionId?: string;
}
/** The raw card values; they are normalised (digits only, month "01"–"12", year 4 digits). */
export interface CardValues {
  number: string;
  expiryMonth: string;
  expiryYear: string;
  cvc: string;
}
/** One `paykka-web JWE v1` compact string per field. */
export interface EncryptedCardValues {
  encryptedCardNumber: string;
  encryptedExpireMonth: string;
  encryptedExpireYear: string;
  encryptedCVV: string;
}
export type CardFieldName = "number" | "expiryMonth" | "expiryYear" | "cvc";
/** Every error this package throws or reports. */
export interface PaykkaError extends Error {
  name: "PaykkaError";
  code: string;
  field?: string;
}
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "PublicKeyInput")]
    pub type PublicKeyInput;
    #[wasm_bindgen(typescript_type = "CardEncryptorOptions | undefined")]
    pub type CardEncryptorOptions;
    #[wasm_bindgen(typescript_type = "CardValues")]
    pub type CardValues;
    #[wasm_bindgen(typescript_type = "EncryptedCardValues")]
    pub type EncryptedCardValues;
    #[wasm_bindgen(typescript_type = "CardFieldName")]
    pub type CardFieldNameJs;
}

/// Parses any accepted key form.
pub fn parse_key(input: &JsValue, key_id: Option<&str>) -> Result<EncryptionKey, JsValue> {
    let key_error = || JsValue::from(crate::crypto::CryptoError::KeyInvalid);
    if let Some(text) = input.as_string() {
        if text.trim_start().starts_with('{') {
            let parsed = js_sys::JSON::parse(&text).map_err(|_| key_error())?;
            return parse_key(&parsed, key_id);
        }
        return Ok(EncryptionKey::from_text(&text, key_id)?);
    }
    if input.is_object() {
        // A JWK may carry more members (key_ops, ext…): read only those we need.
        let member = |name: &str| {
            js_sys::Reflect::get(input, &JsValue::from_str(name))
                .ok()
                .and_then(|v| v.as_string())
        };
        let jwk = Jwk {
            kty: member("kty").unwrap_or_default(),
            n: member("n").unwrap_or_default(),
            e: member("e").unwrap_or_default(),
            kid: member("kid"),
            alg: member("alg"),
            key_use: member("use"),
        };
        return Ok(EncryptionKey::from_jwk(&jwk, key_id)?);
    }
    Err(key_error())
}

/// Encrypts card values into `paykka-web JWE v1` with the browser's random source.
#[wasm_bindgen]
pub struct CardEncryptor {
    key: EncryptionKey,
    /// Gateway clock minus browser clock, in ms.
    clock_offset_ms: f64,
    session_id: Option<String>,
}

#[wasm_bindgen]
impl CardEncryptor {
    /// Parses and checks the key (RSA 2048–4096 bits). Throws a `PaykkaError` with code
    /// `KEY_INVALID`, `KEY_TOO_SHORT`, `KEY_TOO_LONG`, `KEY_UNSUPPORTED` or `INVALID_OPTION`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        public_key: PublicKeyInput,
        options: CardEncryptorOptions,
    ) -> Result<CardEncryptor, JsValue> {
        let options = JsValue::from(options);
        if !(options.is_undefined() || options.is_null()) {
            options_object(
                &options,
                &["keyId", "serverTime", "sessionId"],
                "CardEncryptor options",
            )?;
        }
        let key = parse_key(&public_key, string(&options, "keyId")?.as_deref())?;
        let clock_offset_ms = number(&options, "serverTime")?
            .map_or(0.0, |server_time| server_time - js_sys::Date::now());
        Ok(CardEncryptor {
            key,
            clock_offset_ms,
            session_id: string(&options, "sessionId")?,
        })
    }

    /// The key id written into each JWE header.
    #[wasm_bindgen(getter, js_name = keyId)]
    pub fn key_id(&self) -> String {
        self.key.kid().to_owned()
    }

    /// The key size in bits.
    #[wasm_bindgen(getter, js_name = keyBits)]
    pub fn key_bits(&self) -> usize {
        self.key.bits()
    }

    /// Encrypts all four values (each checked first; `VALIDATION` names the bad field).
    pub fn encrypt(&self, card: CardValues) -> Result<EncryptedCardValues, JsValue> {
        let input = JsValue::from(card);
        options_object(
            &input,
            &["number", "expiryMonth", "expiryYear", "cvc"],
            "card",
        )?;
        let fields = CardFields {
            number: required_string(&input, "number")?,
            expiry_month: required_string(&input, "expiryMonth")?,
            expiry_year: required_string(&input, "expiryYear")?,
            cvc: required_string(&input, "cvc")?,
        };
        let encrypted = encrypt_card(&self.key, &fields, &self.context(), &mut SysRng)?;
        serde_wasm_bindgen::to_value(&encrypted)
            .map(JsCast::unchecked_into)
            .map_err(JsValue::from)
    }

    /// Encrypts one value for the named field.
    #[wasm_bindgen(js_name = encryptField)]
    pub fn encrypt_one(&self, field: CardFieldNameJs, value: &str) -> Result<String, JsValue> {
        let name = JsValue::from(field).as_string().unwrap_or_default();
        let field = FieldName::ALL
            .into_iter()
            .find(|f| f.as_str() == name)
            .ok_or_else(|| {
                JsValue::from(invalid(
                    "field must be number, expiryMonth, expiryYear or cvc",
                ))
            })?;
        Ok(encrypt_field(
            &self.key,
            field,
            value,
            &self.context(),
            &mut SysRng,
        )?)
    }
}

impl CardEncryptor {
    fn context(&self) -> EncryptionContext {
        EncryptionContext {
            now_ms: (js_sys::Date::now() + self.clock_offset_ms) as i64,
            session_id: self.session_id.clone(),
        }
    }
}
