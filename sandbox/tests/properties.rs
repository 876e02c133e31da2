//! Property tests of the gateway's receivers: mutated and random JWEs get a typed card
//! error, never a panic; random or mutated signatures never verify; requests to every
//! endpoint — unsigned or badly signed, or signed with PayKKa's fields mutated one at a
//! time — get a typed PayKKa answer, never a 500, and a refused one changes nothing stored.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use paykka_api::apple_pay_token::{random_secret, ProcessingKey};
use paykka_api::jwe::{decrypt_field, CardError};
use paykka_api::keys::{self, KeyPair};
use paykka_api::signing::{self, now_ms};
use paykka_api::store::Db;
use paykka_sandbox::{self as gateway, Gateway, Merchant};
use paykka_web::crypto::{encrypt_field, EncryptionContext, EncryptionKey, FieldName};
use proptest::prelude::*;
use rsa::PublicKey;
use serde_json::{json, Value};
use tower::ServiceExt;

struct Fixture {
    card_key: KeyPair,
    merchant_key: KeyPair,
    good_jwe: String,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: std::sync::OnceLock<Fixture> = std::sync::OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let card_key = keys::load_or_create(&dir.path().join("card.pem")).unwrap();
        let merchant_key = keys::load_or_create(&dir.path().join("merchant.pem")).unwrap();
        let public = EncryptionKey::from_jwk(
            &serde_json::from_value(card_key.public_jwk()).unwrap(),
            None,
        )
        .unwrap();
        let good_jwe = encrypt_field(
            &public,
            FieldName::Number,
            "4242424242424242",
            &EncryptionContext {
                now_ms: now_ms(),
                session_id: None,
            },
            &mut rand::rng(),
        )
        .unwrap();
        Fixture {
            card_key,
            merchant_key,
            good_jwe,
        }
    })
}

