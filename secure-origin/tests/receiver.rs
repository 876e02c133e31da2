//! The card ciphertexts the service opens, every kind of bad one refused before PayKKa is
//! called: tampered, swapped between fields, out of their time window, garbage, missing,
//! another key's, replayed, with critical JWE extensions or compression; and the card inside
//! checked (Luhn, security code); a merchant's ciphertext cannot be spent through another
//! merchant. Nothing refused reaches PayKKa.

mod common;

use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::http::Request;
use axum::http::StatusCode;
use base64ct::{Base64UrlUnpadded, Encoding};
use common::{
    encrypted, encrypted_at, signed_headers_as, Harness, APP_ID_B, CLIENT_KEY, CLIENT_KEY_B,
    MERCHANT_B, MERCHANT_ID, SHOP,
};
use paykka_api::keys;
use paykka_api::paths::INITIATE;
use paykka_api::signing::{self, now_ms};
use paykka_web::crypto::{encrypt_field, EncryptionContext, EncryptionKey, FieldName};
use rsa::PublicKey;
use serde_json::{json, Value};

#[tokio::test]
async fn bad_ciphertexts_are_refused_before_paykka_is_called() {
    let h = Harness::start().await;
    let key = h.card_key().await;
    let now = now_ms();
    let good = encrypted(&key, "4242424242424242", "123");
    let with = |member: &str, value: Value| {
        let mut card = good.clone();
        card[member] = value;
        card
    };
    let number = good["encrypted_card_no"].as_str().unwrap();
    let mut parts: Vec<String> = number.split('.').map(str::to_owned).collect();
    let mut bytes = Base64UrlUnpadded::decode_vec(&parts[3]).unwrap();
    bytes[0] ^= 0x01;
    parts[3] = Base64UrlUnpadded::encode_string(&bytes);
    let tampered = parts.join(".");
    let other = keys::load_or_create(&h.dir.path().join("other.pem")).unwrap();
    let other_key =
        EncryptionKey::from_jwk(&serde_json::from_value(other.public_jwk()).unwrap(), None)
            .unwrap();
    let context = EncryptionContext {
        now_ms: now,
        session_id: None,
    };
    let foreign = encrypt_field(
        &other_key,
        FieldName::Cvc,
        "123",
        &context,
        &mut rand::rng(),
    )
    .unwrap();
    let at = |number: &str, cvc: &str, when: i64| encrypted_at(&key, None, number, cvc, when);
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
            at("4242424242424242", "123", now - 20 * 60 * 1000),
            "206021",
        ),
        (
            "from the future",
            at("4242424242424242", "123", now + 10 * 60 * 1000),
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
        (
            "another key",
            with("encrypted_cvv", json!(foreign)),
            "206020",
        ),
        ("bad luhn", at("4242424242424241", "123", now), "010000"),
        ("bad cvc", at("4242424242424242", "1234", now), "010000"),
    ];
    for (i, (name, payment, code)) in cases.into_iter().enumerate() {
        let answer = h.forward(&h.initiate(&format!("B{i}"), payment)).await;
        assert_eq!(answer.body["ret_code"], code, "{name}: {}", answer.body);
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{name}");
        assert!(
            !answer.body.to_string().contains("4242424242424"),
            "{name}: no card number in a refusal"
        );
    }
    assert_eq!(
        h.initiates.load(Ordering::SeqCst),
        0,
        "nothing reached PayKKa"
    );
    // The good card still pays; the same ciphertexts under another trans_id are a replay.
    let paid = h.forward(&h.initiate("R1", good.clone())).await;
    assert_eq!(paid.body["data"]["status"], "SUCCESS", "{}", paid.body);
    let replay = h.forward(&h.initiate("R2", good)).await;
    assert_eq!(replay.body["ret_code"], "206020");
    assert_eq!(replay.body["ret_msg"], "Card encryption info already used");
    assert_eq!(h.initiates.load(Ordering::SeqCst), 1);
    // Each refusal is counted by its reason; the metrics name no card and no payment.
    let metrics = common::metrics_of(&h.service).await;
    for line in [
        "secure_origin_decrypt_failures_total{reason=\"undecryptable\"} 4",
        "secure_origin_decrypt_failures_total{reason=\"expired\"} 2",
        "secure_origin_decrypt_failures_total{reason=\"invalid_card\"} 2",
        "secure_origin_decrypt_failures_total{reason=\"replayed\"} 1",
        "secure_origin_forwards_total{outcome=\"answered\"} 1",
        "secure_origin_paykka_seconds_count{status=\"200\"} 1",
        "secure_origin_requests_total{route=\"/v3/payment/acq\",status=\"400\"} 10",
    ] {
        assert!(metrics.contains(line), "{line} in:\n{metrics}");
    }
    for secret in ["4242", "R1", "R2", "B0"] {
        assert!(!metrics.contains(secret), "{secret} in the metrics");
    }
}

