//! Property tests of the gateway's receivers: mutated and random JWEs get a typed card
//! error, never a panic; random or mutated signatures never verify; random signed-API
//! requests get a typed PayKKa answer, never a 500.

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
use serde_json::Value;
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
const KNOWN_CODES: [&str; 8] = [
    "000000", "010000", "206002", "206003", "206004", "206005", "206020", "206024",
];

fn gateway_state(dir: &std::path::Path) -> gateway::State {
    let f = fixture();
    Arc::new(Gateway {
        own_origin: "http://127.0.0.1:9".into(),
        db: Db::open(&dir.join("gateway.sqlite"), gateway::MIGRATIONS).unwrap(),
        platform_key: f.card_key.private.clone(),
        merchants: vec![Merchant {
            merchant_id: "10001234567890".into(),
            app_id: APP_ID.into(),
            public_key: PublicKey::from(&f.merchant_key.private),
            pci: false,
            domains: vec![],
        }],
        http: reqwest::Client::new(),
        webhook_backoff_ms: 50,
        refund_settle_ms: 0,
        repeated_trans_id: paykka_api::guesses::RepeatedTransId::FirstPayment,
        apple_pay_key: ProcessingKey::from_secret(random_secret(), "merchant.sandbox.test"),
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_api_requests_get_typed_answers(
        body in prop_oneof![any::<String>(), Just("{\"merchant_id\":\"10001234567890\",\"trans_id\":\"x\"}".to_owned())],
        appid in prop_oneof![Just(APP_ID.to_owned()), "[0-9]{0,20}"],
        timestamp in prop_oneof![Just(None), any::<i64>().prop_map(|t| Some(t.to_string())), "[ -~]{0,20}".prop_map(Some)],
        nonce in "[ -~]{0,120}",
        sign_it in any::<bool>(),
        sign in any::<String>(),
        path in prop::sample::select(vec![paykka_api::paths::INITIATE, paykka_api::paths::QUERY, paykka_api::paths::SESSION_CREATE]),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let state = gateway_state(dir.path());
        let f = fixture();
        let timestamp = timestamp.unwrap_or_else(|| now_ms().to_string());
        let sign = if sign_it {
            signing::sign(&f.merchant_key.private, &signing::string_to_sign("POST", path, &timestamp, &nonce, body.as_bytes()))
        } else {
            sign
        };
        let mut request = Request::post(path).header("content-type", "application/json");
        for (name, value) in [("x-paykka-appid", appid), ("x-paykka-timestamp", timestamp), ("x-paykka-nonce", nonce), ("x-paykka-sign", sign)] {
            if axum::http::HeaderValue::from_str(&value).is_ok() {
                request = request.header(name, value);
            }
        }
        let request = request.body(Body::from(body)).unwrap();
        let (status, answer) = runtime.block_on(async {
            let response = gateway::app(state).oneshot(request).await.unwrap();
            let status = response.status();
            let bytes = response.into_body().collect().await.unwrap().to_bytes();
            (status, serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null))
        });
        prop_assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR);
        let code = answer["ret_code"].as_str().unwrap_or_default().to_owned();
        prop_assert!(KNOWN_CODES.contains(&code.as_str()), "{} {}", status, answer);
    }
}
