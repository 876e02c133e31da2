//! Helpers shared by the browser test files: JS object access and WebCrypto keys.
#![allow(dead_code)]

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/tests/support/webcrypto.js")]
extern "C" {
    #[wasm_bindgen(js_name = generateRsaKeyPair)]
    fn generate_rsa_key_pair(bits: u32) -> js_sys::Promise;
    #[wasm_bindgen(js_name = decryptJwe)]
    fn decrypt_jwe(private_key: &JsValue, compact: &str) -> js_sys::Promise;
}

pub fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

pub fn get_str(target: &JsValue, key: &str) -> String {
    get(target, key).as_string().unwrap_or_default()
}

pub fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

/// A fresh WebCrypto RSA-OAEP-256 key pair: (public JWK, private CryptoKey).
pub async fn key_pair(bits: u32) -> (JsValue, JsValue) {
    let pair = JsFuture::from(generate_rsa_key_pair(bits)).await.unwrap();
    (get(&pair, "publicJwk"), get(&pair, "privateKey"))
}

/// Decrypts a JWE with WebCrypto: (header, payload), or the error.
pub async fn decrypt(private_key: &JsValue, compact: &str) -> Result<(JsValue, JsValue), JsValue> {
    let out = JsFuture::from(decrypt_jwe(private_key, compact)).await?;
    Ok((get(&out, "header"), get(&out, "payload")))
}
