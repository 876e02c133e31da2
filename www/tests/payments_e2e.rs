//! End to end in headless Chromium against the real binary, real SQLite and both
//! origins: pay with the test cards, 3-D Secure, declines that keep the input, a double
//! submit that charges once, a gateway that is down, and no card data at rest or in logs.

mod support;

use std::time::Duration;

use fantoccini::{Client, Locator};
use serde_json::Value;
use support::{
    browser, click_and_type, eval, eventually, frame_value, next_year_yy, open_lab, type_in_frame,
    wait_for, Server,
};

async fn open_checkout(c: &Client, server: &Server) {
    c.goto(&server.merchant).await.unwrap();
    wait_for(c, "#pay:not([disabled])").await;
}

async fn fill(c: &Client, number: &str, cvc: &str) {
    type_in_frame(c, 0, number).await;
    type_in_frame(c, 1, &format!("12{:02}", next_year_yy())).await;
    type_in_frame(c, 2, cvc).await;
}

/// Opens the checkout, types the card and presses Pay.
async fn pay(c: &Client, server: &Server, number: &str, cvc: &str) {
    open_checkout(c, server).await;
    fill(c, number, cvc).await;
    c.find(Locator::Css("#pay"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn result(c: &Client, state: &str) -> String {
    wait_for(c, &format!("#result[data-state='{state}']")).await;
    c.find(Locator::Css("#result"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

fn count(db: &std::path::Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[tokio::test]
async fn pay_with_test_cards_and_see_the_result() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    pay(c, &server, "4242424242424242", "123").await;
    let shown = result(c, "success").await;
    assert!(
        shown.starts_with("Paid. Order GW") && shown.ends_with("card ending 4242."),
        "{shown}"
    );
    // The webhook reaches the merchant, which stores it once.
    let merchant_db = data.path().join("merchant.sqlite");
    let mut delivered = 0;
    for _ in 0..100 {
        delivered = count(
            &merchant_db,
            "SELECT COUNT(*) FROM webhooks WHERE notify_type = 'PAYMENT.SUCCESS'",
        );
        if delivered == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(delivered, 1);
    assert_eq!(
        count(
            &merchant_db,
            "SELECT COUNT(*) FROM orders WHERE status = 'SUCCESS'"
        ),
        1
    );

    for (number, cvc) in [("5555555555554444", "737"), ("378282246310005", "7373")] {
        pay(c, &server, number, cvc).await;
        let shown = result(c, "success").await;
        assert!(
            shown.ends_with(&format!("card ending {}.", &number[number.len() - 4..])),
            "{shown}"
        );
    }
    browser.close().await;
}

#[tokio::test]
async fn three_d_secure_challenge_then_success() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    pay(c, &server, "4000000000003220", "123").await;
    // The shopper lands on the challenge page of the gateway's origin.
    wait_for(c, "#code").await;
    assert!(c
        .current_url()
        .await
        .unwrap()
        .as_str()
        .starts_with(&server.gateway));
    click_and_type(&c.find(Locator::Css("#code")).await.unwrap(), "1234").await;
    c.find(Locator::Css("#submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let shown = result(c, "success").await;
    assert!(shown.contains("card ending 3220"), "{shown}");
    let returned = c.current_url().await.unwrap();
    assert!(returned
        .as_str()
        .starts_with(&format!("{}/3ds/return?order=ORD", server.merchant)));
    // The page finds the order by the shop's own reference, whatever PayKKa adds.
    let order = returned
        .query_pairs()
        .find(|(name, _)| name == "order")
        .unwrap()
        .1
        .into_owned();
    c.goto(&format!("{}/3ds/return?order={order}", server.merchant))
        .await
        .unwrap();
    let shown = result(c, "success").await;
    assert!(shown.contains("card ending 3220"), "{shown}");

    // Failing the challenge declines the payment.
    pay(c, &server, "4000000000003220", "123").await;
    wait_for(c, "#fail").await;
    c.find(Locator::Css("#fail"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let shown = result(c, "declined").await;
    assert!(
        shown.contains("3-D Secure authentication failed"),
        "{shown}"
    );
    browser.close().await;
}

#[tokio::test]
async fn declines_say_why_and_keep_the_input() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    for (number, reason) in [
        ("4000000000000002", "Declined by the issuer"),
        ("4000000000009995", "Insufficient funds"),
        ("4000000000000069", "Expired card"),
        ("4000000000000127", "Incorrect security code"),
    ] {
        pay(c, &server, number, "123").await;
        let shown = result(c, "declined").await;
        assert!(shown.contains(reason), "{number}: {shown}");
        let error = c
            .find(Locator::Css("#pay-error"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(error, reason);
        let grouped: String = number
            .chars()
            .collect::<Vec<_>>()
            .chunks(4)
            .map(|g| g.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(frame_value(c, 0).await, grouped, "the card is still there");
        // The shopper can try again with another card in the same form.
        assert_eq!(
            eval(c, "return document.getElementById('pay').disabled").await,
            false
        );
    }
    pay(c, &server, "4000000000000002", "123").await;
    result(c, "declined").await;
    // Retry in place with a good card (a new order behind the scenes).
    c.enter_frame(0).await.unwrap();
    let input = c.find(Locator::Css("input")).await.unwrap();
    input.clear().await.unwrap();
    click_and_type(&input, "4242424242424242").await;
    c.enter_parent_frame().await.unwrap();
    c.find(Locator::Css("#pay"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    result(c, "success").await;
    browser.close().await;
}

#[tokio::test]
async fn a_double_submit_charges_once() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    open_checkout(c, &server).await;
    fill(c, "4242424242424242", "123").await;
    eval(
        c,
        "const b = document.getElementById('pay'); b.click(); b.click(); return 0",
    )
    .await;
    result(c, "success").await;
    let gateway_db = data.path().join("gateway.sqlite");
    assert_eq!(
        count(&gateway_db, "SELECT COUNT(*) FROM payments"),
        1,
        "one click's worth"
    );
    browser.close().await;
}

#[tokio::test]
async fn racing_requests_for_one_order_make_one_payment() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    open_lab(c, &format!("{}/lab.html", server.merchant), "ready").await;
    fill(c, "4242424242424242", "123").await;
    let answers = c
        .execute_async(
            "const done = arguments[0];
             (async () => {
               const r = await window.lab.card.encrypt();
               const order = await (await fetch('/api/orders', {method: 'POST'})).json();
               const body = JSON.stringify({trans_id: order.trans_id, payment: r.payment, browser: r.browserInfo});
               const send = () => fetch('/api/payments', {method: 'POST', headers: {'content-type': 'application/json'}, body}).then(x => x.json());
               return Promise.all([send(), send(), send()]);
             })().then(done, e => done(String(e)));",
            vec![],
        )
        .await
        .unwrap();
    let answers = answers.as_array().expect("three answers");
    let orders: Vec<&Value> = answers.iter().map(|a| &a["order_id"]).collect();
    assert!(
        orders.iter().all(|o| *o == orders[0] && o.is_string()),
        "{answers:?}"
    );
    assert!(answers.iter().all(|a| a["status"] == "SUCCESS"));
    assert_eq!(
        count(
            &data.path().join("gateway.sqlite"),
            "SELECT COUNT(*) FROM payments"
        ),
        1
    );
    browser.close().await;
}

#[tokio::test]
async fn a_gateway_that_is_down_gives_a_clear_error_and_loses_nothing() {
    let data = tempfile::tempdir().unwrap();
    let dead = format!("http://127.0.0.1:{}", support::free_port());
    // A PayKKa of its own: no sandbox starts; its platform key is given as it would be.
    let platform = support::platform_public_key(data.path());
    let server = Server::start_with(
        data.path(),
        &[
            "--merchant-addr",
            "127.0.0.1:0",
            "--paykka-base-url",
            &dead,
            "--platform-public-key",
            &platform,
        ],
    );
    let browser = browser().await;
    let c = &browser.client;
    pay(c, &server, "4242424242424242", "123").await;
    let shown = result(c, "error").await;
    assert!(shown.contains("cannot be reached"), "{shown}");
    assert_eq!(frame_value(c, 0).await, "4242 4242 4242 4242");
    let enabled = eventually(
        c,
        "return !document.getElementById('pay').disabled",
        Value::from(true),
    )
    .await;
    assert_eq!(enabled, true, "the shopper can try again");
    browser.close().await;
}

#[tokio::test]
async fn no_card_data_at_rest_or_in_logs() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    let cards = ["4242424242424242", "4000000000000002", "4000000000003220"];
    let gateway_db = data.path().join("gateway.sqlite");
    for (done, number) in cards.iter().enumerate() {
        pay(c, &server, number, "987").await;
        // Wait until the gateway has stored it.
        for _ in 0..200 {
            if count(&gateway_db, "SELECT COUNT(*) FROM payments") > done as i64 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    browser.close().await;
    // Let the webhooks land in the merchant's database too.
    let merchant_db = data.path().join("merchant.sqlite");
    for _ in 0..200 {
        if count(&merchant_db, "SELECT COUNT(*) FROM webhooks") >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut everything = Vec::new();
    for entry in std::fs::read_dir(data.path()).unwrap() {
        let path = entry.unwrap().path();
        if !path.to_string_lossy().ends_with(".pem") {
            everything.extend(std::fs::read(&path).unwrap());
        }
    }
    let text = String::from_utf8_lossy(&everything);
    assert!(
        text.contains("424242"),
        "the BIN is kept (sanity check that the files were read)"
    );
    for number in cards {
        assert!(
            !text.contains(number),
            "{number} found at rest or in the log"
        );
    }
    for needle in ["\"cvv\"", "encrypted_cvv", "\"987\"", "encrypted_card_no"] {
        assert!(
            !text.contains(needle),
            "{needle} found at rest or in the log"
        );
    }
    let key = support::secure_origin_card_key(data.path()).await;
    let log = server.log();
    assert!(
        !log.contains(key.lines().nth(1).unwrap()),
        "no card private key in the log"
    );
    let merchant_key = std::fs::read_to_string(data.path().join("merchant-key.pem")).unwrap();
    assert!(
        !log.contains(merchant_key.lines().nth(1).unwrap()),
        "no merchant private key in the log"
    );
}

#[tokio::test]
async fn the_page_and_the_card_fields_switch_to_chinese() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path());
    let browser = browser().await;
    let c = &browser.client;
    open_checkout(c, &server).await;
    eval(
        c,
        "const s = document.getElementById('locale'); s.value = 'zh-CN'; \
         s.dispatchEvent(new Event('change')); return 0",
    )
    .await;
    let title = eventually(
        c,
        "return document.querySelector('iframe')?.title ?? ''",
        Value::from("安全卡号输入框"),
    )
    .await;
    assert_eq!(title, "安全卡号输入框");
    assert_eq!(
        eval(c, "return document.getElementById('pay-title').textContent").await,
        "银行卡"
    );
    wait_for(c, "#pay:not([disabled])").await;
    fill(c, "4242424242424242", "123").await;
    c.find(Locator::Css("#pay"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let shown = result(c, "success").await;
    assert!(shown.starts_with("支付成功"), "{shown}");
    browser.close().await;
}
