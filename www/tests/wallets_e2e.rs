//! End to end: the demo's Apple Pay and Google Pay buttons in a real headless Chromium
//! against the real binary started with `--wallet-fakes`. The fakes enforce the user-gesture
//! rule, so every click is a trusted WebDriver click; Apple Pay tokens are real EC_v1
//! ciphertexts that the sandbox (or, with `--apple-pay-decrypt`, the merchant) opens.

mod support;

use fantoccini::Client;
use serde_json::Value;
use support::{
    browser, click, eval, event_log, eventually, free_port, pay_in_fake_sheet, wait_for,
    wait_for_url, Server,
};

const CARDS: [&str; 4] = [
    "4242424242424242",
    "4000000000000002",
    "4000000000003220",
    "5555555555554444",
];

async fn open_demo(c: &Client, url: &str) {
    c.goto(url).await.unwrap();
    wait_for(c, "body[data-ready='true']").await;
}

async fn result_state(c: &Client, expected: &str) -> Value {
    eventually(
        c,
        "return document.getElementById('result').dataset.state",
        Value::from(expected),
    )
    .await
}

fn fake_log(wallet: &str) -> String {
    format!("return JSON.stringify(window.{wallet}Fake.log)")
}

fn assert_no_card_numbers(server: &Server, page_events: &str) {
    let log = server.log();
    for pan in CARDS {
        assert!(!log.contains(pan), "{pan} in the server log");
        assert!(!page_events.contains(pan), "{pan} in the page's events");
    }
}

#[tokio::test]
async fn apple_pay_pays_declines_and_cancels_through_the_demo() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with_wallet_fakes(data.path());
    let browser = browser().await;
    let c = &browser.client;
    open_demo(c, &format!("{}/?fakes=apple", server.merchant)).await;
    assert!(
        event_log(c).await.contains("unavailable"),
        "no Google Pay here"
    );

    pay_in_fake_sheet(c, "#apple-pay button", "apple-pay", 0).await;
    assert_eq!(result_state(c, "success").await, "success");
    assert!(eval(c, &fake_log("applePay"))
        .await
        .as_str()
        .unwrap()
        .contains("completePayment:0"));
    let log = event_log(c).await;
    for event in ["ready", "click", "authorized", "success"] {
        assert!(log.contains(event), "{event} in {log}");
    }

    open_demo(c, &format!("{}/?fakes=apple", server.merchant)).await;
    pay_in_fake_sheet(c, "#apple-pay button", "apple-pay", 1).await;
    assert_eq!(result_state(c, "declined").await, "declined");
    let fake = eval(c, &fake_log("applePay")).await;
    assert!(
        fake.as_str().unwrap().contains("completePayment:1"),
        "{fake}"
    );
    assert!(event_log(c).await.contains("3001"));

    click(c, "#apple-pay button").await;
    wait_for(c, "#fake-apple-pay-sheet").await;
    click(c, "#fake-apple-pay-cancel").await;
    assert_eq!(result_state(c, "canceled").await, "canceled");

    // A script's click is no user gesture: Apple Pay refuses, the page hears why. (First
    // the last trusted click's activation runs out, about 5 s in Chromium.)
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while eval(c, "return navigator.userActivation.isActive").await == true {
        assert!(
            std::time::Instant::now() < deadline,
            "activation never expired"
        );
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    eval(
        c,
        "document.querySelector('#apple-pay button').click(); return 0",
    )
    .await;
    let refused = eventually(
        c,
        "return document.getElementById('event-log').textContent.includes('APPLE_PAY_SESSION_FAILED')",
        Value::Bool(true),
    )
    .await;
    assert_eq!(refused, true);
    assert_no_card_numbers(&server, &event_log(c).await);
    browser.close().await;
}

#[tokio::test]
async fn apple_pay_3_d_secure_goes_to_the_challenge() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with_wallet_fakes(data.path());
    let browser = browser().await;
    let c = &browser.client;
    open_demo(c, &format!("{}/?fakes=apple", server.merchant)).await;
    pay_in_fake_sheet(c, "#apple-pay button", "apple-pay", 2).await;
    wait_for_url(c, &server.gateway).await;
    browser.close().await;
}

#[tokio::test]
async fn the_merchant_can_decrypt_apple_pay_tokens_itself() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        data.path(),
        &[
            "--merchant-addr",
            "127.0.0.1:0",
            "--wallet-fakes",
            "--apple-pay-decrypt",
        ],
    );
    let browser = browser().await;
    let c = &browser.client;
    open_demo(c, &format!("{}/?fakes=apple", server.merchant)).await;
    pay_in_fake_sheet(c, "#apple-pay button", "apple-pay", 3).await;
    assert_eq!(result_state(c, "success").await, "success");
    assert_no_card_numbers(&server, &event_log(c).await);
    browser.close().await;
    assert!(data.path().join("apple-pay-merchant-key.pem").exists());
    let merchant_db = std::fs::read(data.path().join("merchant.sqlite")).unwrap();
    let text = String::from_utf8_lossy(&merchant_db);
    assert!(
        !text.contains("5555555555554444"),
        "the card number reached the database"
    );
}

