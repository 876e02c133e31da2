//! End to end: the drop-in checkout on the demo's /checkout, driven in a real
//! headless Chromium against the real binary: card success, 3-D Secure in the modal (pass
//! and fail), decline then retry, double click, expired session, Alipay by redirect and
//! back, the gateway unreachable.

mod support;

use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::Value;
use support::{
    browser, click, click_and_type, eval, event_log, eventually, free_port, next_year_yy,
    press_keys, type_in_frame, wait_for, Server,
};

/// The drop-in's Apple Pay button (the wallet matrix, wallet_matrix_e2e.rs, drives the rest).
const APPLE_PAY_BUTTON: &str = "[data-method='APPLE_PAY'] button";

async fn open(c: &Client, url: &str, state: &str) {
    c.goto(url).await.unwrap();
    wait_for(c, &format!(".paykka-checkout[data-state='{state}']")).await;
}

async fn state(c: &Client, expected: &str) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let now = eval(
            c,
            "return document.querySelector('.paykka-checkout')?.dataset.state ?? null",
        )
        .await;
        if now == expected || std::time::Instant::now() > deadline {
            return now;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn type_card(c: &Client, number: &str) {
    let yy = next_year_yy();
    type_in_frame(c, 0, number).await;
    type_in_frame(c, 1, &format!("12{yy:02}")).await;
    type_in_frame(c, 2, "123").await;
}

fn payments_of_session(data: &std::path::Path) -> Vec<(String, String)> {
    let db = rusqlite::Connection::open(data.join("gateway.sqlite")).unwrap();
    let mut rows = db
        .prepare("SELECT trans_id, status FROM payments WHERE session_id IS NOT NULL ORDER BY created_at")
        .unwrap();
    rows.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The methods the checkout finally shows (its `paymentMethodsReady` event).
async fn methods_ready(c: &Client) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let log = event_log(c).await;
        if log.contains("paymentMethodsReady") || std::time::Instant::now() > deadline {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_card_pays_the_session_and_the_amount_reads_in_each_locale() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    open(
        c,
        &format!("{}/checkout?locale=zh-CN", server.merchant),
        "ready",
    )
    .await;
    assert_eq!(
        eval(c, "return document.querySelector('.pc-amount').textContent").await,
        "US$3.00"
    );
    assert_eq!(
        eval(c, "return document.querySelector('.pc-submit').textContent").await,
        "支付 US$3.00"
    );
    open(c, &format!("{}/checkout", server.merchant), "ready").await;
    assert_eq!(
        eval(c, "return document.querySelector('.pc-amount').textContent").await,
        "$3.00"
    );
    let methods = methods_ready(c).await;
    assert!(
        methods.contains("\"BANKCARD\"") && methods.contains("ALIPAY"),
        "{methods}"
    );
    type_card(c, "4242424242424242").await;
    // The brand mark: the secure origin's SVG, inside the number input, vertically centred.
    c.enter_frame(0).await.unwrap();
    let mark = eventually(
        c,
        "const img = document.querySelector('img.paykka-brand-icon'); if (!img || !img.complete) return null;
         const i = img.getBoundingClientRect(), f = document.querySelector('input').getBoundingClientRect();
         return [img.dataset.brand, new URL(img.src).pathname, img.naturalWidth > 0,
                 i.top > f.top && i.bottom < f.bottom && i.right < f.right,
                 Math.abs((i.top + i.bottom) / 2 - (f.top + f.bottom) / 2) < 1.5];",
        serde_json::json!(["visa", "/frames/brands/visa.svg", true, true, true]),
    )
    .await;
    assert_eq!(
        mark,
        serde_json::json!(["visa", "/frames/brands/visa.svg", true, true, true])
    );
    c.enter_parent_frame().await.unwrap();
    // A double click: one payment.
    eval(
        c,
        "const b = document.querySelector('.pc-submit'); b.click(); b.click(); return 0",
    )
    .await;
    assert_eq!(state(c, "paid").await, "paid");
    let log = event_log(c).await;
    assert!(
        log.contains(&format!(r#""returnUrl":"{}/checkout""#, server.merchant)),
        "paymentCompleted names the session's return_url: {log}"
    );
    let payments = payments_of_session(data.path());
    assert_eq!(payments.len(), 1, "{payments:?}");
    assert_eq!(payments[0].1, "SUCCESS");
    assert!(!server.log().contains("4242424242424242"));
    browser.close().await;
}

#[tokio::test]
async fn three_d_secure_in_the_modal_passes_or_fails_and_a_decline_keeps_the_card() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    open(c, &format!("{}/checkout", server.merchant), "ready").await;
    type_card(c, "4000000000003220").await;
    click(c, ".pc-submit").await;
    assert_eq!(state(c, "authenticating").await, "authenticating");
    wait_for(c, "dialog.pc-dialog[open]").await;
    assert_eq!(
        eval(
            c,
            "return document.activeElement.closest('dialog') !== null"
        )
        .await,
        true,
        "focus inside the dialog"
    );
    let frames = eval(c, "return document.querySelectorAll('iframe').length")
        .await
        .as_u64()
        .unwrap() as u16;
    c.enter_frame(frames - 1).await.unwrap();
    click(c, "#fail").await;
    c.enter_parent_frame().await.unwrap();
    assert_eq!(state(c, "declined").await, "declined");
    assert_eq!(
        eval(c, "return document.querySelector('dialog') === null").await,
        true,
        "the dialog is gone"
    );
    let alert = eval(c, "return document.querySelector('.pc-error').textContent").await;
    assert!(
        alert
            .as_str()
            .unwrap()
            .contains("3-D Secure authentication failed"),
        "{alert}"
    );
    assert!(event_log(c).await.contains("3005"));

    // The card is still there; a retry with a card that passes 3-D Secure.
    c.enter_frame(0).await.unwrap();
    let input = c.find(Locator::Css("input")).await.unwrap();
    assert_eq!(
        input.prop("value").await.unwrap().unwrap(),
        "4000 0000 0000 3220"
    );
    c.enter_parent_frame().await.unwrap();
    click(c, ".pc-submit").await;
    wait_for(c, "dialog.pc-dialog[open]").await;
    let frames = eval(c, "return document.querySelectorAll('iframe').length")
        .await
        .as_u64()
        .unwrap() as u16;
    c.enter_frame(frames - 1).await.unwrap();
    click_and_type(&c.find(Locator::Css("#code")).await.unwrap(), "1234").await;
    click(c, "#submit").await;
    c.enter_parent_frame().await.unwrap();
    assert_eq!(state(c, "paid").await, "paid");
    let payments = payments_of_session(data.path());
    assert_eq!(
        payments.iter().map(|p| p.1.as_str()).collect::<Vec<_>>(),
        ["FAILURE", "SUCCESS"]
    );
    browser.close().await;
}

#[tokio::test]
async fn a_decline_says_why_then_another_card_pays() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    open(c, &format!("{}/checkout", server.merchant), "ready").await;
    type_card(c, "4000000000000002").await;
    click(c, ".pc-submit").await;
    assert_eq!(state(c, "declined").await, "declined");
    let alert = eval(c, "return document.querySelector('.pc-error').textContent").await;
    assert!(
        alert.as_str().unwrap().contains("Declined by the issuer"),
        "{alert}"
    );
    c.enter_frame(0).await.unwrap();
    let input = c.find(Locator::Css("input")).await.unwrap();
    input.clear().await.unwrap();
    click_and_type(&input, "4242424242424242").await;
    c.enter_parent_frame().await.unwrap();
    click(c, ".pc-submit").await;
    assert_eq!(state(c, "paid").await, "paid");
    let log = event_log(c).await;
    assert!(
        log.contains("paymentFailed") && log.contains("paymentCompleted"),
        "{log}"
    );
    browser.close().await;
}

#[tokio::test]
async fn an_expired_session_says_so() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    open(
        c,
        &format!("{}/checkout?expires_in=2", server.merchant),
        "ready",
    )
    .await;
    let session = eval(
        c,
        "return document.querySelector('.paykka-checkout').dataset.session",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    open(
        c,
        &format!(
            "{}/checkout?session_id={}",
            server.merchant,
            session.as_str().unwrap()
        ),
        "expired",
    )
    .await;
    assert!(event_log(c).await.contains("expired"));
    browser.close().await;
}

#[tokio::test]
async fn alipay_goes_to_its_page_and_the_checkout_restores_itself_on_return() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    open(c, &format!("{}/checkout", server.merchant), "ready").await;
    click(c, "input[value='ALIPAY']").await;
    click(c, ".pc-redirect").await;
    wait_for(c, "#approve").await;
    assert!(c
        .current_url()
        .await
        .unwrap()
        .as_str()
        .starts_with(&server.gateway));
    click(c, "#approve").await;
    wait_for(c, ".paykka-checkout[data-state='paid']").await;
    assert!(c
        .current_url()
        .await
        .unwrap()
        .as_str()
        .contains("trans_id="));
    browser.close().await;
}

#[tokio::test]
async fn an_unreachable_gateway_is_a_clear_error_with_a_retry() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    let closed = format!("http://127.0.0.1:{}", free_port());
    c.goto(&format!(
        "{}/checkout?environment={closed}",
        server.merchant
    ))
    .await
    .unwrap();
    wait_for(c, ".paykka-checkout[data-state='networkError']").await;
    let retry = eval(
        c,
        "return document.querySelector('.pc-secondary').textContent",
    )
    .await;
    assert_eq!(retry, "Try again");
    let log = eventually(
        c,
        "return document.getElementById('event-log').textContent.includes('NETWORK_ERROR')",
        Value::Bool(true),
    )
    .await;
    assert_eq!(log, true);
    browser.close().await;
}

