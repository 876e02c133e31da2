//! End to end: pages written from PayKKa's documentation — encrypted-card.js (`setEnv`,
//! `init`, `data-eci` holders, `encrypt()` → `onCardEncrypted`) and the Checkout UI SDK
//! (`new PayKKaCheckout`, `init()`, `create(DropIn | Card).mount()`) — work on paykka-web by
//! swapping the script tag, in a real Chromium against the real binary.

mod support;

use fantoccini::Client;
use serde_json::Value;
use support::{browser, click, eval, eventually, next_year_yy, type_in_frame, wait_for, Server};

async fn result(c: &Client, state: &str) -> Value {
    eventually(
        c,
        "return document.getElementById('result').dataset.state",
        Value::from(state),
    )
    .await
}

async fn type_card(c: &Client, number: &str) {
    let yy = next_year_yy();
    type_in_frame(c, 0, number).await;
    type_in_frame(c, 1, &format!("12{yy:02}")).await;
    type_in_frame(c, 2, "123").await;
}

#[tokio::test]
async fn a_page_written_for_encrypted_card_js_pays() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    c.goto(&format!("{}/paykka/encrypted-card.html", server.merchant))
        .await
        .unwrap();
    wait_for(c, "body[data-ready='true']").await;
    wait_for(c, "[data-eci='cardNumber'] iframe").await;
    assert_eq!(
        eval(
            c,
            "return typeof window.PaykkaCardCheckoutEncryptedCard.init"
        )
        .await,
        "function"
    );
    // Nothing typed: encryption fails and onCardEncrypted gets nothing.
    click(c, "#pay").await;
    assert_eq!(result(c, "error").await, "error");
    type_card(c, "4242424242424242").await;
    click(c, "#pay").await;
    assert_eq!(result(c, "success").await, "success");
    browser.close().await;
}

#[tokio::test]
async fn a_page_written_for_the_checkout_ui_sdk_pays_with_the_drop_in_and_the_card_component() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    for (query, methods) in [
        ("", "BANKCARD,ALIPAY,WECHAT_PAY"),
        ("?component=card", "BANKCARD"),
    ] {
        c.goto(&format!("{}/paykka/checkout.html{query}", server.merchant))
            .await
            .unwrap();
        wait_for(c, ".paykka-checkout[data-state='ready']").await;
        let shown = eventually(
            c,
            "return document.getElementById('result').dataset.methods ?? null",
            Value::from(methods),
        )
        .await;
        assert_eq!(shown, methods, "{query}");
        type_card(c, "4242424242424242").await;
        click(c, ".pc-submit").await;
        assert_eq!(result(c, "success").await, "success", "{query}");
    }
    browser.close().await;
}

#[tokio::test]
async fn an_injected_current_script_cannot_point_the_compat_script_elsewhere() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    // Where the injected element points: anything reaching it is a failure.
    let injected = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    injected.set_nonblocking(true).unwrap();
    let evil = format!("http://127.0.0.1:{}", injected.local_addr().unwrap().port());
    let browser = browser().await;
    let c = &browser.client;
    c.goto(&format!("{}/paykka/encrypted-card.html", server.merchant))
        .await
        .unwrap();
    wait_for(c, "body[data-ready='true']").await;
    let outcome = c
        .execute_async(
            &format!(
                r#"const done = arguments[arguments.length - 1];
                window.blocked = [];
                document.addEventListener('securitypolicyviolation', (e) => window.blocked.push(e.blockedURI));
                const img = document.createElement('img');
                img.name = 'currentScript';
                img.src = '{evil}/x/pic.png';
                document.body.append(img);
                const clobbered = document.currentScript === img;
                const script = document.createElement('script');
                script.src = '/pkg/paykka-compat.js';
                script.onload = () => new window.PayKKaCheckout({{}}).init().then(
                  (checkout) => done({{clobbered, loaded: typeof checkout.module.Checkout}}),
                  (error) => done({{clobbered, loaded: String(error)}}));
                document.head.append(script);"#
            ),
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(outcome["clobbered"], true, "the gadget is in place");
    assert_eq!(
        outcome["loaded"], "function",
        "the package came from its own origin"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let blocked = eval(c, "return window.blocked.filter((u) => u.endsWith('.js'))").await;
    assert_eq!(blocked, serde_json::json!([]), "no script asked of {evil}");
    assert!(injected.accept().is_err(), "no request reached {evil}");
    browser.close().await;
}
