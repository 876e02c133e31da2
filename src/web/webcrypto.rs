//! `paykka-web JWE v1` in the browser with WebCrypto: the public key is imported once (per
//! mount, or per `CardEncryptor`), and each field's content key is wrapped with RSA-OAEP
//! (SHA-256) and its payload sealed with AES-GCM by `crypto.subtle`. The envelope itself
//! (header, payload, random values, encoding) is the pure `crypto` module's. WebCrypto is
//! the global scope's `crypto.subtle`: a page's, a worker's, or Node.js's (20 and later).
//! Without it (a page not served over https or from localhost) nothing can be encrypted,
//! which `subtle()` reports as `INSECURE_CONTEXT` at setup time.

use std::future::Future;

use base64ct::{Base64UrlUnpadded, Encoding};
use js_sys::{Array, ArrayBuffer, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};
use zeroize::Zeroizing;

use crate::crypto::{
    compact, normalize_value, seal_input, CryptoError, EncryptionContext, EncryptionKey, FieldName,
};
use crate::web::error::SetupError;
use crate::web::events::set;

fn object(pairs: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (key, value) in pairs {
        set(&o, key, value.clone());
    }
    o
}

/// The global scope's `crypto.subtle` (window, worker or Node.js), or `INSECURE_CONTEXT`.
pub fn subtle() -> Result<SubtleCrypto, SetupError> {
    let present = |value: JsValue| (!value.is_undefined() && !value.is_null()).then_some(value);
    Reflect::get(&js_sys::global(), &"crypto".into())
        .ok()
        .and_then(present)
        .and_then(|crypto| Reflect::get(&crypto, &"subtle".into()).ok())
        .and_then(present)
        .map(JsCast::unchecked_into)
        .ok_or_else(|| {
            SetupError::new(
                "INSECURE_CONTEXT",
                "no WebCrypto here: serve the page over https (or from localhost)",
            )
        })
}

async fn settle(promise: Result<Promise, JsValue>) -> Result<JsValue, CryptoError> {
    let promise = promise.map_err(|_| CryptoError::EncryptionFailed)?;
    JsFuture::from(promise)
        .await
        .map_err(|_| CryptoError::EncryptionFailed)
}

fn bytes_of(buffer: &JsValue) -> Result<Vec<u8>, CryptoError> {
    buffer
        .dyn_ref::<ArrayBuffer>()
        .map(|b| Uint8Array::new(b).to_vec())
        .ok_or(CryptoError::EncryptionFailed)
}

/// A public key imported into WebCrypto, with the key it came from (for its `kid`).
pub struct WebCipher {
    subtle: SubtleCrypto,
    public: CryptoKey,
    key: EncryptionKey,
}

fn unusable_key() -> SetupError {
    SetupError::new("KEY_INVALID", "the browser cannot use this encryption key")
}

impl WebCipher {
    /// Starts importing `key` for RSA-OAEP with SHA-256: the browser works on it from now
    /// on, and the returned future gives the cipher.
    pub fn import(
        key: EncryptionKey,
    ) -> Result<impl Future<Output = Result<WebCipher, SetupError>>, SetupError> {
        let subtle = subtle()?;
        let jwk = object(&[
            ("kty", "RSA".into()),
            ("n", Base64UrlUnpadded::encode_string(key.modulus()).into()),
            ("e", Base64UrlUnpadded::encode_string(key.exponent()).into()),
            ("alg", "RSA-OAEP-256".into()),
            ("ext", true.into()),
        ]);
        let algorithm = object(&[("name", "RSA-OAEP".into()), ("hash", "SHA-256".into())]);
        let usages = Array::of1(&"encrypt".into());
        let promise = subtle
            .import_key_with_object("jwk", &jwk, &algorithm, false, &usages)
            .map_err(|_| unusable_key())?;
        Ok(async move {
            let public = JsFuture::from(promise)
                .await
                .map_err(|_| unusable_key())?
                .unchecked_into();
            Ok(WebCipher {
                subtle,
                public,
                key,
            })
        })
    }

    pub fn key(&self) -> &EncryptionKey {
        &self.key
    }

    /// Normalises and encrypts each `(field, value)` into its own JWE; the fields are
    /// sealed concurrently.
    pub async fn encrypt(
        &self,
        fields: &[(FieldName, &str)],
        context: &EncryptionContext,
    ) -> Result<Vec<String>, CryptoError> {
        let mut started = Vec::new();
        for (field, value) in fields {
            let value = normalize_value(*field, value)?;
            let input = seal_input(
                self.key.kid(),
                *field,
                &value,
                context,
                &mut getrandom::SysRng,
            )?;
            let oaep = object(&[("name", "RSA-OAEP".into())]);
            let wrapped = self.subtle.encrypt_with_object_and_u8_array(
                &oaep,
                &self.public,
                input.cek.as_ref(),
            );
            let cek = Uint8Array::from(input.cek.as_ref());
            let usages = Array::of1(&"encrypt".into());
            let content_key = self
                .subtle
                .import_key_with_str("raw", &cek, "AES-GCM", false, &usages);
            // The copy in JS memory is overwritten once WebCrypto has taken it.
            started.push((input, wrapped, content_key, cek));
        }
        // Every field's AES-GCM sealing starts before any result is awaited, so the
        // round trips to WebCrypto overlap instead of adding up.
        let mut sealing = Vec::new();
        for (input, wrapped, content_key, cek) in started {
            let content_key: CryptoKey = settle(content_key).await?.unchecked_into();
            cek.fill(0, 0, cek.length());
            let gcm = object(&[
                ("name", "AES-GCM".into()),
                ("iv", Uint8Array::from(input.iv.as_slice()).into()),
                (
                    "additionalData",
                    Uint8Array::from(input.header_b64.as_bytes()).into(),
                ),
                ("tagLength", 128.into()),
            ]);
            let sealed =
                self.subtle
                    .encrypt_with_object_and_u8_array(&gcm, &content_key, &input.payload);
            sealing.push((input, wrapped, sealed));
        }
        let mut out = Vec::new();
        for (input, wrapped, sealed) in sealing {
            let sealed = Zeroizing::new(bytes_of(&settle(sealed).await?)?);
            let wrapped = bytes_of(&settle(wrapped).await?)?;
            out.push(compact(&input.header_b64, &wrapped, &input.iv, &sealed)?);
        }
        Ok(out)
    }
}
