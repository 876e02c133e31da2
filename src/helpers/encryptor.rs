//! `CardEncryptor`: the low-level path (key in, four JWE strings out) for custom
//! integrations and benchmarks. The page that uses it handles raw card data, so it carries
//! the larger PCI DSS scope; the secure fields are the default path.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use crate::crypto::{EncryptionContext, EncryptionKey, FieldName};
use crate::web::keys::parse_key;
use crate::web::option_reader::{invalid, number, options_object, required_string, string};
use crate::web::webcrypto::WebCipher;

#[wasm_bindgen(typescript_custom_section)]
const ENCRYPTOR_TYPES: &str = r#"
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
export type CardFieldName = "number" | "expiryMonth" | "expiryYear" | "cvc";
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "PublicKeyInput")]
    pub type PublicKeyInput;
    #[wasm_bindgen(typescript_type = "CardEncryptorOptions | undefined")]
    pub type CardEncryptorOptions;
    #[wasm_bindgen(typescript_type = "CardValues")]
    pub type CardValues;
    #[wasm_bindgen(typescript_type = "Promise<EncryptedCardValues>")]
    pub type EncryptedCardPromise;
    #[wasm_bindgen(typescript_type = "Promise<string>")]
    pub type EncryptedFieldPromise;
    #[wasm_bindgen(typescript_type = "CardFieldName")]
    pub type CardFieldNameJs;
}

/// Encrypts card values into `paykka-web JWE v1` with WebCrypto: the browser's, a worker's, or
/// Node.js's (`globalThis.crypto`, Node 20 and later; import `paykka-web/full`).
#[wasm_bindgen]
pub struct CardEncryptor {
    key: EncryptionKey,
    /// The key imported into WebCrypto on first use.
    cipher: Rc<RefCell<Option<Rc<WebCipher>>>>,
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
            cipher: Rc::default(),
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

    /// Encrypts all four values (each checked first: `VALIDATION` names the bad field; an
    /// insecure page rejects with `INSECURE_CONTEXT`).
    pub fn encrypt(&self, card: CardValues) -> EncryptedCardPromise {
        let input = JsValue::from(card);
        let fields = options_object(
            &input,
            &["number", "expiryMonth", "expiryYear", "cvc"],
            "card",
        )
        .and_then(|_| {
            Ok([
                (FieldName::Number, required_string(&input, "number")?),
                (
                    FieldName::ExpiryMonth,
                    required_string(&input, "expiryMonth")?,
                ),
                (
                    FieldName::ExpiryYear,
                    required_string(&input, "expiryYear")?,
                ),
                (FieldName::Cvc, required_string(&input, "cvc")?),
            ])
        });
        let (cipher, key, context) = (Rc::clone(&self.cipher), self.key.clone(), self.context());
        let promise = wasm_bindgen_futures::future_to_promise(async move {
            let fields = fields?;
            // Every value is checked before anything is encrypted.
            for (field, value) in &fields {
                crate::crypto::normalize_value(*field, value)?;
            }
            let cipher = imported(&cipher, key).await?;
            let pairs: Vec<(FieldName, &str)> =
                fields.iter().map(|(f, v)| (*f, v.as_str())).collect();
            let jwes = cipher.encrypt(&pairs, &context).await?;
            let result = js_sys::Object::new();
            for (slot, jwe) in [
                "encryptedCardNumber",
                "encryptedExpireMonth",
                "encryptedExpireYear",
                "encryptedCVV",
            ]
            .into_iter()
            .zip(jwes)
            {
                js_sys::Reflect::set(&result, &slot.into(), &jwe.into())?;
            }
            Ok(result.into())
        });
        promise.unchecked_into()
    }

    /// Encrypts one value for the named field.
    #[wasm_bindgen(js_name = encryptField)]
    pub fn encrypt_one(&self, field: CardFieldNameJs, value: String) -> EncryptedFieldPromise {
        let name = JsValue::from(field).as_string().unwrap_or_default();
        let field = FieldName::ALL.into_iter().find(|f| f.as_str() == name);
        let (cipher, key, context) = (Rc::clone(&self.cipher), self.key.clone(), self.context());
        let promise = wasm_bindgen_futures::future_to_promise(async move {
            let field = field.ok_or_else(|| {
                JsValue::from(invalid(
                    "field must be number, expiryMonth, expiryYear or cvc",
                ))
            })?;
            let cipher = imported(&cipher, key).await?;
            let mut jwes = cipher.encrypt(&[(field, value.as_str())], &context).await?;
            Ok(jwes.pop().unwrap_or_default().into())
        });
        promise.unchecked_into()
    }
}

/// The key imported into WebCrypto, importing it the first time.
async fn imported(
    slot: &RefCell<Option<Rc<WebCipher>>>,
    key: EncryptionKey,
) -> Result<Rc<WebCipher>, JsValue> {
    if let Some(cipher) = slot.borrow().clone() {
        return Ok(cipher);
    }
    let cipher = Rc::new(WebCipher::import(key)?.await?);
    *slot.borrow_mut() = Some(Rc::clone(&cipher));
    Ok(cipher)
}

impl CardEncryptor {
    fn context(&self) -> EncryptionContext {
        EncryptionContext {
            now_ms: (js_sys::Date::now() + self.clock_offset_ms) as i64,
            session_id: self.session_id.clone(),
        }
    }
}
