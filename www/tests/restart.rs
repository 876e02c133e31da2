//! The real binary killed (SIGKILL) right after a payment and started again on the same
//! data directory: the payment, the order and the delivered webhook are all still there.

mod support;

use paykka_web::crypto::{encrypt_card, CardFields, EncryptionContext, EncryptionKey};
use serde_json::{json, Value};
use support::Server;

#[tokio::test]
async fn a_killed_server_loses_no_acknowledged_payment() {
    let data = tempfile::tempdir().unwrap();
    // Fixed ports: the merchant's notify_url must still be right after the restart.
    let merchant_addr = format!("127.0.0.1:{}", support::free_port());
    let gateway_addr = format!("127.0.0.1:{}", support::free_port());
    let args = [
        "--merchant-addr",
        &merchant_addr,
        "--gateway-addr",
        &gateway_addr,
    ];
    let server = Server::start_with(data.path(), &args);
    let http = reqwest::Client::new();
    let config: Value = http
        .get(format!("{}/api/config", server.merchant))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // The page's side, done by hand: the key from the secure origin, the card encrypted.
    let load: Value = http
        .post(format!("{}/v3/frames/load", server.secure_origin))
        .header("origin", &server.merchant)
        .json(&json!({"client_key": config["clientKey"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = EncryptionKey::from_jwk(
        &serde_json::from_value(load["data"]["public_key"].clone()).unwrap(),
        None,
    )
    .unwrap();
    let card = CardFields {
        number: "4242424242424242".into(),
        expiry_month: "12".into(),
        expiry_year: (time::OffsetDateTime::now_utc().year() + 1).to_string(),
        cvc: "123".into(),
    };
    let context = EncryptionContext {
        now_ms: paykka_api::signing::now_ms(),
        session_id: None,
    };
    let encrypted = encrypt_card(&key, &card, &context, &mut rand::rng()).unwrap();
    let order: Value = http
        .post(format!("{}/api/orders", server.merchant))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let payment = json!({
        "payment_method": "BANKCARD",
        "encrypted_card_no": encrypted.encrypted_card_number,
        "encrypted_exp_month": encrypted.encrypted_expire_month,
        "encrypted_exp_year": encrypted.encrypted_expire_year,
        "encrypted_cvv": encrypted.encrypted_cvv,
    });
    let answer: Value = http
        .post(format!("{}/api/payments", server.merchant))
        .json(&json!({"trans_id": order["trans_id"], "payment": payment}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["status"], "SUCCESS", "{answer}");
    drop(server); // SIGKILL, no graceful shutdown

    let server = Server::start_with(data.path(), &args);
    let http = reqwest::Client::new(); // no pooled connection to the dead process
    let trans_id = order["trans_id"].as_str().unwrap();
    let query: Value = http
        .get(format!("{}/api/payments/{trans_id}", server.merchant))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(query["status"], "SUCCESS");
    assert_eq!(query["order_id"], answer["order_id"]);
    assert!(
        query.get("card").is_none(),
        "a stranger (no owner cookie) learns no card metadata: {query}"
    );
    // The webhook is delivered (before or after the kill), once.
    let merchant_db = data.path().join("merchant.sqlite");
    let mut rows = 0;
    for _ in 0..100 {
        let conn = rusqlite::Connection::open(&merchant_db).unwrap();
        rows = conn
            .query_row("SELECT COUNT(*) FROM webhooks", [], |r| r.get(0))
            .unwrap();
        if rows == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(rows, 1);
}
