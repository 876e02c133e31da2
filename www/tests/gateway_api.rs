//! The sandbox gateway at the HTTP level (no browser): signatures, timestamps and nonces,
//! every kind of bad card ciphertext, idempotent `trans_id`, the payment state machine,
//! 3-D Secure, and webhooks that are retried and survive a restart.

#[path = "support/tokens.rs"]
mod tokens;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64ct::{Base64UrlUnpadded, Encoding};
use http_body_util::BodyExt;
use paykka_api::keys::{self, KeyPair};
use paykka_api::signing::{self, now_ms};
use paykka_api::store::Db;
use paykka_web::crypto::{encrypt_field, EncryptionContext, EncryptionKey, FieldName};
use paykka_web::form::messages::Slot;
use paykka_web::form::payment::card_payment;
use paykka_www::apple_pay_token::{merchant_identifier, random_secret, ProcessingKey};
use paykka_www::gateway::{self, ClientKey, Gateway, Merchant};
use rsa::PublicKey;
use serde_json::{json, Value};
use tower::ServiceExt;

const MERCHANT_ID: &str = "10001234567890";
const APP_ID: &str = "100012345678901";
const ORIGIN: &str = "http://127.0.0.1:9";
/// The second merchant (PCI certified), with its own client key and card key.
const MERCHANT_2: &str = "20001234567890";
const APP_ID_2: &str = "200012345678901";
const SHOP: &str = "http://shop.example";

struct Sandbox {
    gateway: gateway::State,
    merchant_key: KeyPair,
    platform_public: PublicKey,
    card_key: EncryptionKey,
    dir: tempfile::TempDir,
}

fn keys_in(dir: &std::path::Path) -> (KeyPair, KeyPair, KeyPair) {
    (
        keys::load_or_create(&dir.join("card-key.pem")).unwrap(),
        keys::load_or_create(&dir.join("platform-key.pem")).unwrap(),
        keys::load_or_create(&dir.join("merchant-key.pem")).unwrap(),
    )
}