#[tokio::test]
async fn merchant_validation_fails_on_an_unregistered_domain() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let origin = format!("http://127.0.0.1:{port}");
    let server = Server::start_with(
        data.path(),
        &[
            "--merchant-addr",
            &addr,
            "--allowed-origin",
            &origin,
            "--wallet-fakes",
        ],
    );
    let browser = browser().await;
    let c = &browser.client;
    // Same site, another domain: PayKKa's Create Apple Pay Session refuses it.
    open_demo(c, &format!("http://localhost:{port}/?fakes=apple")).await;
    click(c, "#apple-pay button").await;
    let failed = eventually(
        c,
        "return document.getElementById('event-log').textContent.includes('MERCHANT_VALIDATION_FAILED')",
        Value::Bool(true),
    )
    .await;
    assert_eq!(failed, true, "{}", event_log(c).await);
    let fake = eval(c, &fake_log("applePay")).await;
    assert!(fake.as_str().unwrap().contains("abort"), "{fake}");
    assert_eq!(
        eval(
            c,
            "return document.getElementById('fake-apple-pay-sheet') === null"
        )
        .await,
        true,
        "the sheet is gone"
    );
    drop(server);
    browser.close().await;
}

#[tokio::test]
async fn google_pay_pays_retries_a_decline_and_cancels() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with_wallet_fakes(data.path());
    let browser = browser().await;
    let c = &browser.client;
    open_demo(c, &format!("{}/?fakes=google", server.merchant)).await;
    let log = event_log(c).await;
    assert!(
        log.contains("NO_APPLE_PAY"),
        "no ApplePaySession at all: {log}"
    );
    assert_eq!(
        eval(c, "return document.querySelectorAll('#apple-pay *').length").await,
        0
    );

    // A decline keeps the sheet open with the reason; the shopper closes it.
    pay_in_fake_sheet(c, "#google-pay button", "google-pay", 1).await;
    assert_eq!(result_state(c, "declined").await, "declined");
    let message = eventually(
        c,
        "return document.getElementById('fake-google-pay-message')?.textContent ?? ''",
        Value::from("Declined by the issuer"),
    )
    .await;
    assert_eq!(message, "Declined by the issuer");
    click(c, "#fake-google-pay-cancel").await;
    assert_eq!(result_state(c, "canceled").await, "canceled");

    pay_in_fake_sheet(c, "#google-pay button", "google-pay", 0).await;
    assert_eq!(result_state(c, "success").await, "success");
    let log = event_log(c).await;
    for event in [
        "ready",
        "click",
        "authorized",
        "failed",
        "cancel",
        "success",
    ] {
        assert!(log.contains(event), "{event} in {log}");
    }
    assert_no_card_numbers(&server, &log);
    browser.close().await;
}

#[tokio::test]
async fn google_pay_3_d_secure_and_pay_js_that_does_not_load() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with_wallet_fakes(data.path());
    let browser = browser().await;
    let c = &browser.client;
    // No fake Google: the button loads pay.js from a URL that fails.
    open_demo(
        c,
        &format!("{}/?fakes=apple&payjs=/missing-pay.js", server.merchant),
    )
    .await;
    let log = event_log(c).await;
    assert!(log.contains("PAY_JS_UNAVAILABLE"), "{log}");
    assert_eq!(
        eval(
            c,
            "return document.querySelectorAll('#google-pay *').length"
        )
        .await,
        0
    );

    open_demo(c, &format!("{}/?fakes=google", server.merchant)).await;
    pay_in_fake_sheet(c, "#google-pay button", "google-pay", 2).await;
    wait_for_url(c, &server.gateway).await;
    browser.close().await;
}

/// The package files the page fetched whose names contain `part`.
async fn fetched(c: &Client, part: &str) -> Value {
    eval(
        c,
        &format!(
            "return performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.includes('{part}'))"
        ),
    )
    .await
}

#[tokio::test]
async fn a_browser_without_a_wallet_downloads_no_wallet_code() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with_wallet_fakes(data.path());
    let browser = browser().await;
    let c = &browser.client;
    // No Apple Pay, and pay.js does not load: the probe says so, nothing more is fetched.
    open_demo(
        c,
        &format!("{}/?fakes=none&payjs=/missing-pay.js", server.merchant),
    )
    .await;
    let log = event_log(c).await;
    assert!(
        log.contains("NO_APPLE_PAY") && log.contains("PAY_JS_UNAVAILABLE"),
        "{log}"
    );
    for bundle in [
        "paykka_web_wallets",
        "paykka_web_apple_pay",
        "paykka_web_google_pay",
    ] {
        assert_eq!(fetched(c, bundle).await, serde_json::json!([]), "{bundle}");
    }
    assert_eq!(
        fetched(c, "paykka-wallet-probe.js")
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        eval(c, "return document.getElementById('wallets-none').hidden").await,
        false,
        "the page says no wallet is available"
    );

    // With one wallet, that wallet's bundle comes (its JS and wasm) and the button shows:
    // no code of the other wallet.
    open_demo(
        c,
        &format!("{}/?fakes=apple&payjs=/missing-pay.js", server.merchant),
    )
    .await;
    let bundle = fetched(c, "paykka_web_apple_pay").await;
    assert_eq!(bundle.as_array().unwrap().len(), 2, "{bundle}");
    wait_for(c, "#apple-pay button").await;
    for other in ["paykka_web_wallets", "paykka_web_google_pay"] {
        assert_eq!(fetched(c, other).await, serde_json::json!([]), "{other}");
    }
    browser.close().await;
}
