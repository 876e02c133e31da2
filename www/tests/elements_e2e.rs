//! End to end: the custom elements on the demo's /elements.html, in a real Chromium
//! against the real binary: attributes become options, the components' events bubble out
//! of the elements, and <paykka-checkout> pays its session.

mod support;

use serde_json::Value;
use support::{
    browser, click, eval, eventually, next_year_yy, pay_in_fake_sheet, type_in_frame_at, wait_for,
    Server,
};

#[tokio::test]
async fn the_elements_mount_from_attributes_and_the_checkout_pays() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    c.goto(&format!("{}/elements.html", server.merchant))
        .await
        .unwrap();
    wait_for(c, "paykka-checkout .paykka-checkout[data-state='ready']").await;
    let card_ready = eventually(
        c,
        "return document.getElementById('card-events').textContent",
        Value::from("card ready"),
    )
    .await;
    assert_eq!(
        card_ready, "card ready",
        "paykka:ready bubbled out of <paykka-card>"
    );
    assert_eq!(
        eval(
            c,
            "return document.querySelectorAll('paykka-checkout .paykka-checkout').length"
        )
        .await,
        1,
        "one checkout, however many attributes changed"
    );
    let yy = next_year_yy();
    let field = |name: &str| format!("paykka-checkout [data-paykka-field='{name}'] iframe");
    type_in_frame_at(c, &field("cardNumber"), "4242424242424242").await;
    type_in_frame_at(c, &field("expiryDate"), &format!("12{yy:02}")).await;
    type_in_frame_at(c, &field("securityCode"), "123").await;
    click(c, "paykka-checkout .pc-submit").await;
    let paid = eventually(
        c,
        "return document.body.dataset.paid ?? null",
        Value::from("SUCCESS"),
    )
    .await;
    assert_eq!(paid, "SUCCESS");
    // Leaving the document unmounts (the paid checkout has already let its fields go).
    let number_frames =
        "return document.querySelectorAll('iframe[title=\"Secure card number field\"]').length";
    assert_eq!(eval(c, number_frames).await, 1, "<paykka-card>'s");
    eval(c, "document.getElementById('card').remove(); return 0").await;
    assert_eq!(eventually(c, number_frames, Value::from(0)).await, 0);
    browser.close().await;
}

#[tokio::test]
async fn wallet_elements_pay_where_their_wallet_exists_and_fetch_nothing_where_not() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with_wallet_fakes(data.path());
    let browser = browser().await;
    let c = &browser.client;
    let events = "return document.getElementById('wallet-events').textContent";
    let wallet_files = |bundle: &str| {
        format!("return performance.getEntriesByType('resource').filter((e) => e.name.includes('{bundle}')).length")
    };

    // Apple Pay here (its fake), Google Pay not: one button, from the Apple Pay bundle.
    c.goto(&format!("{}/elements.html?fakes=apple", server.merchant))
        .await
        .unwrap();
    wait_for(c, "paykka-apple-pay button").await;
    pay_in_fake_sheet(c, "paykka-apple-pay button", "apple-pay", 0).await;
    let log = eventually(
        c,
        "return document.getElementById('wallet-events').textContent.includes('success applePay')",
        Value::Bool(true),
    )
    .await;
    assert_eq!(log, true, "{}", eval(c, events).await);
    assert!(eval(c, events)
        .await
        .as_str()
        .unwrap()
        .contains("unavailable googlePay"));
    // The Apple Pay element fetched its own bundle (JS and wasm) and no other wallet code.
    assert_eq!(eval(c, &wallet_files("paykka_web_apple_pay")).await, 2);
    assert_eq!(eval(c, &wallet_files("paykka_web_google_pay")).await, 0);
    assert_eq!(eval(c, &wallet_files("paykka_web_wallets")).await, 0);

    // No wallet at all: both elements say so, and no wallet code is fetched.
    c.goto(&format!("{}/elements.html?fakes=none", server.merchant))
        .await
        .unwrap();
    let both = eventually(
        c,
        "const t = document.getElementById('wallet-events').textContent; return t.includes('unavailable applePay NO_APPLE_PAY') && t.includes('unavailable googlePay')",
        Value::Bool(true),
    )
    .await;
    assert_eq!(both, true, "{}", eval(c, events).await);
    for bundle in [
        "paykka_web_apple_pay",
        "paykka_web_google_pay",
        "paykka_web_wallets",
    ] {
        assert_eq!(eval(c, &wallet_files(bundle)).await, 0, "{bundle}");
    }
    browser.close().await;
}