#[derive(Clone, Debug)]
enum Mutation {
    /// Replace the character at this position with this one.
    Replace(usize, char),
    Remove(usize),
    Insert(usize, char),
    Truncate(usize),
    /// Swap two dot-separated parts.
    SwapParts(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let position = 0usize..1200;
    let c = prop_oneof![
        Just('.'),
        Just('A'),
        Just('_'),
        Just('='),
        Just('\u{e9}'),
        any::<char>()
    ];
    prop_oneof![
        (position.clone(), c.clone()).prop_map(|(p, c)| Mutation::Replace(p, c)),
        position.clone().prop_map(Mutation::Remove),
        (position.clone(), c).prop_map(|(p, c)| Mutation::Insert(p, c)),
        position.prop_map(Mutation::Truncate),
        (0usize..5, 0usize..5).prop_map(|(a, b)| Mutation::SwapParts(a, b)),
    ]
}

fn apply(jwe: &str, mutation: &Mutation) -> String {
    let mut chars: Vec<char> = jwe.chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    let at = |p: usize, len: usize| p % len.max(1);
    match mutation {
        Mutation::Replace(p, c) => {
            let i = at(*p, chars.len());
            chars[i] = *c;
        }
        Mutation::Remove(p) => {
            let i = at(*p, chars.len());
            chars.remove(i);
        }
        Mutation::Insert(p, c) => {
            let i = at(*p, chars.len() + 1);
            chars.insert(i, *c);
        }
        Mutation::Truncate(p) => chars.truncate(at(*p, chars.len())),
        Mutation::SwapParts(a, b) => {
            let mut parts: Vec<&str> = jwe.split('.').collect();
            let len = parts.len();
            parts.swap(a % len, b % len);
            return parts.join(".");
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_jwes_get_a_typed_error(mutations in prop::collection::vec(mutation(), 1..4)) {
        let f = fixture();
        let mut jwe = f.good_jwe.clone();
        for m in &mutations {
            jwe = apply(&jwe, m);
        }
        let result = decrypt_field([&f.card_key], FieldName::Number, &jwe, now_ms());
        if jwe != f.good_jwe {
            prop_assert!(
                matches!(result, Err(CardError::Decryption(_) | CardError::Expired)),
                "{:?} accepted after {:?}", result.map(|f| f.nonce), mutations
            );
        }
    }

    #[test]
    fn random_text_is_not_a_jwe(text in any::<String>(), parts in prop::collection::vec("[A-Za-z0-9_-]{0,400}", 0..7)) {
        let f = fixture();
        for candidate in [text, parts.join(".")] {
            let result = decrypt_field([&f.card_key], FieldName::Cvc, &candidate, now_ms());
            prop_assert!(matches!(result, Err(CardError::Decryption(_))));
        }
    }

    #[test]
    fn random_and_mutated_signatures_never_verify(
        message in prop::collection::vec(any::<u8>(), 0..200),
        header in any::<String>(),
        flip in 0usize..344,
    ) {
        let f = fixture();
        let public = PublicKey::from(&f.merchant_key.private);
        prop_assert!(!signing::verify(&public, &message, &header));
        let good = signing::sign(&f.merchant_key.private, &message);
        prop_assert!(signing::verify(&public, &message, &good));
        let mut bytes = good.into_bytes();
        let i = flip % bytes.len();
        bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
        let mutated = String::from_utf8(bytes).unwrap();
        prop_assert!(!signing::verify(&public, &message, &mutated));
    }
}

const APP_ID: &str = "100012345678901";
const MERCHANT_ID: &str = "10001234567890";

/// One sandbox for all cases (its state grows as cases succeed), a runtime to drive it, and
/// the `order_id`s of two payments made when it started: one AUTHORIZED (to capture or
/// void), one paid (to refund).
struct Sandbox {
    runtime: tokio::runtime::Runtime,
    state: gateway::State,
    authorized: String,
    paid: String,
    _dir: tempfile::TempDir,
}

fn sandbox() -> &'static std::sync::Mutex<Sandbox> {
    static SANDBOX: std::sync::OnceLock<std::sync::Mutex<Sandbox>> = std::sync::OnceLock::new();
    SANDBOX.get_or_init(|| {
        let f = fixture();
        let dir = tempfile::tempdir().unwrap();
        let state = Arc::new(Gateway {
            own_origin: "http://127.0.0.1:9".into(),
            db: Db::open(&dir.path().join("gateway.sqlite"), gateway::MIGRATIONS).unwrap(),
            platform_key: f.card_key.private.clone(),
            merchants: vec![Merchant {
                merchant_id: MERCHANT_ID.into(),
                app_id: APP_ID.into(),
                public_key: PublicKey::from(&f.merchant_key.private),
                pci: true,
                domains: vec!["https://shop.example".into()],
            }],
            http: reqwest::Client::new(),
            webhook_backoff_ms: 50,
            refund_settle_ms: 0,
            repeated_trans_id: paykka_api::guesses::RepeatedTransId::FirstPayment,
            apple_pay_key: ProcessingKey::from_secret(random_secret(), "merchant.sandbox.test"),
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let pay = |trans_id: &str, capture: &str| {
            let mut body = base_body(paykka_api::paths::INITIATE, "");
            body["trans_id"] = json!(trans_id);
            body["capture_method"] = json!(capture);
            let path = paykka_api::paths::INITIATE;
            let (_, answer) = runtime.block_on(send(&state, path, signed(path, &body.to_string())));
            answer["data"]["order_id"]
                .as_str()
                .expect("a seed payment")
                .to_owned()
        };
        let (authorized, paid) = (pay("P-AUTH", "MANUAL"), pay("P-PAID", "AUTOMATIC"));
        std::sync::Mutex::new(Sandbox {
            runtime,
            state,
            authorized,
            paid,
            _dir: dir,
        })
    })
}

/// A request PayKKa's documents describe for `path`, naming `order_id` where a payment is
/// named.
fn base_body(path: &str, order_id: &str) -> Value {
    use paykka_api::paths::*;
    let m = MERCHANT_ID;
    match path {
        INITIATE => {
            json!({"merchant_id": m, "payment_type": "PURCHASE", "trans_id": "P-1", "currency": "USD",
            "amount": 300, "return_url": "https://shop.example/r", "notify_url": "https://shop.example/n",
            "payment": {"payment_method": "BANKCARD", "card_no": "4242424242424242", "exp_month": "12",
                        "exp_year": "2031", "cvv": "123", "holder_name": "A B"}})
        }
        QUERY => json!({"merchant_id": m, "order_id": order_id}),
        CAPTURE => json!({"merchant_id": m, "order_id": order_id}),
        VOID => json!({"merchant_id": m, "order_id": order_id, "reason": "OTHER"}),
        REFUND => json!({"merchant_id": m, "refund_trans_id": "R-1", "ori_order_id": order_id,
            "refund_amount": 1, "currency": "USD", "reason": "OTHER"}),
        REFUND_QUERY => json!({"merchant_id": m, "refund_trans_id": "R-1"}),
        SESSION_CREATE => json!({"merchant_id": m, "payment_type": "PURCHASE", "trans_id": "S-1",
            "currency": "USD", "amount": "300", "return_url": "https://shop.example/r"}),
        SESSION_QUERY => json!({"merchant_id": m, "session_id": "CS1"}),
        _ => json!({"merchant_id": m, "domain_name": "shop.example", "display_name": "Shop"}),
    }
}

/// The signature headers of the test merchant for `body` at `path`.
fn signed(path: &str, body: &str) -> Vec<(&'static str, String)> {
    let f = fixture();
    let (timestamp, nonce) = (now_ms().to_string(), signing::new_nonce());
    let sign = signing::sign(
        &f.merchant_key.private,
        &signing::string_to_sign("POST", path, &timestamp, &nonce, body.as_bytes()),
    );
    vec![
        ("x-paykka-appid", APP_ID.into()),
        ("x-paykka-timestamp", timestamp),
        ("x-paykka-nonce", nonce),
        ("x-paykka-sign", sign),
        ("x-paykka-sign-alg", "SHA256_WITH_RSA".into()),
        ("body", body.to_owned()),
    ]
}

/// Posts to the sandbox; its status and JSON answer.
async fn send(
    state: &gateway::State,
    path: &str,
    headers: Vec<(&'static str, String)>,
) -> (StatusCode, Value) {
    let mut request = Request::post(path).header("content-type", "application/json");
    let mut body = String::new();
    for (name, value) in headers {
        if name == "body" {
            body = value;
        } else if axum::http::HeaderValue::from_str(&value).is_ok() {
            request = request.header(name, value);
        }
    }
    let response = gateway::app(Arc::clone(state))
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null),
    )
}

/// What a request may change: every payment, refund, session and queued notification.
async fn stored(state: &gateway::State) -> String {
    state.db.call(|c| c.query_row(
        "SELECT (SELECT COALESCE(group_concat(order_id || status || refunded_amount || COALESCE(finished_at, '')), '') FROM payments) \
         || '|' || (SELECT COALESCE(group_concat(refund_order_id || status), '') FROM refunds) \
         || '|' || (SELECT COUNT(*) FROM sessions) || '|' || (SELECT COUNT(*) FROM outbox) || '|' || (SELECT COUNT(*) FROM wallet_tokens)",
        [], |r| r.get(0))).await.unwrap()
}

fn every_path() -> impl Strategy<Value = &'static str> {
    use paykka_api::paths::*;
    prop::sample::select(vec![
        INITIATE,
        QUERY,
        CAPTURE,
        VOID,
        REFUND,
        REFUND_QUERY,
        SESSION_CREATE,
        SESSION_QUERY,
        APPLE_PAY_SESSION,
    ])
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        "[ -~]{0,40}".prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        Just(json!("4000000000003220")),
        Just(json!("-1")),
        Just(json!("")),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::hash_map("[a-z_]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// One change to a documented request: a member removed, set to any value, or added; or
/// the payment's own member changed.
#[derive(Clone, Debug)]
enum Change {
    Remove(usize),
    Set(usize, Value),
    Add(String, Value),
    SetPayment(usize, Value),
    Keep,
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        (0usize..16).prop_map(Change::Remove),
        (0usize..16, any_json()).prop_map(|(i, v)| Change::Set(i, v)),
        ("[a-z_]{1,16}", any_json()).prop_map(|(k, v)| Change::Add(k, v)),
        (0usize..8, any_json()).prop_map(|(i, v)| Change::SetPayment(i, v)),
        Just(Change::Keep),
    ]
}

fn apply_change(body: &mut Value, change: &Change) {
    let object = body.as_object_mut().unwrap();
    let key =
        |i: usize, o: &serde_json::Map<String, Value>| o.keys().nth(i % o.len().max(1)).cloned();
    match change {
        Change::Remove(i) => {
            if let Some(k) = key(*i, object) {
                object.remove(&k);
            }
        }
        Change::Set(i, v) => {
            if let Some(k) = key(*i, object) {
                object.insert(k, v.clone());
            }
        }
        Change::Add(k, v) => {
            object.insert(k.clone(), v.clone());
        }
        Change::SetPayment(i, v) => {
            if let Some(payment) = object.get_mut("payment").and_then(Value::as_object_mut) {
                if let Some(k) = key(*i, payment) {
                    payment.insert(k, v.clone());
                }
            }
        }
        Change::Keep => {}
    }
}

/// Whether an answer is one of PayKKa's (`000000`, its numeric codes) or the sandbox's own
/// (`SB` and four digits), with a message.
fn typed(answer: &Value) -> bool {
    let code = answer["ret_code"].as_str().unwrap_or_default();
    let numeric = (4..=6).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit());
    let own =
        code.len() == 6 && code.starts_with("SB") && code[2..].bytes().all(|b| b.is_ascii_digit());
    (numeric || own) && answer["ret_msg"].as_str().is_some_and(|m| !m.is_empty())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Signed requests to every endpoint with PayKKa's fields changed one at a time (twice,
    /// some cases): a typed answer, never a 500; a refusal leaves everything stored as it was.
    #[test]
    fn every_endpoint_answers_changed_requests_typed_and_a_refusal_commits_nothing(
        path in every_path(),
        first in change(),
        second in change(),
        same_ids in any::<bool>(),
        id in "[A-Z]-[0-9]{1,3}",
    ) {
        let sandbox = sandbox().lock().unwrap();
        let seed = if path == paykka_api::paths::REFUND { &sandbox.paid } else { &sandbox.authorized };
        let mut body = base_body(path, seed);
        if !same_ids {
            for member in ["trans_id", "refund_trans_id"] {
                if body.get(member).is_some() {
                    body[member] = json!(id);
                }
            }
        }
        apply_change(&mut body, &first);
        apply_change(&mut body, &second);
        let text = body.to_string();
        let (status, answer, before, after) = sandbox.runtime.block_on(async {
            let before = stored(&sandbox.state).await;
            let (status, answer) = send(&sandbox.state, path, signed(path, &text)).await;
            (status, answer, before, stored(&sandbox.state).await)
        });
        prop_assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{} {}", path, text);
        prop_assert!(typed(&answer), "{} {} → {} {}", path, text, status, answer);
        if answer["ret_code"] != "000000" {
            prop_assert_eq!(before, after, "refused, yet stored: {} {} → {}", path, text, answer);
        }
    }

    /// Requests no one signed, or signed wrong, or not JSON, to every endpoint: typed, never
    /// a 500, nothing stored.
    #[test]
    fn every_endpoint_answers_requests_no_one_chose_typed(
        body in prop_oneof![any::<String>(), Just("{\"merchant_id\":\"10001234567890\",\"trans_id\":\"x\"}".to_owned())],
        appid in prop_oneof![Just(APP_ID.to_owned()), "[0-9]{0,20}"],
        timestamp in prop_oneof![Just(None), any::<i64>().prop_map(|t| Some(t.to_string())), "[ -~]{0,20}".prop_map(Some)],
        nonce in "[ -~]{0,120}",
        sign_it in any::<bool>(),
        sign in any::<String>(),
        path in every_path(),
    ) {
        let sandbox = sandbox().lock().unwrap();
        let f = fixture();
        let timestamp = timestamp.unwrap_or_else(|| now_ms().to_string());
        let sign = if sign_it {
            signing::sign(&f.merchant_key.private, &signing::string_to_sign("POST", path, &timestamp, &nonce, body.as_bytes()))
        } else {
            sign
        };
        let headers = vec![("x-paykka-appid", appid), ("x-paykka-timestamp", timestamp), ("x-paykka-nonce", nonce), ("x-paykka-sign", sign), ("body", body)];
        let (status, answer, before, after) = sandbox.runtime.block_on(async {
            let before = stored(&sandbox.state).await;
            let (status, answer) = send(&sandbox.state, path, headers).await;
            (status, answer, before, stored(&sandbox.state).await)
        });
        prop_assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR);
        prop_assert!(typed(&answer), "{} {}", status, answer);
        if answer["ret_code"] != "000000" {
            prop_assert_eq!(before, after);
        }
    }

    /// The 3-D Secure challenge page and its form, with any token and any fields: a page or
    /// a redirect, never a 500, and an unknown token changes nothing.
    #[test]
    fn the_challenge_page_takes_any_token_and_form(
        token in "[ -~]{0,40}",
        form in "[ -~]{0,80}",
        post in any::<bool>(),
    ) {
        let sandbox = sandbox().lock().unwrap();
        let path = format!("/3ds/challenge/{}", urlencoding::encode(&token));
        let (status, before, after) = sandbox.runtime.block_on(async {
            let before = stored(&sandbox.state).await;
            let request = if post {
                Request::post(&path).header("content-type", "application/x-www-form-urlencoded").body(Body::from(form))
            } else {
                Request::get(&path).body(Body::empty())
            };
            let response = gateway::app(Arc::clone(&sandbox.state)).oneshot(request.unwrap()).await.unwrap();
            (response.status(), before, stored(&sandbox.state).await)
        });
        prop_assert!(status.is_success() || status.is_redirection() || status.is_client_error(), "{}", status);
        prop_assert_eq!(before, after);
    }
}
