//! The secure-origin service over HTTP, with the real sandbox on a loopback port playing
//! PayKKa (the demo merchant registered as PCI-assessed, so it takes raw-card requests):
//! frames and keys per merchant, forwarding once per `trans_id`, replays and tampering
//! refused, rotation with a grace window, keys sealed at rest, unknown outcomes never
//! resent.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64ct::{Base64, Encoding};
use common::{config, encrypted, Harness, CLIENT_KEY, MERCHANT_ID, SHOP};
use paykka_api::keys;
use paykka_api::paths::INITIATE;
use paykka_api::signing;
use paykka_secure_origin::{app, start};
use serde_json::{json, Value};
use sha2::{Digest, Sha384};
use tower::ServiceExt;

#[tokio::test]
async fn a_forwarded_card_pays_once_and_a_retry_gets_the_first_answer_byte_for_byte() {
    let h = Harness::start().await;
    let key = h.card_key().await;
    let bytes = h.initiate("T1", encrypted(&key, "4242424242424242", "737"));
    let first = h.forward(&bytes).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["data"]["status"], "SUCCESS");
    assert_eq!(first.body["data"]["card_info"]["last4"], "4242");
    assert!(h.signed_by_paykka(&first), "PayKKa's answer, unchanged");

    // The same request again (a new signature, the same body): the first answer, unsent.
    let again = h.forward(&bytes).await;
    assert_eq!(again.bytes, first.bytes);
    assert_eq!(h.initiates.load(Ordering::SeqCst), 1);

    // The same trans_id with another body: refused; the same ciphertexts under another
    // trans_id: a replay.
    let other = h.initiate("T1", encrypted(&key, "4242424242424242", "737"));
    let mismatch = h.forward(&other).await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(mismatch.body["ret_code"], "SO0002");
    let stolen = h.forward(&h.initiate("T2", encrypted_from(&bytes))).await;
    assert_eq!(stolen.body["ret_code"], "206020", "{}", stolen.body);
    assert_eq!(h.initiates.load(Ordering::SeqCst), 1);
    let payments = h.sandbox_payments();
    assert_eq!(
        payments,
        [("T1".into(), "SUCCESS".into(), Some("4242".into()))]
    );
}

/// The `payment` of a request already sent.
fn encrypted_from(bytes: &[u8]) -> Value {
    serde_json::from_slice::<Value>(bytes).unwrap()["payment"].clone()
}

#[tokio::test]
async fn concurrent_retries_of_one_trans_id_reach_paykka_once() {
    let h = Arc::new(Harness::start().await);
    let key = h.card_key().await;
    let bytes = Arc::new(h.initiate("T-RACE", encrypted(&key, "4242424242424242", "737")));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (h, bytes) = (Arc::clone(&h), Arc::clone(&bytes));
            tokio::spawn(async move { h.forward(&bytes).await })
        })
        .collect();
    // Each retry that came while the first was with PayKKa waited for its answer.
    let mut answers = Vec::new();
    for task in tasks {
        let answer = task.await.unwrap();
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        answers.push(answer.bytes);
    }
    assert!(
        answers.iter().all(|a| *a == answers[0]),
        "one answer, byte for byte"
    );
    assert_eq!(h.initiates.load(Ordering::SeqCst), 1);
    assert_eq!(h.sandbox_payments().len(), 1);
}