#[tokio::test]
async fn three_d_secure_by_redirect_comes_back_to_a_restored_checkout() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    open(
        c,
        &format!("{}/checkout?threeds=redirect", server.merchant),
        "ready",
    )
    .await;
    type_card(c, "4000000000003220").await;
    click(c, ".pc-submit").await;
    wait_for(c, "#code").await;
    assert!(
        c.current_url()
            .await
            .unwrap()
            .as_str()
            .starts_with(&server.gateway),
        "a full-page redirect"
    );
    click_and_type(&c.find(Locator::Css("#code")).await.unwrap(), "1234").await;
    click(c, "#submit").await;
    wait_for(c, ".paykka-checkout[data-state='paid']").await;
    browser.close().await;
}

#[tokio::test]
async fn keyboard_only_from_the_first_field_to_the_result_and_320_px_wide() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    c.set_window_size(320, 700).await.unwrap();
    open(c, &format!("{}/checkout", server.merchant), "ready").await;
    let overflow = eval(
        c,
        "return document.documentElement.scrollWidth <= window.innerWidth",
    )
    .await;
    assert_eq!(overflow, true, "no horizontal scrolling at 320 px");
    let width = eval(c, "return document.querySelector('.paykka-checkout').getBoundingClientRect().width <= window.innerWidth").await;
    assert_eq!(width, true);
    // The card number field first: the method radio is focused, Tab reaches the number frame.
    eval(
        c,
        "document.querySelector('input[value=\"BANKCARD\"]').focus(); return 0",
    )
    .await;
    let yy = next_year_yy();
    press_keys(c, "\u{E004}").await;
    for (index, text) in [
        (0u16, "4242424242424242".to_owned()),
        (1, format!("12{yy:02}")),
        (2, "123".to_owned()),
    ] {
        // Auto-advance crosses frames by messages: give it a moment.
        let focused = eventually(
            c,
            &format!(
                "return document.activeElement === document.querySelectorAll('iframe')[{index}]"
            ),
            Value::Bool(true),
        )
        .await;
        assert_eq!(focused, true, "focus in frame {index}");
        c.enter_frame(index).await.unwrap();
        press_keys(c, &text).await;
        c.enter_parent_frame().await.unwrap();
        if index == 2 {
            break;
        }
        // A complete field moves focus on by itself (auto-advance).
    }
    // The whole card number stays in view at 320 px, the brand mark inside the input.
    c.enter_frame(0).await.unwrap();
    let fits = eval(
        c,
        "const input = document.querySelector('input'), box = input.getBoundingClientRect(); \
         const mark = document.querySelector('.paykka-brand-icon').getBoundingClientRect(); \
         return [input.value, input.scrollWidth <= input.clientWidth, \
                 mark.width > 0 && mark.left >= box.left && mark.right <= box.right]",
    )
    .await;
    assert_eq!(
        fits,
        serde_json::json!(["4242 4242 4242 4242", true, true]),
        "{fits}"
    );
    c.enter_parent_frame().await.unwrap();
    // The security code complete, focus moved on to the name on the card (optional here):
    // Enter there pays.
    c.enter_frame(3).await.unwrap();
    let focused = eventually(
        c,
        "return document.activeElement === document.querySelector('input')",
        Value::Bool(true),
    )
    .await;
    assert_eq!(focused, true, "focus in the name on the card");
    press_keys(c, "\u{E007}").await;
    c.enter_parent_frame().await.unwrap();
    assert_eq!(state(c, "paid").await, "paid");
    assert_eq!(
        eval(
            c,
            "return document.activeElement.classList.contains('pc-result')"
        )
        .await,
        true,
        "focus goes to the result"
    );
    browser.close().await;
}

