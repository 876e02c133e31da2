//! The drop-in's session API at the secure origin, with the real sandbox playing PayKKa:
//! a session is read from PayKKa and shown to its registered page only, paid once with a
//! card encrypted for it (opened here, sent to PayKKa raw) or a wallet token, amounts and
//! URLs always PayKKa's; card testing is limited per session and per address; Apple Pay is
//! validated for the page's own domain.

mod common;

use axum::http::StatusCode;
use common::{encrypted_at, Harness, CLIENT_KEY, SHOP};
use paykka_api::signing::now_ms;
use paykka_secure_origin::checkout::{
    APPLE_PAY_SESSION, FAILURE_WINDOW_MS, MAX_FAILURES_PER_IP, PAY, RESULT, SESSION,
};
use paykka_secure_origin::checkout_session::MAX_FAILED_ATTEMPTS;
use serde_json::{json, Value};

const SHOPPER: [u8; 4] = [192, 0, 2, 1];

#[tokio::test]
async fn a_session_is_shown_to_its_page_only_and_paid_once() {
    let h = Harness::start().await;
    let key = h.card_key().await;
    let sid = h
        .open_session("CO1", json!(["BANKCARD", "GOOGLE_PAY"]))
        .await;
    let ask = json!({"client_key": CLIENT_KEY, "session_id": sid});
    let details = h.page_call(SESSION, SHOP, SHOPPER, ask.clone()).await;
    let data = &details.body["data"];
    assert_eq!(
        (data["amount"].as_i64(), data["currency"].as_str()),
        (Some(300), Some("USD")),
        "{}",
        details.body
    );
    assert_eq!(
        data["allowed_payment_methods"],
        json!(["BANKCARD", "GOOGLE_PAY"])
    );
    assert_eq!(
        (data["status"].as_str(), data["merchant_name"].as_str()),
        (Some("OPEN"), Some("Coffee"))
    );
    assert_eq!(data["goods"][0]["name"], "Beans");
    assert_eq!(data["attempts_left"], MAX_FAILED_ATTEMPTS);
    assert!(
        !details.body.to_string().contains("shop.example/hook"),
        "nothing the page need not know"
    );
    assert_eq!(
        details
            .headers
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap()),
        Some(SHOP)
    );

    let elsewhere = h
        .page_call(SESSION, "http://evil.example", SHOPPER, ask.clone())
        .await;
    assert_eq!(
        (elsewhere.status, elsewhere.body["ret_code"].as_str()),
        (StatusCode::FORBIDDEN, Some("1017"))
    );
    assert!(elsewhere
        .headers
        .get("access-control-allow-origin")
        .is_none());
    let unknown_key = json!({"client_key": "ck_nope", "session_id": sid});
    let unknown = h.page_call(SESSION, SHOP, SHOPPER, unknown_key).await;
    assert_eq!(
        (unknown.status, unknown.body["ret_code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("SO0008"))
    );
    let by_trans_id = json!({"client_key": CLIENT_KEY, "session_id": "CO1"});
    let by_trans_id = h.page_call(SESSION, SHOP, SHOPPER, by_trans_id).await;
    assert_eq!(
        by_trans_id.body["ret_code"], "206011",
        "a session id, not a trans_id"
    );
    let garbage = h
        .page_call(SESSION, SHOP, SHOPPER, json!({"client_key": CLIENT_KEY}))
        .await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);

    let pay = |payment: Value| {
        let body =
            json!({"client_key": CLIENT_KEY, "session_id": sid, "payment": payment, "amount": 1});
        h.page_call(PAY, SHOP, SHOPPER, body)
    };
    let card =
        |session: Option<&str>, number: &str| encrypted_at(&key, session, number, "123", now_ms());
    let unbound = pay(card(None, "4242424242424242")).await;
    assert_eq!(
        unbound.body["ret_code"], "206020",
        "a ciphertext made outside the session: {}",
        unbound.body
    );
    let other = h.open_session("CO9", json!(["BANKCARD"])).await;
    let elsewhere = pay(card(Some(&other), "4242424242424242")).await;
    assert_eq!(elsewhere.body["ret_code"], "206020", "another session's");
    let wallet = pay(json!({"payment_method": "APPLE_PAY", "token_data": "{}"})).await;
    assert_eq!(
        wallet.body["ret_code"], "210001",
        "not a method of this session"
    );
    let declined = pay(card(Some(&sid), "4000000000000002")).await;
    assert_eq!(
        declined.body["data"]["payment"]["status"], "FAILURE",
        "{}",
        declined.body
    );
    assert_eq!(declined.body["data"]["payment"]["error_code"], "3001");
    assert_eq!(
        declined.body["data"]["status"], "OPEN",
        "a decline leaves the session open"
    );
    assert_eq!(
        declined.body["data"]["attempts_left"],
        MAX_FAILED_ATTEMPTS - 1
    );
    let paid = pay(card(Some(&sid), "4242424242424242")).await;
    assert_eq!(paid.body["data"]["status"], "SUCCESS", "{}", paid.body);
    assert_eq!(paid.body["data"]["payment"]["card"]["last4"], "4242");
    let again = pay(card(Some(&sid), "5555555555554444")).await;
    assert_eq!(
        (again.status, again.body["ret_code"].as_str()),
        (StatusCode::CONFLICT, Some("SB0002"))
    );
    let result = h.page_call(RESULT, SHOP, SHOPPER, ask).await;
    assert_eq!(result.body["data"]["status"], "SUCCESS");
    assert_eq!(result.body["data"]["payment"]["card"]["last4"], "4242");
    // At PayKKa: one attempt each, raw-card requests the service signed as the merchant,
    // at the session's amount (the page's `amount` is not read).
    let payments = h.sandbox_payments();
    let attempts: Vec<_> = payments
        .iter()
        .filter(|(trans_id, ..)| trans_id.starts_with("CO1-"))
        .map(|(trans_id, status, _)| (trans_id.as_str(), status.as_str()))
        .collect();
    assert_eq!(attempts, [("CO1-1", "FAILURE"), ("CO1-2", "SUCCESS")]);
    let db = rusqlite::Connection::open(h.dir.path().join("sandbox.sqlite")).unwrap();
    let amount: i64 = db
        .query_row(
            "SELECT amount FROM payments WHERE trans_id = 'CO1-2'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(amount, 300);
}

#[tokio::test]
async fn an_expired_session_takes_no_payment() {
    let h = Harness::start().await;
    let key = h.card_key().await;
    let sid = h.open_session("EX1", json!(["BANKCARD"])).await;
    let db = rusqlite::Connection::open(h.dir.path().join("sandbox.sqlite")).unwrap();
    db.execute(
        "UPDATE sessions SET expires_at = 1 WHERE session_id = ?1",
        [&sid],
    )
    .unwrap();
    let ask = json!({"client_key": CLIENT_KEY, "session_id": sid});
    let view = h.page_call(SESSION, SHOP, SHOPPER, ask).await;
    assert_eq!(view.body["data"]["status"], "EXPIRED");
    let payment = encrypted_at(&key, Some(&sid), "4242424242424242", "123", now_ms());
    let body = json!({"client_key": CLIENT_KEY, "session_id": sid, "payment": payment});
    let refused = h.page_call(PAY, SHOP, SHOPPER, body).await;
    assert_eq!(refused.body["ret_code"], "SB0001");
    assert_eq!(h.initiates.load(std::sync::atomic::Ordering::SeqCst), 0);
}

#[tokio::test]
async fn card_testing_is_limited_per_session_and_per_address() {
    let h = Harness::start().await;
    let key = h.card_key().await;
    let card = |sid: &str, number: &str| encrypted_at(&key, Some(sid), number, "123", now_ms());
    let pay = |sid: &str, ip: [u8; 4], payment: Value| {
        let body = json!({"client_key": CLIENT_KEY, "session_id": sid, "payment": payment});
        h.page_call(PAY, SHOP, ip, body)
    };
    let first = h.open_session("CT1", json!(["BANKCARD"])).await;
    for attempt in 1..=MAX_FAILED_ATTEMPTS {
        let answer = pay(&first, SHOPPER, card(&first, "4000000000000002")).await;
        assert_eq!(
            answer.body["data"]["payment"]["status"], "FAILURE",
            "{}",
            answer.body
        );
        assert_eq!(
            answer.body["data"]["attempts_left"],
            MAX_FAILED_ATTEMPTS - attempt
        );
    }
    let locked = pay(&first, SHOPPER, card(&first, "4242424242424242")).await;
    assert_eq!(
        (locked.status, locked.body["ret_code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("SB0008")),
        "{}",
        locked.body
    );
    let ask = json!({"client_key": CLIENT_KEY, "session_id": first});
    let view = h.page_call(SESSION, SHOP, SHOPPER, ask).await;
    assert_eq!(
        (
            view.body["data"]["status"].as_str(),
            view.body["data"]["attempts_left"].as_i64()
        ),
        (Some("LOCKED"), Some(0))
    );

    // One address's failures count over all sessions, refused or declined alike.
    let second = h.open_session("CT2", json!(["BANKCARD"])).await;
    for i in 0..MAX_FAILURES_PER_IP - MAX_FAILED_ATTEMPTS {
        let payment = if i % 2 == 0 {
            card(&second, "4000000000000002")
        } else {
            // A ciphertext for another session: refused, and a failure all the same.
            card(&first, "4242424242424242")
        };
        let answer = pay(&second, SHOPPER, payment).await;
        assert!(
            answer.body["ret_code"] != "SB0009",
            "attempt {i}: {}",
            answer.body
        );
    }
    let third = h.open_session("CT3", json!(["BANKCARD"])).await;
    let limited = pay(&third, SHOPPER, card(&third, "4242424242424242")).await;
    assert_eq!(
        (limited.status, limited.body["ret_code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("SB0009")),
        "{}",
        limited.body
    );
    let someone_else = pay(&third, [192, 0, 2, 2], card(&third, "4242424242424242")).await;
    assert_eq!(
        someone_else.body["data"]["status"], "SUCCESS",
        "{}",
        someone_else.body
    );
    let paid = h.sandbox_payments();
    assert_eq!(paid.iter().filter(|p| p.1 == "SUCCESS").count(), 1);
    // The counts live in the storage (shared by every instance on it), for the window.
    let db = rusqlite::Connection::open(h.dir.path().join("secure-origin.sqlite")).unwrap();
    let counted: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM ip_failures WHERE ip = '192.0.2.1' AND at >= ?1",
            [now_ms() - FAILURE_WINDOW_MS],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(counted, MAX_FAILURES_PER_IP);
}

#[tokio::test]
async fn a_failed_challenge_counts_and_the_next_attempt_pays() {
    let h = Harness::start().await;
    let key = h.card_key().await;
    let sid = h.open_session("TD1", json!(["BANKCARD"])).await;
    let body = |number: &str| {
        let payment = encrypted_at(&key, Some(&sid), number, "123", now_ms());
        json!({"client_key": CLIENT_KEY, "session_id": sid, "payment": payment})
    };
    // 4000 0000 0000 3220: 3-D Secure. The page gets PayKKa's challenge page.
    let challenged = h
        .page_call(PAY, SHOP, SHOPPER, body("4000000000003220"))
        .await;
    let view = &challenged.body["data"];
    assert_eq!(view["status"], "PROCESSING", "{}", challenged.body);
    let url = view["payment"]["action"]["url"].as_str().unwrap();
    assert!(url.starts_with(&h.paykka_url), "{url}");
    let busy = h
        .page_call(PAY, SHOP, SHOPPER, body("4242424242424242"))
        .await;
    assert_eq!(busy.body["ret_code"], "SB0002", "a payment is under way");
    // The shopper fails the challenge at PayKKa.
    let token = url.rsplit('/').next().unwrap();
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let failed = no_redirects
        .post(format!("{}/3ds/challenge/{token}", h.paykka_url))
        .form(&[("action", "fail")])
        .send()
        .await
        .unwrap();
    assert!(failed.status().is_success() || failed.status().is_redirection());
    let ask = json!({"client_key": CLIENT_KEY, "session_id": sid});
    let result = h.page_call(RESULT, SHOP, SHOPPER, ask).await;
    assert_eq!(
        result.body["data"]["payment"]["status"], "FAILURE",
        "{}",
        result.body
    );
    assert_eq!(
        result.body["data"]["attempts_left"],
        MAX_FAILED_ATTEMPTS - 1
    );
    // The next attempt has its own trans_id and pays.
    let paid = h
        .page_call(PAY, SHOP, SHOPPER, body("4242424242424242"))
        .await;
    assert_eq!(paid.body["data"]["status"], "SUCCESS", "{}", paid.body);
    let trans_ids: Vec<_> = h.sandbox_payments().into_iter().map(|p| p.0).collect();
    assert_eq!(trans_ids, ["TD1-1", "TD1-2"]);
}

#[tokio::test]
async fn apple_pay_is_validated_for_the_pages_own_domain() {
    let h = Harness::start().await;
    let sid = h
        .open_session("AV1", json!(["BANKCARD", "APPLE_PAY"]))
        .await;
    let ask = json!({"client_key": CLIENT_KEY, "session_id": sid, "validation_url": "https://apple-pay-gateway.apple.com/paymentservices/startSession"});
    let answer = h
        .page_call(APPLE_PAY_SESSION, SHOP, SHOPPER, ask.clone())
        .await;
    let text = answer.body["data"]
        .as_str()
        .unwrap_or_else(|| panic!("PayKKa's ApplePay data string: {}", answer.body));
    let merchant_session: Value = serde_json::from_str(text).unwrap();
    assert_eq!(merchant_session["domainName"], "shop.example");
    assert_eq!(merchant_session["displayName"], "Coffee");
    let elsewhere = h
        .page_call(APPLE_PAY_SESSION, "http://evil.example", SHOPPER, ask)
        .await;
    assert_eq!(elsewhere.body["ret_code"], "1017");
    let card_only = h.open_session("AV2", json!(["BANKCARD"])).await;
    let ask = json!({"client_key": CLIENT_KEY, "session_id": card_only});
    let refused = h.page_call(APPLE_PAY_SESSION, SHOP, SHOPPER, ask).await;
    assert_eq!(refused.body["ret_code"], "210001");
}
