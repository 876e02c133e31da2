//! Every route of the secure origin under requests no one chose (proptest, two thousand cases,
//! the real sandbox behind it): random bodies, origins, client keys, session ids and
//! signatures — signed with the shop's key or not — get a typed answer, never a 500; and no
//! such request reaches PayKKa or leaves anything in the forward ledger.

mod common;

use std::sync::atomic::Ordering;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::{signed_headers, Harness, CLIENT_KEY, SHOP};
use proptest::prelude::*;
use serde_json::{json, Value};

/// One service (and sandbox) for every case, on a runtime that outlives them.
fn harness() -> &'static (tokio::runtime::Runtime, Harness) {
    static HARNESS: OnceLock<(tokio::runtime::Runtime, Harness)> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let harness = runtime.block_on(Harness::start());
        (runtime, harness)
    })
}

/// The service's routes, as (method, path).
fn route() -> impl Strategy<Value = (Method, String)> {
    let posts = [
        paykka_api::paths::INITIATE,
        "/v3/frames/load",
        "/v3/checkout/session",
        "/v3/checkout/pay",
        "/v3/checkout/result",
        "/v3/checkout/apple-pay/session",
    ];
    prop_oneof![
        prop::sample::select(posts.to_vec()).prop_map(|p| (Method::POST, p.to_owned())),
        prop::sample::select(posts.to_vec()).prop_map(|p| (Method::OPTIONS, p.to_owned())),
        prop::sample::select(vec!["/healthz", "/readyz", "/frames/frame.js"])
            .prop_map(|p| (Method::GET, p.to_owned())),
        prop_oneof![Just(CLIENT_KEY.to_owned()), "[ -~]{0,40}"].prop_map(|key| (
            Method::GET,
            format!("/frames/{}/field.html", urlencoding::encode(&key))
        )),
    ]
}

/// A body: random text, or the JSON a page or shop sends with members no one chose.
fn body() -> impl Strategy<Value = String> {
    let text = || {
        prop_oneof![
            Just(Value::Null),
            any::<String>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from)
        ]
    };
    prop_oneof![
        any::<String>(),
        (
            prop_oneof![Just(json!(CLIENT_KEY)), text()],
            prop_oneof![Just(json!("CS1")), text()],
            prop_oneof![
                Just(
                    json!({"payment_method": "BANKCARD", "encrypted_card_no": "a.b.c.d.e",
                    "encrypted_exp_month": "a.b.c.d.e", "encrypted_exp_year": "a.b.c.d.e",
                    "encrypted_cvv": "a.b.c.d.e"})
                ),
                Just(json!({"payment_method": "GOOGLE_PAY", "token_data": "{}"})),
                Just(json!({"payment_method": "BANKCARD", "card_no": "4242424242424242"})),
                text(),
            ],
            text(),
        )
            .prop_map(|(client_key, session_id, payment, trans_id)| {
                json!({
                    "client_key": client_key, "session_id": session_id, "payment": payment,
                    "merchant_id": common::MERCHANT_ID, "trans_id": trans_id, "amount": 300,
                    "currency": "USD", "origin": SHOP,
                })
                .to_string()
            }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_route_answers_requests_no_one_chose_with_a_typed_answer(
        (method, path) in route(),
        body in body(),
        origin in prop_oneof![Just(Some(SHOP.to_owned())), Just(None), "[ -~]{0,30}".prop_map(Some)],
        signed in any::<bool>(),
        peer in any::<[u8; 4]>(),
    ) {
        let (runtime, h) = harness();
        let mut request = Request::builder().method(method.clone()).uri(&path);
        if signed {
            for (name, value) in signed_headers(body.as_bytes(), &h.shop_key.private, &paykka_api::signing::new_nonce()) {
                request = request.header(name, value);
            }
        } else {
            request = request.header("content-type", "application/json");
        }
        if let Some(origin) = origin.filter(|o| axum::http::HeaderValue::from_str(o).is_ok()) {
            request = request.header("origin", origin);
        }
        let mut request = request.body(Body::from(body)).unwrap();
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((peer, 40000))));
        let answer = runtime.block_on(h.send(request));
        prop_assert_ne!(answer.status, StatusCode::INTERNAL_SERVER_ERROR, "{} {}: {}", method, path, answer.body);
        if method == Method::POST {
            let code = answer.body["ret_code"].as_str().unwrap_or_default();
            prop_assert!(!code.is_empty(), "{} {}: {} {}", method, path, answer.status, answer.body);
            // Only the frames' key is anyone's to have; nothing else succeeds by chance.
            if path != "/v3/frames/load" {
                prop_assert_ne!(code, "000000", "{} {}: {}", method, path, answer.body);
            }
        }
        prop_assert_eq!(h.initiates.load(Ordering::SeqCst), 0, "nothing reached PayKKa");
        let ledger = rusqlite::Connection::open(h.dir.path().join("secure-origin.sqlite")).unwrap();
        let forwards: i64 = ledger.query_row("SELECT COUNT(*) FROM forwards", [], |r| r.get(0)).unwrap();
        prop_assert_eq!(forwards, 0, "nothing in the ledger");
    }
}
