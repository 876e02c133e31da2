//! The merchant server as PayKKa sees it: what it sends (documented `browser` members, the
//! shopper's IP in `customer`), what it trusts (signed answers about the payment it asked
//! about; a webhook only after a query), forward-only orders, one record per notification
//! (a second partial refund counts), and no second charge whichever way PayKKa answers a
//! repeated `trans_id`.

#[path = "../../paykka-api/tests/support/tokens.rs"]
mod tokens;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use paykka_api::apple_pay_token::{merchant_identifier, random_secret, ProcessingKey};
use paykka_api::client::{AnswerSignatures, PaykkaClient};
use paykka_api::guesses::RepeatedTransId;
use paykka_api::keys::{self, KeyPair};
use paykka_api::signing;
use paykka_api::store::Db;
use paykka_sandbox::{self as gateway, Gateway};
use paykka_www::merchant::{self, api::WEBHOOK_PATH, Merchant};
use rsa::PublicKey;
use serde_json::{json, Value};
use tower::ServiceExt;

const MERCHANT_ID: &str = "10001234567890";
const APP_ID: &str = "100012345678901";
/// The staff's bearer token of the shops these tests start.
const ADMIN_TOKEN: &str = "staff-token-for-tests";

/// A stand-in PayKKa: records every call and answers each with `data` (signed), or with a
/// 503 while `down`.
#[derive(Clone)]
struct FakePaykka {
    base_url: String,
    calls: Arc<Mutex<Vec<(String, Value)>>>,
    data: Arc<Mutex<Value>>,
    down: Arc<Mutex<bool>>,
    /// Sign answers over something else than the guessed layout (its body only).
    signs_otherwise: Arc<Mutex<bool>>,
}

impl FakePaykka {
    async fn start(platform: rsa::PrivateKey, data: Value) -> FakePaykka {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let fake = FakePaykka {
            base_url: format!("http://{}", listener.local_addr().unwrap()),
            calls: Arc::default(),
            data: Arc::new(Mutex::new(data)),
            down: Arc::default(),
            signs_otherwise: Arc::default(),
        };
        let state = fake.clone();
        let app = axum::Router::new().fallback(move |uri: axum::http::Uri, body: Bytes| {
            let (state, platform) = (state.clone(), platform.clone());
            async move {
                let path = uri.path().to_owned();
                let request = serde_json::from_slice(&body).unwrap_or(Value::Null);
                state.calls.lock().unwrap().push((path.clone(), request));
                let mut headers = axum::http::HeaderMap::new();
                if *state.down.lock().unwrap() {
                    return (StatusCode::SERVICE_UNAVAILABLE, headers, Vec::new());
                }
                let data = state.data.lock().unwrap().clone();
                let body = serde_json::to_vec(
                    &json!({"ret_code": "000000", "ret_msg": "Success", "data": data}),
                )
                .unwrap();
                let mut signed = signing::sign_now(&platform, "POST", &path, &body);
                if *state.signs_otherwise.lock().unwrap() {
                    signed.sign = signing::sign(&platform, &body);
                }
                for (name, value) in [
                    ("x-paykka-timestamp", signed.timestamp),
                    ("x-paykka-nonce", signed.nonce),
                    ("x-paykka-sign", signed.sign),
                    ("content-type", "application/json".to_owned()),
                ] {
                    headers.insert(name, value.parse().unwrap());
                }
                (StatusCode::OK, headers, body)
            }
        });
        let app = app.into_make_service();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        fake
    }

    fn calls_to(&self, path: &str) -> Vec<Value> {
        let calls = self.calls.lock().unwrap();
        calls
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, b)| b.clone())
            .collect()
    }
}

/// The merchant site talking to PayKKa at `base_url`; one order `T1` of US$3.00.
struct Shop {
    app: axum::Router,
    db: Db,
    platform: KeyPair,
    dir: tempfile::TempDir,
}

async fn shop(dir: tempfile::TempDir, platform: KeyPair, base_url: &str) -> Shop {
    shop_with(dir, platform, base_url, None, AnswerSignatures::Strict).await
}

/// A shop that decrypts Apple Pay tokens itself with `apple_pay_key`, and checks PayKKa's
/// answers' signatures as `answer_signatures` says.
async fn shop_with(
    dir: tempfile::TempDir,
    platform: KeyPair,
    base_url: &str,
    apple_pay_key: Option<ProcessingKey>,
    answer_signatures: AnswerSignatures,
) -> Shop {
    let merchant_key = keys::load_or_create(&dir.path().join("merchant.pem")).unwrap();
    let db = Db::open(&dir.path().join("merchant.sqlite"), merchant::MIGRATIONS).unwrap();
    let client = || PaykkaClient {
        base_url: base_url.into(),
        merchant_id: MERCHANT_ID.into(),
        app_id: APP_ID.into(),
        merchant_key: merchant_key.private.clone(),
        platform_key: PublicKey::from(&platform.private),
        also_trusted: None,
        answer_signatures,
        http: reqwest::Client::new(),
    };
    // PayKKa itself behind both: the card forwards reach it as they would through the
    // secure origin, which passes requests and answers on.
    let state = Arc::new(Merchant {
        origin: "http://127.0.0.1:1".into(),
        client_key: "ck_test".into(),
        gateway_url: base_url.into(),
        secure_origin_url: base_url.into(),
        paykka: client(),
        forwarder: client(),
        db: db.clone(),
        admin_token_hash: merchant::token_hash(ADMIN_TOKEN),
        serve_lab: false,
        apple_pay_key,
        wallet_fakes: None,
    });
    db.call(|c| c.execute("INSERT INTO orders (trans_id, amount, currency, status, created_at, updated_at) VALUES ('T1', 300, 'USD', 'CREATED', 0, 0)", []))
        .await
        .unwrap();
    std::fs::write(dir.path().join("index.html"), "shop").unwrap();
    std::fs::write(dir.path().join("checkout.html"), "drop-in").unwrap();
    let app = merchant::site::app(state, dir.path(), dir.path());
    Shop {
        app,
        db,
        platform,
        dir,
    }
}

