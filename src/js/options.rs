//! Reading merchant options from JS objects: plain objects only, and a misspelt key is an
//! `INVALID_OPTION` error rather than a silently ignored setting.

use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};

use super::error::invalid_option;

/// Deserialises `value` (undefined/null → `T::default()`), rejecting keys not in `known`.
pub fn read_options<T: DeserializeOwned + Default>(
    value: &JsValue,
    known: &[&str],
    what: &str,
) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    read_object(value, known, what)
}

/// Deserialises a required object, rejecting keys not in `known`.
pub fn read_object<T: DeserializeOwned>(
    value: &JsValue,
    known: &[&str],
    what: &str,
) -> Result<T, JsValue> {
    let Some(object) = value.dyn_ref::<js_sys::Object>() else {
        return Err(invalid_option(what));
    };
    let unknown = js_sys::Object::keys(object)
        .iter()
        .any(|key| !known.iter().any(|k| key.as_string().as_deref() == Some(k)));
    if unknown {
        return Err(invalid_option(what));
    }
    serde_wasm_bindgen::from_value(value.clone()).map_err(|_| invalid_option(what))
}
