//! The merchant's webhook receiver: only PayKKa-signed, fresh notifications are taken,
//! each (order, type) once; the order follows.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use paykka_www::keys;
use paykka_www::merchant::{self, api::WEBHOOK_PATH, client::PaykkaClient, Merchant};
use paykka_www::signing;
use paykka_www::store::Db;
use rsa::PublicKey;
use serde_json::json;
use tower::ServiceExt;

#[tokio::test]
async fn webhooks_must_be_signed_and_count_once() {
    let dir = tempfile::tempdir().unwrap();
    let platform = keys::load_or_create(&dir.path().join("platform.pem")).unwrap();
    let stranger = keys::load_or_create(&dir.path().join("stranger.pem")).unwrap();
    let merchant_key = keys::load_or_create(&dir.path().join("merchant.pem")).unwrap();
    let db = Db::open(&dir.path().join("merchant.sqlite"), merchant::MIGRATIONS).unwrap();
    let state = Arc::new(Merchant {
        origin: "http://127.0.0.1:1".into(),
        client_key: "ck_test".into(),
        gateway_url: "http://127.0.0.1:2".into(),
        paykka: PaykkaClient {
            base_url: "http://127.0.0.1:2".into(),
            merchant_id: "10001234567890".into(),
            app_id: "100012345678901".into(),
            merchant_key: merchant_key.private.clone(),
            platform_key: PublicKey::from(&platform.private),
            http: reqwest::Client::new(),
        },
        db: db.clone(),
    });
    db.call(|c| c.execute("INSERT INTO orders (trans_id, amount, currency, status, created_at, updated_at) VALUES ('T1', 300, 'USD', 'CREATED', 0, 0)", []))
        .await
        .unwrap();
    let app = merchant::site::app(state, dir.path(), dir.path());
    let body = serde_json::to_vec(&json!({
        "notify_type": "PAYMENT.SUCCESS", "merchant_id": "10001234567890", "trans_id": "T1",
        "order_id": "GW1", "status": "SUCCESS", "amount": 300, "currency": "USD", "error_code": "0000",
    }))
    .unwrap();
    let send = |key: Option<&rsa::PrivateKey>, timestamp: i64| {
        let ts = timestamp.to_string();
        let nonce = signing::new_nonce();
        let mut request = Request::post(WEBHOOK_PATH).header("content-type", "application/json");
        if let Some(key) = key {
            let sign = signing::sign(
                key,
                &signing::string_to_sign("POST", WEBHOOK_PATH, &ts, &nonce, &body),
            );
            request = request
                .header("x-paykka-timestamp", ts)
                .header("x-paykka-nonce", nonce)
                .header("x-paykka-sign", sign);
        }
        let app = app.clone();
        let request = request.body(Body::from(body.clone())).unwrap();
        async move { app.oneshot(request).await.unwrap().status() }
    };
    assert_eq!(
        send(None, signing::now_ms()).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(Some(&stranger.private), signing::now_ms()).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(Some(&platform.private), signing::now_ms() - 10 * 60 * 1000).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(Some(&platform.private), signing::now_ms()).await,
        StatusCode::OK
    );
    assert_eq!(
        send(Some(&platform.private), signing::now_ms()).await,
        StatusCode::OK,
        "a repeat is acknowledged"
    );
    let (rows, status): (i64, String) = db
        .call(|c| {
            let rows = c.query_row("SELECT COUNT(*) FROM webhooks", [], |r| r.get(0))?;
            let status =
                c.query_row("SELECT status FROM orders WHERE trans_id = 'T1'", [], |r| {
                    r.get(0)
                })?;
            Ok((rows, status))
        })
        .await
        .unwrap();
    assert_eq!((rows, status.as_str()), (1, "SUCCESS"));
}