fn sandbox_in(dir: tempfile::TempDir, backoff_ms: i64) -> Sandbox {
    let (card, platform, merchant) = keys_in(dir.path());
    let card_key =
        EncryptionKey::from_jwk(&serde_json::from_value(card.public_jwk()).unwrap(), None).unwrap();
    let card_2 = keys::load_or_create(&dir.path().join("card-key-2.pem")).unwrap();
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
                pci: false,
            },
            Merchant {
                merchant_id: MERCHANT_2.into(),
                app_id: APP_ID_2.into(),
                public_key: PublicKey::from(&merchant.private),
                pci: true,
            },
        ],
        clients: vec![
            ClientKey {
                key: "ck_test".into(),
                merchant_id: MERCHANT_ID.into(),
                origins: vec![SHOP.into()],
                card_key: card,
            },
            ClientKey {
                key: "ck_test_2".into(),
                merchant_id: MERCHANT_2.into(),
                origins: vec![SHOP.into()],
                card_key: card_2,
            },
        ],
        http: reqwest::Client::new(),
        webhook_backoff_ms: backoff_ms,
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
        card_key,
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
        gateway::app(Arc::clone(&self.gateway), self.dir.path(), self.dir.path())
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

    fn jwe_in(&self, session: Option<&str>, field: FieldName, value: &str, now: i64) -> String {
        encrypt_field(
            &self.card_key,
            field,
            value,
            &EncryptionContext {
                now_ms: now,
                session_id: session.map(str::to_owned),
            },
            &mut rand::rng(),
        )
        .unwrap()
    }

    fn card(&self, number: &str, cvc: &str, now: i64) -> Value {
        self.card_in(None, number, cvc, now)
    }

    /// An encrypted card, bound to `session` when given, as the package's `payment`
    /// builder makes it (so the gateway is tested against the shape the wasm sends).
    fn card_in(&self, session: Option<&str>, number: &str, cvc: &str, now: i64) -> Value {
        let values = [
            (
                Slot::CardNumber,
                self.jwe_in(session, FieldName::Number, number, now),
            ),
            (
                Slot::ExpireMonth,
                self.jwe_in(session, FieldName::ExpiryMonth, "12", now),
            ),
            (
                Slot::ExpireYear,
                self.jwe_in(session, FieldName::ExpiryYear, &next_year(), now),
            ),
            (Slot::Cvv, self.jwe_in(session, FieldName::Cvc, cvc, now)),
        ];
        card_payment(&values)
            .into_iter()
            .map(|(member, value)| (member.to_owned(), Value::from(value)))
            .collect::<serde_json::Map<_, _>>()
            .into()
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
            now_ms(),
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
async fn bad_ciphertexts_are_refused() {
    let s = sandbox();
    let now = now_ms();
    let good = s.card("4242424242424242", "123", now);
    let with = |key: &str, value: Value| {
        let mut card = good.clone();
        card[key] = value;
        card
    };
    let number = good["encrypted_card_no"].as_str().unwrap();
    let mut parts: Vec<String> = number.split('.').map(str::to_owned).collect();
    let mut bytes = Base64UrlUnpadded::decode_vec(&parts[3]).unwrap();
    bytes[0] ^= 0x01;
    parts[3] = Base64UrlUnpadded::encode_string(&bytes);
    let tampered = parts.join(".");
    let cases = [
        (
            "tampered",
            with("encrypted_card_no", json!(tampered)),
            "206020",
        ),
        (
            "field-swapped",
            with("encrypted_exp_year", good["encrypted_exp_month"].clone()),
            "206020",
        ),
        (
            "expired",
            s.card("4242424242424242", "123", now - 20 * 60 * 1000),
            "206021",
        ),
        (
            "from the future",
            s.card("4242424242424242", "123", now + 10 * 60 * 1000),
            "206021",
        ),
        (
            "garbage",
            with("encrypted_cvv", json!("a.b.c.d.e")),
            "206020",
        ),
        (
            "missing field",
            with("encrypted_cvv", Value::Null),
            "010000",
        ),
        ("bad luhn", s.card("4242424242424241", "123", now), "010000"),
        ("bad cvc", s.card("4242424242424242", "1234", now), "010000"),
    ];
    for (i, (name, payment, code)) in cases.into_iter().enumerate() {
        let answer = s
            .call(
                paykka_api::paths::INITIATE,
                &s.order(&format!("B{i}"), payment),
            )
            .await;
        assert_eq!(answer.body["ret_code"], code, "{name}: {}", answer.body);
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{name}");
    }
    // Another key id.
    let other = keys::load_or_create(&s.dir.path().join("other.pem")).unwrap();
    let other_key =
        EncryptionKey::from_jwk(&serde_json::from_value(other.public_jwk()).unwrap(), None)
            .unwrap();
    let foreign = encrypt_field(
        &other_key,
        FieldName::Cvc,
        "123",
        &EncryptionContext {
            now_ms: now,
            session_id: None,
        },
        &mut rand::rng(),
    )
    .unwrap();
    let answer = s
        .call(
            paykka_api::paths::INITIATE,
            &s.order("B-kid", with("encrypted_cvv", json!(foreign))),
        )
        .await;
    assert_eq!(answer.body["ret_code"], "206020");
    assert_eq!(answer.body["ret_msg"], "Unknown card encryption key");
    // The same ciphertexts for a new order: replay.
    assert_eq!(
        s.call(paykka_api::paths::INITIATE, &s.order("R1", good.clone()))
            .await
            .body["data"]["status"],
        "SUCCESS"
    );
    let replay = s
        .call(paykka_api::paths::INITIATE, &s.order("R2", good))
        .await;
    assert_eq!(replay.body["ret_code"], "206020");
    assert_eq!(replay.body["ret_msg"], "Card encryption info already used");
    assert_eq!(
        s.count("SELECT COUNT(*) FROM payments").await,
        1,
        "nothing charged for refusals"
    );
}

#[tokio::test]
async fn amounts_currencies_methods_and_plain_cards() {
    let s = sandbox();
    let card = s.card("4242424242424242", "123", now_ms());
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
    let plain = json!({"payment_method": "BANKCARD", "card_no": "4242424242424242", "exp_month": "12", "exp_year": next_year(), "cvv": "123"});
    let refused = s
        .call(paykka_api::paths::INITIATE, &s.order("C4", plain))
        .await;
    assert_eq!(
        (refused.status, refused.body["ret_code"].as_str()),
        (StatusCode::FORBIDDEN, Some("206017"))
    );
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
    let mut manual = s.order("M1", s.card("4242424242424242", "123", now_ms()));
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

    let mut manual = s.order("M2", s.card("5555555555554444", "123", now_ms()));
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
    assert_eq!(data["status"], "SUCCESS");
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
    let last = s.call(paykka_api::paths::REFUND, &by_trans_id).await;
    assert_eq!(last.body["data"]["status"], "SUCCESS", "{}", last.body);
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
            &json!({"merchant_id": MERCHANT_ID, "trans_id": "M1"}),
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
                    "payment": s.card_in(Some(&sid), "4242424242424242", "123", now_ms())}),
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
    let mut order = s.order("W1", s.card("4242424242424242", "123", now_ms()));
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