fn payment_data(status: &str) -> Value {
    json!({"merchant_id": MERCHANT_ID, "trans_id": "T1", "order_id": "GW1", "status": status,
           "amount": 300, "currency": "USD", "error_code": "0000", "error_description": "Success",
           "card_info": {"card_brand": "VISA", "bin": "424242", "last4": "4242"}})
}

impl Shop {
    async fn status(&self) -> String {
        self.db
            .call(|c| {
                c.query_row("SELECT status FROM orders WHERE trans_id = 'T1'", [], |r| {
                    r.get(0)
                })
            })
            .await
            .unwrap()
    }

    async fn count(&self, sql: &'static str) -> i64 {
        self.db
            .call(move |c| c.query_row(sql, [], |r| r.get(0)))
            .await
            .unwrap()
    }

    /// Sends a notification signed with `key` (none: unsigned) at `timestamp` with `nonce`.
    async fn notify(
        &self,
        key: Option<&rsa::PrivateKey>,
        timestamp: i64,
        nonce: &str,
        body: &Value,
    ) -> StatusCode {
        let body = serde_json::to_vec(body).unwrap();
        let ts = timestamp.to_string();
        let mut request = Request::post(WEBHOOK_PATH).header("content-type", "application/json");
        if let Some(key) = key {
            let sign = signing::sign(
                key,
                &paykka_api::guesses::webhook_message(WEBHOOK_PATH, &ts, nonce, &body),
            );
            request = request
                .header("x-paykka-timestamp", ts)
                .header("x-paykka-nonce", nonce)
                .header("x-paykka-sign", sign);
        }
        let request = request.body(Body::from(body)).unwrap();
        self.app.clone().oneshot(request).await.unwrap().status()
    }

