//! Browser tests of the wallet test fakes themselves: they must follow Apple's and Google's
//! documented state machines (validatemerchant before paymentauthorized, completion only
//! when authorized, abort without cancel, step timeouts ending in cancel; Google's
//! `onPaymentAuthorized` loop and `CANCELED`), or a test on them passes that a shopper
//! would fail. Each test installs its own fake (one page runs them all).
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "common/wallet_fakes.rs"]
mod wallet_fakes;

use wallet_fakes::{install_apple, install_google, test_card};

#[wasm_bindgen(module = "/tests/fake_conformance.js")]
extern "C" {
    #[wasm_bindgen(js_name = appleFakeBreaks)]
    fn apple_fake_breaks(fake: &JsValue, card: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = appleFakeTimesOut)]
    fn apple_fake_times_out(fake: &JsValue) -> Promise;
    #[wasm_bindgen(js_name = googleFakeBreaks)]
    fn google_fake_breaks(fake: &JsValue) -> Promise;
}

/// The rules a check found broken.
async fn broken(check: Promise) -> Vec<String> {
    let found = JsFuture::from(check).await.expect("the check ran");
    Array::from(&found)
        .iter()
        .filter_map(|v| v.as_string())
        .collect()
}

fn options(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("options")
}

fn uninstall(fake: &JsValue) {
    let f: js_sys::Function = js_sys::Reflect::get(fake, &"uninstall".into())
        .expect("uninstall")
        .into();
    f.call0(fake).expect("uninstalled");
}

#[wasm_bindgen_test]
async fn the_apple_pay_fake_follows_webkits_state_machine() {
    let fake = install_apple(&options(r#"{"gestureChecks":false}"#));
    let broken = broken(apple_fake_breaks(&fake, &test_card(0))).await;
    uninstall(&fake);
    assert!(broken.is_empty(), "{broken:?}");
}

#[wasm_bindgen_test]
async fn the_apple_pay_fakes_step_timeout_ends_in_cancel() {
    let fake = install_apple(&options(r#"{"gestureChecks":false,"stepTimeoutMs":50}"#));
    let broken = broken(apple_fake_times_out(&fake)).await;
    uninstall(&fake);
    assert!(broken.is_empty(), "{broken:?}");
}

#[wasm_bindgen_test]
async fn the_google_pay_fake_follows_the_payment_authorization_loop() {
    let fake = install_google(&options(r#"{"gestureChecks":false}"#));
    let broken = broken(google_fake_breaks(&fake)).await;
    uninstall(&fake);
    assert!(broken.is_empty(), "{broken:?}");
}
