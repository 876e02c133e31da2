//! Getting the encryption key: from the merchant's `publicKey` option, or from the secure
//! origin's *frames load* call (key, key id, server clock, accepted brands), which the
//! gateway answers only for page origins registered for the client key.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use crate::card::Brand;
use crate::crypto::{EncryptionKey, Jwk};
use crate::web::error::SetupError;

use super::events::set;
use super::http::{post_json, HttpError};
use super::webcrypto::WebCipher;

/// Everything a field needs to encrypt: the key imported into WebCrypto (once per mount).
pub struct KeyContext {
    pub cipher: WebCipher,
    /// Gateway clock minus browser clock, in ms (0 when unknown).
    pub clock_offset_ms: f64,
    pub session_id: Option<String>,
}

impl KeyContext {
    pub fn now_ms(&self) -> i64 {
        (js_sys::Date::now() + self.clock_offset_ms) as i64
    }
}

/// What the frames-load call answered.
pub struct FramesLoad {
    pub key: EncryptionKey,
    pub clock_offset_ms: f64,
    pub brands: Option<Vec<Brand>>,
}

/// Maps `environment` to a gateway base URL (see `form::gateway_url`).
pub fn gateway_base(environment: &str) -> Result<String, SetupError> {
    crate::form::gateway_url::gateway_base(environment).ok_or_else(|| {
        SetupError::new(
            "INVALID_OPTION",
            "environment must be sandbox, production, an https URL, or a plain-http URL on localhost",
        )
    })
}

const FRAMES_LOAD_TIMEOUT_MS: u32 = 10_000;

/// Calls `POST {base}/v3/frames/load` and returns its `data` once the secure origin has
/// accepted the client key for this page. `parent_origin` is given by a frame (whose own
/// requests carry the gateway's origin); the host page's requests carry their own. The
/// page itself calls this only to learn early that its origin is refused.
pub async fn frames_load_data(
    base: &str,
    client_key: &str,
    parent_origin: Option<&str>,
) -> Result<JsValue, SetupError> {
    let fetch_failed = |m: &str| SetupError::new("KEY_FETCH_FAILED", m);
    let body = js_sys::Object::new();
    set(&body, "client_key", client_key);
    if let Some(origin) = parent_origin {
        set(&body, "origin", origin);
    }
    let answer = post_json(
        &[base, "/v3/frames/load"].concat(),
        &body,
        FRAMES_LOAD_TIMEOUT_MS,
    )
    .await
    .map_err(|e| match e {
        // A secure origin answers no CORS to a page whose origin it does not register,
        // so a refused page cannot tell that from an unreachable origin.
        HttpError::Unreachable | HttpError::Timeout => fetch_failed(
            "the secure origin could not be reached, or does not register this page's origin for the client key",
        ),
        HttpError::Garbage => fetch_failed("the secure origin answered garbage"),
    })?;
    let json = answer.body;
    let field = |o: &JsValue, key: &str| Reflect::get(o, &JsValue::from_str(key)).ok();
    let ret_code = field(&json, "ret_code")
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    // `1017`: PayKKa's code for a domain that is not registered.
    if ret_code == "1017" || ret_code == "ORIGIN_NOT_ALLOWED" {
        return Err(SetupError::new(
            "ORIGIN_NOT_ALLOWED",
            "this page's origin is not registered for the client key",
        ));
    }
    if !answer.ok || ret_code != "000000" {
        return Err(fetch_failed("the secure origin refused the client key"));
    }
    Ok(field(&json, "data").unwrap_or(JsValue::UNDEFINED))
}

/// Frames load, with the key parsed (for the fields that encrypt).
pub async fn frames_load(
    base: &str,
    client_key: &str,
    parent_origin: Option<&str>,
) -> Result<FramesLoad, SetupError> {
    let data = frames_load_data(base, client_key, parent_origin).await?;
    let field = |o: &JsValue, key: &str| Reflect::get(o, &JsValue::from_str(key)).ok();
    let public_key = field(&data, "public_key").unwrap_or(JsValue::UNDEFINED);
    // The secure origin sends a JWK object (no PEM parser needed) and its key id (no
    // thumbprint needed).
    let kid = field(&data, "kid").and_then(|v| v.as_string());
    let key = read_jwk(&public_key)
        .and_then(|jwk| EncryptionKey::from_jwk_with_id(&jwk, kid.as_deref()).ok())
        .ok_or_else(|| SetupError::new("KEY_INVALID", "the secure origin sent an unusable key"))?;
    let clock_offset_ms = field(&data, "server_time")
        .and_then(|v| v.as_f64())
        .map_or(0.0, |t| t - js_sys::Date::now());
    let brands = field(&data, "brands").filter(|v| v.is_object()).map(|v| {
        js_sys::Array::from(&v)
            .iter()
            .filter_map(|b| b.as_string().and_then(|b| Brand::from_id(&b)))
            .collect()
    });
    Ok(FramesLoad {
        key,
        clock_offset_ms,
        brands,
    })
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
    match read_jwk(input) {
        Some(jwk) => Ok(EncryptionKey::from_jwk(&jwk, key_id)?),
        None => Err(key_error()),
    }
}

/// The members of a JWK object this crate reads (a JWK may carry more: `key_ops`, `ext`…).
fn read_jwk(input: &JsValue) -> Option<Jwk> {
    if !input.is_object() {
        return None;
    }
    let member = |name: &str| {
        js_sys::Reflect::get(input, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_string())
    };
    Some(Jwk {
        kty: member("kty").unwrap_or_default(),
        n: member("n").unwrap_or_default(),
        e: member("e").unwrap_or_default(),
        kid: member("kid"),
        alg: member("alg"),
        key_use: member("use"),
    })
}
