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
        serve_lab: false,
    });
    db.call(|c| c.execute("INSERT INTO orders (trans_id, amount, currency, status, created_at, updated_at) VALUES ('T1', 300, 'USD', 'CREATED', 0, 0)", []))
        .await
        .unwrap();
    // Static files exist, so a 404 for the lab is the route's doing.
    std::fs::write(dir.path().join("lab.html"), "lab").unwrap();
    std::fs::write(dir.path().join("index.html"), "shop").unwrap();
    let app = merchant::site::app(state, dir.path(), dir.path());
    let body = serde_json::to_vec(&json!({
        "notify_type": "PAYMENT.SUCCESS", "merchant_id": "10001234567890", "trans_id": "T1",
        "order_id": "GW1", "status": "SUCCESS", "amount": 300, "currency": "USD", "error_code": "0000",
    }))
    .unwrap();
    let send_with =
        |key: Option<&rsa::PrivateKey>, timestamp: i64, nonce: String, body: Vec<u8>| {
            let ts = timestamp.to_string();
            let mut request =
                Request::post(WEBHOOK_PATH).header("content-type", "application/json");
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
            let request = request.body(Body::from(body)).unwrap();
            async move { app.oneshot(request).await.unwrap().status() }
        };
    let send = |key: Option<&rsa::PrivateKey>, timestamp: i64| {
        send_with(key, timestamp, signing::new_nonce(), body.clone())
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

    // The very same signed request again (same nonce): refused.
    let nonce = signing::new_nonce();
    let now = signing::now_ms();
    let notification = |notify_type: &str, status: &str| {
        serde_json::to_vec(&json!({
            "notify_type": notify_type, "merchant_id": "10001234567890", "trans_id": "T1",
            "order_id": "GW1", "status": status, "amount": 300, "currency": "USD", "error_code": "0000",
        }))
        .unwrap()
    };
    let first = send_with(
        Some(&platform.private),
        now,
        nonce.clone(),
        notification("PAYMENT.AUTHORIZATION", "AUTHORIZED"),
    )
    .await;
    assert_eq!(first, StatusCode::OK);
    let replayed = send_with(
        Some(&platform.private),
        now,
        nonce,
        notification("PAYMENT.AUTHORIZATION", "AUTHORIZED"),
    )
    .await;
    assert_eq!(replayed, StatusCode::UNAUTHORIZED, "a replayed nonce");
    // A late notification of an earlier state never moves the order backwards.
    for (notify_type, late) in [
        ("PAYMENT.AUTHORIZATION", "AUTHORIZED"),
        ("PAYMENT.PROCESSING", "PROCESSING"),
        ("PAYMENT.FAILURE", "FAILURE"),
    ] {
        let answer = send_with(
            Some(&platform.private),
            signing::now_ms(),
            signing::new_nonce(),
            notification(notify_type, late),
        )
        .await;
        assert_eq!(answer, StatusCode::OK, "acknowledged, not applied");
    }
    let status: String = db
        .call(|c| {
            c.query_row("SELECT status FROM orders WHERE trans_id = 'T1'", [], |r| {
                r.get(0)
            })
        })
        .await
        .unwrap();
    assert_eq!(status, "SUCCESS", "a SUCCESS order stays SUCCESS");

    // The component lab is a test tool: not served without --lab.
    let lab = app
        .clone()
        .oneshot(Request::get("/lab.html").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(lab.status(), StatusCode::NOT_FOUND);
    let shop = app
        .oneshot(Request::get("/index.html").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(shop.status(), StatusCode::OK);
}

/// A stand-in PayKKa whose signed answers speak of another payment than the one asked.
async fn confused_paykka(platform: rsa::PrivateKey) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let path = paykka_www::gateway::payments::QUERY;
    let app = axum::Router::new().route(
        path,
        axum::routing::post(move || {
            let platform = platform.clone();
            async move {
                let body = serde_json::to_vec(&json!({"ret_code": "000000", "ret_msg": "Success",
                    "data": {"trans_id": "SOMEONE-ELSE", "order_id": "GW9", "status": "SUCCESS",
                             "card_info": {"card_brand": "VISA", "bin": "424242", "last4": "4242"}}}))
                .unwrap();
                let signed = signing::sign_now(&platform, "POST", path, &body);
                (
                    [
                        ("x-paykka-timestamp", signed.timestamp),
                        ("x-paykka-nonce", signed.nonce),
                        ("x-paykka-sign", signed.sign),
                        ("content-type", "application/json".to_owned()),
                    ],
                    body,
                )
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{address}")
}

#[tokio::test]
async fn an_answer_about_another_payment_is_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let platform = keys::load_or_create(&dir.path().join("platform.pem")).unwrap();
    let merchant_key = keys::load_or_create(&dir.path().join("merchant.pem")).unwrap();
    let base_url = confused_paykka(platform.private.clone()).await;
    let db = Db::open(&dir.path().join("merchant.sqlite"), merchant::MIGRATIONS).unwrap();
    let state = Arc::new(Merchant {
        origin: "http://127.0.0.1:1".into(),
        client_key: "ck_test".into(),
        gateway_url: base_url.clone(),
        paykka: PaykkaClient {
            base_url,
            merchant_id: "10001234567890".into(),
            app_id: "100012345678901".into(),
            merchant_key: merchant_key.private.clone(),
            platform_key: PublicKey::from(&platform.private),
            http: reqwest::Client::new(),
        },
        db: db.clone(),
        serve_lab: false,
    });
    db.call(|c| c.execute("INSERT INTO orders (trans_id, amount, currency, status, created_at, updated_at) VALUES ('T1', 300, 'USD', 'CREATED', 0, 0)", []))
        .await
        .unwrap();
    let app = merchant::site::app(state, dir.path(), dir.path());
    let response = app
        .oneshot(
            Request::get("/api/payments/T1")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let status: String = db
        .call(|c| {
            c.query_row("SELECT status FROM orders WHERE trans_id = 'T1'", [], |r| {
                r.get(0)
            })
        })
        .await
        .unwrap();
    assert_eq!(status, "CREATED", "nothing recorded from a confused answer");
}
