//! Browser tests (headless Chromium) of the checkout without a gateway: options are typed
//! (`INVALID_OPTION` names the problem) and a gateway that cannot be reached is a shown,
//! reported error with a retry, never a crash.
#![cfg(target_arch = "wasm32")]

use js_sys::{Function, Reflect, JSON};
use paykka_web::checkout::component::Checkout;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn holder() -> web_sys::Element {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&el).unwrap();
    el
}

async fn mount(options: &str) -> Result<Checkout, JsValue> {
    mount_in(&holder(), JSON::parse(options).unwrap()).await
}

async fn mount_in(root: &web_sys::Element, options: JsValue) -> Result<Checkout, JsValue> {
    Checkout::mount(
        JsValue::from(root.clone()).unchecked_into(),
        options.unchecked_into(),
    )
    .await
}

/// A checkout mounted against a closed port, with a recorder of its `onError` codes (read
/// them with `error_codes`).
async fn mount_unreachable() -> (Checkout, web_sys::Element, Function) {
    let seen = Function::new_with_args("e", "this.codes = (this.codes || []).concat(e.code)");
    let options =
        JSON::parse(r#"{"sessionId":"CS1","clientKey":"ck","environment":"http://127.0.0.1:9"}"#)
            .unwrap();
    Reflect::set(&options, &"onError".into(), &seen.bind0(&seen)).unwrap();
    let root = holder();
    let checkout = mount_in(&root, options).await.unwrap();
    (checkout, root, seen)
}

/// The `onError` codes `mount_unreachable`'s recorder saw, as JSON.
fn error_codes(seen: &Function) -> JsValue {
    JSON::stringify(&Reflect::get(seen, &"codes".into()).unwrap())
        .unwrap()
        .into()
}

#[wasm_bindgen_test]
async fn bad_options_are_invalid_option_errors() {
    for options in [
        r#"{"clientKey":"ck"}"#,
        r#"{"sessionId":"CS1","clientKey":"ck","threeDSecure":"popup"}"#,
        r#"{"sessionId":"CS1","clientKey":"ck","sesionId":"x"}"#,
        r#"{"sessionId":"CS1","clientKey":"ck","environment":"http://evil.example"}"#,
        r#"{"sessionId":"CS1","clientKey":"ck","countryCode":"usa"}"#,
        r#"{"sessionId":"","clientKey":"ck"}"#,
    ] {
        let error = mount(options)
            .await
            .err()
            .unwrap_or_else(|| panic!("{options} was accepted"));
        let code = Reflect::get(&error, &"code".into()).unwrap();
        assert_eq!(code, "INVALID_OPTION", "{options}");
    }
}

#[wasm_bindgen_test]
async fn an_unreachable_gateway_is_shown_and_reported_with_a_retry() {
    let (checkout, root, seen) = mount_unreachable().await;
    let section = root.query_selector(".paykka-checkout").unwrap().unwrap();
    assert_eq!(
        section.get_attribute("data-state").as_deref(),
        Some("networkError")
    );
    let retry = root.query_selector(".pc-secondary").unwrap().unwrap();
    assert!(!retry.has_attribute("hidden"));
    assert_eq!(error_codes(&seen), r#"["NETWORK_ERROR"]"#);
    checkout.unmount();
    assert_eq!(root.child_element_count(), 0, "unmount leaves nothing");
}

#[wasm_bindgen_test]
async fn card_fields_failing_before_the_session_does_make_one_error_not_two() {
    // The session request is held back, so the card fields (whose secure origin is the same
    // closed port) fail first. Their own `paykka:error` must stay inside the checkout: the
    // page hears one failure, as `NETWORK_ERROR`, from the callback and from the document.
    let install = Function::new_no_args(
        "const real = window.fetch;
         window.__realFetch = real;
         window.__domErrors = [];
         window.__onDomError = (e) => window.__domErrors.push(e.detail.code);
         document.addEventListener('paykka:error', window.__onDomError);
         window.fetch = (request, init) => {
           const url = typeof request === 'string' ? request : request.url;
           const later = new Promise((go) => setTimeout(go, url.includes('/checkout/session') ? 400 : 0));
           return later.then(() => real.call(window, request, init));
         };",
    );
    install.call0(&JsValue::UNDEFINED).unwrap();
    let (checkout, _root, seen) = mount_unreachable().await;
    let restore = Function::new_no_args(
        "window.fetch = window.__realFetch;
         document.removeEventListener('paykka:error', window.__onDomError);
         return JSON.stringify(window.__domErrors);",
    );
    let dom_errors = restore.call0(&JsValue::UNDEFINED).unwrap();
    assert_eq!(error_codes(&seen), r#"["NETWORK_ERROR"]"#);
    assert_eq!(dom_errors, r#"["NETWORK_ERROR"]"#);
    checkout.unmount();
}

/// The session API's answer as the gateway writes it (serde) reads back into the same
/// `SessionView`; an answer of the wrong shape is refused, not half-read.
#[wasm_bindgen_test]
fn the_session_view_the_gateway_writes_is_read_back_whole() {
    use paykka_web::checkout::session_reader::read_session;
    use paykka_web::checkout_flow::session::{
        ActionView, CardView, GoodsLine, PaymentView, SessionView,
    };
    let view = SessionView {
        session_id: "CS1".into(),
        merchant_id: "10001234567890".into(),
        amount: 1690,
        currency: "JPY".into(),
        goods: vec![GoodsLine {
            name: "豆".into(),
            price: 845,
            quantity: 2,
        }],
        merchant_name: Some("Coffee".into()),
        locale: None,
        allowed_payment_methods: vec!["BANKCARD".into(), "APPLE_PAY".into()],
        expire_time: "2026-12-05T18:00:00+08:00".into(),
        status: "PROCESSING".into(),
        attempts_left: 4,
        payment: Some(PaymentView {
            status: "PROCESSING".into(),
            order_id: Some("GW1".into()),
            error_code: Some("0000".into()),
            message: None,
            action: Some(ActionView {
                kind: "redirect".into(),
                url: "https://gw.example/3ds/x".into(),
            }),
            card: Some(CardView {
                card_brand: Some("VISA".into()),
                bin: Some("424242".into()),
                last4: Some("4242".into()),
            }),
            payment_method: Some("BANKCARD".into()),
        }),
        return_url: Some("https://shop.example/checkout".into()),
    };
    let written = serde_json::to_string(&view).unwrap();
    assert_eq!(
        read_session(&JSON::parse(&written).unwrap()).as_ref(),
        Some(&view)
    );
    // The page may navigate to the return address: a web address or nothing.
    let scripted = written.replace("https://shop.example/checkout", "javascript:alert(1)");
    assert_eq!(
        read_session(&JSON::parse(&scripted).unwrap()).map(|v| v.return_url),
        Some(None)
    );
    for (bad, why) in [
        (r#""amount":1690"#, r#""amount":"1690""#),
        (r#""attempts_left":4,"#, ""),
        (r#""name":"豆","#, ""),
        (r#""url":"https://gw.example/3ds/x""#, r#""url":7"#),
    ] {
        let broken = written.replacen(bad, why, 1);
        assert_ne!(broken, written, "{bad}");
        assert_eq!(read_session(&JSON::parse(&broken).unwrap()), None, "{bad}");
    }
}