#[tokio::test]
async fn a_session_whose_failed_attempts_are_used_up_says_so_and_takes_no_card() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    open(c, &format!("{}/checkout", server.merchant), "ready").await;
    // One decline through the form, then the rest of the session's allowance as the
    // secure origin would have counted them.
    let db = rusqlite::Connection::open(data.path().join("secure-origin.sqlite")).unwrap();
    type_card(c, "4000000000000002").await;
    click(c, ".pc-submit").await;
    assert_eq!(state(c, "declined").await, "declined");
    for attempt in 2..=5 {
        db.execute(
            "INSERT INTO session_failures (merchant_id, session_id, trans_id, at)
             SELECT merchant_id, session_id, trans_id || ?1, at + ?1 FROM session_failures LIMIT 1",
            [attempt],
        )
        .unwrap();
    }
    let sid: String = db
        .query_row("SELECT session_id FROM session_failures", [], |r| r.get(0))
        .unwrap();
    c.goto(&format!("{}/checkout?session_id={sid}", server.merchant))
        .await
        .unwrap();
    assert_eq!(state(c, "locked").await, "locked");
    let text = eval(c, "return document.querySelector('.pc-result').textContent").await;
    assert!(
        text.as_str()
            .unwrap()
            .contains("Too many payment attempts failed"),
        "{text}"
    );
    assert_eq!(
        eval(
            c,
            "return document.querySelectorAll('.paykka-checkout iframe').length"
        )
        .await,
        0,
        "no card fields"
    );
    assert!(event_log(c).await.contains("SB0008"));
    browser.close().await;
}

