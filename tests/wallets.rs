//! Browser tests (headless Chromium) of the wallet buttons against the faithful fakes of
//! `ApplePaySession` and `google.payments.api` (www/tests/fakes), with gesture checks off
//! because a test's click is untrusted: every event, every error code, the single session,
//! cancel at each stage, deadlines, and amounts against `Intl.NumberFormat`.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Promise, Reflect, JSON};
use paykka_web::wallet::amount::{exponent, to_decimal};
use paykka_web::wallet_buttons::apple_pay::ApplePayButton;
use paykka_web::wallet_buttons::google_pay::GooglePayButton;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "common/wallet_fakes.rs"]
mod wallet_fakes;

use wallet_fakes::{install_apple, install_google, test_card};

#[wasm_bindgen(module = "/tests/wallet_harness.js")]
extern "C" {
    fn recorder() -> JsValue;
    #[wasm_bindgen(js_name = eventNames)]
    fn event_names(recorder: &JsValue) -> String;
    #[wasm_bindgen(js_name = nextEvent)]
    fn next_event_promise(recorder: &JsValue, name: &str) -> Promise;
    fn target() -> Element;
    fn options(base: &str, recorder: &JsValue, extra: &JsValue) -> JsValue;
    fn backend(answer: &JsValue, delay_ms: u32) -> Function;
    #[wasm_bindgen(js_name = silentBackend)]
    fn silent_backend() -> Function;
    #[wasm_bindgen(js_name = failingBackend)]
    fn failing_backend() -> Function;
    fn sleep(ms: u32) -> Promise;
}

const APPLE: &str =
    r#"{"amount":{"value":1250,"currency":"USD"},"countryCode":"US","label":"Coffee"}"#;
const GOOGLE: &str = r#"{"amount":{"value":1250,"currency":"USD"},"countryCode":"US","label":"Coffee","merchantId":"10001234567890"}"#;

fn get(target: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(target.clone(), |o, key| {
        Reflect::get(&o, &key.into()).unwrap_or(JsValue::UNDEFINED)
    })
}

fn json(text: &str) -> JsValue {
    JSON::parse(text).unwrap()
}

