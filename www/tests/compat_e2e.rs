//! End to end: pages written from PayKKa's documentation — encrypted-card.js (`setEnv`,
//! `init`, `data-eci` holders, `encrypt()` → `onCardEncrypted`) and the Checkout UI SDK
//! (`new PayKKaCheckout`, `init()`, `create(DropIn | Card).mount()`) — work on paykka-web by
//! swapping the script tag, in a real Chromium against the real binary.

mod support;

use fantoccini::Client;
use serde_json::Value;
use support::{
    browser, click, eval, eventually, next_year_yy, type_in_frame, wait_for, wait_until_still,
    Server,
};

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
        // Nothing typed: onSubmit gets PayKKa's shape, each field's name holding [{ msg }].
        // The button moves while the frames above it take their heights: click it once still.
        wait_until_still(c, ".pc-submit").await;
        click(c, ".pc-submit").await;
        assert_eq!(result(c, "invalid").await, "invalid", "{query}");
        let said = eval(c, "return document.getElementById('result').textContent").await;
        let said = said.as_str().unwrap();
        assert!(
            said.starts_with("cardNumber,expiryDate,securityCode: ") && said.len() > 40,
            "{query}: {said}"
        );
        type_card(c, "4242424242424242").await;
        click(c, ".pc-submit").await;
        assert_eq!(result(c, "success").await, "success", "{query}");
        let return_url = eval(
            c,
            "return document.getElementById('result').dataset.returnUrl",
        )
        .await;
        assert_eq!(
            return_url,
            format!("{}/checkout", server.merchant),
            "{query}: onSuccess names the session's return_url"
        );
    }
    // PayKKa's own host given to setApiUrl is not used: the page went to the secure origin
    // its script tag names, and nothing asked PayKKa's host.
    let asked = eval(
        c,
        "return performance.getEntriesByType('resource').filter((e) => e.name.includes('paykka.com')).length",
    )
    .await;
    assert_eq!(asked, 0);

    // A session that cannot be shown fails the init, as in PayKKa's SDK: onInitError hears
    // it (a PayKKa plugin renews the session there), onError does not.
    let heard = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            const heard = [];
            const config = { sessionId: 'CS-no-such-session', clientKey: document.querySelector('script[data-environment]') && window.demoClientKey,
              onInitError: (e) => { heard.push('init:' + e.code); setTimeout(() => done(heard), 300); },
              onError: (e) => heard.push('error:' + e.code) };
            fetch('/api/config').then((r) => r.json()).then((c) => {
              config.clientKey = c.clientKey;
              const target = document.createElement('div');
              document.body.append(target);
              const checkout = new window.PayKKaCheckout(config);
              return checkout.init().then(() => checkout.create(window.PayKKaCardCheckoutUI.DropIn).mount(target));
            }).catch((e) => { heard.push('rejected:' + e); done(heard); });"#,
            vec![],
        )
        .await
        .unwrap();
    let heard: Vec<String> = serde_json::from_value(heard).unwrap();
    assert_eq!(heard.len(), 1, "{heard:?}");
    assert!(heard[0].starts_with("init:"), "{heard:?}");
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
