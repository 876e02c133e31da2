//! The wallet test fakes (www/tests/fakes) as the browser test files call them: installing
//! `ApplePaySession` / `google.payments.api`, and the sheet's test cards.
#![allow(dead_code)]

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/www/tests/fakes/apple-pay.js")]
extern "C" {
    /// Installs the Apple Pay fake; returns its controller (the shopper's sheet).
    #[wasm_bindgen(js_name = install)]
    pub fn install_apple(options: &JsValue) -> JsValue;
}

#[wasm_bindgen(module = "/www/tests/fakes/google-pay.js")]
extern "C" {
    /// Installs the Google Pay fake; returns its controller.
    #[wasm_bindgen(js_name = install)]
    pub fn install_google(options: &JsValue) -> JsValue;
}

#[wasm_bindgen(module = "/www/tests/fakes/sheet.js")]
extern "C" {
    /// Test card `index` of the fake sheets (0 approved, 1 declined, 2 3-D Secure…).
    #[wasm_bindgen(js_name = testCard)]
    pub fn test_card(index: u32) -> JsValue;
}
