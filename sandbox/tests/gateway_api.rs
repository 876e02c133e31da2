//! The sandbox at the HTTP level (no browser): signatures, timestamps and nonces, raw-card
//! requests (PCI-assessed merchants only; encrypted fields are the secure origin's),
//! idempotent `trans_id`, the payment state machine, 3-D Secure, wallet tokens, sessions,
//! and webhooks that are retried and survive a restart.

#[path = "../../paykka-api/tests/support/tokens.rs"]
mod tokens;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64ct::Encoding;
use http_body_util::BodyExt;
use paykka_api::apple_pay_token::{merchant_identifier, random_secret, ProcessingKey};
use paykka_api::keys::{self, KeyPair};
use paykka_api::signing::{self, now_ms};
use paykka_api::store::Db;
use paykka_sandbox::{self as gateway, Gateway, Merchant};
use rsa::PublicKey;
use serde_json::{json, Value};
use tower::ServiceExt;

const MERCHANT_ID: &str = "10001234567890";
const APP_ID: &str = "100012345678901";
const ORIGIN: &str = "http://127.0.0.1:9";
/// The second merchant, not assessed as PCI DSS compliant: it may not send raw cards.
const MERCHANT_2: &str = "20001234567890";
const APP_ID_2: &str = "200012345678901";
const SHOP: &str = "http://shop.example";

struct Sandbox {
    gateway: gateway::State,
    merchant_key: KeyPair,
    platform_public: PublicKey,
    dir: tempfile::TempDir,
}

fn keys_in(dir: &std::path::Path) -> (KeyPair, KeyPair) {
    (
        keys::load_or_create(&dir.join("platform-key.pem")).unwrap(),
        keys::load_or_create(&dir.join("merchant-key.pem")).unwrap(),
    )
}

fn sandbox_in(dir: tempfile::TempDir, backoff_ms: i64) -> Sandbox {
    let (platform, merchant) = keys_in(dir.path());
    let platform_public = PublicKey::from(&platform.private);
    let gateway = Arc::new(Gateway {
        own_origin: ORIGIN.into(),
        db: Db::open(&dir.path().join("gateway.sqlite"), gateway::MIGRATIONS).unwrap(),
        platform_key: platform.private.clone(),
        merchants: vec![
            Merchant {
                merchant_id: MERCHANT_ID.into(),
                app_id: APP_ID.into(),
                public_key: PublicKey::from(&merchant.private),
                pci: true,
                domains: vec![SHOP.into()],
            },
            Merchant {
                merchant_id: MERCHANT_2.into(),
                app_id: APP_ID_2.into(),
                public_key: PublicKey::from(&merchant.private),
                pci: false,
                domains: vec![SHOP.into()],
            },
        ],
        http: reqwest::Client::new(),
        webhook_backoff_ms: backoff_ms,
        refund_settle_ms: 0,
        repeated_trans_id: paykka_api::guesses::RepeatedTransId::FirstPayment,
        apple_pay_key: ProcessingKey::from_secret(
            random_secret(),
            &merchant_identifier(MERCHANT_ID),
        ),
    });
    Sandbox {
        gateway,
        merchant_key: merchant,
        platform_public,
        dir,
    }
}

fn sandbox() -> Sandbox {
    sandbox_in(tempfile::tempdir().unwrap(), 50)
}

struct Answer {
    status: StatusCode,
    body: Value,
    signed: bool,
}

impl Sandbox {
    fn app(&self) -> axum::Router {
        gateway::app(Arc::clone(&self.gateway))
    }

    async fn send(&self, request: Request<Body>, path: &str) -> Answer {
        let response = self.app().oneshot(request).await.unwrap();
        let status = response.status();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
        };
        let (ts, nonce, sign) = (
            header("x-paykka-timestamp"),
            header("x-paykka-nonce"),
            header("x-paykka-sign"),
        );
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let signed = match (ts, nonce, sign) {
            (Some(ts), Some(nonce), Some(sign)) => signing::verify(
                &self.platform_public,
                &signing::string_to_sign("POST", path, &ts, &nonce, &bytes),
                &sign,
            ),
            _ => false,
        };
        Answer {
            status,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            signed,
        }
    }

    fn request(&self, path: &str, body: &[u8], headers: &[(&str, String)]) -> Request<Body> {
        let mut builder = Request::post(path).header("content-type", "application/json");
        for (name, value) in headers {
            builder = builder.header(*name, value);
        }
        builder.body(Body::from(body.to_vec())).unwrap()
    }

    fn signed_headers(
        &self,
        path: &str,
        body: &[u8],
        timestamp: i64,
        nonce: &str,
    ) -> Vec<(&'static str, String)> {
        self.signed_headers_as(APP_ID, path, body, timestamp, nonce)
    }

    fn signed_headers_as(
        &self,
        app_id: &str,
        path: &str,
        body: &[u8],
        timestamp: i64,
        nonce: &str,
    ) -> Vec<(&'static str, String)> {
        let ts = timestamp.to_string();
        let sign = signing::sign(
            &self.merchant_key.private,
            &signing::string_to_sign("POST", path, &ts, nonce, body),
        );
        vec![
            ("x-paykka-appid", app_id.into()),
            ("x-paykka-timestamp", ts),
            ("x-paykka-nonce", nonce.into()),
            ("x-paykka-sign-alg", "SHA256_WITH_RSA".into()),
            ("x-paykka-sign", sign),
        ]
    }

    async fn call(&self, path: &str, body: &Value) -> Answer {
        self.call_as(APP_ID, path, body).await
    }

    async fn call_as(&self, app_id: &str, path: &str, body: &Value) -> Answer {
        let bytes = serde_json::to_vec(body).unwrap();
        let headers = self.signed_headers_as(app_id, path, &bytes, now_ms(), &signing::new_nonce());
        self.send(self.request(path, &bytes, &headers), path).await
    }

    /// A card as a PCI-assessed merchant (its secure origin) sends it: raw fields.
    fn card(&self, number: &str, cvc: &str) -> Value {
        json!({
            "payment_method": "BANKCARD", "card_no": number, "exp_month": "12",
            "exp_year": next_year(), "cvv": cvc, "holder_name": "A Shopper",
        })
    }

    fn order(&self, trans_id: &str, payment: Value) -> Value {
        json!({
            "merchant_id": MERCHANT_ID, "payment_type": "PURCHASE", "trans_id": trans_id,
            "currency": "USD", "amount": 300, "return_url": "http://shop.example/return",
            "notify_url": "http://127.0.0.1:9/hook", "payment": payment,
        })
    }

    async fn pay(&self, trans_id: &str, number: &str) -> Answer {
        let payment = self.card(
            number,
            if number.starts_with("37") {
                "1234"
            } else {
                "123"
            },
        );
        self.call(paykka_api::paths::INITIATE, &self.order(trans_id, payment))
            .await
    }

    async fn count(&self, sql: &'static str) -> i64 {
        self.gateway
            .db
            .call(move |c| c.query_row(sql, [], |r| r.get(0)))
            .await
            .unwrap()
    }
}

fn next_year() -> String {
    (time::OffsetDateTime::now_utc().year() + 1).to_string()
}

