//! Browser tests (headless Chromium): the JS API with the browser's random source,
//! decrypted by the browser's own WebCrypto; coded errors; helpers against the shared table.
#![cfg(target_arch = "wasm32")]

mod common;

use common::{decrypt, get, get_str, key_pair, obj};
use js_sys::JSON;
use paykka_web::helpers::checks::{
    format_expiry, validate_cvc, validate_expiry, validate_holder_name, validate_number,
};
use paykka_web::helpers::encryptor::CardEncryptor;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn card(number: &str, month: &str, year: &str, cvc: &str) -> JsValue {
    obj(&[
        ("number", number.into()),
        ("expiryMonth", month.into()),
        ("expiryYear", year.into()),
        ("cvc", cvc.into()),
    ])
}

fn encryptor(public_key: JsValue, options: JsValue) -> Result<CardEncryptor, JsValue> {
    CardEncryptor::new(public_key.unchecked_into(), options.unchecked_into())
}

/// Awaits a promise the encryptor returned.
async fn settled(promise: impl Into<JsValue>) -> Result<JsValue, JsValue> {
    wasm_bindgen_futures::JsFuture::from(js_sys::Promise::from(promise.into())).await
}

async fn encrypt_one(enc: &CardEncryptor, field: &str, value: &str) -> Result<String, JsValue> {
    settled(enc.encrypt_one(JsValue::from(field).unchecked_into(), value.into()))
        .await
        .map(|v| v.as_string().unwrap())
}

#[wasm_bindgen_test]
async fn webcrypto_decrypts_what_the_wasm_encrypts() {
    let (public_jwk, private_key) = key_pair(2048).await;
    let server_time = js_sys::Date::now() + 60_000.0;
    let options = obj(&[
        ("keyId", "key-1".into()),
        ("serverTime", server_time.into()),
        ("sessionId", "CS123".into()),
    ]);
    let enc = encryptor(public_jwk, options).unwrap();
    assert_eq!(enc.key_id(), "key-1");
    assert_eq!(enc.key_bits(), 2048);
    let out =
        settled(enc.encrypt(card("4242 4242 4242 4242", "7", "2031", "123").unchecked_into()))
            .await
            .unwrap();
    let slots = [
        ("encryptedCardNumber", "number", "4242424242424242"),
        ("encryptedExpireMonth", "expiryMonth", "07"),
        ("encryptedExpireYear", "expiryYear", "2031"),
        ("encryptedCVV", "cvc", "123"),
    ];
    for (slot, field, value) in slots {
        let compact = get_str(&out, slot);
        let (header, payload) = decrypt(&private_key, &compact).await.unwrap();
        assert_eq!(get_str(&header, "alg"), "RSA-OAEP-256");
        assert_eq!(get_str(&header, "enc"), "A256GCM");
        assert_eq!(get_str(&header, "kid"), "key-1");
        assert_eq!(get_str(&header, "cty"), "paykka-field+json;v=1");
        assert_eq!(get_str(&payload, "field"), field);
        assert_eq!(get_str(&payload, "value"), value);
        assert_eq!(get_str(&payload, "sid"), "CS123");
        assert_eq!(get_str(&payload, "nonce").len(), 22);
        // generationtime follows the gateway clock, not the browser's.
        let generated = js_sys::Date::parse(&get_str(&payload, "generationtime"));
        assert!(
            (generated - server_time).abs() < 5_000.0,
            "{generated} vs {server_time}"
        );
    }
}

#[wasm_bindgen_test]
async fn same_input_gives_distinct_ciphertexts() {
    let (public_jwk, private_key) = key_pair(2048).await;
    let enc = encryptor(public_jwk, JsValue::UNDEFINED).unwrap();
    let a = encrypt_one(&enc, "cvc", "123").await.unwrap();
    let b = encrypt_one(&enc, "cvc", "123").await.unwrap();
    assert_ne!(a, b);
    let (_, pa) = decrypt(&private_key, &a).await.unwrap();
    let (_, pb) = decrypt(&private_key, &b).await.unwrap();
    assert_ne!(get_str(&pa, "nonce"), get_str(&pb, "nonce"));
    // A tampered ciphertext does not decrypt.
    let mut parts: Vec<String> = a.split('.').map(str::to_owned).collect();
    parts[3] = format!("A{}", &parts[3][1..]);
    let tampered = parts.join(".");
    if tampered != a {
        assert!(decrypt(&private_key, &tampered).await.is_err());
    }
}

#[wasm_bindgen_test]
async fn larger_keys_work() {
    for bits in [3072, 4096] {
        let (public_jwk, private_key) = key_pair(bits).await;
        let enc = encryptor(public_jwk, JsValue::UNDEFINED).unwrap();
        assert_eq!(enc.key_bits(), bits as usize);
        let jwe = encrypt_one(&enc, "number", "5555555555554444")
            .await
            .unwrap();
        let (_, payload) = decrypt(&private_key, &jwe).await.unwrap();
        assert_eq!(get_str(&payload, "value"), "5555555555554444");
    }
}