fn extra(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

async fn next_event(recorder: &JsValue, name: &str) -> JsValue {
    JsFuture::from(next_event_promise(recorder, name))
        .await
        .unwrap_or_else(|e| panic!("{}", get(&e, "message").as_string().unwrap_or_default()))
}

async fn wait(ms: u32) {
    JsFuture::from(sleep(ms)).await.unwrap();
}

/// Calls `target[method](...args)` and awaits the promise it returns.
async fn call(target: &JsValue, method: &str, args: &[JsValue]) -> JsValue {
    let f: Function = get(target, method).dyn_into().unwrap();
    let value = f.apply(target, &args.iter().collect::<Array>()).unwrap();
    JsFuture::from(Promise::resolve(&value)).await.unwrap()
}

/// Polls `check` for up to 3 s.
async fn until(what: &str, check: impl Fn() -> bool) {
    for _ in 0..150 {
        if check() {
            return;
        }
        wait(20).await;
    }
    panic!("timed out waiting for {what}");
}

fn click(root: &Element) {
    root.query_selector("button")
        .unwrap()
        .expect("a button")
        .dyn_into::<HtmlElement>()
        .unwrap()
        .click();
}

fn log_of(fake: &JsValue) -> String {
    JSON::stringify(&get(fake, "log"))
        .unwrap()
        .as_string()
        .unwrap()
}

fn merchant_session() -> JsValue {
    JsValue::from_str(
        r#"{"epochTimestamp":1,"expiresAt":2,"merchantSessionIdentifier":"SSH1","nonce":"n","merchantIdentifier":"merchant.test","domainName":"localhost","displayName":"Coffee","signature":"s"}"#,
    )
}

async fn mount_apple(base: &str, recorder: &JsValue, extra: JsValue) -> (ApplePayButton, Element) {
    let root = target();
    let button = ApplePayButton::mount(
        JsValue::from(root.clone()).unchecked_into(),
        options(base, recorder, &extra).unchecked_into(),
    )
    .await
    .unwrap();
    (button, root)
}

/// Clicks the Apple Pay button and waits until the fake session accepted merchant validation.
async fn click_and_validate(fake: &JsValue, root: &Element) {
    click(root);
    until("merchant validation", || {
        get(fake, "session.validation").as_string().as_deref() == Some("complete")
    })
    .await;
}

#[wasm_bindgen_test]
async fn apple_pay_walks_every_step_and_pays_once() {
    let fake = install_apple(&json(r#"{"gestureChecks":false}"#));
    let r = recorder();
    let validate = backend(&merchant_session(), 0);
    let authorize = backend(&json(r#"{"status":"SUCCESS"}"#), 0);
    let (button, root) = mount_apple(
        APPLE,
        &r,
        extra(&[
            ("onValidateMerchant", validate.clone().into()),
            ("onAuthorized", authorize.clone().into()),
        ]),
    )
    .await;
    assert!(button.available());
    assert_eq!(get(&next_event(&r, "ready").await, "wallet"), "applePay");
    click_and_validate(&fake, &root).await;
    next_event(&r, "click").await;
    let asked = get(&validate, "calls.0");
    assert!(get(&asked, "validationURL")
        .as_string()
        .unwrap()
        .starts_with("https://apple-pay-gateway"));
    let request = get(&fake, "session.request");
    assert_eq!(get(&request, "total.amount"), "12.50");
    assert_eq!(get(&request, "currencyCode"), "USD");
    assert_eq!(
        JSON::stringify(&get(&request, "supportedNetworks")).unwrap(),
        r#"["visa","masterCard","amex","discover"]"#
    );
    assert_eq!(
        JSON::stringify(&get(&request, "merchantCapabilities")).unwrap(),
        r#"["supports3DS"]"#
    );

    call(&fake, "selectPaymentMethod", &[test_card(0)]).await;
    until("the total is confirmed", || {
        get(&fake, "session.state") == "active"
    })
    .await;
    call(&fake, "authorize", &[test_card(0)]).await;
    next_event(&r, "success").await;
    // onAuthorized is the backend here: it got the `authorized` event.
    let authorized = get(&authorize, "calls.0");
    let token: JsValue = json(&get(&authorized, "payment.token_data").as_string().unwrap());
    assert_eq!(get(&token, "paymentData.version"), "EC_v1");
    assert_eq!(get(&authorized, "payment.payment_method"), "APPLE_PAY");
    assert_eq!(get(&authorized, "network"), "Visa");
    assert_eq!(
        get(&authorize, "calls.length"),
        1,
        "onAuthorized is the backend, called once"
    );
    assert!(log_of(&fake).contains("completePayment:0"));
    assert_eq!(event_names(&r), "ready,click,success");
}

#[wasm_bindgen_test]
async fn apple_pay_declines_and_3_d_secure_complete_the_sheet_and_a_new_session_may_start() {
    let fake = install_apple(&json(r#"{"gestureChecks":false}"#));
    let r = recorder();
    let answers = backend(
        &json(r#"{"status":"FAILURE","error_code":"3001","message":"Declined by the issuer"}"#),
        0,
    );
    let (_button, root) = mount_apple(
        APPLE,
        &r,
        extra(&[
            ("onValidateMerchant", backend(&merchant_session(), 0).into()),
            ("onAuthorized", answers.into()),
        ]),
    )
    .await;
    click_and_validate(&fake, &root).await;
    call(&fake, "authorize", &[test_card(1)]).await;
    let failed = next_event(&r, "failed").await;
    assert_eq!(get(&failed, "code"), "3001");
    assert_eq!(get(&failed, "message"), "Declined by the issuer");
    assert!(log_of(&fake).contains("completePayment:1"));

    // The next click is a new session: the first one is final.
    let r2 = recorder();
    let action = json(
        r#"{"status":"PROCESSING","action":{"type":"redirect","url":"https://gateway.example/3ds/abc"}}"#,
    );
    let (_button, root) = mount_apple(
        APPLE,
        &r2,
        extra(&[
            ("onValidateMerchant", backend(&merchant_session(), 0).into()),
            ("onAuthorized", backend(&action, 0).into()),
        ]),
    )
    .await;
    click_and_validate(&fake, &root).await;
    call(&fake, "authorize", &[test_card(2)]).await;
    let detail = next_event(&r2, "action").await;
    assert_eq!(
        get(&detail, "action.url"),
        "https://gateway.example/3ds/abc"
    );
    assert!(log_of(&fake).matches("construct").count() == 2);
}

#[wasm_bindgen_test]
async fn apple_pay_cancels_before_and_after_authorization() {
    let fake = install_apple(&json(r#"{"gestureChecks":false}"#));
    let r = recorder();
    let (_button, root) = mount_apple(
        APPLE,
        &r,
        extra(&[
            ("onValidateMerchant", backend(&merchant_session(), 0).into()),
            (
                "onAuthorized",
                backend(&json(r#"{"status":"SUCCESS"}"#), 300).into(),
            ),
        ]),
    )
    .await;
    click_and_validate(&fake, &root).await;
    call(&fake, "cancel", &[]).await;
    let canceled = next_event(&r, "cancel").await;
    assert_eq!(get(&canceled, "afterAuthorization"), false);

    // After authorization: the sheet goes, the backend's answer still comes.
    let r = recorder();
    let (_button, root) = mount_apple(
        APPLE,
        &r,
        extra(&[
            ("onValidateMerchant", backend(&merchant_session(), 0).into()),
            (
                "onAuthorized",
                backend(&json(r#"{"status":"SUCCESS"}"#), 300).into(),
            ),
        ]),
    )
    .await;
    click_and_validate(&fake, &root).await;
    call(&fake, "authorize", &[test_card(0)]).await;
    call(&fake, "cancel", &[]).await;
    assert_eq!(
        get(&next_event(&r, "cancel").await, "afterAuthorization"),
        true
    );
    next_event(&r, "success").await;
    assert!(
        !log_of(&fake).contains("completePayment"),
        "no completePayment on a gone sheet"
    );
}

#[wasm_bindgen_test]
async fn apple_pay_merchant_validation_failures_abort_without_a_cancel() {
    for validate in [
        failing_backend(),
        backend(&"not json".into(), 0),
        backend(&JsValue::from(5), 0),
    ] {
        let fake = install_apple(&json(r#"{"gestureChecks":false}"#));
        let r = recorder();
        let (_button, root) = mount_apple(
            APPLE,
            &r,
            extra(&[
                ("onValidateMerchant", validate.into()),
                ("onAuthorized", backend(&JsValue::NULL, 0).into()),
            ]),
        )
        .await;
        click(&root);
        let error = next_event(&r, "error").await;
        assert_eq!(get(&error, "code"), "MERCHANT_VALIDATION_FAILED");
        assert!(log_of(&fake).contains("abort"));
        wait(50).await;
        assert!(!event_names(&r).contains("cancel"));
    }
}

#[wasm_bindgen_test]
async fn apple_pay_completes_the_sheet_before_apples_deadline_when_the_backend_is_silent() {
    let fake = install_apple(&json(r#"{"gestureChecks":false}"#));
    let r = recorder();
    let (_button, root) = mount_apple(
        APPLE,
        &r,
        extra(&[
            ("onValidateMerchant", backend(&merchant_session(), 0).into()),
            ("onAuthorized", silent_backend().into()),
            ("answerTimeout", 1000.into()),
        ]),
    )
    .await;
    click_and_validate(&fake, &root).await;
    call(&fake, "authorize", &[test_card(0)]).await;
    let error = next_event(&r, "error").await;
    assert_eq!(get(&error, "code"), "TIMEOUT");
    assert!(log_of(&fake).contains("completePayment:1"));
}

#[wasm_bindgen_test]
async fn apple_pay_step_timeouts_end_in_cancel_and_late_answers_are_ignored() {
    let fake = install_apple(&json(r#"{"gestureChecks":false,"stepTimeoutMs":300}"#));
    let r = recorder();
    let (_button, root) = mount_apple(
        APPLE,
        &r,
        extra(&[
            (
                "onValidateMerchant",
                backend(&merchant_session(), 800).into(),
            ),
            ("onAuthorized", silent_backend().into()),
        ]),
    )
    .await;
    click(&root);
    assert_eq!(
        get(&next_event(&r, "cancel").await, "afterAuthorization"),
        false
    );
    assert!(log_of(&fake).contains("cancel:timeout"));
    wait(800).await;
    assert_eq!(
        event_names(&r),
        "ready,click,cancel",
        "the late session is not handed over"
    );
    assert!(!log_of(&fake).contains("completeMerchantValidation"));
}

#[wasm_bindgen_test]
async fn apple_pay_one_session_at_a_time_and_unmount_aborts() {
    let fake = install_apple(&json(r#"{"gestureChecks":false}"#));
    let r = recorder();
    let (button, root) = mount_apple(
        APPLE,
        &r,
        extra(&[
            (
                "onValidateMerchant",
                backend(&merchant_session(), 200).into(),
            ),
            ("onAuthorized", silent_backend().into()),
        ]),
    )
    .await;
    click(&root);
    click(&root);
    wait(50).await;
    assert_eq!(log_of(&fake).matches("construct").count(), 1);
    button.unmount();
    assert!(log_of(&fake).contains("abort"));
    assert!(root.query_selector("button").unwrap().is_none());
    wait(300).await;
    assert!(!event_names(&r).contains("error"), "{}", event_names(&r));
}

#[wasm_bindgen_test]
async fn apple_pay_is_unavailable_without_payments_or_version_and_refuses_untrusted_clicks() {
    for (config, reason) in [
        (r#"{"canMakePayments":false}"#, "CANNOT_MAKE_PAYMENTS"),
        (r#"{"maxVersion":2}"#, "VERSION_UNSUPPORTED"),
    ] {
        install_apple(&json(config));
        assert!(!ApplePayButton::is_available().await);
        let r = recorder();
        let (button, root) = mount_apple(
            APPLE,
            &r,
            extra(&[("onAuthorized", backend(&JsValue::NULL, 0).into())]),
        )
        .await;
        assert!(!button.available());
        assert_eq!(get(&next_event(&r, "unavailable").await, "reason"), reason);
        assert_eq!(root.child_element_count(), 0);
    }
    install_apple(&json("{}"));
    assert!(ApplePayButton::is_available().await);
    let r = recorder();
    let (_button, root) = mount_apple(
        APPLE,
        &r,
        extra(&[("onAuthorized", backend(&JsValue::NULL, 0).into())]),
    )
    .await;
    click(&root);
    let error = next_event(&r, "error").await;
    assert_eq!(get(&error, "code"), "APPLE_PAY_SESSION_FAILED");
    assert!(get(&error, "message")
        .as_string()
        .unwrap()
        .contains("user gesture"));
}

#[wasm_bindgen_test]
async fn bad_wallet_options_are_invalid_option_errors() {
    install_apple(&json("{}"));
    install_google(&json("{}"));
    let r = recorder();
    let cases = [
        (APPLE, r#"{"networks":["mastercard"]}"#),
        (APPLE, r#"{"amount":{"value":12.5,"currency":"USD"}}"#),
        (APPLE, r#"{"amount":{"value":100,"currency":"usd"}}"#),
        (APPLE, r#"{"countryCode":"USA"}"#),
        (APPLE, r#"{"buttonStyle":"pink"}"#),
        (APPLE, r#"{"colour":"black"}"#),
        (APPLE, r#"{"label":""}"#),
        (GOOGLE, r#"{"amount":{"value":12345,"currency":"KWD"}}"#),
        (GOOGLE, r#"{"environment":"STAGING"}"#),
        (GOOGLE, r#"{"environment":"PRODUCTION"}"#),
        (GOOGLE, r#"{"merchantId":"a b"}"#),
        (GOOGLE, r#"{"payJsUrl":"http://evil.example/pay.js"}"#),
        (
            GOOGLE,
            r#"{"onValidateMerchant":null,"buttonSizeMode":"huge"}"#,
        ),
    ];
    for (base, change) in cases {
        let merged = options(base, &r, &json(change));
        Reflect::set(&merged, &"onAuthorized".into(), &backend(&JsValue::NULL, 0)).unwrap();
        let result = if base == APPLE {
            ApplePayButton::mount(
                JsValue::from(target()).unchecked_into(),
                merged.unchecked_into(),
            )
            .await
            .map(drop)
        } else {
            GooglePayButton::mount(
                JsValue::from(target()).unchecked_into(),
                merged.unchecked_into(),
            )
            .await
            .map(drop)
        };
        let error = result
            .err()
            .unwrap_or_else(|| panic!("{change} was accepted"));
        assert_eq!(get(&error, "code"), "INVALID_OPTION", "{change}");
    }
    // Neither a merchant API nor onAuthorized: nobody would pay.
    let error = ApplePayButton::mount(
        JsValue::from(target()).unchecked_into(),
        json(APPLE).unchecked_into(),
    )
    .await
    .err()
    .unwrap();
    assert_eq!(get(&error, "code"), "INVALID_OPTION");
}

/// `base` with an `onAuthorized` backend: complete options.
fn with_backend(base: &str) -> paykka_web::wallet_buttons::google_pay::GooglePayButtonOptions {
    let options = json(base);
    Reflect::set(
        &options,
        &"onAuthorized".into(),
        &backend(&JsValue::NULL, 0),
    )
    .unwrap();
    options.unchecked_into()
}

async fn mount_google(
    base: &str,
    recorder: &JsValue,
    extra: JsValue,
) -> (GooglePayButton, Element) {
    let root = target();
    let button = GooglePayButton::mount(
        JsValue::from(root.clone()).unchecked_into(),
        options(base, recorder, &extra).unchecked_into(),
    )
    .await
    .unwrap();
    (button, root)
}

#[wasm_bindgen_test]
async fn google_pay_pays_with_the_token_string_unchanged() {
    let fake = install_google(&json(r#"{"gestureChecks":false}"#));
    let r = recorder();
    let authorize = backend(&json(r#"{"status":"SUCCESS"}"#), 0);
    let (button, root) = mount_google(
        GOOGLE,
        &r,
        extra(&[("onAuthorized", authorize.clone().into())]),
    )
    .await;
    assert!(button.available());
    next_event(&r, "ready").await;
    click(&root);
    until("the sheet", || get(&fake, "open").is_object()).await;
    let request = get(&fake, "open.request");
    let method = get(&request, "allowedPaymentMethods.0");
    assert_eq!(
        get(&method, "tokenizationSpecification.type"),
        "PAYMENT_GATEWAY"
    );
    assert_eq!(
        get(&method, "tokenizationSpecification.parameters.gateway"),
        "paykkaeu"
    );
    assert_eq!(
        get(
            &method,
            "tokenizationSpecification.parameters.gatewayMerchantId"
        ),
        "10001234567890"
    );
    assert_eq!(
        JSON::stringify(&get(&method, "parameters.allowedAuthMethods")).unwrap(),
        r#"["PAN_ONLY","CRYPTOGRAM_3DS"]"#
    );
    assert_eq!(get(&request, "transactionInfo.totalPrice"), "12.50");
    assert_eq!(get(&request, "transactionInfo.totalPriceStatus"), "FINAL");
    let state = call(&fake, "pay", &[test_card(0)]).await;
    assert_eq!(get(&state, "transactionState"), "SUCCESS");
    next_event(&r, "success").await;
    let authorized = get(&authorize, "calls.0");
    let token = get(&authorized, "payment.token_data").as_string().unwrap();
    assert_eq!(
        get(&json(&token), "protocolVersion"),
        "ECv2",
        "one JSON encoding, not two"
    );
    assert_eq!(get(&authorized, "payment.payment_method"), "GOOGLE_PAY");
    assert_eq!(get(&authorize, "calls.length"), 1);
}

#[wasm_bindgen_test]
async fn google_pay_declines_with_a_reason_then_the_shopper_closes() {
    let fake = install_google(&json(r#"{"gestureChecks":false}"#));
    let r = recorder();
    let declined =
        json(r#"{"status":"FAILURE","error_code":"3001","message":"Declined by the issuer"}"#);
    let (_button, root) = mount_google(
        GOOGLE,
        &r,
        extra(&[("onAuthorized", backend(&declined, 0).into())]),
    )
    .await;
    click(&root);
    until("the sheet", || get(&fake, "open").is_object()).await;
    let state = call(&fake, "pay", &[test_card(1)]).await;
    assert_eq!(get(&state, "transactionState"), "ERROR");
    assert_eq!(get(&state, "error.reason"), "PAYMENT_DATA_INVALID");
    assert_eq!(get(&state, "error.message"), "Declined by the issuer");
    assert_eq!(get(&next_event(&r, "failed").await, "code"), "3001");
    call(&fake, "close", &[]).await;
    next_event(&r, "cancel").await;

    // A backend that fails is OTHER_ERROR for the sheet and MERCHANT_ERROR for the page.
    let r = recorder();
    let (_button, root) = mount_google(
        GOOGLE,
        &r,
        extra(&[("onAuthorized", failing_backend().into())]),
    )
    .await;
    click(&root);
    until("the sheet", || get(&fake, "open").is_object()).await;
    let state = call(&fake, "pay", &[test_card(0)]).await;
    assert_eq!(get(&state, "error.reason"), "OTHER_ERROR");
    assert_eq!(
        get(&next_event(&r, "error").await, "code"),
        "MERCHANT_ERROR"
    );
    call(&fake, "close", &[]).await;
}

#[wasm_bindgen_test]
async fn google_pay_status_codes_and_readiness() {
    install_google(&json(r#"{"readyToPay":false}"#));
    let r = recorder();
    let (button, _root) = mount_google(
        GOOGLE,
        &r,
        extra(&[("onAuthorized", backend(&JsValue::NULL, 0).into())]),
    )
    .await;
    assert!(!button.available());
    assert_eq!(
        get(&next_event(&r, "unavailable").await, "reason"),
        "NOT_READY"
    );
    assert!(!GooglePayButton::is_available(with_backend(GOOGLE)).await);

    // Gesture checks on: a script's click makes loadPaymentData fail as DEVELOPER_ERROR.
    install_google(&json("{}"));
    assert!(GooglePayButton::is_available(with_backend(GOOGLE)).await);
    let r = recorder();
    let (_button, root) = mount_google(
        GOOGLE,
        &r,
        extra(&[("onAuthorized", backend(&JsValue::NULL, 0).into())]),
    )
    .await;
    click(&root);
    assert_eq!(
        get(&next_event(&r, "error").await, "code"),
        "GOOGLE_PAY_DEVELOPER_ERROR"
    );
}

/// An LCG: reproducible amounts without a dependency.
fn amounts(seed: u64, n: usize) -> impl Iterator<Item = u64> {
    let mut state = seed;
    (0..n).map(move |_| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 24) % 1_000_000_000_000
    })
}

/// ISO 4217 minor units where CLDR (and so `Intl`) shows fewer digits.
const CLDR_DISPLAY_DIFFERENCES: [&str; 18] = [
    "AFN", "ALL", "COP", "HUF", "IDR", "IQD", "IRR", "KPW", "LAK", "LBP", "MGA", "MMK", "PKR",
    "RSD", "SLL", "SOS", "SYP", "YER",
];

/// Where an older ICU (WebKitGTK's: Debian's system ICU 72) differs too: it still lists
/// BYR, withdrawn from ISO 4217 in 2016 (no minor unit; not a currency PayKKa takes), and
/// shows UYW with CLDR's 2 digits before CLDR took ISO's 4.
const OLDER_ICU_DIFFERENCES: [&str; 2] = ["BYR:0", "UYW:2"];

#[wasm_bindgen_test]
fn amounts_follow_iso_4217_and_agree_with_intl_digits() {
    let supported: Array = js_sys::eval("Intl.supportedValuesOf('currency')")
        .unwrap()
        .into();
    assert!(supported.length() > 100);
    let mut differences = Vec::new();
    for code in supported.iter().map(|c| c.as_string().unwrap()) {
        let exp = exponent(&code).unwrap();
        let options = json(&format!(r#"{{"style":"currency","currency":"{code}"}}"#));
        let intl = js_sys::Intl::NumberFormat::new(&Array::of1(&"en-US".into()), &options.into());
        let digits = get(&intl.resolved_options(), "maximumFractionDigits")
            .as_f64()
            .unwrap() as u32;
        if digits != exp {
            differences.push(format!("{code}:{digits}"));
            continue;
        }
        let plain = json(&format!(
            r#"{{"minimumFractionDigits":{exp},"maximumFractionDigits":{exp},"useGrouping":false}}"#
        ));
        let format = js_sys::Intl::NumberFormat::new(&Array::of1(&"en-US".into()), &plain.into());
        for minor in amounts(u64::from(code.as_bytes()[0]), 20).chain([0, 1, 5, 99, 100]) {
            let value = minor as f64 / 10f64.powi(exp as i32);
            let shown = format
                .format()
                .call1(&JsValue::UNDEFINED, &value.into())
                .unwrap();
            assert_eq!(
                to_decimal(minor, &code).unwrap(),
                shown.as_string().unwrap(),
                "{code} {minor}"
            );
        }
    }
    // Only CLDR's display-only zero-digit currencies may differ from ISO 4217 (which of
    // them do depends on the engine's ICU: Chromium's shows these, Firefox's none), and
    // an older ICU's two.
    let known: Vec<String> = CLDR_DISPLAY_DIFFERENCES
        .iter()
        .map(|c| format!("{c}:0"))
        .chain(OLDER_ICU_DIFFERENCES.iter().map(|d| d.to_string()))
        .collect();
    let unexpected: Vec<&String> = differences.iter().filter(|d| !known.contains(d)).collect();
    assert!(unexpected.is_empty(), "{unexpected:?}");
}