/// The frames-load answer for a client key, as a page on `SHOP` gets it.
async fn frames_key(s: &Sandbox, client_key: &str) -> Value {
    let request = Request::post("/v3/frames/load")
        .header("content-type", "application/json")
        .header("origin", SHOP)
        .body(Body::from(json!({"client_key": client_key}).to_string()))
        .unwrap();
    s.send(request, "/v3/frames/load").await.body["data"].clone()
}

#[tokio::test]
async fn ciphertexts_are_bound_to_their_merchant() {
    let s = sandbox();
    let (a, b) = (
        frames_key(&s, "ck_test").await,
        frames_key(&s, "ck_test_2").await,
    );
    assert!(a["kid"].is_string() && b["kid"].is_string());
    assert_ne!(a["kid"], b["kid"], "each client key has its own card key");
    assert_ne!(a["public_key"]["n"], b["public_key"]["n"]);

    // Merchant A's ciphertext, taken and spent through merchant B's account.
    let mut order = s.order("STOLEN1", s.card("4242424242424242", "123", now_ms()));
    order["merchant_id"] = json!(MERCHANT_2);
    let stolen = s
        .call_as(APP_ID_2, paykka_api::paths::INITIATE, &order)
        .await;
    assert_eq!(
        (stolen.status, stolen.body["ret_code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("206020"))
    );
    assert_eq!(s.count("SELECT COUNT(*) FROM payments").await, 0);
    assert_eq!(
        s.count("SELECT COUNT(*) FROM card_nonces").await,
        0,
        "a refused ciphertext burns no nonce of the real payment"
    );
    // The real payment still goes through.
    let real = s
        .call(
            paykka_api::paths::INITIATE,
            &s.order("REAL1", order["payment"].clone()),
        )
        .await;
    assert_eq!(real.body["data"]["status"], "SUCCESS");
}

#[tokio::test]
async fn a_session_is_paid_once_in_time_with_its_own_amount_and_ciphertexts() {
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

    let unbound = pay(in_session(
        "P1",
        s.card("4242424242424242", "123", now_ms()),
    ))
    .await;
    assert_eq!(
        code(&unbound),
        "206020",
        "a ciphertext without sid cannot pay a session"
    );
    let elsewhere = s.card_in(Some(&other_sid), "4242424242424242", "123", now_ms());
    assert_eq!(
        code(&pay(in_session("P2", elsewhere)).await),
        "206020",
        "another session's sid"
    );
    let bound = s.card_in(Some(&sid), "4242424242424242", "123", now_ms());
    assert_eq!(
        code(&pay(s.order("P3", bound.clone())).await),
        "206020",
        "a session's ciphertext cannot pay outside it"
    );
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
    let again = s.card_in(Some(&sid), "5555555555554444", "123", now_ms());
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
    let late = s.card_in(Some(&other_sid), "4242424242424242", "123", now_ms());
    let mut body = in_session("P9", late);
    body["session_id"] = json!(other_sid);
    assert_eq!(code(&pay(body).await), "SB0001");
    assert_eq!(
        s.count("SELECT COUNT(*) FROM payments WHERE session_id IS NOT NULL")
            .await,
        1
    );
}

/// A JWE built by hand (RSA-OAEP-256 + A256GCM) with the given protected header, so that
/// header members our encoder never writes can be tried.
fn hand_made_jwe(s: &Sandbox, extra_header: Value, field: FieldName, value: &str) -> String {
    use aes_gcm::aead::AeadInOut;
    use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
    let card_key = &s.gateway.clients[0].card_key;
    let mut header = json!({
        "alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": card_key.kid, "cty": "paykka-field+json;v=1",
    });
    for (k, v) in extra_header.as_object().unwrap() {
        header[k] = v.clone();
    }
    let header_b64 = Base64UrlUnpadded::encode_string(header.to_string().as_bytes());
    let generated = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let payload = json!({
        "field": field.as_str(), "value": value, "generationtime": generated,
        "nonce": signing::new_nonce(),
    })
    .to_string();
    let mut cek = [0u8; 32];
    let mut iv = [0u8; 12];
    rand::fill(&mut cek);
    rand::fill(&mut iv);
    let public = PublicKey::from(&card_key.private);
    let wrapped = public
        .encrypt(&mut rand::rng(), rsa::Oaep::<sha2::Sha256>::new(), &cek)
        .unwrap();
    let mut buffer = payload.into_bytes();
    let tag = Aes256Gcm::new_from_slice(&cek)
        .unwrap()
        .encrypt_inout_detached(
            &Nonce::from(iv),
            header_b64.as_bytes(),
            buffer.as_mut_slice().into(),
        )
        .unwrap();
    [
        header_b64,
        Base64UrlUnpadded::encode_string(&wrapped),
        Base64UrlUnpadded::encode_string(&iv),
        Base64UrlUnpadded::encode_string(&buffer),
        Base64UrlUnpadded::encode_string(&tag),
    ]
    .join(".")
}

#[tokio::test]
async fn jwe_headers_with_critical_extensions_are_refused() {
    let s = sandbox();
    let card_with = |extra: Value| {
        let mut card = s.card("4242424242424242", "123", now_ms());
        card["encrypted_card_no"] = json!(hand_made_jwe(
            &s,
            extra,
            FieldName::Number,
            "4242424242424242"
        ));
        card
    };
    // The hand-made JWE is sound: without extensions it pays.
    let plain = s
        .call(
            paykka_api::paths::INITIATE,
            &s.order("H0", card_with(json!({}))),
        )
        .await;
    assert_eq!(plain.body["data"]["status"], "SUCCESS", "{}", plain.body);
    for (i, extra) in [
        json!({"crit": ["exp"], "exp": 1}),
        json!({"crit": []}),
        json!({"zip": "DEF"}),
    ]
    .into_iter()
    .enumerate()
    {
        let answer = s
            .call(
                paykka_api::paths::INITIATE,
                &s.order(&format!("H{}", i + 1), card_with(extra.clone())),
            )
            .await;
        assert_eq!(answer.body["ret_code"], "206020", "{extra}");
    }
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
        let mut order = s.order(
            &format!("U{i}"),
            s.card("4242424242424242", "123", now_ms()),
        );
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
    let root = paykka_www::apple_pay_signature::TrustRoot::from_pem(&pki.root_pem).unwrap();
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
    let other_key = paykka_www::apple_pay_token::ProcessingKey::from_secret(
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
    assert_eq!(
        s.call(paykka_api::paths::INITIATE, &s.order("P1", plain.clone()))
            .await
            .body["ret_code"],
        "206017"
    );
    let mut pci_order = s.order("P2", plain);
    pci_order["merchant_id"] = json!(MERCHANT_2);
    let pci = s
        .call_as(APP_ID_2, paykka_api::paths::INITIATE, &pci_order)
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
        data["allowed_payment_methods"],
        json!(["BANKCARD", "ALIPAY"])
    );
    assert_eq!(data["status"], "OPEN");
}

/// A call from a shopper's page: JSON with an `Origin` header, no signature.
async fn page_call(s: &Sandbox, path: &'static str, origin: &str, body: Value) -> Answer {
    let request = Request::post(path)
        .header("content-type", "application/json")
        .header("origin", origin)
        .body(Body::from(body.to_string()))
        .unwrap();
    s.send(request, path).await
}

#[tokio::test]
async fn the_checkout_api_pays_a_session_from_its_page_once() {
    use gateway::checkout_api::{PAY, SESSION};
    let s = sandbox();
    let created = s
        .call(
            paykka_api::paths::SESSION_CREATE,
            &json!({"merchant_id": MERCHANT_ID, "payment_type": "PURCHASE", "trans_id": "CO1", "currency": "USD", "amount": 300,
                    "allowed_payment_methods": ["BANKCARD", "GOOGLE_PAY"], "display_merchant_name": "Coffee",
                    "goods": [{"name": "Beans", "price": 300, "quantity": 1}], "notify_url": "http://shop.example/hook",
                    "return_url": "http://shop.example/return"}),
        )
        .await;
    let sid = created.body["data"]["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ask = json!({"client_key": "ck_test", "session_id": sid});
    let details = page_call(&s, SESSION, SHOP, ask.clone()).await;
    let data = &details.body["data"];
    assert_eq!(
        (data["amount"].as_i64(), data["currency"].as_str()),
        (Some(300), Some("USD"))
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
    assert!(
        !details.body.to_string().contains("shop.example/hook"),
        "nothing the page need not know"
    );

    let elsewhere = page_call(&s, SESSION, "http://evil.example", ask.clone()).await;
    assert_eq!(
        (elsewhere.status, elsewhere.body["ret_code"].as_str()),
        (StatusCode::FORBIDDEN, Some("ORIGIN_NOT_ALLOWED"))
    );
    let unknown = page_call(
        &s,
        SESSION,
        SHOP,
        json!({"client_key": "ck_nope", "session_id": sid}),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    let by_trans_id = page_call(
        &s,
        SESSION,
        SHOP,
        json!({"client_key": "ck_test", "session_id": "CO1"}),
    )
    .await;
    assert_eq!(
        by_trans_id.body["ret_code"], "206011",
        "a session id, not a trans_id"
    );
    let other_merchant = page_call(
        &s,
        SESSION,
        SHOP,
        json!({"client_key": "ck_test_2", "session_id": sid}),
    )
    .await;
    assert_eq!(other_merchant.body["ret_code"], "206011");

    let pay = |payment: Value| {
        let s = &s;
        let sid = sid.clone();
        async move {
            page_call(s, PAY, SHOP, json!({"client_key": "ck_test", "session_id": sid, "payment": payment, "amount": 1})).await
        }
    };
    let unbound = pay(s.card("4242424242424242", "123", now_ms())).await;
    assert_eq!(
        unbound.body["ret_code"], "206020",
        "a ciphertext made outside the session: {}",
        unbound.body
    );
    let wallet = pay(json!({"payment_method": "APPLE_PAY", "token_data": "{}"})).await;
    assert_eq!(
        wallet.body["ret_code"], "210001",
        "not a method of this session"
    );
    let declined = pay(s.card_in(Some(&sid), "4000000000000002", "123", now_ms())).await;
    assert_eq!(declined.body["data"]["payment"]["status"], "FAILURE");
    assert_eq!(declined.body["data"]["payment"]["error_code"], "3001");
    assert_eq!(
        declined.body["data"]["status"], "OPEN",
        "a decline leaves the session open"
    );
    let paid = pay(s.card_in(Some(&sid), "4242424242424242", "123", now_ms())).await;
    assert_eq!(paid.body["data"]["status"], "SUCCESS", "{}", paid.body);
    assert_eq!(paid.body["data"]["payment"]["card"]["last4"], "4242");
    let again = pay(s.card_in(Some(&sid), "5555555555554444", "123", now_ms())).await;
    assert_eq!(
        (again.status, again.body["ret_code"].as_str()),
        (StatusCode::CONFLICT, Some("SB0002"))
    );
    assert_eq!(
        s.count("SELECT COUNT(*) FROM payments WHERE status = 'SUCCESS' AND amount = 300")
            .await,
        1
    );
    assert_eq!(
        s.count("SELECT COUNT(*) FROM payments WHERE trans_id IN ('CO1-1', 'CO1-2')")
            .await,
        2
    );

    let late = s
        .call(paykka_api::paths::SESSION_CREATE, &json!({"merchant_id": MERCHANT_ID, "payment_type": "PURCHASE", "trans_id": "CO2", "currency": "USD", "amount": 300, "return_url": "http://shop.example/return"}))
        .await;
    let late_sid = late.body["data"]["session_id"].as_str().unwrap().to_owned();
    let db_sid = late_sid.clone();
    s.gateway
        .db
        .call(move |c| {
            c.execute(
                "UPDATE sessions SET expires_at = 1 WHERE session_id = ?1",
                [db_sid],
            )
        })
        .await
        .unwrap();
    let expired = page_call(
        &s,
        SESSION,
        SHOP,
        json!({"client_key": "ck_test", "session_id": late_sid}),
    )
    .await;
    assert_eq!(expired.body["data"]["status"], "EXPIRED");
    let refused = page_call(&s, PAY, SHOP, json!({"client_key": "ck_test", "session_id": late_sid, "payment": s.card_in(Some(&late_sid), "4242424242424242", "123", now_ms())})).await;
    assert_eq!(refused.body["ret_code"], "SB0001");
}

/// The same from a shopper at `ip` (as the server's connect info names it).
async fn page_call_from(s: &Sandbox, path: &'static str, ip: [u8; 4], body: Value) -> Answer {
    let mut request = Request::post(path)
        .header("content-type", "application/json")
        .header("origin", SHOP)
        .body(Body::from(body.to_string()))
        .unwrap();
    let peer = std::net::SocketAddr::from((ip, 40000));
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
    s.send(request, path).await
}

async fn open_session(s: &Sandbox, trans_id: &str, methods: Value) -> String {
    let created = s
        .call(
            paykka_api::paths::SESSION_CREATE,
            &json!({"merchant_id": MERCHANT_ID, "payment_type": "PURCHASE", "trans_id": trans_id, "currency": "USD", "amount": 300,
                    "allowed_payment_methods": methods, "display_merchant_name": "Coffee",
                    "notify_url": "http://shop.example/hook", "return_url": "http://shop.example/return"}),
        )
        .await;
    created.body["data"]["session_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn card_testing_is_limited_per_session_and_per_address() {
    use gateway::checkout_api::{MAX_FAILED_ATTEMPTS, MAX_FAILURES_PER_IP, PAY, SESSION};
    let s = sandbox();
    let declined_card = |sid: &str| s.card_in(Some(sid), "4000000000000002", "123", now_ms());
    let pay = |sid: &str, ip: [u8; 4], payment: Value| {
        page_call_from(
            &s,
            PAY,
            ip,
            json!({"client_key": "ck_test", "session_id": sid, "payment": payment}),
        )
    };
    let shopper = [192, 0, 2, 1];
    let first = open_session(&s, "CT1", json!(["BANKCARD"])).await;
    for attempt in 1..=MAX_FAILED_ATTEMPTS {
        let answer = pay(&first, shopper, declined_card(&first)).await;
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
    let locked = pay(
        &first,
        shopper,
        s.card_in(Some(&first), "4242424242424242", "123", now_ms()),
    )
    .await;
    assert_eq!(
        (locked.status, locked.body["ret_code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("SB0008")),
        "{}",
        locked.body
    );
    let view = page_call(
        &s,
        SESSION,
        SHOP,
        json!({"client_key": "ck_test", "session_id": first}),
    )
    .await;
    assert_eq!(
        (
            view.body["data"]["status"].as_str(),
            view.body["data"]["attempts_left"].as_i64()
        ),
        (Some("LOCKED"), Some(0))
    );

    // One address's failures count over all sessions, refused or declined alike.
    let second = open_session(&s, "CT2", json!(["BANKCARD"])).await;
    let spent = MAX_FAILURES_PER_IP - MAX_FAILED_ATTEMPTS;
    for i in 0..spent {
        let payment = if i % 2 == 0 {
            declined_card(&second)
        } else {
            // A ciphertext for another session: refused, and a failure all the same.
            s.card_in(Some(&first), "4242424242424242", "123", now_ms())
        };
        let answer = pay(&second, shopper, payment).await;
        assert!(
            answer.body["ret_code"] != "SB0009",
            "attempt {i}: {}",
            answer.body
        );
    }
    let third = open_session(&s, "CT3", json!(["BANKCARD"])).await;
    let limited = pay(
        &third,
        shopper,
        s.card_in(Some(&third), "4242424242424242", "123", now_ms()),
    )
    .await;
    assert_eq!(
        (limited.status, limited.body["ret_code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("SB0009")),
        "{}",
        limited.body
    );
    let someone_else = pay(
        &third,
        [192, 0, 2, 2],
        s.card_in(Some(&third), "4242424242424242", "123", now_ms()),
    )
    .await;
    assert_eq!(
        someone_else.body["data"]["status"], "SUCCESS",
        "{}",
        someone_else.body
    );
    assert_eq!(
        s.count("SELECT COUNT(*) FROM payments WHERE status = 'SUCCESS'")
            .await,
        1
    );
}

#[tokio::test]
async fn the_checkout_api_validates_apple_pay_merchants_for_the_pages_own_domain() {
    use gateway::checkout_api::APPLE_PAY_SESSION;
    let s = sandbox();
    let sid = open_session(&s, "AV1", json!(["BANKCARD", "APPLE_PAY"])).await;
    let ask = json!({"client_key": "ck_test", "session_id": sid, "validation_url": "https://apple-pay-gateway.apple.com/paymentservices/startSession"});
    let answer = page_call(&s, APPLE_PAY_SESSION, SHOP, ask.clone()).await;
    let text = answer.body["data"]
        .as_str()
        .expect("PayKKa's ApplePay data string");
    let merchant_session: Value = serde_json::from_str(text).unwrap();
    assert_eq!(merchant_session["domainName"], "shop.example");
    assert_eq!(merchant_session["displayName"], "Coffee");
    assert_eq!(
        merchant_session["merchantIdentifier"],
        merchant_identifier(MERCHANT_ID)
    );
    let elsewhere = page_call(&s, APPLE_PAY_SESSION, "http://evil.example", ask).await;
    assert_eq!(elsewhere.body["ret_code"], "ORIGIN_NOT_ALLOWED");
    let card_only = open_session(&s, "AV2", json!(["BANKCARD"])).await;
    let refused = page_call(
        &s,
        APPLE_PAY_SESSION,
        SHOP,
        json!({"client_key": "ck_test", "session_id": card_only}),
    )
    .await;
    assert_eq!(refused.body["ret_code"], "210001");
    let garbage = page_call(
        &s,
        APPLE_PAY_SESSION,
        SHOP,
        json!({"client_key": "ck_test"}),
    )
    .await;
    assert_eq!(garbage.status, StatusCode::BAD_REQUEST);
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