#[tokio::test]
async fn the_shop_must_sign_and_never_send_card_data_in_the_clear() {
    let h = Harness::start().await;
    let key = h.card_key().await;
    let bytes = h.initiate("T3", encrypted(&key, "4242424242424242", "737"));

    let unsigned = Request::post(INITIATE)
        .body(Body::from(bytes.clone()))
        .unwrap();
    assert_eq!(h.send(unsigned).await.body["ret_code"], "206002");
    let stranger = keys::load_or_create(&h.dir.path().join("stranger.pem")).unwrap();
    let forged = h
        .send(h.signed(&bytes, &stranger, &signing::new_nonce()))
        .await;
    assert_eq!(forged.body["ret_code"], "206003");
    let nonce = signing::new_nonce();
    assert_eq!(
        h.send(h.signed(&bytes, &h.shop_key, &nonce)).await.status,
        StatusCode::OK
    );
    let replayed = h.send(h.signed(&bytes, &h.shop_key, &nonce)).await;
    assert_eq!(replayed.body["ret_code"], "SO0006");

    let plain = h.initiate(
        "T4",
        json!({"payment_method": "BANKCARD", "card_no": "4242424242424242", "exp_month": "12",
               "exp_year": "2040", "cvv": "737"}),
    );
    let refused = h.forward(&plain).await;
    assert_eq!(refused.body["ret_code"], "SO0005");
    assert!(!refused.bytes.windows(4).any(|w| w == b"4242"));

    let mut other = serde_json::from_slice::<Value>(
        &h.initiate("T5", encrypted(&key, "4242424242424242", "737")),
    )
    .unwrap();
    other["merchant_id"] = json!("99999999999999");
    let refused = h.forward(&serde_json::to_vec(&other).unwrap()).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);

    // A field in another slot, a tampered ciphertext, an invalid card: typed refusals, and
    // the service's own answers are signed with its answer key (the shop trusts them so).
    let mut swapped = encrypted(&key, "4242424242424242", "737");
    swapped["encrypted_cvv"] = swapped["encrypted_exp_month"].clone();
    assert_eq!(
        h.forward(&h.initiate("T6", swapped)).await.body["ret_code"],
        "206020"
    );
    let mut tampered = encrypted(&key, "4242424242424242", "737");
    // One character of the ciphertext part changed (a whole six bits: GCM must refuse).
    let mut parts: Vec<String> = tampered["encrypted_cvv"]
        .as_str()
        .unwrap()
        .split('.')
        .map(str::to_owned)
        .collect();
    let first = if parts[3].starts_with('A') { "B" } else { "A" };
    parts[3].replace_range(0..1, first);
    tampered["encrypted_cvv"] = json!(parts.join("."));
    assert_eq!(
        h.forward(&h.initiate("T7", tampered)).await.body["ret_code"],
        "206020"
    );
    let invalid = h
        .forward(&h.initiate("T8", encrypted(&key, "4242424242424241", "737")))
        .await;
    assert_eq!(invalid.body["ret_code"], "010000");
    assert!(!invalid.bytes.windows(16).any(|w| w == b"4242424242424241"));
    assert_eq!(h.initiates.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn frames_are_framed_only_by_their_merchants_origins_and_pinned_by_integrity() {
    let h = Harness::start().await;
    let page = h
        .send(
            Request::get(format!("/frames/{CLIENT_KEY}/field.html"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let policy = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        policy.ends_with(&format!("frame-ancestors {SHOP}")),
        "{policy}"
    );
    let html = String::from_utf8(page.bytes.to_vec()).unwrap();
    for (file, dir) in [
        ("paykka_web_frame.js", "pkg"),
        ("paykka_web_frame_bg.wasm", "pkg"),
        ("frame.js", "frames"),
    ] {
        let bytes = std::fs::read(h.dir.path().join(dir).join(file)).unwrap();
        let hash = format!("sha384-{}", Base64::encode_string(&Sha384::digest(&bytes)));
        assert!(html.contains(&hash), "{file} pinned: {html}");
    }
    let unknown = h
        .send(
            Request::get("/frames/ck_nobody/field.html")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let allowed = h.frames_load(SHOP).await;
    assert_eq!(allowed.headers["access-control-allow-origin"], SHOP);
    let refused = h.frames_load("https://evil.example").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.headers.get("access-control-allow-origin").is_none());
    let preflight = h
        .send(
            Request::options("/v3/frames/load")
                .header("origin", "https://evil.example")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(preflight
        .headers
        .get("access-control-allow-origin")
        .is_none());
}

#[tokio::test]
async fn a_rotated_key_opens_old_ciphertexts_for_the_grace_window_only() {
    // Sixty minutes of grace: a card encrypted before the rotation still pays.
    let h = Harness::start().await;
    let old = h.card_key().await;
    let before = encrypted(&old, "4242424242424242", "737");
    let kid = h.service.keyring.rotate(MERCHANT_ID).await.unwrap();
    let new = h.card_key().await;
    assert_eq!(new.kid(), kid);
    assert_ne!(
        new.kid(),
        old.kid(),
        "frames load publishes only the new key"
    );
    let paid = h.forward(&h.initiate("R1", before)).await;
    assert_eq!(paid.body["data"]["status"], "SUCCESS", "{}", paid.body);
    let paid = h
        .forward(&h.initiate("R2", encrypted(&new, "4242424242424242", "737")))
        .await;
    assert_eq!(paid.body["data"]["status"], "SUCCESS");

    // No grace: the replaced key retires at once and is refused as such.
    let h = Harness::start_with(None, 0).await;
    let old = h.card_key().await;
    let before = encrypted(&old, "4242424242424242", "737");
    h.service.keyring.rotate(MERCHANT_ID).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let refused = h.forward(&h.initiate("R3", before)).await;
    assert_eq!(refused.body["ret_code"], "SO0004", "{}", refused.body);
    assert_eq!(h.initiates.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn keys_at_rest_are_sealed_and_a_wrong_master_key_is_not_ready() {
    let h = Harness::start().await;
    let key = h.card_key().await;
    let ready = h
        .send(Request::get("/readyz").body(Body::empty()).unwrap())
        .await;
    assert_eq!(ready.status, StatusCode::OK);
    let stored = h.service.storage.keys_of(MERCHANT_ID.into()).await.unwrap();
    let opened = h.service.keyring.open(&stored[0]).unwrap();
    assert_eq!(opened.kid, key.kid());
    let der = rsa::pkcs8::EncodePrivateKey::to_pkcs8_der(&opened.private).unwrap();
    let database = std::fs::read(h.dir.path().join("secure-origin.sqlite")).unwrap();
    let wal = std::fs::read(h.dir.path().join("secure-origin.sqlite-wal")).unwrap_or_default();
    for file in [&database, &wal] {
        assert!(
            !file.windows(64).any(|w| w == &der.as_bytes()[100..164]),
            "private key in the clear"
        );
        assert!(!file.windows(11).any(|w| w == b"PRIVATE KEY"));
    }

    // The same database under another master key: the keys do not open; not ready.
    std::fs::write(
        h.dir.path().join("master.key"),
        Base64::encode_string(&[9u8; 32]),
    )
    .unwrap();
    let mut config = config(h.dir.path(), "http://127.0.0.1:9", 60);
    config.master_key.create = false;
    let other = Arc::new(start::service(&config).await.unwrap());
    let response = app(other)
        .oneshot(Request::get("/readyz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn an_unknown_outcome_is_looked_up_and_never_sent_again() {
    // A PayKKa that takes the request and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let received = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&received);
    let silent = axum::Router::new().fallback(move |request: Request<Body>| {
        if request.uri().path() == INITIATE {
            counter.fetch_add(1, Ordering::SeqCst);
        }
        async {
            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            StatusCode::OK
        }
    });
    tokio::spawn(async move { axum::serve(listener, silent).await.unwrap() });
    let h = Harness::start_with(Some(&url), 60).await;
    let key = h.card_key().await;
    let bytes = h.initiate("U1", encrypted(&key, "4242424242424242", "737"));
    let first = h.forward(&bytes).await;
    assert_eq!(first.status, StatusCode::BAD_GATEWAY);
    assert_eq!(first.body["ret_code"], "SO0003");
    let again = h.forward(&bytes).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.body["ret_code"], "SO0003");
    assert_eq!(again.body["data"]["status"], "UNKNOWN");
    assert_eq!(received.load(Ordering::SeqCst), 1, "sent once");
}

#[tokio::test]
async fn a_paykka_that_cannot_be_reached_got_nothing_and_the_forward_may_be_tried_again() {
    let closed = format!("http://127.0.0.1:{}", {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    });
    let h = Harness::start_with(Some(&closed), 60).await;
    let key = h.card_key().await;
    let bytes = h.initiate("N1", encrypted(&key, "4242424242424242", "737"));
    for _ in 0..2 {
        // Not "in flight", not "unknown", not a replay: the claim and the nonces were undone.
        let answer = h.forward(&bytes).await;
        assert_eq!(
            answer.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{}",
            answer.body
        );
        assert_eq!(answer.body["ret_code"], "SO0007");
    }
}