/// A JWE made by hand for the merchant's current key, with `extra` header members.
async fn hand_made_jwe(h: &Harness, extra: Value, field: FieldName, value: &str) -> String {
    use aes_gcm::aead::AeadInOut;
    use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
    let stored = h.service.keyring.current(MERCHANT_ID).await.unwrap();
    let public = PublicKey::from(&h.service.keyring.open(&stored).unwrap().private);
    let mut header = json!({
        "alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": stored.kid, "cty": "paykka-field+json;v=1",
    });
    for (k, v) in extra.as_object().unwrap() {
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
    let h = Harness::start().await;
    let key = h.card_key().await;
    let card_with = |number: String| {
        let mut card = encrypted(&key, "4242424242424242", "123");
        card["encrypted_card_no"] = json!(number);
        card
    };
    // The hand-made JWE is sound: without extensions it pays.
    let sound = hand_made_jwe(&h, json!({}), FieldName::Number, "4242424242424242").await;
    let paid = h.forward(&h.initiate("H0", card_with(sound))).await;
    assert_eq!(paid.body["data"]["status"], "SUCCESS", "{}", paid.body);
    for (i, extra) in [
        json!({"crit": ["exp"], "exp": 1}),
        json!({"crit": []}),
        json!({"zip": "DEF"}),
    ]
    .into_iter()
    .enumerate()
    {
        let jwe = hand_made_jwe(&h, extra.clone(), FieldName::Number, "4242424242424242").await;
        let answer = h
            .forward(&h.initiate(&format!("H{}", i + 1), card_with(jwe)))
            .await;
        assert_eq!(answer.body["ret_code"], "206020", "{extra}");
    }
    assert_eq!(h.initiates.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn ciphertexts_are_bound_to_their_merchant() {
    let h = Harness::start().await;
    let load = |client_key: &str| {
        let request = Request::post("/v3/frames/load")
            .header("origin", SHOP)
            .header("content-type", "application/json")
            .body(Body::from(json!({"client_key": client_key}).to_string()))
            .unwrap();
        h.send(request)
    };
    let (a, b) = (load(CLIENT_KEY).await.body, load(CLIENT_KEY_B).await.body);
    assert!(a["data"]["kid"].is_string() && b["data"]["kid"].is_string());
    assert_ne!(
        a["data"]["kid"], b["data"]["kid"],
        "each merchant has its own card key"
    );
    assert_ne!(a["data"]["public_key"]["n"], b["data"]["public_key"]["n"]);

    // Merchant A's ciphertext, taken and spent through merchant B's account.
    let card = encrypted(&h.card_key().await, "4242424242424242", "123");
    let mut stolen = json!({
        "merchant_id": MERCHANT_B, "trans_id": "STOLEN1", "payment_type": "PURCHASE",
        "amount": 300, "currency": "USD", "return_url": "https://shop.example/return",
        "payment": card,
    });
    let bytes = serde_json::to_vec(&stolen).unwrap();
    let mut request = Request::post(INITIATE);
    for (name, value) in
        signed_headers_as(APP_ID_B, &bytes, &h.shop_key.private, &signing::new_nonce())
    {
        request = request.header(name, value);
    }
    let answer = h.send(request.body(Body::from(bytes)).unwrap()).await;
    assert_eq!(
        (answer.status, answer.body["ret_code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("206020")),
        "{}",
        answer.body
    );
    assert_eq!(h.initiates.load(Ordering::SeqCst), 0);
    // Nothing of the real payment was spent: it still goes through for merchant A.
    stolen["merchant_id"] = json!(MERCHANT_ID);
    let real = h
        .forward(&h.initiate("REAL1", stolen["payment"].clone()))
        .await;
    assert_eq!(real.body["data"]["status"], "SUCCESS", "{}", real.body);
}
