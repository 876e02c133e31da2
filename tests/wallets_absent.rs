//! Browser tests of the wallet buttons where no wallet exists (its own page: no fake was
//! ever installed): no `ApplePaySession`, and a pay.js that does not load. Both are an
//! `unavailable` event and no button, never a crash.
#![cfg(target_arch = "wasm32")]

use js_sys::{Function, Reflect, JSON};
use paykka_web::wallet_buttons::apple_pay::ApplePayButton;
use paykka_web::wallet_buttons::google_pay::GooglePayButton;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Options with an `onUnavailable` that records the reason into `seen`.
fn options(base: &str) -> (JsValue, Function) {
    let seen = Function::new_with_args(
        "detail",
        "this.reasons = (this.reasons || []).concat(detail.reason)",
    );
    let options = JSON::parse(base).unwrap();
    let record = seen.bind0(&seen);
    Reflect::set(&options, &"onUnavailable".into(), &record).unwrap();
    Reflect::set(
        &options,
        &"onAuthorized".into(),
        &Function::new_no_args("return {}"),
    )
    .unwrap();
    (options, seen)
}

fn holder() -> web_sys::Element {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&el).unwrap();
    el
}

fn reasons(seen: &Function) -> String {
    JSON::stringify(&Reflect::get(seen, &"reasons".into()).unwrap())
        .unwrap()
        .as_string()
        .unwrap()
}

#[wasm_bindgen_test]
async fn no_apple_pay_session_means_unavailable() {
    assert!(!ApplePayButton::is_available().await);
    let (options, seen) =
        options(r#"{"amount":{"value":300,"currency":"USD"},"countryCode":"US","label":"Coffee"}"#);
    let root = holder();
    let button = ApplePayButton::mount(
        JsValue::from(root.clone()).unchecked_into(),
        options.unchecked_into(),
    )
    .await
    .unwrap();
    assert!(!button.available());
    assert_eq!(reasons(&seen), r#"["NO_APPLE_PAY"]"#);
    assert_eq!(root.child_element_count(), 0);
    button.unmount();
}

#[wasm_bindgen_test]
async fn pay_js_that_does_not_load_means_unavailable() {
    let base = r#"{"amount":{"value":300,"currency":"USD"},"countryCode":"US","label":"Coffee",
        "merchantId":"10001234567890","payJsUrl":"/no-such/pay.js","loadTimeout":3000}"#;
    let (options, seen) = options(base);
    assert!(!GooglePayButton::is_available(JSON::parse(base).unwrap().unchecked_into()).await);
    let root = holder();
    let button = GooglePayButton::mount(
        JsValue::from(root.clone()).unchecked_into(),
        options.unchecked_into(),
    )
    .await
    .unwrap();
    assert!(!button.available());
    assert_eq!(reasons(&seen), r#"["PAY_JS_UNAVAILABLE"]"#);
    assert_eq!(root.child_element_count(), 0);
    let google = Reflect::get(&js_sys::global(), &"google".into()).unwrap();
    assert!(google.is_undefined(), "touching google never threw");
}