fn assert_coded(result: Result<impl Sized, JsValue>, code: &str) -> JsValue {
    let Err(error) = result else {
        panic!("expected {code}");
    };
    assert!(error.is_instance_of::<js_sys::Error>(), "a real Error");
    assert_eq!(get_str(&error, "name"), "PaykkaError");
    assert_eq!(get_str(&error, "code"), code);
    error
}

#[wasm_bindgen_test]
async fn key_and_option_errors_are_coded_js_errors() {
    assert_coded(
        encryptor("garbage".into(), JsValue::UNDEFINED),
        "KEY_INVALID",
    );
    assert_coded(
        encryptor(JsValue::from(42), JsValue::UNDEFINED),
        "KEY_INVALID",
    );
    assert_coded(
        encryptor("{not json".into(), JsValue::UNDEFINED),
        "KEY_INVALID",
    );
    assert_coded(
        encryptor("10001|abcd".into(), JsValue::UNDEFINED),
        "KEY_TOO_SHORT",
    );
    let ec = obj(&[("kty", "EC".into()), ("n", "".into()), ("e", "".into())]);
    assert_coded(encryptor(ec, JsValue::UNDEFINED), "KEY_UNSUPPORTED");

    let (public_jwk, _) = key_pair(2048).await;
    let as_text = JSON::stringify(&public_jwk).unwrap().as_string().unwrap();
    assert!(
        encryptor(as_text.into(), JsValue::UNDEFINED).is_ok(),
        "JWK as JSON text"
    );
    let typo = obj(&[("keyID", "x".into())]);
    assert_coded(encryptor(public_jwk.clone(), typo), "INVALID_OPTION");

    let enc = encryptor(public_jwk, JsValue::UNDEFINED).unwrap();
    let error = assert_coded(
        settled(enc.encrypt(card("4242424242424242", "07", "2031", "12a").unchecked_into())).await,
        "VALIDATION",
    );
    assert_eq!(get_str(&error, "field"), "cvc");
    let message = get_str(&error, "message");
    assert!(
        !message.contains("4242") && !message.contains("12a"),
        "{message}"
    );
    assert_coded(
        settled(enc.encrypt(JsValue::from(7).unchecked_into())).await,
        "INVALID_OPTION",
    );
    assert_coded(encrypt_one(&enc, "pin", "1234").await, "INVALID_OPTION");
}

fn cases(group: &str) -> js_sys::Array {
    let all = JSON::parse(include_str!("fixtures/card_cases.json")).unwrap();
    get(&all, group).unchecked_into()
}

fn same(actual: &JsValue, case: &JsValue, key: &str, input: &str) {
    let (a, e) = (get(actual, key), get(case, key));
    let equal = a == e || (a.is_null() || a.is_undefined()) && (e.is_null() || e.is_undefined());
    assert!(equal, "{key} of {input:?}: got {a:?}, want {e:?}");
}

#[wasm_bindgen_test]
fn helpers_agree_with_the_shared_table() {
    for case in cases("number").iter() {
        let input = get_str(&case, "input");
        let result: JsValue = validate_number(&input, JsValue::UNDEFINED.unchecked_into())
            .unwrap()
            .into();
        for key in ["state", "brand", "error", "errorWhenDone", "formatted"] {
            same(&result, &case, key, &input);
        }
    }
    for case in cases("cvc").iter() {
        let input = get_str(&case, "input");
        let brand = get(&case, "brand").as_string();
        let result: JsValue = validate_cvc(&input, brand).unwrap().into();
        same(&result, &case, "state", &input);
    }
    for case in cases("expiry").iter() {
        let input = get_str(&case, "input");
        let result: JsValue = validate_expiry(&input).unwrap().into();
        same(&result, &case, "state", &input);
        same(&result, &case, "error", &input);
    }
    for case in cases("holderName").iter() {
        let input = get_str(&case, "input");
        let result: JsValue = validate_holder_name(&input, false).unwrap().into();
        same(&result, &case, "state", &input);
    }
}

#[wasm_bindgen_test]
fn expiry_uses_the_browser_clock_and_formats() {
    let next_year = js_sys::Date::new_0().get_full_year() + 1;
    let text = format!("12/{}", next_year % 100);
    let result: JsValue = validate_expiry(&text).unwrap().into();
    assert_eq!(get_str(&result, "state"), "valid");
    assert_eq!(get_str(&result, "month"), "12");
    assert_eq!(get_str(&result, "year"), next_year.to_string());
    assert_eq!(format_expiry("4").unwrap(), "04/");
    assert_eq!(format_expiry("0731").unwrap(), "07/31");
    assert_coded(format_expiry("ab"), "INVALID_CHARACTERS");
    let unsupported: JsValue = validate_number(
        "5555555555554444",
        JsValue::from(js_sys::Array::of1(&"visa".into())).unchecked_into(),
    )
    .unwrap()
    .into();
    assert_eq!(get_str(&unsupported, "error"), "UNSUPPORTED_BRAND");
    assert_coded(
        validate_number(
            "4",
            JsValue::from(js_sys::Array::of1(&"paypal".into())).unchecked_into(),
        ),
        "INVALID_OPTION",
    );
}