#[tokio::test]
async fn apple_pay_validation_refused_closes_the_sheet_and_the_checkout_says_why() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with_wallet_fakes(data.path());
    let browser = browser().await;
    let c = &browser.client;
    open(
        c,
        &format!("{}/checkout?expires_in=2", server.merchant),
        "ready",
    )
    .await;
    methods_ready(c).await;
    click(c, "input[value='APPLE_PAY']").await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    // The session ran out while the shopper looked: merchant validation is refused.
    click(c, APPLE_PAY_BUTTON).await;
    assert_eq!(state(c, "expired").await, "expired");
    let fake = eval(c, "return window.applePayFake.log.join(' ')").await;
    let fake = fake.as_str().unwrap();
    assert!(
        fake.contains("abort") && !fake.contains("authorize"),
        "{fake}"
    );
    assert_eq!(
        eval(
            c,
            "return document.getElementById('fake-apple-pay-sheet') === null"
        )
        .await,
        true,
        "the sheet is closed"
    );
    assert!(event_log(c).await.contains("expired"));
    assert!(payments_of_session(data.path()).is_empty());
    browser.close().await;
}

#[tokio::test]
async fn the_drop_in_fetches_a_wallets_code_only_where_that_wallet_can_be_shown() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start_with_wallet_fakes(data.path());
    let browser = browser().await;
    let c = &browser.client;
    let fetched = |bundle: &str| {
        format!("return performance.getEntriesByType('resource').filter((e) => e.name.includes('/{bundle}')).length")
    };
    // Apple Pay here (its fake), Google Pay not: the session offers both, the checkout
    // shows Apple Pay from its own bundle (JS and wasm) and fetches no Google Pay code.
    open(
        c,
        &format!("{}/checkout?fakes=apple", server.merchant),
        "ready",
    )
    .await;
    let log = methods_ready(c).await;
    wait_for(c, APPLE_PAY_BUTTON).await;
    assert!(
        log.contains("APPLE_PAY") && !log.contains("GOOGLE_PAY"),
        "{log}"
    );
    assert_eq!(eval(c, &fetched("paykka_web_apple_pay")).await, 2);
    assert_eq!(eval(c, &fetched("paykka_web_google_pay")).await, 0);
    // No wallet on this browser: the card alone, and no wallet code at all.
    open(
        c,
        &format!("{}/checkout?fakes=none", server.merchant),
        "ready",
    )
    .await;
    let log = methods_ready(c).await;
    assert!(log.contains("BANKCARD"), "{log}");
    assert!(
        !log.contains("APPLE_PAY") && !log.contains("GOOGLE_PAY"),
        "{log}"
    );
    for bundle in [
        "paykka_web_apple_pay",
        "paykka_web_google_pay",
        "paykka_web_wallets",
    ] {
        assert_eq!(eval(c, &fetched(bundle)).await, 0, "{bundle}");
    }
    browser.close().await;
}

