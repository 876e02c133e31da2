//! End to end: the real demo binary and a real headless Chromium. A shopper types a test
//! card into the demo page, which encrypts it with the wasm package under a strict CSP.

mod support;

use std::time::Duration;

use fantoccini::Locator;
use support::{Browser, Server};

async fn text_of(browser: &Browser, css: &str) -> String {
    let element = browser.client.find(Locator::Css(css)).await.expect(css);
    element.text().await.expect("text")
}

async fn wait_for(browser: &Browser, css: &str) {
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("waiting for {css}: {e}"));
}

#[tokio::test]
async fn demo_page_encrypts_a_typed_test_card() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = Browser::start().await;
    let c = &browser.client;

    c.goto(&server.merchant).await.unwrap();
    wait_for(&browser, "#encrypt:not([disabled])").await;

    let year = (chrono_year() + 2) % 100;
    c.find(Locator::Css("#card-number"))
        .await
        .unwrap()
        .send_keys("4242424242424242")
        .await
        .unwrap();
    c.find(Locator::Css("#expiry"))
        .await
        .unwrap()
        .send_keys(&format!("12{year:02}"))
        .await
        .unwrap();
    c.find(Locator::Css("#cvc"))
        .await
        .unwrap()
        .send_keys("123")
        .await
        .unwrap();
    let number = c
        .find(Locator::Css("#card-number"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(
        number.as_deref(),
        Some("4242 4242 4242 4242"),
        "formatted as typed"
    );
    let expiry = c
        .find(Locator::Css("#expiry"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(expiry, Some(format!("12/{year:02}")));

    c.find(Locator::Css("#encrypt"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&browser, "#result[data-state='encrypted']").await;
    let result: serde_json::Value =
        serde_json::from_str(&text_of(&browser, "#result").await).unwrap();
    assert_eq!(result["brand"], "visa");
    for slot in [
        "encryptedCardNumber",
        "encryptedExpireMonth",
        "encryptedExpireYear",
        "encryptedCVV",
    ] {
        let jwe = result[slot].as_str().unwrap_or_default();
        assert_eq!(jwe.split('.').count(), 5, "{slot} is a JWE compact string");
    }
    let shown = text_of(&browser, "#result").await;
    assert!(
        !shown.contains("4242424242424242"),
        "no plain card number in the result"
    );

    // A wrong card shows an error and keeps the shopper's input.
    let number = c.find(Locator::Css("#card-number")).await.unwrap();
    number.clear().await.unwrap();
    number.send_keys("4242424242424241").await.unwrap();
    c.find(Locator::Css("#encrypt"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(
        text_of(&browser, "#card-number-error").await,
        "Check the card number."
    );
    let kept = number.prop("value").await.unwrap();
    assert_eq!(kept.as_deref(), Some("4242 4242 4242 4241"));

    browser.close().await;
    assert!(!server.log().contains("4242424242424242"));
}

#[tokio::test]
async fn pages_carry_a_strict_content_security_policy() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = Browser::start().await;
    // The page runs under the CSP header (no inline script, no eval): if the wasm or the
    // module script were blocked, the button would never be enabled.
    browser.client.goto(&server.merchant).await.unwrap();
    wait_for(&browser, "#encrypt:not([disabled])").await;
    let csp: String = browser
        .client
        .execute(
            "return fetch('/').then(r => r.headers.get('content-security-policy'))",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        csp.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{csp}"
    );
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"),
        "{csp}"
    );
    browser.close().await;
}

#[tokio::test]
async fn demo_key_is_created_once_and_kept() {
    let data = tempfile::tempdir().unwrap();
    let first = Server::start(data.path());
    let kid_before = demo_kid(&first.merchant).await;
    drop(first);
    let second = Server::start(data.path());
    assert_eq!(
        demo_kid(&second.merchant).await,
        kid_before,
        "same key after restart"
    );
    let pem = std::fs::read_to_string(data.path().join("demo-card-key.pem")).unwrap();
    assert!(
        !second.log().contains(pem.lines().nth(1).unwrap()),
        "no key material in logs"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(data.path().join("demo-card-key.pem"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

async fn demo_kid(base: &str) -> String {
    let body: serde_json::Value = reqwest::get(format!("{base}/api/demo-key"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["publicKey"]["kid"].as_str().unwrap().to_owned()
}

fn chrono_year() -> i64 {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        / 86_400;
    // Good enough for "a year from now or two": 365.2425 days a year since 1970.
    1970 + (days as f64 / 365.2425) as i64
}
