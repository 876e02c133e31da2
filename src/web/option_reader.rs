//! Reading merchant options from JS objects without serde: typed getters with
//! `INVALID_OPTION` errors, plain objects only, and a misspelt key is an error rather than
//! a silently ignored setting. (Skipping serde deserialisation also keeps float
//! formatting out of the wasm.) Used by every option-taking API.

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::error::SetupError;
use crate::card::Brand;

pub fn invalid(message: impl Into<String>) -> SetupError {
    SetupError::new("INVALID_OPTION", message)
}

/// A member that is neither undefined nor null.
pub fn member(o: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(o, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

/// An optional string member.
pub fn string(o: &JsValue, key: &str) -> Result<Option<String>, SetupError> {
    member(o, key)
        .map(|v| {
            v.as_string()
                .ok_or_else(|| invalid([key, " must be a string"].concat()))
        })
        .transpose()
}

/// A string member that must be there.
pub fn required_string(o: &JsValue, key: &str) -> Result<String, SetupError> {
    string(o, key)?.ok_or_else(|| invalid([key, " is required"].concat()))
}

/// An optional finite number member.
pub fn number(o: &JsValue, key: &str) -> Result<Option<f64>, SetupError> {
    member(o, key)
        .map(|v| {
            v.as_f64()
                .filter(|n| n.is_finite())
                .ok_or_else(|| invalid([key, " must be a number"].concat()))
        })
        .transpose()
}

/// A boolean member, `default` when absent.
pub fn boolean(o: &JsValue, key: &str, default: bool) -> Result<bool, SetupError> {
    member(o, key).map_or(Ok(default), |v| {
        v.as_bool()
            .ok_or_else(|| invalid([key, " must be true or false"].concat()))
    })
}

/// `value` as a plain (non-array) object. `typeof`, not `instanceof`: an object made in
/// another realm (a frame, a WebDriver sandbox in Firefox) is an object too.
pub fn plain_object(value: &JsValue, what: &str) -> Result<Object, SetupError> {
    if value.is_object() && !Array::is_array(value) {
        Ok(value.clone().unchecked_into())
    } else {
        Err(invalid([what, " must be an object"].concat()))
    }
}

/// Every own key of `o` must be in one of `known`.
pub fn check_keys(o: &Object, known: &[&[&str]]) -> Result<(), SetupError> {
    for key in Object::keys(o).iter() {
        let key = key.as_string().unwrap_or_default();
        if !known.iter().any(|list| list.contains(&key.as_str())) {
            return Err(invalid(["unknown option \"", &key, "\""].concat()));
        }
    }
    Ok(())
}

/// A plain object with only `known` keys.
pub fn options_object(value: &JsValue, known: &[&str], what: &str) -> Result<Object, SetupError> {
    let object = plain_object(value, what)?;
    check_keys(&object, &[known])?;
    Ok(object)
}

/// An object of strings, as `(key, value)` pairs.
pub fn string_map(o: &JsValue, what: &str) -> Result<Vec<(String, String)>, SetupError> {
    let object = plain_object(o, what)?;
    Object::keys(&object)
        .iter()
        .map(|key| {
            let key = key.as_string().unwrap_or_default();
            let value = member(o, &key)
                .and_then(|v| v.as_string())
                .ok_or_else(|| invalid([what, ".", &key, " must be a string"].concat()))?;
            Ok((key, value))
        })
        .collect()
}

/// `onReady` for `ready`.
pub fn callback_name(event: &str) -> String {
    let mut name = String::from("on");
    let mut chars = event.chars();
    name.extend(chars.next().map(|c| c.to_ascii_uppercase()));
    name.push_str(chars.as_str());
    name
}

/// The `on…` callbacks given for `events`, each checked to be a function.
pub fn callbacks(
    options: &JsValue,
    events: &[&'static str],
) -> Result<Vec<(&'static str, Function)>, SetupError> {
    let mut found = Vec::new();
    for name in events {
        let key = callback_name(name);
        if let Some(f) = member(options, &key) {
            let f = f
                .dyn_into::<Function>()
                .map_err(|_| invalid([key.as_str(), " must be a function"].concat()))?;
            found.push((*name, f));
        }
    }
    Ok(found)
}

/// A list of brand ids (undefined/null → None).
pub fn brand_list(list: &JsValue) -> Result<Option<Vec<Brand>>, SetupError> {
    if list.is_undefined() || list.is_null() {
        return Ok(None);
    }
    let list = list
        .dyn_ref::<Array>()
        .ok_or_else(|| invalid("brands must be an array of brand ids"))?;
    list.iter()
        .map(|b| {
            b.as_string()
                .and_then(|b| Brand::from_id(&b))
                .ok_or_else(|| invalid("brands contains an unknown brand id"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}