/// axe-core's violations inside the checkout (and any open dialog), as `id: targets`.
async fn axe_violations(c: &Client) -> Vec<String> {
    let axe = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../.tools/node_modules/axe-core/axe.min.js"),
    )
    .expect("axe-core in .tools/ (./dev setup installs it)");
    c.execute(&format!("{axe}\n;return 0"), vec![])
        .await
        .unwrap();
    let result = c
        .execute_async(
            "const done = arguments[0];
             axe.run({ include: [['.paykka-checkout'], ['dialog']] }, { resultTypes: ['violations'] })
               .then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))),
                     e => done(['axe failed: ' + e]));",
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(result).unwrap()
}

#[tokio::test]
async fn axe_finds_nothing_in_either_locale_nor_in_the_dialog() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    for locale in ["en-US", "zh-CN"] {
        open(
            c,
            &format!("{}/checkout?locale={locale}", server.merchant),
            "ready",
        )
        .await;
        assert_eq!(
            axe_violations(c).await,
            Vec::<String>::new(),
            "{locale}, ready"
        );
        type_card(c, "4000000000000002").await;
        click(c, ".pc-submit").await;
        assert_eq!(state(c, "declined").await, "declined");
        assert_eq!(
            axe_violations(c).await,
            Vec::<String>::new(),
            "{locale}, declined"
        );
    }
    c.enter_frame(0).await.unwrap();
    let input = c.find(Locator::Css("input")).await.unwrap();
    input.clear().await.unwrap();
    click_and_type(&input, "4000000000003220").await;
    c.enter_parent_frame().await.unwrap();
    click(c, ".pc-submit").await;
    wait_for(c, "dialog.pc-dialog[open]").await;
    assert_eq!(
        axe_violations(c).await,
        Vec::<String>::new(),
        "the 3-D Secure dialog"
    );
    // Escape closes it; focus comes back to the page, and the shopper can resume.
    c.active_element()
        .await
        .unwrap()
        .send_keys("\u{E00C}")
        .await
        .unwrap();
    assert_eq!(state(c, "authCancelled").await, "authCancelled");
    assert_eq!(
        eval(c, "return document.querySelector('dialog') === null").await,
        true
    );
    click(c, ".pc-secondary").await;
    wait_for(c, "dialog.pc-dialog[open]").await;
    browser.close().await;
}

#[tokio::test]
async fn the_merchants_own_button_pays_when_the_built_in_one_is_hidden() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    open(
        c,
        &format!("{}/checkout?own_button", server.merchant),
        "ready",
    )
    .await;
    assert_eq!(
        eval(c, "return document.querySelector('.pc-submit').hidden").await,
        true
    );
    type_card(c, "4242424242424242").await;
    click(c, "#own-pay").await;
    assert_eq!(state(c, "paid").await, "paid");
    browser.close().await;
}

#[tokio::test]
async fn a_locale_pack_is_loaded_when_asked_for_in_the_checkout_and_its_frames() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    open(
        c,
        &format!("{}/checkout?locale=ja-JP", server.merchant),
        "ready",
    )
    .await;
    assert_eq!(
        eval(c, "return document.querySelector('.paykka-checkout').lang").await,
        "ja-JP"
    );
    let pay = eval(c, "return document.querySelector('.pc-submit').textContent").await;
    assert!(pay.as_str().unwrap().ends_with("を支払う"), "{pay}");
    assert_eq!(
        eval(
            c,
            "return document.querySelector('.pc-method span').textContent"
        )
        .await,
        "カード"
    );
    c.enter_frame(0).await.unwrap();
    let (label, lang) = (
        eval(c, "return document.querySelector('label').textContent").await,
        eval(c, "return document.documentElement.lang").await,
    );
    c.enter_parent_frame().await.unwrap();
    assert_eq!(
        (label.as_str(), lang.as_str()),
        (Some("カード番号"), Some("ja-JP"))
    );
    // Only the pack asked for was loaded.
    let fetched = eval(
        c,
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname).filter(p => p.includes('/locales/'))",
    )
    .await;
    assert_eq!(fetched, serde_json::json!(["/pkg/locales/ja-JP.js"]));
    browser.close().await;
}