    /// A fresh, properly signed notification.
    async fn notify_signed(&self, body: &Value) -> StatusCode {
        let nonce = signing::new_nonce();
        self.notify(
            Some(&self.platform.private),
            signing::now_ms(),
            &nonce,
            body,
        )
        .await
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        let response = self
            .app
            .clone()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// A staff call (`token`: the bearer token sent, if any).
    async fn staff(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("content-type", "application/json");
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let body = body.map_or_else(Body::empty, |b| Body::from(b.to_string()));
        let response = self
            .app
            .clone()
            .oneshot(request.body(body).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    async fn pay(&self, body: Value) -> (StatusCode, Value) {
        self.pay_with_cookie(body, "").await
    }

    /// Pays as a browser that sends `cookie`.
    async fn pay_with_cookie(&self, body: Value, cookie: &str) -> (StatusCode, Value) {
        let request = Request::post("/api/payments")
            .header("content-type", "application/json")
            .header("cookie", cookie)
            .body(Body::from(body.to_string()))
            .unwrap();
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }
}

fn notification(notify_type: &str, status: &str) -> Value {
    json!({"notify_type": notify_type, "merchant_id": MERCHANT_ID, "trans_id": "T1",
           "order_id": "GW1", "status": status, "amount": 300, "currency": "USD", "error_code": "0000"})
}

async fn fake_and_shop(data: Value) -> (FakePaykka, Shop) {
    let dir = tempfile::tempdir().unwrap();
    let platform = keys::load_or_create(&dir.path().join("platform.pem")).unwrap();
    let fake = FakePaykka::start(platform.private.clone(), data).await;
    let base_url = fake.base_url.clone();
    (fake, shop(dir, platform, &base_url).await)
}

#[tokio::test]
async fn webhooks_must_be_signed_count_once_however_redelivered_and_are_trusted_only_after_a_query()
{
    let (fake, shop) = fake_and_shop(payment_data("SUCCESS")).await;
    let stranger = keys::load_or_create(&shop.dir.path().join("stranger.pem")).unwrap();
    let success = notification("PAYMENT.SUCCESS", "SUCCESS");
    let now = signing::now_ms();
    assert_eq!(
        shop.notify(None, now, "n-unsigned-1", &success).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        shop.notify(Some(&stranger.private), now, "n-stranger-1", &success)
            .await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(shop.status().await, "CREATED");
    assert!(
        fake.calls_to("/v3/payment/acq/query").is_empty(),
        "nothing queried for a forgery"
    );

    assert_eq!(
        shop.notify(Some(&shop.platform.private), now, "n-first-001", &success)
            .await,
        StatusCode::OK
    );
    assert_eq!(shop.status().await, "SUCCESS");
    let queries = fake.calls_to("/v3/payment/acq/query");
    assert_eq!(
        queries.len(),
        1,
        "the notification was checked with a query"
    );
    assert_eq!(queries[0]["order_id"], "GW1");
    // PayKKa redelivers until acknowledged: byte for byte, later, or signed anew. Each is
    // acknowledged and the event counted once.
    assert_eq!(
        shop.notify(Some(&shop.platform.private), now, "n-first-001", &success)
            .await,
        StatusCode::OK,
        "the same signed request again (same nonce)"
    );
    assert_eq!(
        shop.notify(
            Some(&shop.platform.private),
            now - 6 * 60 * 60 * 1000,
            "n-six-hours-ago",
            &success
        )
        .await,
        StatusCode::OK,
        "a retry whose signature is six hours old"
    );
    assert_eq!(
        shop.notify_signed(&success).await,
        StatusCode::OK,
        "a repeat signed anew is acknowledged"
    );
    assert_eq!(
        shop.count("SELECT COUNT(*) FROM webhooks").await,
        1,
        "and stored once"
    );
    assert_eq!(shop.status().await, "SUCCESS");

    // A late notification of an earlier state: the query says SUCCESS, and even an answer
    // of an earlier state would not move the order back.
    *fake.data.lock().unwrap() = payment_data("AUTHORIZED");
    for (kind, late) in [
        ("PAYMENT.AUTHORIZATION", "AUTHORIZED"),
        ("PAYMENT.FAILURE", "FAILURE"),
    ] {
        assert_eq!(
            shop.notify_signed(&notification(kind, late)).await,
            StatusCode::OK
        );
    }
    assert_eq!(
        shop.status().await,
        "SUCCESS",
        "a SUCCESS order stays SUCCESS"
    );

    // The notification's own claim is not what moves the order: the query's answer is.
    let (fake, shop) = fake_and_shop(payment_data("FAILURE")).await;
    assert_eq!(shop.notify_signed(&success).await, StatusCode::OK);
    assert_eq!(
        shop.status().await,
        "FAILURE",
        "PayKKa's query, not the notification"
    );
    drop(fake);

    // PayKKa cannot be asked: not acknowledged (it comes again), the order unchanged.
    let (fake, shop) = fake_and_shop(payment_data("SUCCESS")).await;
    *fake.down.lock().unwrap() = true;
    assert_eq!(
        shop.notify_signed(&success).await,
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert_eq!(shop.status().await, "CREATED");
    *fake.down.lock().unwrap() = false;
    assert_eq!(
        shop.notify_signed(&success).await,
        StatusCode::OK,
        "the retry"
    );
    assert_eq!(shop.status().await, "SUCCESS");
    let shop_page = shop
        .app
        .clone()
        .oneshot(Request::get("/index.html").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(shop_page.status(), StatusCode::OK);
}

#[tokio::test]
async fn every_partial_refund_notification_counts() {
    let (fake, shop) = fake_and_shop(payment_data("SUCCESS")).await;
    assert_eq!(
        shop.notify_signed(&notification("PAYMENT.SUCCESS", "SUCCESS"))
            .await,
        StatusCode::OK
    );
    let refund = |refund_order_id: &str, refund_trans_id: &str| {
        json!({"notify_type": "REFUND.SUCCESS", "merchant_id": MERCHANT_ID, "trans_id": refund_trans_id,
               "refund_order_id": refund_order_id, "order_id": "GW1", "status": "SUCCESS",
               "amount": 100, "currency": "USD", "error_code": "0000"})
    };
    *fake.data.lock().unwrap() = payment_data("PARTIALLY_REFUNDED");
    assert_eq!(
        shop.notify_signed(&refund("RG1", "R-1")).await,
        StatusCode::OK
    );
    assert_eq!(
        shop.notify_signed(&refund("RG2", "R-2")).await,
        StatusCode::OK
    );
    assert_eq!(
        shop.notify_signed(&refund("RG2", "R-2")).await,
        StatusCode::OK,
        "a repeat"
    );
    assert_eq!(
        shop.count("SELECT COUNT(*) FROM webhooks WHERE notify_type = 'REFUND.SUCCESS'")
            .await,
        2,
        "two partial refunds, two records; the repeat is one of them"
    );
    assert_eq!(shop.status().await, "PARTIALLY_REFUNDED");
    *fake.data.lock().unwrap() = payment_data("REFUNDED");
    assert_eq!(
        shop.notify_signed(&refund("RG3", "R-3")).await,
        StatusCode::OK
    );
    assert_eq!(shop.status().await, "REFUNDED");
}

#[tokio::test]
async fn requests_carry_only_documented_members_and_answers_must_be_about_the_payment() {
    let (fake, shop) = fake_and_shop(payment_data("SUCCESS")).await;
    let (status, answer) = shop
        .pay(json!({
            "trans_id": "T1",
            "payment": {"payment_method": "BANKCARD", "encrypted_card_no": "a.b.c.d.e", "evil": "x"},
            "browser": {"user_agent": "UA", "language": "en-US", "screen_width": 1280,
                        "java_enabled": false, "javascript_enabled": true,
                        "challenge_window_size": "04", "ip": "6.6.6.6", "made_up": {"x": 1}},
        }))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let sent = fake.calls_to("/v3/payment/acq");
    let request = &sent[0];
    assert_eq!(
        request["browser"],
        json!({"user_agent": "UA", "language": "en-US", "screen_width": 1280, "java_enabled": false}),
        "only PayKKa's documented browser members"
    );
    assert!(request["payment"].get("evil").is_none());
    assert!(
        request["customer"].get("order_ip").is_some(),
        "the shopper's IP in customer.order_ip"
    );
    assert_eq!(
        request["customer"]["order_ip"],
        request["customer"]["pay_ip"]
    );
    assert_eq!(request["amount"], 300, "the order's amount");

    // An answer about another payment is not trusted, and records nothing.
    let mut confused = payment_data("SUCCESS");
    confused["trans_id"] = json!("SOMEONE-ELSE");
    let (_fake, shop) = fake_and_shop(confused).await;
    let (status, _) = shop.get("/api/payments/T1").await;
    assert_eq!(status, StatusCode::BAD_GATEWAY);
    assert_eq!(
        shop.status().await,
        "CREATED",
        "nothing recorded from a confused answer"
    );
}

#[tokio::test]
async fn the_lab_and_the_pages_test_hooks_need_lab_however_the_path_is_spelt() {
    let (_fake, shop) = fake_and_shop(payment_data("SUCCESS")).await;
    // The component lab is a test tool: not served without --lab, however the path is
    // spelt, and it is not among the static files; the pages' test hooks are off.
    for path in [
        "/lab.html",
        "/lab.js",
        "/%6cab.html",
        "/%6Cab.js",
        "/./lab.html",
        "//lab.html",
        "/lab%2ehtml",
        "/viewport.html",
        "/viewport.js",
        "/%76iewport.html",
    ] {
        assert_eq!(shop.get(path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    // No one may frame the pages (with --lab, the site itself: the lab's viewport page).
    let page = shop
        .app
        .clone()
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap();
    let policy = page.headers()["content-security-policy"].to_str().unwrap();
    assert!(policy.ends_with("frame-ancestors 'none'"), "{policy}");
    assert!(!policy.contains("frame-src 'self'"), "{policy}");
    let statics = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static");
    assert!(!statics.join("lab.html").exists() && !statics.join("lab.js").exists());
    assert_eq!(shop.get("/api/config").await.1["testHooks"], false);
}

#[tokio::test]
async fn only_the_orders_owner_sees_the_card_that_paid_it() {
    let (_fake, shop) = fake_and_shop(payment_data("SUCCESS")).await;
    let token = "owner-token-0123456789";
    let hash = base16ct::lower::encode_string(&<sha2::Sha256 as sha2::Digest>::digest(token));
    shop.db
        .call(move |c| {
            c.execute(
                "UPDATE orders SET owner_hash = ?1 WHERE trans_id = 'T1'",
                [hash],
            )
        })
        .await
        .unwrap();
    let payment = json!({"trans_id": "T1", "payment": {"payment_method": "BANKCARD"}});
    let (status, stranger) = shop.pay(payment.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stranger["status"], "SUCCESS");
    assert!(stranger.get("card").is_none(), "{stranger}");
    let (_, owner) = shop
        .pay_with_cookie(payment, &format!("paykka_order_T1={token}"))
        .await;
    assert_eq!(owner["card"]["last4"], "4242", "{owner}");
}

/// The real sandbox gateway on a loopback port, answering a repeated `trans_id` `mode`'s way.
async fn sandbox_gateway(
    dir: &std::path::Path,
    platform: &KeyPair,
    mode: RepeatedTransId,
    apple_pay_key: ProcessingKey,
) -> String {
    let merchant_key = keys::load_or_create(&dir.join("merchant.pem")).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(Gateway {
        own_origin: url.clone(),
        db: Db::open(&dir.join("gateway.sqlite"), gateway::MIGRATIONS).unwrap(),
        platform_key: platform.private.clone(),
        merchants: vec![gateway::Merchant {
            merchant_id: MERCHANT_ID.into(),
            app_id: APP_ID.into(),
            public_key: PublicKey::from(&merchant_key.private),
            pci: false,
            domains: vec![],
        }],
        http: reqwest::Client::new(),
        webhook_backoff_ms: 1000,
        refund_settle_ms: 0,
        repeated_trans_id: mode,
        apple_pay_key,
    });
    tokio::spawn(gateway::refunds::run_settlement(Arc::clone(&state)));
    let app = gateway::app(state);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

#[tokio::test]
async fn a_repeated_trans_id_never_charges_twice_whichever_way_paykka_answers() {
    let apple_merchant = merchant_identifier(MERCHANT_ID);
    for mode in [RepeatedTransId::FirstPayment, RepeatedTransId::Refused] {
        let dir = tempfile::tempdir().unwrap();
        let platform = keys::load_or_create(&dir.path().join("platform.pem")).unwrap();
        let apple_pay_key = ProcessingKey::from_secret(random_secret(), &apple_merchant);
        let recipient = apple_pay_key.public_key_base64();
        let url = sandbox_gateway(dir.path(), &platform, mode, apple_pay_key).await;
        let gateway_db = dir.path().join("gateway.sqlite");
        let shop = shop(dir, platform, &url).await;
        // Wallet tokens: the shop sends them to PayKKa itself (cards go through the secure
        // origin, whose own ledger stops a repeat before PayKKa).
        let token = |pan: &str| {
            let token = tokens::apple_pay_token(&recipient, &apple_merchant, pan, "311231");
            json!({"payment_method": "APPLE_PAY", "token_data": token.to_string()})
        };
        let (first_status, first) = shop
            .pay(json!({"trans_id": "T1", "payment": token("4242424242424242")}))
            .await;
        assert_eq!(
            (first_status, first["status"].as_str()),
            (StatusCode::OK, Some("SUCCESS")),
            "{mode:?}: {first}"
        );
        let (again_status, again) = shop
            .pay(json!({"trans_id": "T1", "payment": token("5555555555554444")}))
            .await;
        assert_eq!(again_status, StatusCode::OK, "{mode:?}: {again}");
        assert_eq!(
            again["order_id"], first["order_id"],
            "{mode:?}: the first payment"
        );
        let payments: i64 = rusqlite::Connection::open(&gateway_db)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM payments", [], |r| r.get(0))
            .unwrap();
        assert_eq!(payments, 1, "{mode:?}: one charge");
    }
}

#[tokio::test]
async fn apple_pay_tokens_go_to_paykka_unchanged_or_are_decrypted_by_the_merchant() {
    let apple_merchant = format!("merchant.sandbox.{MERCHANT_ID}");
    let key = ProcessingKey::from_secret(random_secret(), &apple_merchant);
    let token = tokens::apple_pay_token(
        &key.public_key_base64(),
        &apple_merchant,
        "4242424242424242",
        "311231",
    )
    .to_string();
    let pay =
        json!({"trans_id": "T1", "payment": {"payment_method": "APPLE_PAY", "token_data": token}});

    // PayKKa decrypts: the token goes as token_data, exactly as the button gave it.
    let (fake, shop) = fake_and_shop(payment_data("SUCCESS")).await;
    let (status, _) = shop.pay(pay.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let sent = &fake.calls_to(paykka_api::paths::INITIATE)[0]["payment"];
    assert_eq!(
        sent,
        &json!({"payment_method": "APPLE_PAY", "token_data": token})
    );

    // The merchant decrypts: card data goes instead, and only brand and last 4 are kept.
    let dir = tempfile::tempdir().unwrap();
    let platform = keys::load_or_create(&dir.path().join("platform.pem")).unwrap();
    let fake = FakePaykka::start(platform.private.clone(), payment_data("SUCCESS")).await;
    let base_url = fake.base_url.clone();
    let shop = shop_with(
        dir,
        platform,
        &base_url,
        Some(key),
        AnswerSignatures::Strict,
    )
    .await;
    let (status, answer) = shop.pay(pay).await;
    assert_eq!(
        (status, answer["status"].as_str()),
        (StatusCode::OK, Some("SUCCESS"))
    );
    let sent = &fake.calls_to(paykka_api::paths::INITIATE)[0]["payment"];
    assert_eq!(
        sent,
        &json!({"payment_method": "APPLE_PAY", "card_no": "4242424242424242", "exp_month": "12", "exp_year": "2031"})
    );
    let other = ProcessingKey::from_secret(random_secret(), &apple_merchant);
    let foreign = tokens::apple_pay_token(
        &other.public_key_base64(),
        &apple_merchant,
        "4242424242424242",
        "311231",
    )
    .to_string();
    let (status, refused) = shop
        .pay(json!({"trans_id": "T1", "payment": {"payment_method": "APPLE_PAY", "token_data": foreign}}))
        .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("WALLET_TOKEN_INVALID"))
    );
    assert_eq!(
        fake.calls_to(paykka_api::paths::INITIATE).len(),
        1,
        "nothing sent for a bad token"
    );
    let dump: String = shop
        .db
        .call(|c| {
            let mut rows = c.prepare("SELECT * FROM orders")?;
            let n = rows.column_count();
            let text = rows
                .query_map([], |r| {
                    Ok((0..n)
                        .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                        .collect::<Vec<_>>()
                        .join("|"))
                })?
                .collect::<Result<Vec<_>, _>>()?
                .join("\n");
            Ok(text)
        })
        .await
        .unwrap();
    assert!(
        dump.contains("4242") && !dump.contains("4242424242424242"),
        "{dump}"
    );
}

#[tokio::test]
async fn a_merchant_that_decrypts_pays_a_token_once_and_only_for_its_orders_total() {
    let apple_merchant = format!("merchant.sandbox.{MERCHANT_ID}");
    let key = ProcessingKey::from_secret(random_secret(), &apple_merchant);
    let recipient = key.public_key_base64();
    let token = |amount: i64, currency: &str| {
        tokens::apple_pay_token_for(
            &recipient,
            &apple_merchant,
            "4242424242424242",
            "311231",
            amount,
            currency,
        )
        .to_string()
    };
    let dir = tempfile::tempdir().unwrap();
    let platform = keys::load_or_create(&dir.path().join("platform.pem")).unwrap();
    let fake = FakePaykka::start(platform.private.clone(), payment_data("SUCCESS")).await;
    let base_url = fake.base_url.clone();
    let shop = shop_with(
        dir,
        platform,
        &base_url,
        Some(key),
        AnswerSignatures::Strict,
    )
    .await;
    shop.db
        .call(|c| c.execute("INSERT INTO orders (trans_id, amount, currency, status, created_at, updated_at) VALUES ('T2', 300, 'USD', 'CREATED', 0, 0)", []))
        .await
        .unwrap();
    let pay = |trans_id: &str, token: &str| json!({"trans_id": trans_id, "payment": {"payment_method": "APPLE_PAY", "token_data": token}});
    for (amount, currency) in [(1, "840"), (300, "978")] {
        let (status, refused) = shop.pay(pay("T1", &token(amount, currency))).await;
        assert_eq!(
            (status, refused["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("WALLET_TOKEN_WRONG_AMOUNT")),
            "{amount} {currency}"
        );
    }
    assert!(fake.calls_to(paykka_api::paths::INITIATE).is_empty());
    let good = token(300, "840");
    let (status, _) = shop.pay(pay("T1", &good)).await;
    assert_eq!(status, StatusCode::OK);
    // A retry for the same order goes on (PayKKa sees the same trans_id); another order is
    // refused before PayKKa is asked.
    let (status, _) = shop.pay(pay("T1", &good)).await;
    assert_eq!(status, StatusCode::OK);
    let (status, refused) = shop.pay(pay("T2", &good)).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (StatusCode::CONFLICT, Some("WALLET_TOKEN_USED"))
    );
    let sent = fake.calls_to(paykka_api::paths::INITIATE);
    assert!(sent.iter().all(|call| call["trans_id"] == "T1"), "{sent:?}");
    let kept: String = shop
        .db
        .call(|c| {
            c.query_row("SELECT token_id || trans_id FROM wallet_tokens", [], |r| {
                r.get(0)
            })
        })
        .await
        .unwrap();
    assert!(!kept.contains("4242"), "no card data kept: {kept}");
}

#[tokio::test]
async fn a_merchant_with_a_signing_root_decrypts_only_signed_apple_pay_tokens() {
    let apple_merchant = format!("merchant.sandbox.{MERCHANT_ID}");
    let pki = tokens::ApplePki::new(tokens::Marks::APPLE);
    let root = paykka_api::apple_pay_signature::TrustRoot::from_pem(&pki.root_pem).unwrap();
    let key = ProcessingKey::from_secret(random_secret(), &apple_merchant)
        .with_signing_root(Some(Arc::new(root)));
    let unsigned = tokens::apple_pay_token(
        &key.public_key_base64(),
        &apple_merchant,
        "4242424242424242",
        "311231",
    );
    let mut signed = unsigned.clone();
    signed["paymentData"]["header"]["transactionId"] = json!("ab".repeat(32));
    pki.sign(&mut signed);
    let dir = tempfile::tempdir().unwrap();
    let platform = keys::load_or_create(&dir.path().join("platform.pem")).unwrap();
    let fake = FakePaykka::start(platform.private.clone(), payment_data("SUCCESS")).await;
    let base_url = fake.base_url.clone();
    let shop = shop_with(
        dir,
        platform,
        &base_url,
        Some(key),
        AnswerSignatures::Strict,
    )
    .await;
    let pay = |trans_id: &str, token: &Value| json!({"trans_id": trans_id, "payment": {"payment_method": "APPLE_PAY", "token_data": token.to_string()}});
    let (status, refused) = shop.pay(pay("T1", &unsigned)).await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("WALLET_TOKEN_INVALID")),
        "an unsigned token"
    );
    assert!(fake.calls_to(paykka_api::paths::INITIATE).is_empty());
    let (status, answer) = shop.pay(pay("T1", &signed)).await;
    assert_eq!(
        (status, answer["status"].as_str()),
        (StatusCode::OK, Some("SUCCESS")),
        "{answer}"
    );
    let sent = &fake.calls_to(paykka_api::paths::INITIATE)[0]["payment"];
    assert_eq!(sent["card_no"], "4242424242424242");
}

#[tokio::test]
async fn sessions_are_created_with_paykkas_required_fields() {
    let (fake, shop) = fake_and_shop(
        json!({"session_id": "CS1", "trans_id": "T2", "expire_time": "2026-11-28T10:00:00Z"}),
    )
    .await;
    let request = Request::post("/api/sessions").body(Body::empty()).unwrap();
    let response = shop.app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let sent = &fake.calls_to(paykka_api::paths::SESSION_CREATE)[0];
    assert_eq!(sent["payment_type"], "PURCHASE");
    let expire = sent["expire_time"].as_str().expect("an ISO 8601 time");
    let at = time::OffsetDateTime::parse(expire, &time::format_description::well_known::Rfc3339)
        .unwrap();
    let minutes = (at.unix_timestamp() * 1000 - signing::now_ms()) / 60_000;
    assert!((28..=30).contains(&minutes), "{minutes} minutes");
    // The shopper comes back from a redirect method to the drop-in's page, served there.
    assert_eq!(sent["return_url"], "http://127.0.0.1:1/checkout");
    for path in ["/checkout", "/checkout.html"] {
        let request = Request::get(path).body(Body::empty()).unwrap();
        let response = shop.app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let body = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        assert_eq!(&body[..], b"drop-in", "{path}");
    }
}

/// The shop under requests no one chose (proptest).
mod properties {
    use super::*;
    use axum::http::Method;
    use proptest::prelude::*;

    /// One shop (and its stand-in PayKKa) for every property case, on a runtime that outlives
    /// them.
    fn shop_for_properties() -> &'static (tokio::runtime::Runtime, FakePaykka, Shop) {
        static SHOP: std::sync::OnceLock<(tokio::runtime::Runtime, FakePaykka, Shop)> =
            std::sync::OnceLock::new();
        SHOP.get_or_init(|| {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            let (fake, shop) = runtime.block_on(fake_and_shop(payment_data("FAILURE")));
            (runtime, fake, shop)
        })
    }

    /// The shop's routes (and a path it does not have).
    fn shop_route() -> impl Strategy<Value = (Method, String)> {
        prop_oneof![
            prop::sample::select(vec![
                "/api/orders",
                "/api/payments",
                "/api/sessions",
                "/api/apple-pay/session",
                WEBHOOK_PATH,
            ])
            .prop_map(|p| (Method::POST, p.to_owned())),
            prop_oneof![Just("T1".to_owned()), "[ -~]{1,30}"].prop_map(|id| (
                Method::GET,
                format!("/api/payments/{}", urlencoding::encode(&id))
            )),
            (
                prop_oneof![Just("T1".to_owned()), "[ -~]{1,30}"],
                prop::sample::select(vec!["void", "refunds"])
            )
                .prop_map(|(id, operation)| (
                    Method::POST,
                    format!("/api/admin/orders/{}/{operation}", urlencoding::encode(&id))
                )),
            prop_oneof![Just("R-1".to_owned()), "[ -~]{1,30}"].prop_map(|id| (
                Method::GET,
                format!("/api/admin/refunds/{}", urlencoding::encode(&id))
            )),
            Just((Method::GET, "/api/config".to_owned())),
            Just((Method::POST, "/api/nothing".to_owned())),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..Default::default() })]

        /// Requests no one chose, to every route of the shop: never a 500; a refusal is a typed
        /// `{code, message}` (PayKKa's envelope at the webhook) and changes no order.
        #[test]
        fn every_shop_route_answers_requests_no_one_chose_with_a_typed_answer(
            (method, path) in shop_route(),
            body in prop_oneof![
                any::<String>(),
                (
                    prop_oneof![Just(json!("T1")), any::<String>().prop_map(Value::from)],
                    prop_oneof![
                        Just(json!({"payment_method": "BANKCARD", "encrypted_card_no": "a.b.c.d.e"})),
                        Just(json!({"payment_method": "APPLE_PAY", "token_data": "{}"})),
                        any::<String>().prop_map(Value::from),
                    ],
                    any::<String>(),
                )
                    .prop_map(|(trans_id, payment, domain)| json!({
                        "trans_id": trans_id, "payment": payment, "domain_name": domain,
                        "order_id": "GW1", "notify_type": "PAYMENT.SUCCESS",
                        "amount": "100", "reason": "OTHER", "refund_trans_id": domain,
                    }).to_string()),
            ],
            cookie in "[ -~]{0,40}",
            staff in prop_oneof![Just(Some(ADMIN_TOKEN.to_owned())), Just(None), "[ -~]{0,30}".prop_map(Some)],
        ) {
            let (runtime, _fake, shop) = shop_for_properties();
            let before = runtime.block_on(shop.status());
            let mut request = Request::builder()
                .method(method.clone())
                .uri(&path)
                .header("content-type", "application/json");
            if axum::http::HeaderValue::from_str(&cookie).is_ok() {
                request = request.header("cookie", cookie);
            }
            if let Some(token) = staff.filter(|t| axum::http::HeaderValue::from_str(&format!("Bearer {t}")).is_ok()) {
                request = request.header("authorization", format!("Bearer {token}"));
            }
            let request = request.body(Body::from(body)).unwrap();
            let (status, answer) = runtime.block_on(async {
                let response = shop.app.clone().oneshot(request).await.unwrap();
                let status = response.status();
                let bytes = response.into_body().collect().await.unwrap().to_bytes();
                (status, serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null))
            });
            prop_assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{} {}: {}", method, path, answer);
            // The shop's own API answers in its error shape (the webhook in PayKKa's); a
            // path it does not have is the static files' 404 or 405.
            let own_api = path.starts_with("/api/") && path != "/api/nothing";
            if own_api && !status.is_success() {
                let typed = answer["code"].is_string() && answer["message"].is_string()
                    || answer["ret_code"].is_string();
                prop_assert!(typed, "{} {} {}: {}", method, path, status, answer);
            }
            if !status.is_success() {
                prop_assert_eq!(runtime.block_on(shop.status()), before, "{} {}: a refusal changed the order", method, path);
            }
        }
    }
}

#[tokio::test]
async fn the_shops_staff_void_refund_and_look_up_refunds_at_paykka() {
    let apple_merchant = merchant_identifier(MERCHANT_ID);
    let dir = tempfile::tempdir().unwrap();
    let platform = keys::load_or_create(&dir.path().join("platform.pem")).unwrap();
    let apple_pay_key = ProcessingKey::from_secret(random_secret(), &apple_merchant);
    let recipient = apple_pay_key.public_key_base64();
    let url = sandbox_gateway(
        dir.path(),
        &platform,
        RepeatedTransId::FirstPayment,
        apple_pay_key,
    )
    .await;
    let gateway_db = dir.path().join("gateway.sqlite");
    let shop = shop(dir, platform, &url).await;
    let token = tokens::apple_pay_token(&recipient, &apple_merchant, "4242424242424242", "311231");
    let (_, paid) = shop
        .pay(json!({"trans_id": "T1", "payment": {"payment_method": "APPLE_PAY", "token_data": token.to_string()}}))
        .await;
    assert_eq!(paid["status"], "SUCCESS", "{paid}");
    let staff = Some(ADMIN_TOKEN);
    let refund = |amount: Value, id: &str| json!({"amount": amount, "reason": "REQUESTED_BY_CUSTOMER", "refund_trans_id": id});

    // Only the staff.
    for token in [None, Some("guess"), Some("")] {
        for (method, path, body) in [
            (
                "POST",
                "/api/admin/orders/T1/void",
                Some(json!({"reason": "OTHER"})),
            ),
            (
                "POST",
                "/api/admin/orders/T1/refunds",
                Some(refund(json!(100), "R-0")),
            ),
            ("GET", "/api/admin/refunds/R-0", None),
        ] {
            let (status, answer) = shop.staff(method, path, body, token).await;
            assert_eq!(
                (status, answer["code"].as_str()),
                (StatusCode::UNAUTHORIZED, Some("UNAUTHORIZED")),
                "{path} {token:?}"
            );
        }
    }

    // A captured payment cannot be voided: PayKKa's refusal, typed, the order unchanged.
    let (status, refused) = shop
        .staff(
            "POST",
            "/api/admin/orders/T1/void",
            Some(json!({"reason": "OTHER"})),
            staff,
        )
        .await;
    assert_eq!(
        (status, refused["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("SB0005")),
        "{refused}"
    );
    assert_eq!(shop.status().await, "SUCCESS");
    for (path, body) in [
        ("/api/admin/orders/T1/void", json!({"reason": "BORED"})),
        ("/api/admin/orders/T1/refunds", refund(json!("3.00"), "R-1")),
        ("/api/admin/orders/T1/refunds", refund(json!(100), "R 1")),
        ("/api/admin/orders/T1/refunds", json!({"amount": 100})),
    ] {
        let (status, answer) = shop.staff("POST", path, Some(body.clone()), staff).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("INVALID_REQUEST")),
            "{body}"
        );
    }
    let (status, _) = shop
        .staff(
            "POST",
            "/api/admin/orders/NOPE/refunds",
            Some(refund(json!(1), "R-9")),
            staff,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A partial refund: PROCESSING at once, the same refund when sent again.
    let (status, first) = shop
        .staff(
            "POST",
            "/api/admin/orders/T1/refunds",
            Some(refund(json!("100"), "R-1")),
            staff,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["status"], "PROCESSING");
    assert!(first["refund_order_id"].as_str().unwrap().starts_with("RG"));
    let (_, again) = shop
        .staff(
            "POST",
            "/api/admin/orders/T1/refunds",
            Some(refund(json!(100), "R-1")),
            staff,
        )
        .await;
    assert_eq!(
        again["refund_order_id"], first["refund_order_id"],
        "a retry is the same refund"
    );
    let (status, other) = shop
        .staff(
            "POST",
            "/api/admin/orders/T1/refunds",
            Some(refund(json!(200), "R-1")),
            staff,
        )
        .await;
    assert_eq!(
        (status, other["code"].as_str()),
        (StatusCode::CONFLICT, Some("REFUND_REFERENCE_USED"))
    );
    let (status, too_much) = shop
        .staff(
            "POST",
            "/api/admin/orders/T1/refunds",
            Some(refund(json!(201), "R-2")),
            staff,
        )
        .await;
    assert_eq!(
        (status, too_much["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("010000")),
        "more than is left"
    );
    let refunds_at_paykka: i64 = rusqlite::Connection::open(&gateway_db)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM refunds", [], |r| r.get(0))
        .unwrap();
    assert_eq!(refunds_at_paykka, 1, "one refund at PayKKa");

    // It settles; the look-up and the notification both follow PayKKa.
    let mut settled = Value::Null;
    for _ in 0..50 {
        let (_, looked) = shop
            .staff("GET", "/api/admin/refunds/R-1", None, staff)
            .await;
        if looked["status"] == "SUCCESS" {
            settled = looked;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(settled["amount"], 100, "settled: {settled}");
    let order_id = paid["order_id"].as_str().unwrap();
    let notified = json!({"notify_type": "REFUND.SUCCESS", "merchant_id": MERCHANT_ID, "trans_id": "R-1",
        "refund_order_id": first["refund_order_id"], "order_id": order_id, "status": "SUCCESS",
        "amount": 100, "currency": "USD", "error_code": "0000"});
    assert_eq!(shop.notify_signed(&notified).await, StatusCode::OK);
    assert_eq!(shop.status().await, "PARTIALLY_REFUNDED");
    let (_, unknown) = shop
        .staff("GET", "/api/admin/refunds/R-404", None, staff)
        .await;
    assert_eq!(unknown["code"], "SB0004");
}

#[tokio::test]
async fn answers_signed_otherwise_than_guessed_are_refused_unless_the_shop_only_reports_them() {
    for (mode, expected) in [
        (AnswerSignatures::Strict, StatusCode::BAD_GATEWAY),
        (AnswerSignatures::Report, StatusCode::OK),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let platform = keys::load_or_create(&dir.path().join("platform.pem")).unwrap();
        let fake = FakePaykka::start(platform.private.clone(), payment_data("SUCCESS")).await;
        *fake.signs_otherwise.lock().unwrap() = true;
        let shop = shop_with(dir, platform, &fake.base_url, None, mode).await;
        let (status, answer) = shop.get("/api/payments/T1").await;
        assert_eq!(status, expected, "{mode:?}: {answer}");
        if mode == AnswerSignatures::Strict {
            assert_eq!(answer["code"], "GATEWAY_INVALID_ANSWER");
            assert_eq!(
                shop.status().await,
                "CREATED",
                "an untrusted answer moves nothing"
            );
        } else {
            assert_eq!(answer["status"], "SUCCESS");
            assert_eq!(shop.status().await, "SUCCESS");
        }
    }
}
