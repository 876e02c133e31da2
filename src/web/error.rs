//! Errors as the host page sees them: a JS `Error` named `PaykkaError` with a stable `code`
//! (and the `field` when one is concerned).

use js_sys::{Error, Reflect};
use wasm_bindgen::JsValue;

use crate::crypto::CryptoError;

/// Builds the JS error. `message` must never contain card data or key material.
pub fn paykka_error(code: &str, message: &str, field: Option<&str>) -> JsValue {
    let error = Error::new(message);
    error.set_name("PaykkaError");
    // Setting plain data properties on a fresh Error object cannot fail.
    let _ = Reflect::set(&error, &"code".into(), &code.into());
    if let Some(field) = field {
        let _ = Reflect::set(&error, &"field".into(), &field.into());
    }
    error.into()
}

impl From<CryptoError> for JsValue {
    fn from(error: CryptoError) -> JsValue {
        paykka_error(
            error.code(),
            &error.to_string(),
            error.field().map(|f| f.as_str()),
        )
    }
}

/// A setup or option failure with a stable code (`INVALID_OPTION`, `KEY_FETCH_FAILED`…).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetupError {
    pub code: &'static str,
    pub message: String,
}

impl SetupError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        SetupError {
            code,
            message: message.into(),
        }
    }
}

impl From<SetupError> for JsValue {
    fn from(error: SetupError) -> JsValue {
        paykka_error(error.code, &error.message, None)
    }
}