#[tokio::test]
async fn requests_need_a_valid_fresh_single_use_signature() {
    let s = sandbox();
    let path = paykka_api::paths::QUERY;
    let body =
        serde_json::to_vec(&json!({"merchant_id": MERCHANT_ID, "trans_id": "none"})).unwrap();

    let unsigned = s.send(s.request(path, &body, &[]), path).await;
    assert_eq!(
        (unsigned.status, unsigned.body["ret_code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("206002"))
    );
    assert!(unsigned.signed, "even refusals are signed");

    let mut headers = s.signed_headers(path, &body, now_ms(), "nonce-0000000001");
    headers[4].1 = signing::sign(&s.merchant_key.private, b"something else");
    let forged = s.send(s.request(path, &body, &headers), path).await;
    assert_eq!(forged.body["ret_code"], "206003");

    let tampered_body =
        serde_json::to_vec(&json!({"merchant_id": MERCHANT_ID, "trans_id": "other"})).unwrap();
    let headers = s.signed_headers(path, &body, now_ms(), "nonce-0000000002");
    let tampered = s
        .send(s.request(path, &tampered_body, &headers), path)
        .await;
    assert_eq!(tampered.body["ret_code"], "206003");

    let headers = s.signed_headers(path, &body, now_ms() - 6 * 60 * 1000, "nonce-0000000003");
    let stale = s.send(s.request(path, &body, &headers), path).await;
    assert_eq!(stale.body["ret_code"], "206004");

    let headers = s.signed_headers(path, &body, now_ms(), "nonce-0000000004");
    let first = s.send(s.request(path, &body, &headers), path).await;
    assert_eq!(
        (first.status, first.body["ret_code"].as_str()),
        (StatusCode::NOT_FOUND, Some("206024"))
    );
    let replay = s.send(s.request(path, &body, &headers), path).await;
    assert_eq!(
        (replay.status, replay.body["ret_code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("SB0003")),
        "a replayed nonce: a sandbox-only code, PayKKa documents none"
    );

    let garbage = b"{not json";
    let headers = s.signed_headers(path, garbage, now_ms(), "nonce-0000000005");
    let malformed = s.send(s.request(path, garbage, &headers), path).await;
    assert_eq!(
        (malformed.status, malformed.body["ret_code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("010000"))
    );
    assert!(
        !malformed.body.to_string().contains("not json"),
        "the input is not echoed"
    );
}

#[tokio::test]
async fn test_cards_decide_the_outcome_and_trans_id_is_idempotent() {
    let s = sandbox();
    let ok = s.pay("T1", "4242424242424242").await;
    assert!(ok.signed);
    assert_eq!(ok.body["ret_code"], "000000");
    let data = &ok.body["data"];
    assert_eq!(data["status"], "SUCCESS");
    assert_eq!(
        data["card_info"],
        json!({"card_brand": "VISA", "bin": "424242", "last4": "4242"})
    );
    assert!(data["order_id"].as_str().unwrap().starts_with("GW"));

    // The same trans_id again, even with another card: the first answer, no second charge.
    let again = s.pay("T1", "4000000000000002").await;
    assert_eq!(again.body["data"]["order_id"], data["order_id"]);
    assert_eq!(again.body["data"]["status"], "SUCCESS");
    assert_eq!(s.count("SELECT COUNT(*) FROM payments").await, 1);

    for (number, code) in [
        ("4000000000000002", "3001"),
        ("4000000000009995", "3002"),
        ("4000000000000069", "3003"),
        ("4000000000000127", "3004"),
        ("4111111111111111", "2006"),
    ] {
        let declined = s.pay(&format!("D{number}"), number).await;
        assert_eq!(
            declined.status,
            StatusCode::OK,
            "declines are business answers"
        );
        assert_eq!(declined.body["data"]["status"], "FAILURE");
        assert_eq!(declined.body["data"]["error_code"], code);
    }
    for number in ["5555555555554444", "378282246310005", "3566002020360505"] {
        assert_eq!(
            s.pay(&format!("A{number}"), number).await.body["data"]["status"],
            "SUCCESS"
        );
    }
}

#[tokio::test]
async fn amounts_currencies_methods_and_plain_cards() {
    let s = sandbox();
    let card = s.card("4242424242424242", "123");
    let mut order = s.order("C1", card.clone());
    order["currency"] = json!("XYZ");
    assert_eq!(
        s.call(paykka_api::paths::INITIATE, &order).await.body["ret_code"],
        "1007"
    );
    for amount in [json!(0), json!(-5), json!("3.00"), json!(1.5), json!("abc")] {
        let mut order = s.order("C2", card.clone());
        order["amount"] = amount.clone();
        assert_eq!(
            s.call(paykka_api::paths::INITIATE, &order).await.body["ret_code"],
            "010000",
            "{amount}"
        );
    }
    let mut order = s.order("C3", card);
    order["amount"] = json!("300");
    assert_eq!(
        s.call(paykka_api::paths::INITIATE, &order).await.body["data"]["amount"],
        300,
        "digit strings are accepted"
    );
    // Raw cards only from a merchant PayKKa assessed as PCI DSS compliant.
    let mut not_assessed = s.order("C4", s.card("4242424242424242", "123"));
    not_assessed["merchant_id"] = json!(MERCHANT_2);
    let refused = s
        .call_as(APP_ID_2, paykka_api::paths::INITIATE, &not_assessed)
        .await;
    assert_eq!(
        (refused.status, refused.body["ret_code"].as_str()),
        (StatusCode::FORBIDDEN, Some("206017"))
    );
    // Encrypted fields need PayKKa's own card key, which no sandbox has: cards come
    // through the secure origin.
    let encrypted = json!({"payment_method": "BANKCARD", "encrypted_card_no": "a.b.c.d.e",
        "encrypted_exp_month": "a.b.c.d.e", "encrypted_exp_year": "a.b.c.d.e", "encrypted_cvv": "a.b.c.d.e"});
    let refused = s
        .call(paykka_api::paths::INITIATE, &s.order("C4e", encrypted))
        .await;
    assert_eq!(refused.body["ret_code"], "206020", "{}", refused.body);
    assert!(refused.body["ret_msg"]
        .as_str()
        .unwrap()
        .contains("secure origin"));
    for (name, payment) in [
        ("bad luhn", s.card("4242424242424241", "123")),
        ("bad cvc", s.card("4242424242424242", "1234")),
    ] {
        let answer = s
            .call(paykka_api::paths::INITIATE, &s.order("C4c", payment))
            .await;
        assert_eq!(
            (answer.status, answer.body["ret_code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("010000")),
            "{name}"
        );
    }
    let wallet = json!({"payment_method": "GOOGLE_PAY", "token_data": "{\"signature\":\"x\"}"});
    assert_eq!(
        s.call(paykka_api::paths::INITIATE, &s.order("C5", wallet))
            .await
            .body["ret_code"],
        "010000",
        "a token of the wrong shape"
    );
    let unknown = json!({"payment_method": "CHEQUE"});
    assert_eq!(
        s.call(paykka_api::paths::INITIATE, &s.order("C6", unknown))
            .await
            .body["ret_code"],
        "210001"
    );
}

#[tokio::test]
async fn capture_void_refund_and_queries_in_paykkas_shapes() {
    let s = sandbox();
    let mut manual = s.order("M1", s.card("4242424242424242", "123"));
    manual["capture_method"] = json!("MANUAL");
    let authorized = s.call(paykka_api::paths::INITIATE, &manual).await.body["data"].clone();
    assert_eq!(authorized["status"], "AUTHORIZED");
    assert_eq!(authorized["authorisation_type"], "FINAL_AUTH");
    assert_eq!(
        authorized["balances"],
        json!({"authed_amount": 300, "captured_amount": 0, "able_to_capture_amount": 300,
               "voided_amount": 0, "able_to_void_amount": 300, "refunded_amount": 0,
               "able_to_refund_amount": 0})
    );
    assert!(
        authorized.get("refunded_amount").is_none(),
        "no home-made members"
    );
    let m1 = authorized["order_id"].as_str().unwrap().to_owned();
    let by_trans_id = s
        .call(
            paykka_api::paths::CAPTURE,
            &json!({"merchant_id": MERCHANT_ID, "trans_id": "M1"}),
        )
        .await;
    assert_eq!(
        by_trans_id.body["ret_code"], "010000",
        "capture takes order_id, not trans_id"
    );
    let capture = s
        .call(
            paykka_api::paths::CAPTURE,
            &json!({"merchant_id": MERCHANT_ID, "order_id": m1}),
        )
        .await;
    assert_eq!(capture.body["data"]["status"], "SUCCESS");
    assert_eq!(
        capture.body["data"]["balances"]["able_to_refund_amount"],
        300
    );
    let void = |order_id: &str, reason: Option<&str>| {
        let mut body = json!({"merchant_id": MERCHANT_ID, "order_id": order_id});
        if let Some(reason) = reason {
            body["reason"] = json!(reason);
        }
        body
    };
    let late_void = s
        .call(paykka_api::paths::VOID, &void(&m1, Some("OTHER")))
        .await;
    assert_eq!(
        late_void.body["ret_code"], "SB0005",
        "a captured payment cannot be voided (sandbox-only code)"
    );

    let mut manual = s.order("M2", s.card("5555555555554444", "123"));
    manual["capture_method"] = json!("MANUAL");
    let m2 = s.call(paykka_api::paths::INITIATE, &manual).await.body["data"]["order_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for bad in [void(&m2, None), void(&m2, Some("BORED"))] {
        let refused = s.call(paykka_api::paths::VOID, &bad).await;
        assert_eq!(
            refused.body["ret_code"], "010000",
            "void needs PayKKa's reason"
        );
    }
    let by_trans_id = s
        .call(
            paykka_api::paths::VOID,
            &json!({"merchant_id": MERCHANT_ID, "trans_id": "M2", "reason": "OTHER"}),
        )
        .await;
    assert_eq!(
        by_trans_id.body["ret_code"], "010000",
        "void takes order_id"
    );
    let voided = s
        .call(
            paykka_api::paths::VOID,
            &void(&m2, Some("REQUESTED_BY_CUSTOMER")),
        )
        .await;
    assert_eq!(
        voided.body,
        json!({"ret_code": "000000", "ret_msg": "Success"}),
        "no data, as documented"
    );
    let query = s
        .call(
            paykka_api::paths::QUERY,
            &json!({"merchant_id": MERCHANT_ID, "order_id": m2}),
        )
        .await;
    assert_eq!(query.body["data"]["status"], "CANCELED");
    assert_eq!(query.body["data"]["balances"]["voided_amount"], 300);

    let refund = |id: &str, amount: i64| {
        json!({"merchant_id": MERCHANT_ID, "ori_order_id": m1, "refund_trans_id": id,
               "refund_amount": amount, "currency": "USD", "reason": "REQUESTED_BY_CUSTOMER",
               "notify_url": "http://127.0.0.1:9/refunds"})
    };
    let first = s.call(paykka_api::paths::REFUND, &refund("RF1", 100)).await;
    let data = &first.body["data"];
    assert_eq!(data["status"], "PROCESSING", "a refund settles later");
    for member in [
        "merchant_id",
        "currency",
        "error_code",
        "error_description",
        "refund_trans_id",
        "refund_order_id",
        "order_id",
        "amount",
    ] {
        assert!(
            !data[member].is_null(),
            "refund answer lacks {member}: {data}"
        );
    }
    assert!(data["refund_order_id"].as_str().unwrap().starts_with("RG"));
    let repeat = s.call(paykka_api::paths::REFUND, &refund("RF1", 100)).await;
    assert_eq!(
        repeat.body["data"]["refund_order_id"], data["refund_order_id"],
        "idempotent"
    );
    let too_much = s.call(paykka_api::paths::REFUND, &refund("RF2", 201)).await;
    assert_eq!(too_much.body["ret_code"], "010000");
    let mut wrong_currency = refund("RF2", 10);
    wrong_currency["currency"] = json!("EUR");
    assert_eq!(
        s.call(paykka_api::paths::REFUND, &wrong_currency)
            .await
            .body["ret_code"],
        "010000"
    );
    let mut by_trans_id = refund("RF3", 200);
    by_trans_id.as_object_mut().unwrap().remove("ori_order_id");
    by_trans_id["trans_id"] = json!("M1");
    assert_eq!(
        s.call(paykka_api::paths::REFUND, &by_trans_id).await.body["ret_code"],
        "010000",
        "refund takes ori_order_id, not trans_id"
    );
    let mut as_text = refund("RF3", 0);
    as_text["refund_amount"] = json!("200");
    let last = s.call(paykka_api::paths::REFUND, &as_text).await;
    assert_eq!(
        last.body["data"]["amount"], 200,
        "an amount written as text, as PayKKa's pages do: {}",
        last.body
    );
    assert_eq!(
        s.call(paykka_api::paths::REFUND, &refund("RF5", 1))
            .await
            .body["ret_code"],
        "010000",
        "processing refunds hold what they refund"
    );
    let before = s
        .call(
            paykka_api::paths::QUERY,
            &json!({"merchant_id": MERCHANT_ID, "order_id": m1}),
        )
        .await;
    assert_eq!(
        before.body["data"]["status"], "SUCCESS",
        "nothing refunded until settled"
    );
    gateway::refunds::settle_due(&s.gateway).await.unwrap();
    let unpaid = s
        .call(
            paykka_api::paths::REFUND,
            &json!({"merchant_id": MERCHANT_ID, "ori_order_id": m2,
        "refund_trans_id": "RF4", "refund_amount": 1, "currency": "USD"}),
        )
        .await;
    assert_eq!(
        unpaid.body["ret_code"], "SB0005",
        "a voided payment cannot be refunded"
    );
    let query = s
        .call(
            paykka_api::paths::QUERY,
            &json!({"merchant_id": MERCHANT_ID, "order_id": m1}),
        )
        .await;
    assert_eq!(query.body["data"]["status"], "REFUNDED");
    assert_eq!(query.body["data"]["balances"]["refunded_amount"], 300);
    assert_eq!(query.body["data"]["balances"]["able_to_refund_amount"], 0);
    let rg = last.body["data"]["refund_order_id"]
        .as_str()
        .unwrap()
        .to_owned();
    for key in [
        json!({"refund_trans_id": "RF3"}),
        json!({"refund_order_id": rg}),
    ] {
        let mut body = json!({"merchant_id": MERCHANT_ID});
        body.as_object_mut()
            .unwrap()
            .extend(key.as_object().unwrap().clone());
        let found = s.call(paykka_api::paths::REFUND_QUERY, &body).await;
        assert_eq!(found.body["data"]["amount"], 200, "{key}");
        assert_eq!(found.body["data"]["currency"], "USD");
        assert_eq!(found.body["data"]["merchant_id"], MERCHANT_ID);
        assert_eq!(found.body["data"]["error_code"], "0000");
        assert_eq!(found.body["data"]["status"], "SUCCESS");
    }
    let unknown = s
        .call(
            paykka_api::paths::REFUND_QUERY,
            &json!({"merchant_id": MERCHANT_ID, "refund_trans_id": "nope"}),
        )
        .await;
    assert_eq!(
        unknown.body["ret_code"], "SB0004",
        "an unknown refund: sandbox-only code"
    );
    let outbox = s
        .gateway
        .db
        .call(|c| {
            let mut st = c.prepare("SELECT event_key, url FROM outbox ORDER BY id")?;
            let rows =
                st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        })
        .await
        .unwrap();
    let kinds: Vec<&str> = outbox
        .iter()
        .map(|(k, _)| k.split(':').nth(1).unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "PAYMENT.AUTHORIZATION",
            "PAYMENT.SUCCESS",
            "PAYMENT.AUTHORIZATION",
            "PAYMENT.CANCELED",
            "REFUND.SUCCESS",
            "REFUND.SUCCESS"
        ]
    );
    assert!(
        outbox[4..]
            .iter()
            .all(|(_, url)| url == "http://127.0.0.1:9/refunds"),
        "refund notifications go to the refund's notify_url"
    );
}

#[tokio::test]
async fn query_by_session_and_payment_answers_carry_session_and_authorisation() {
    let s = sandbox();
    let session = s
        .call(
            paykka_api::paths::SESSION_CREATE,
            &json!({"merchant_id": MERCHANT_ID, "payment_type": "PURCHASE", "trans_id": "QS1", "currency": "USD", "amount": 300}),
        )
        .await;
    let sid = session.body["data"]["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let none_yet = s
        .call(
            paykka_api::paths::QUERY,
            &json!({"merchant_id": MERCHANT_ID, "session_id": sid}),
        )
        .await;
    assert_eq!(
        none_yet.body["ret_code"], "206024",
        "no order until the shopper pays"
    );
    let paid = s
        .call(
            paykka_api::paths::INITIATE,
            &json!({"merchant_id": MERCHANT_ID, "payment_type": "PURCHASE", "trans_id": "QS1-P",
                    "session_id": sid, "return_url": "http://shop.example/return",
                    "payment": s.card("4242424242424242", "123")}),
        )
        .await;
    assert_eq!(paid.body["data"]["session_id"], sid.as_str());
    let found = s
        .call(
            paykka_api::paths::QUERY,
            &json!({"merchant_id": MERCHANT_ID, "session_id": sid}),
        )
        .await;
    assert_eq!(
        found.body["data"]["order_id"],
        paid.body["data"]["order_id"]
    );
    assert_eq!(found.body["data"]["authorisation_type"], "FINAL_AUTH");
    let nothing = s
        .call(
            paykka_api::paths::QUERY,
            &json!({"merchant_id": MERCHANT_ID}),
        )
        .await;
    assert_eq!(nothing.body["ret_code"], "010000");
}

#[tokio::test]
async fn three_d_secure_challenge_then_query() {
    let s = sandbox();
    let answer = s.pay("S1", "4000000000003220").await;
    let data = &answer.body["data"];
    assert_eq!(data["status"], "PROCESSING");
    let url = data["authentication_result"]["authentication_url"]
        .as_str()
        .unwrap();
    let path = url.strip_prefix(ORIGIN).unwrap();
    let page = s
        .app()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let policy = page.headers()["content-security-policy"].to_str().unwrap();
    let ancestors = policy
        .split(';')
        .find_map(|d| d.trim().strip_prefix("frame-ancestors"))
        .unwrap();
    assert_eq!(
        ancestors.split_whitespace().collect::<Vec<_>>(),
        ["'self'", SHOP],
        "framed only by the merchant's registered origins"
    );
    let html = String::from_utf8(
        page.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    assert!(html.contains("ending 3220") && !html.contains("4000000000003220"));
    let wrong = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("code=0000&action=submit"))
        .unwrap();
    let redirect = s.app().oneshot(wrong).await.unwrap();
    assert_eq!(redirect.status(), StatusCode::SEE_OTHER);
    let location = redirect.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with("http://shop.example/return?trans_id=S1&order_id=GW"),
        "{location}"
    );
    let query = s
        .call(
            paykka_api::paths::QUERY,
            &json!({"merchant_id": MERCHANT_ID, "trans_id": "S1"}),
        )
        .await;
    assert_eq!(query.body["data"]["status"], "FAILURE");
    assert_eq!(query.body["data"]["error_code"], "3005");

    let answer = s.pay("S2", "4000000000003220").await;
    let url = answer.body["data"]["authentication_result"]["authentication_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = url.strip_prefix(ORIGIN).unwrap();
    let right = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("code=1234&action=submit"))
        .unwrap();
    assert_eq!(
        s.app().oneshot(right).await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    let query = s
        .call(
            paykka_api::paths::QUERY,
            &json!({"merchant_id": MERCHANT_ID, "trans_id": "S2"}),
        )
        .await;
    assert_eq!(query.body["data"]["status"], "SUCCESS");
    assert!(query.body["data"]["authentication_result"].is_null());
}

/// A merchant webhook endpoint that fails the first `failures` calls.
async fn receiver(
    failures: usize,
) -> (
    String,
    Arc<AtomicUsize>,
    Arc<tokio::sync::Mutex<Vec<Value>>>,
) {
    let hits = Arc::new(AtomicUsize::new(0));
    let bodies = Arc::new(tokio::sync::Mutex::new(Vec::new()));
    let (h, b) = (Arc::clone(&hits), Arc::clone(&bodies));
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let (h, b) = (Arc::clone(&h), Arc::clone(&b));
                async move {
                    assert!(headers.contains_key("x-paykka-sign"));
                    let n = h.fetch_add(1, Ordering::SeqCst);
                    b.lock()
                        .await
                        .push(serde_json::from_slice::<Value>(&body).unwrap());
                    if n < failures {
                        StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        StatusCode::OK
                    }
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, hits, bodies)
}

async fn wait_until(mut check: impl AsyncFnMut() -> bool) -> bool {
    for _ in 0..100 {
        if check().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

#[tokio::test]
async fn webhooks_are_signed_and_retried_until_acknowledged() {
    let s = sandbox();
    let (url, hits, bodies) = receiver(2).await;
    let mut order = s.order("W1", s.card("4242424242424242", "123"));
    order["notify_url"] = json!(url);
    s.call(paykka_api::paths::INITIATE, &order).await;
    let worker = tokio::spawn(gateway::webhooks::run(Arc::clone(&s.gateway)));
    assert!(
        wait_until(async || s
            .count("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NOT NULL")
            .await
            == 1)
        .await
    );
    worker.abort();
    assert_eq!(
        hits.load(Ordering::SeqCst),
        3,
        "two 500s, then acknowledged"
    );
    let body = &bodies.lock().await[2];
    assert_eq!(body["notify_type"], "PAYMENT.SUCCESS");
    assert_eq!(body["trans_id"], "W1");
    assert_eq!(body["card_info"]["last4"], "4242");
    assert_eq!(s.count("SELECT attempts FROM outbox").await, 3);
}

#[tokio::test]
async fn a_restart_keeps_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    let s = sandbox_in(dir, 50);
    s.pay("K1", "4242424242424242").await; // notify_url points at a closed port
    let dir = {
        let Sandbox { dir, gateway, .. } = s;
        drop(gateway); // the process "dies": nothing delivered yet
        dir
    };
    assert!(path.join("gateway.sqlite").exists());
    let s = sandbox_in(dir, 50);
    assert_eq!(
        s.count("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL")
            .await,
        1,
        "still pending"
    );
    let (url, hits, _) = receiver(0).await;
    s.gateway
        .db
        .call(move |c| c.execute("UPDATE outbox SET url = ?1", [url]))
        .await
        .unwrap();
    let worker = tokio::spawn(gateway::webhooks::run(Arc::clone(&s.gateway)));
    assert!(wait_until(async || hits.load(Ordering::SeqCst) == 1).await);
    worker.abort();
    assert_eq!(
        s.count("SELECT COUNT(*) FROM payments").await,
        1,
        "the payment survived too"
    );
}

#[tokio::test]
async fn a_session_is_paid_once_in_time_with_its_own_amount() {
    let s = sandbox();
    let create = |trans_id: &str| json!({"merchant_id": MERCHANT_ID, "payment_type": "PURCHASE", "trans_id": trans_id, "currency": "EUR", "amount": 1250});
    let session = s
        .call(paykka_api::paths::SESSION_CREATE, &create("SESS1"))
        .await;
    let sid = session.body["data"]["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = s
        .call(paykka_api::paths::SESSION_CREATE, &create("SESS2"))
        .await;
    let other_sid = other.body["data"]["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let in_session = |trans_id: &str, payment: Value| {
        json!({
            "merchant_id": MERCHANT_ID, "payment_type": "PURCHASE", "trans_id": trans_id,
            "session_id": sid, "return_url": "http://shop.example/return", "payment": payment,
        })
    };
    let s = &s;
    let pay = |body: Value| async move { s.call(paykka_api::paths::INITIATE, &body).await };
    let code = |a: &Answer| a.body["ret_code"].as_str().unwrap_or_default().to_owned();

    let bound = s.card("4242424242424242", "123");
    let mut wrong_amount = in_session("P4", bound.clone());
    wrong_amount["amount"] = json!(1);
    assert_eq!(
        code(&pay(wrong_amount).await),
        "010000",
        "the amount is the session's"
    );
    let mut wrong_currency = in_session("P5", bound.clone());
    wrong_currency["currency"] = json!("USD");
    assert_eq!(code(&pay(wrong_currency).await), "010000");
    let mut unknown = in_session("P6", bound.clone());
    unknown["session_id"] = json!("CS-nope");
    assert_eq!(code(&pay(unknown).await), "206011");

    let paid = pay(in_session("P7", bound)).await;
    assert_eq!(paid.body["data"]["status"], "SUCCESS", "{}", paid.body);
    assert_eq!(paid.body["data"]["amount"], 1250);
    assert_eq!(paid.body["data"]["currency"], "EUR");
    let again = s.card("5555555555554444", "123");
    let twice = pay(in_session("P8", again)).await;
    assert_eq!(
        (twice.status, code(&twice).as_str()),
        (StatusCode::CONFLICT, "SB0002")
    );
    let status = s
        .call(
            paykka_api::paths::SESSION_QUERY,
            &json!({"merchant_id": MERCHANT_ID, "session_id": sid}),
        )
        .await;
    assert_eq!(status.body["data"]["status"], "SUCCESS");

    // An expired session is refused, whatever the ciphertext.
    let other_id = other_sid.clone();
    s.gateway
        .db
        .call(move |c| {
            c.execute(
                "UPDATE sessions SET expires_at = 1 WHERE session_id = ?1",
                [other_id],
            )
        })
        .await
        .unwrap();
    let late = s.card("4242424242424242", "123");
    let mut body = in_session("P9", late);
    body["session_id"] = json!(other_sid);
    assert_eq!(code(&pay(body).await), "SB0001");
    assert_eq!(
        s.count("SELECT COUNT(*) FROM payments WHERE session_id IS NOT NULL")
            .await,
        1
    );
}

#[tokio::test]
async fn notify_and_return_urls_must_be_absolute_http_urls() {
    let s = sandbox();
    for (i, (name, url)) in [
        ("notify_url", "/relative/hook"),
        ("notify_url", "javascript:alert(1)"),
        ("return_url", "ftp://shop.example/return"),
        ("return_url", "http://user:pw@shop.example/return"),
        ("return_url", "not a url"),
        ("notify_url", "http://"),
        // A URL parser drops these silently; the redirect and the call would not.
        ("return_url", "https://shop.example/return\n"),
        ("return_url", "https://shop.example/re\turn"),
        ("notify_url", " https://shop.example/hook"),
        (
            "return_url",
            "https://shop.example/return\r\nSet-Cookie: x=1",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let mut order = s.order(&format!("U{i}"), s.card("4242424242424242", "123"));
        order[name] = json!(url);
        let answer = s.call(paykka_api::paths::INITIATE, &order).await;
        assert_eq!(
            (answer.status, answer.body["ret_code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("010000")),
            "{name} = {url}"
        );
        let session = s
            .call(
                paykka_api::paths::SESSION_CREATE,
                &json!({"merchant_id": MERCHANT_ID, "payment_type": "PURCHASE", "trans_id": format!("US{i}"), "currency": "USD", "amount": 300, name: url}),
            )
            .await;
        assert_eq!(
            session.status,
            StatusCode::BAD_REQUEST,
            "session {name} = {url}"
        );
    }
    assert_eq!(s.count("SELECT COUNT(*) FROM payments").await, 0);
}

fn apple_token(s: &Sandbox, pan: &str) -> String {
    tokens::apple_pay_token(
        &s.gateway.apple_pay_key.public_key_base64(),
        &merchant_identifier(MERCHANT_ID),
        pan,
        &format!("{}1231", &next_year()[2..]),
    )
    .to_string()
}

#[tokio::test]
async fn wallet_tokens_are_opened_and_their_card_decides_the_outcome() {
    let s = sandbox();
    let year: u16 = next_year().parse().unwrap();
    let cases = [
        (
            "W1",
            "APPLE_PAY",
            apple_token(&s, "4242424242424242"),
            "SUCCESS",
            "0000",
        ),
        (
            "W2",
            "APPLE_PAY",
            apple_token(&s, "4000000000000002"),
            "FAILURE",
            "3001",
        ),
        (
            "W3",
            "APPLE_PAY",
            apple_token(&s, "4000000000003220"),
            "PROCESSING",
            "0000",
        ),
        (
            "W4",
            "GOOGLE_PAY",
            tokens::google_pay_token("5555555555554444", 12, year),
            "SUCCESS",
            "0000",
        ),
        (
            "W5",
            "GOOGLE_PAY",
            tokens::google_pay_token("4000000000009995", 12, year),
            "FAILURE",
            "3002",
        ),
        (
            "W6",
            "GOOGLE_PAY",
            tokens::google_pay_token("4000000000003220", 12, year),
            "PROCESSING",
            "0000",
        ),
    ];
    for (trans_id, method, token, status, code) in cases {
        let payment = json!({"payment_method": method, "token_data": token});
        let answer = s
            .call(paykka_api::paths::INITIATE, &s.order(trans_id, payment))
            .await;
        let data = &answer.body["data"];
        assert_eq!(
            (data["status"].as_str(), data["error_code"].as_str()),
            (Some(status), Some(code)),
            "{trans_id}: {}",
            answer.body
        );
        assert_eq!(data["payment"]["payment_method"], method);
        if status == "PROCESSING" {
            assert!(data["authentication_result"]["authentication_url"].is_string());
        }
    }
    let stored = s.count("SELECT COUNT(*) FROM payments WHERE card_last4 IN ('4242', '4444') AND card_bin IS NOT NULL").await;
    assert_eq!(stored, 2, "brand, BIN and last 4 are kept");
}

#[tokio::test]
async fn with_a_signing_root_the_sandbox_opens_only_signed_apple_pay_tokens() {
    let mut s = sandbox();
    let pki = tokens::ApplePki::new(tokens::Marks::APPLE);
    let root = paykka_api::apple_pay_signature::TrustRoot::from_pem(&pki.root_pem).unwrap();
    Arc::get_mut(&mut s.gateway)
        .expect("the sandbox is not shared yet")
        .apple_pay_key =
        ProcessingKey::from_secret(random_secret(), &merchant_identifier(MERCHANT_ID))
            .with_signing_root(Some(Arc::new(root)));
    let unsigned = apple_token(&s, "4242424242424242");
    let mut signed: Value = serde_json::from_str(&apple_token(&s, "4242424242424242")).unwrap();
    pki.sign(&mut signed);
    let pay = |token: String| json!({"payment_method": "APPLE_PAY", "token_data": token});
    let refused = s
        .call(paykka_api::paths::INITIATE, &s.order("S1", pay(unsigned)))
        .await;
    assert_eq!(refused.body["ret_code"], "010000", "{}", refused.body);
    assert!(refused.body["ret_msg"].as_str().unwrap().contains("signed"));
    let paid = s
        .call(
            paykka_api::paths::INITIATE,
            &s.order("S2", pay(signed.to_string())),
        )
        .await;
    assert_eq!(paid.body["data"]["status"], "SUCCESS", "{}", paid.body);
}

#[tokio::test]
async fn bad_wallet_tokens_are_refused_with_paykkas_codes_and_a_token_pays_once() {
    let s = sandbox();
    let year: u16 = next_year().parse().unwrap();
    let other_key = paykka_api::apple_pay_token::ProcessingKey::from_secret(
        random_secret(),
        &merchant_identifier(MERCHANT_ID),
    );
    let foreign = tokens::apple_pay_token(
        &other_key.public_key_base64(),
        &merchant_identifier(MERCHANT_ID),
        "4242424242424242",
        "991231",
    )
    .to_string();
    let wrong_merchant = tokens::apple_pay_token(
        &s.gateway.apple_pay_key.public_key_base64(),
        "merchant.other",
        "4242424242424242",
        "991231",
    )
    .to_string();
    let mut tampered: Value = serde_json::from_str(&apple_token(&s, "4242424242424242")).unwrap();
    let data = tampered["paymentData"]["data"].as_str().unwrap().to_owned();
    let mut bytes = base64ct::Base64::decode_vec(&data).unwrap();
    bytes[3] ^= 1;
    tampered["paymentData"]["data"] = json!(base64ct::Base64::encode_string(&bytes));
    let mut rsa_v1: Value = serde_json::from_str(&apple_token(&s, "4242424242424242")).unwrap();
    rsa_v1["paymentData"]["version"] = json!("RSA_v1");
    let expired = apple_token_expiring(&s, "4242424242424242", "200131");
    let google_garbage = r#"{"protocolVersion":"ECv2","signature":"x","intermediateSigningKey":{"signedKey":"k","signatures":["s"]},"signedMessage":"{\"encryptedMessage\":\"!!!\",\"ephemeralPublicKey\":\"e\",\"tag\":\"t\"}"}"#;
    let cases = [
        ("APPLE_PAY", foreign, "206020"),
        ("APPLE_PAY", wrong_merchant, "206020"),
        ("APPLE_PAY", tampered.to_string(), "206020"),
        ("APPLE_PAY", rsa_v1.to_string(), "010000"),
        ("APPLE_PAY", expired, "010000"),
        ("APPLE_PAY", "not json".into(), "010000"),
        ("APPLE_PAY", String::new(), "010000"),
        (
            "GOOGLE_PAY",
            tokens::google_pay_token("4242424242424241", 12, year),
            "010000",
        ),
        ("GOOGLE_PAY", google_garbage.into(), "206020"),
        (
            "GOOGLE_PAY",
            json!({"protocolVersion": "ECv1"}).to_string(),
            "010000",
        ),
    ];
    for (i, (method, token, code)) in cases.into_iter().enumerate() {
        let payment = json!({"payment_method": method, "token_data": token});
        let answer = s
            .call(
                paykka_api::paths::INITIATE,
                &s.order(&format!("B{i}"), payment),
            )
            .await;
        assert_eq!(answer.body["ret_code"], code, "case {i}: {}", answer.body);
        assert!(!answer.body.to_string().contains("4242424242424242"));
    }
    let token = apple_token(&s, "4242424242424242");
    let first = s
        .call(
            paykka_api::paths::INITIATE,
            &s.order(
                "R1",
                json!({"payment_method": "APPLE_PAY", "token_data": token}),
            ),
        )
        .await;
    assert_eq!(first.body["data"]["status"], "SUCCESS");
    let again = s
        .call(
            paykka_api::paths::INITIATE,
            &s.order(
                "R2",
                json!({"payment_method": "APPLE_PAY", "token_data": token}),
            ),
        )
        .await;
    assert_eq!(again.body["ret_code"], "206020", "a token pays once");
    // The merchant decrypted the token itself: card data, which only a PCI merchant may send.
    let plain = json!({"payment_method": "APPLE_PAY", "card_no": "4242424242424242", "exp_month": "12", "exp_year": next_year()});
    let mut not_assessed = s.order("P1", plain.clone());
    not_assessed["merchant_id"] = json!(MERCHANT_2);
    assert_eq!(
        s.call_as(APP_ID_2, paykka_api::paths::INITIATE, &not_assessed)
            .await
            .body["ret_code"],
        "206017"
    );
    let pci = s
        .call(paykka_api::paths::INITIATE, &s.order("P2", plain))
        .await;
    assert_eq!(pci.body["data"]["status"], "SUCCESS", "{}", pci.body);
}

#[tokio::test]
async fn a_wallet_token_pays_once_for_the_merchant_and_total_it_was_approved_for() {
    let s = sandbox();
    let year: u16 = next_year().parse().unwrap();
    let expiry = format!("{}1231", &next_year()[2..]);
    let recipient = s.gateway.apple_pay_key.public_key_base64();
    let apple = |identifier: &str, amount: i64, currency: &str| {
        tokens::apple_pay_token_for(
            &recipient,
            identifier,
            "4242424242424242",
            &expiry,
            amount,
            currency,
        )
    };
    let pay = |method: &str, token: String| json!({"payment_method": method, "token_data": token});
    // The payment's status when one was made, else the refusal's code.
    let code = |answer: &Answer| {
        answer.body["data"]["status"]
            .as_str()
            .or_else(|| answer.body["ret_code"].as_str())
            .unwrap()
            .to_owned()
    };
    let own = merchant_identifier(MERCHANT_ID);

    // Paid once; the same token again, or with its (unsigned) header id re-cased or
    // replaced, is the same token.
    let token = apple(&own, 300, "840");
    let first = s
        .call(
            paykka_api::paths::INITIATE,
            &s.order("A1", pay("APPLE_PAY", token.to_string())),
        )
        .await;
    assert_eq!(code(&first), "SUCCESS", "{}", first.body);
    let mut upper = token.clone();
    let id = upper["paymentData"]["header"]["transactionId"]
        .as_str()
        .unwrap()
        .to_ascii_uppercase();
    upper["paymentData"]["header"]["transactionId"] = json!(id);
    let mut other_id = token.clone();
    other_id["paymentData"]["header"]["transactionId"] = json!("ab".repeat(32));
    let mut bare_data = token["paymentData"].clone();
    bare_data["header"]["transactionId"] = json!("cd".repeat(32));
    for (i, copy) in [token.clone(), upper, other_id, bare_data]
        .into_iter()
        .enumerate()
    {
        let again = s
            .call(
                paykka_api::paths::INITIATE,
                &s.order(&format!("A2{i}"), pay("APPLE_PAY", copy.to_string())),
            )
            .await;
        assert_eq!(code(&again), "206020", "copy {i}: {}", again.body);
    }

    // Approved for another total, or made for another merchant: refused, and still unspent
    // for the order it was made for.
    for (trans_id, amount, currency) in [
        ("A31", 1, "840"),
        ("A32", 300, "978"),
        ("A33", 30000, "840"),
    ] {
        let refused = s
            .call(
                paykka_api::paths::INITIATE,
                &s.order(
                    trans_id,
                    pay("APPLE_PAY", apple(&own, amount, currency).to_string()),
                ),
            )
            .await;
        assert_eq!(
            code(&refused),
            "SB0007",
            "{amount} {currency}: {}",
            refused.body
        );
    }
    let theirs = apple(&merchant_identifier(MERCHANT_2), 300, "840").to_string();
    let refused = s
        .call(
            paykka_api::paths::INITIATE,
            &s.order("A4", pay("APPLE_PAY", theirs.clone())),
        )
        .await;
    assert_eq!(code(&refused), "206020", "another merchant's token");
    let mut for_them = s.order("A5", pay("APPLE_PAY", theirs));
    for_them["merchant_id"] = json!(MERCHANT_2);
    let paid = s
        .call_as(APP_ID_2, paykka_api::paths::INITIATE, &for_them)
        .await;
    assert_eq!(
        code(&paid),
        "SUCCESS",
        "the merchant it was made for: {}",
        paid.body
    );

    // Google Pay: messageId once, messageExpiration enforced.
    let google = tokens::google_pay_token("5555555555554444", 12, year);
    let first = s
        .call(
            paykka_api::paths::INITIATE,
            &s.order("G1", pay("GOOGLE_PAY", google.clone())),
        )
        .await;
    assert_eq!(code(&first), "SUCCESS", "{}", first.body);
    let again = s
        .call(
            paykka_api::paths::INITIATE,
            &s.order("G2", pay("GOOGLE_PAY", google)),
        )
        .await;
    assert_eq!(code(&again), "206020", "a Google Pay token pays once");
    let past = (now_ms() - 1000).to_string();
    let cases = [
        ("G3", Some(past.as_str()), "206021"),
        ("G4", None, "206020"),
        ("G5", Some("soon"), "010000"),
    ];
    for (trans_id, expiration, expected) in cases {
        let token = tokens::google_pay_token_expiring("5555555555554444", 12, year, expiration);
        let refused = s
            .call(
                paykka_api::paths::INITIATE,
                &s.order(trans_id, pay("GOOGLE_PAY", token)),
            )
            .await;
        assert_eq!(code(&refused), expected, "{expiration:?}: {}", refused.body);
    }

    // Spent ids are kept as long as their token could be taken: Apple's unsigned tokens
    // name no end, Google's until their expiration.
    assert_eq!(
        s.count("SELECT COUNT(*) FROM wallet_tokens WHERE token_id LIKE 'applepay:%' AND keep_until IS NULL").await,
        2
    );
    assert_eq!(
        s.count("SELECT COUNT(*) FROM wallet_tokens WHERE token_id LIKE 'googlepay:%' AND keep_until = 4102444800000").await,
        1
    );
    assert_eq!(s.count("SELECT COUNT(*) FROM payments").await, 3);
}

fn apple_token_expiring(s: &Sandbox, pan: &str, expiry: &str) -> String {
    tokens::apple_pay_token(
        &s.gateway.apple_pay_key.public_key_base64(),
        &merchant_identifier(MERCHANT_ID),
        pan,
        expiry,
    )
    .to_string()
}

#[tokio::test]
async fn create_apple_pay_session_answers_a_string_for_registered_domains_only() {
    let s = sandbox();
    let body = |domain: &str| json!({"merchant_id": MERCHANT_ID, "domain_name": domain, "display_name": "Coffee", "timestamp": now_ms()});
    let host = SHOP.split("://").nth(1).unwrap().split(':').next().unwrap();
    let answer = s
        .call(paykka_api::paths::APPLE_PAY_SESSION, &body(host))
        .await;
    let text = answer.body["data"]
        .as_str()
        .expect("the session as a string");
    let session: Value = serde_json::from_str(text).unwrap();
    for member in [
        "epochTimestamp",
        "expiresAt",
        "merchantSessionIdentifier",
        "nonce",
        "merchantIdentifier",
        "domainName",
        "displayName",
        "signature",
    ] {
        assert!(!session[member].is_null(), "{member}");
    }
    assert_eq!(session["domainName"], host);
    assert_eq!(
        session["merchantIdentifier"],
        format!("merchant.sandbox.{MERCHANT_ID}")
    );
    assert_eq!(
        session["expiresAt"].as_i64().unwrap() - session["epochTimestamp"].as_i64().unwrap(),
        300_000
    );
    for refused in ["evil.example", "", "https://x/y"] {
        assert_eq!(
            s.call(paykka_api::paths::APPLE_PAY_SESSION, &body(refused))
                .await
                .body["ret_code"],
            "010000",
            "{refused}"
        );
    }
}

#[tokio::test]
async fn sessions_take_paykkas_fields_and_answer_iso_times() {
    let s = sandbox();
    let base = json!({"merchant_id": MERCHANT_ID, "payment_type": "PURCHASE", "trans_id": "ISO1", "currency": "USD", "amount": 300});
    let mut no_type = base.clone();
    no_type.as_object_mut().unwrap().remove("payment_type");
    assert_eq!(
        s.call(paykka_api::paths::SESSION_CREATE, &no_type)
            .await
            .body["ret_code"],
        "010000"
    );
    let at = |offset_ms: i64| {
        let t = time::OffsetDateTime::from_unix_timestamp((now_ms() + offset_ms) / 1000)
            .unwrap()
            .to_offset(time::macros::offset!(+8));
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap()
    };
    for bad in [
        json!(1_800_000),
        json!("tomorrow"),
        json!(at(-60_000)),
        json!(at(25 * 3_600_000)),
    ] {
        let mut body = base.clone();
        body["expire_time"] = bad.clone();
        assert_eq!(
            s.call(paykka_api::paths::SESSION_CREATE, &body).await.body["ret_code"],
            "010000",
            "{bad}"
        );
    }
    let mut body = base.clone();
    body["allowed_payment_methods"] = json!(["CHEQUE"]);
    assert_eq!(
        s.call(paykka_api::paths::SESSION_CREATE, &body).await.body["ret_code"],
        "210001"
    );
    let mut body = base.clone();
    let expire = at(10 * 60_000);
    body["expire_time"] = json!(expire);
    body["allowed_payment_methods"] = json!(["BANKCARD", "alipay"]);
    let data = s.call(paykka_api::paths::SESSION_CREATE, &body).await.body["data"].clone();
    let answered = time::OffsetDateTime::parse(
        data["expire_time"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let asked =
        time::OffsetDateTime::parse(&expire, &time::format_description::well_known::Rfc3339)
            .unwrap();
    assert_eq!(answered, asked, "the same instant");
    assert_eq!(
        data["expire_time"], expire,
        "written as PayKKa shows it: whole seconds, +08:00"
    );
    assert_eq!(
        data["allowed_payment_methods"],
        json!(["BANKCARD", "ALIPAY"])
    );
    assert_eq!(data["status"], "OPEN");
    let by_trans_id = s
        .call(
            paykka_api::paths::SESSION_QUERY,
            &json!({"merchant_id": MERCHANT_ID, "session_id": "ISO1"}),
        )
        .await;
    assert_eq!(
        by_trans_id.status, 404,
        "a session is named by its session_id, not the trans_id"
    );

    // PayKKa's pages write amounts as text and older examples offsets as `+0800`.
    let mut as_text = base.clone();
    as_text["trans_id"] = json!("ISO2");
    as_text["amount"] = json!("300");
    as_text["expire_time"] = json!(expire.replace("+08:00", "+0800"));
    let data = s
        .call(paykka_api::paths::SESSION_CREATE, &as_text)
        .await
        .body["data"]
        .clone();
    assert_eq!(data["amount"], 300, "{data}");
    assert_eq!(data["expire_time"], expire);
    for bad in [json!("3.00"), json!("-300"), json!(0), json!("")] {
        let mut body = base.clone();
        body["trans_id"] = json!("ISO3");
        body["amount"] = bad.clone();
        assert_eq!(
            s.call(paykka_api::paths::SESSION_CREATE, &body).await.body["ret_code"],
            "010000",
            "{bad}"
        );
    }
}

#[tokio::test]
async fn redirect_methods_are_approved_or_declined_on_their_page() {
    for (trans_id, method, action, status, code) in [
        ("AP1", "ALIPAY", "approve", "SUCCESS", "0000"),
        ("AP2", "WECHAT_PAY", "fail", "FAILURE", "3006"),
        ("AP3", "ALIPAY", "submit", "FAILURE", "3006"),
    ] {
        let s = sandbox();
        let answer = s
            .call(
                paykka_api::paths::INITIATE,
                &s.order(trans_id, json!({"payment_method": method})),
            )
            .await;
        let data = &answer.body["data"];
        assert_eq!(data["status"], "PROCESSING", "{}", answer.body);
        assert!(data["card_info"].is_null());
        let url = data["authentication_result"]["authentication_url"]
            .as_str()
            .unwrap();
        let path = url.strip_prefix(ORIGIN).unwrap().to_owned();
        let page = s
            .app()
            .oneshot(Request::get(&path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let html = String::from_utf8(
            page.into_body()
                .collect()
                .await
                .unwrap()
                .to_bytes()
                .to_vec(),
        )
        .unwrap();
        let name = if method == "ALIPAY" {
            "Alipay"
        } else {
            "WeChat Pay"
        };
        assert!(
            html.contains(name) && html.contains("id=\"approve\""),
            "{html}"
        );
        let submit = Request::post(&path)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(format!("action={action}")))
            .unwrap();
        assert_eq!(
            s.app().oneshot(submit).await.unwrap().status(),
            StatusCode::SEE_OTHER
        );
        let query = s
            .call(
                paykka_api::paths::QUERY,
                &json!({"merchant_id": MERCHANT_ID, "trans_id": trans_id}),
            )
            .await;
        assert_eq!(
            (
                query.body["data"]["status"].as_str(),
                query.body["data"]["error_code"].as_str()
            ),
            (Some(status), Some(code))
        );
    }
}

#[tokio::test]
async fn notifications_carry_paykkas_members_and_no_finish_time_on_a_failure() {
    let s = sandbox();
    let session = s
        .call(
            paykka_api::paths::SESSION_CREATE,
            &json!({"merchant_id": MERCHANT_ID, "payment_type": "PURCHASE", "trans_id": "N1",
                    "currency": "USD", "amount": "300"}),
        )
        .await
        .body["data"]
        .clone();
    let mut paid = s.order("N1", s.card("4242424242424242", "123"));
    paid["session_id"] = session["session_id"].clone();
    paid["payment"]["shopper_reference"] = json!("shopper-7");
    assert_eq!(
        s.call(paykka_api::paths::INITIATE, &paid).await.body["data"]["status"],
        "SUCCESS"
    );
    s.call(
        paykka_api::paths::INITIATE,
        &s.order("N2", s.card("4000000000000002", "123")),
    )
    .await;
    let bodies: Vec<Value> = s
        .gateway
        .db
        .call(|c| {
            let mut st = c.prepare("SELECT body FROM outbox ORDER BY id")?;
            let rows = st.query_map([], |r| r.get::<_, String>(0))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
        })
        .await
        .unwrap()
        .iter()
        .map(|b| serde_json::from_str(b).unwrap())
        .collect();
    let (success, failure) = (&bodies[0], &bodies[1]);
    assert_eq!(success["notify_type"], "PAYMENT.SUCCESS");
    assert_eq!(success["session_id"], session["session_id"]);
    assert_eq!(success["shopper_reference"], "shopper-7");
    assert_eq!(success["expire_time"], session["expire_time"]);
    let finished = success["pay_finish_time"].as_str().unwrap();
    assert!(
        finished.ends_with("+08:00") && !finished.contains('.'),
        "whole seconds at PayKKa's offset: {finished}"
    );
    assert_eq!(failure["notify_type"], "PAYMENT.FAILURE");
    assert!(
        failure.get("pay_finish_time").is_none(),
        "a failure never finished: {failure}"
    );
    assert!(failure.get("session_id").is_none() && failure.get("expire_time").is_none());
}
