//! Reading merchant options from JS objects without serde: plain objects only, typed
//! getters, and a misspelt key is an `INVALID_OPTION` error rather than a silently ignored
//! setting. (Skipping serde deserialisation also keeps float formatting out of the wasm.)

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::error::invalid_option;

/// A JS object whose keys have been checked against a known list.
pub struct JsOptions {
    object: JsValue,
    what: &'static str,
}

impl JsOptions {
    /// `value` must be an object with only `known` keys; undefined/null is an empty object
    /// when `optional`.
    pub fn read(
        value: &JsValue,
        known: &[&str],
        what: &'static str,
        optional: bool,
    ) -> Result<JsOptions, JsValue> {
        if optional && (value.is_undefined() || value.is_null()) {
            return Ok(JsOptions {
                object: Object::new().into(),
                what,
            });
        }
        let Some(object) = value.dyn_ref::<Object>() else {
            return Err(invalid_option(what));
        };
        let all_known = Object::keys(object)
            .iter()
            .all(|key| known.iter().any(|k| key.as_string().as_deref() == Some(k)));
        if !all_known {
            return Err(invalid_option(what));
        }
        Ok(JsOptions {
            object: value.clone(),
            what,
        })
    }

    fn get(&self, key: &str) -> Option<JsValue> {
        Reflect::get(&self.object, &JsValue::from_str(key))
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_null())
    }

    /// An optional string member.
    pub fn string(&self, key: &str) -> Result<Option<String>, JsValue> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_string()
                .map(Some)
                .ok_or_else(|| invalid_option(self.what)),
        }
    }

    /// A required string member.
    pub fn required_string(&self, key: &str) -> Result<String, JsValue> {
        self.string(key)?.ok_or_else(|| invalid_option(self.what))
    }

    /// An optional finite number member.
    pub fn number(&self, key: &str) -> Result<Option<f64>, JsValue> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .filter(|n| n.is_finite())
                .map(Some)
                .ok_or_else(|| invalid_option(self.what)),
        }
    }
}

/// Reads an array of strings (undefined/null → None).
pub fn string_list(value: &JsValue, what: &'static str) -> Result<Option<Vec<String>>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let array = value
        .dyn_ref::<Array>()
        .ok_or_else(|| invalid_option(what))?;
    array
        .iter()
        .map(|item| item.as_string().ok_or_else(|| invalid_option(what)))
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}
