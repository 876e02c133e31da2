//! Two instances of the service over one real PostgreSQL (a cluster of the test's own), the
//! real sandbox playing PayKKa: what makes a payment safe holds whichever instance is asked —
//! a ciphertext spent once, one PayKKa call per `trans_id` (an unknown outcome settled by
//! Query Transaction, never sent again), a session paid once with its failed attempts
//! counted across both, one current key that both serve and open.

mod common;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::postgres::Cluster;
use common::{
    encrypted, encrypted_at, initiate, send_to, signed_headers, Answer, Keys, CLIENT_KEY,
    MERCHANT_ID, SHOP,
};
use paykka_api::paths::INITIATE;
use paykka_api::signing::{self, now_ms};
use paykka_secure_origin::checkout::{PAY, SESSION};
use paykka_secure_origin::checkout_session::MAX_FAILED_ATTEMPTS;
use paykka_secure_origin::config::Config;
use paykka_secure_origin::start;
use paykka_secure_origin::state::State;
use paykka_web::crypto::EncryptionKey;
use serde_json::{json, Value};

/// Instances A and B on one database, and PayKKa.
struct Pair {
    _cluster: Cluster,
    dir: tempfile::TempDir,
    keys: Keys,
    paykka: common::Paykka,
    a: State,
    b: State,
}

impl Pair {
    /// PayKKa timing out after `timeout_ms`; replaced keys open ciphertexts for
    /// `grace_minutes`.
    async fn start(timeout_ms: u32, grace_minutes: u32) -> Pair {
        Pair::start_with(timeout_ms, grace_minutes, "").await
    }

    /// With `settings` (top-level TOML) added to the configuration.
    async fn start_with(timeout_ms: u32, grace_minutes: u32, settings: &str) -> Pair {
        let cluster = Cluster::start();
        let url = cluster.database("secure_origin");
        let dir = tempfile::tempdir().unwrap();
        let keys = Keys::create(dir.path());
        let paykka = common::sandbox(dir.path(), &keys).await;
        let path = common::config_file(dir.path(), &paykka.url, "127.0.0.1:0", grace_minutes);
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace(
                "database = \"secure-origin.sqlite\"",
                &format!("database = \"{url}\""),
            )
            .replace("timeout_ms = 2000", &format!("timeout_ms = {timeout_ms}"))
            .replace(
                "drain_seconds = 2",
                &format!("drain_seconds = 2\n{settings}"),
            );
        std::fs::write(&path, text).unwrap();
        let config = Config::load(&path).unwrap();
        let a = Arc::new(start::service(&config).await.unwrap());
        let b = Arc::new(start::service(&config).await.unwrap());
        Pair {
            _cluster: cluster,
            dir,
            keys,
            paykka,
            a,
            b,
        }
    }

    async fn card_key(&self, instance: &State) -> (EncryptionKey, String) {
        let request = Request::post("/v3/frames/load")
            .header("origin", SHOP)
            .header("content-type", "application/json")
            .body(Body::from(json!({"client_key": CLIENT_KEY}).to_string()))
            .unwrap();
        let answer = send_to(instance, request).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let data = &answer.body["data"];
        let jwk = serde_json::from_value(data["public_key"].clone()).unwrap();
        (
            EncryptionKey::from_jwk(&jwk, None).unwrap(),
            data["kid"].as_str().unwrap().to_owned(),
        )
    }

    /// The shop's signed Initiate `bytes`, to `instance`.
    async fn forward(&self, instance: &State, bytes: &[u8]) -> Answer {
        let mut request = Request::post(INITIATE);
        for (name, value) in signed_headers(bytes, &self.keys.shop.private, &signing::new_nonce()) {
            request = request.header(name, value);
        }
        send_to(instance, request.body(Body::from(bytes.to_vec())).unwrap()).await
    }

    /// A call of the drop-in's page to `instance`.
    async fn page(&self, instance: &State, path: &str, body: Value) -> Answer {
        self.page_from(instance, [192, 0, 2, 7], &[], path, body)
            .await
    }

    /// A page's call to `instance` from `peer`, with `headers`.
    async fn page_from(
        &self,
        instance: &State,
        peer: [u8; 4],
        headers: &[(&str, &str)],
        path: &str,
        body: Value,
    ) -> Answer {
        let mut request = Request::post(path)
            .header("content-type", "application/json")
            .header("origin", SHOP);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let mut request = request.body(Body::from(body.to_string())).unwrap();
        let peer = std::net::SocketAddr::from((peer, 40000));
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        send_to(instance, request).await
    }

    fn initiates(&self) -> usize {
        self.paykka.initiates.load(Ordering::SeqCst)
    }

    fn paykka_payments(&self) -> Vec<(String, String)> {
        let db = rusqlite::Connection::open(self.dir.path().join("sandbox.sqlite")).unwrap();
        let mut rows = db
            .prepare("SELECT trans_id, status FROM payments ORDER BY created_at")
            .unwrap();
        rows.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }
}

#[tokio::test]
async fn the_same_ciphertexts_at_both_instances_at_once_pay_once() {
    let pair = Pair::start(2000, 60).await;
    let (key, _) = pair.card_key(&pair.a).await;
    let card = encrypted(&key, "4242424242424242", "123");
    let (to_a, to_b) = (initiate("TA", card.clone()), initiate("TB", card));
    let (a, b) = tokio::join!(pair.forward(&pair.a, &to_a), pair.forward(&pair.b, &to_b));
    let paid = [&a, &b]
        .iter()
        .filter(|x| x.body["data"]["status"] == "SUCCESS")
        .count();
    let replayed = [&a, &b]
        .iter()
        .filter(|x| x.body["ret_msg"] == "Card encryption info already used")
        .count();
    assert_eq!((paid, replayed), (1, 1), "A: {} B: {}", a.body, b.body);
    assert_eq!(pair.initiates(), 1);
    assert_eq!(pair.paykka_payments().len(), 1);
}

#[tokio::test]
async fn fifty_concurrent_pays_of_one_trans_id_over_both_reach_paykka_once() {
    let pair = Pair::start(5000, 60).await;
    let (key, _) = pair.card_key(&pair.b).await;
    let bytes = initiate("T50", encrypted(&key, "4242424242424242", "123"));
    // PayKKa answers slowly: the retries arrive while the first is with it.
    pair.paykka.slow.store(true, Ordering::SeqCst);
    let answers = futures_util::future::join_all((0..50).map(|i| {
        let instance = if i % 2 == 0 { &pair.a } else { &pair.b };
        pair.forward(instance, &bytes)
    }))
    .await;
    assert_eq!(pair.initiates(), 1, "one Initiate reached PayKKa");
    let first = &answers[0];
    assert_eq!(first.body["data"]["status"], "SUCCESS", "{}", first.body);
    for answer in &answers {
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        assert_eq!(answer.bytes, first.bytes, "PayKKa's answer, byte for byte");
    }
    assert_eq!(
        pair.paykka_payments(),
        [("T50".to_owned(), "SUCCESS".to_owned())]
    );
}

#[tokio::test]
async fn an_unknown_outcome_at_one_instance_is_settled_by_query_at_the_other() {
    // PayKKa takes a second; the instances wait half of it.
    let pair = Pair::start(500, 60).await;
    let (key, _) = pair.card_key(&pair.a).await;
    let bytes = initiate("TU", encrypted(&key, "4242424242424242", "123"));
    pair.paykka.slow.store(true, Ordering::SeqCst);
    let first = pair.forward(&pair.a, &bytes).await;
    assert_eq!(first.body["ret_code"], "SO0003", "{}", first.body);
    // The request reached PayKKa, which dropped it when A hung up: no payment was made, and
    // only a query can say so.
    pair.paykka.slow.store(false, Ordering::SeqCst);
    let retry = pair.forward(&pair.b, &bytes).await;
    assert_eq!(
        (
            retry.body["ret_code"].as_str(),
            retry.body["data"]["status"].as_str()
        ),
        (Some("SO0003"), Some("NOT_FOUND")),
        "{}",
        retry.body
    );
    assert!(pair.paykka_payments().is_empty());
    assert_eq!(pair.initiates(), 1, "never sent again");
}

#[tokio::test]
async fn a_session_paid_on_one_instance_is_paid_on_the_other_and_its_attempts_count_across_both() {
    let pair = Pair::start(2000, 60).await;
    let h = common::merchant_client(&pair.paykka.url, &pair.keys.merchant, &pair.keys.platform);
    let request = json!({"merchant_id": MERCHANT_ID, "payment_type": "PURCHASE", "trans_id": "S1",
        "currency": "USD", "amount": 300, "allowed_payment_methods": ["BANKCARD"],
        "return_url": "http://shop.example/return"});
    let sid = h
        .call(paykka_api::paths::SESSION_CREATE, &request)
        .await
        .unwrap()["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (key, _) = pair.card_key(&pair.a).await;
    let pay = |instance, number: &str| {
        let payment = encrypted_at(&key, Some(&sid), number, "123", now_ms());
        pair.page(
            instance,
            PAY,
            json!({"client_key": CLIENT_KEY, "session_id": sid, "payment": payment}),
        )
    };
    let declined_a = pay(&pair.a, "4000000000000002").await;
    assert_eq!(
        declined_a.body["data"]["attempts_left"],
        MAX_FAILED_ATTEMPTS - 1
    );
    let declined_b = pay(&pair.b, "4000000000000002").await;
    assert_eq!(
        declined_b.body["data"]["attempts_left"],
        MAX_FAILED_ATTEMPTS - 2,
        "B counts A's failure: {}",
        declined_b.body
    );
    let ask = json!({"client_key": CLIENT_KEY, "session_id": sid});
    let view_a = pair.page(&pair.a, SESSION, ask.clone()).await;
    assert_eq!(
        view_a.body["data"]["attempts_left"],
        MAX_FAILED_ATTEMPTS - 2
    );
    let paid_b = pay(&pair.b, "4242424242424242").await;
    assert_eq!(paid_b.body["data"]["status"], "SUCCESS", "{}", paid_b.body);
    let view_a = pair.page(&pair.a, SESSION, ask).await;
    assert_eq!(view_a.body["data"]["status"], "SUCCESS");
    let again_a = pay(&pair.a, "5555555555554444").await;
    assert_eq!(again_a.body["ret_code"], "SB0002");
    let trans_ids: Vec<_> = pair.paykka_payments().into_iter().map(|p| p.0).collect();
    assert_eq!(trans_ids, ["S1-1", "S1-2", "S1-3"]);
}

#[tokio::test]
async fn a_key_rotated_on_one_instance_is_served_and_opened_by_the_other() {
    // No grace window: a replaced key retires at once.
    let pair = Pair::start(2000, 0).await;
    let (old_key, old_kid) = pair.card_key(&pair.a).await;
    let (_, kid_at_b) = pair.card_key(&pair.b).await;
    assert_eq!(kid_at_b, old_kid, "one current key");
    let old_card = encrypted(&old_key, "4242424242424242", "123");
    let new_kid = pair.a.keyring.rotate(MERCHANT_ID).await.unwrap();
    let (new_key, served_by_b) = pair.card_key(&pair.b).await;
    assert_eq!(served_by_b, new_kid, "B serves the key A made");
    assert_ne!(new_kid, old_kid);
    let paid = pair
        .forward(
            &pair.b,
            &initiate("K1", encrypted(&new_key, "4242424242424242", "123")),
        )
        .await;
    assert_eq!(paid.body["data"]["status"], "SUCCESS", "{}", paid.body);
    for (instance, trans_id) in [(&pair.a, "K2"), (&pair.b, "K3")] {
        let retired = pair
            .forward(instance, &initiate(trans_id, old_card.clone()))
            .await;
        assert_eq!(retired.body["ret_code"], "SO0004", "{}", retired.body);
    }
    assert_eq!(pair.initiates(), 1);
}

#[tokio::test]
async fn rate_limits_count_across_instances_by_the_shoppers_address() {
    let settings = "trusted_proxies = [\"10.0.0.10\"]\n\
                    [limits]\nframes_load_per_ip = 4\npays_per_ip = 2";
    let pair = Pair::start_with(2000, 60, settings).await;
    let load = json!({"client_key": CLIENT_KEY});
    let shopper = [192, 0, 2, 20];
    for i in 0..4 {
        let instance = if i % 2 == 0 { &pair.a } else { &pair.b };
        let answer = pair
            .page_from(instance, shopper, &[], "/v3/frames/load", load.clone())
            .await;
        assert_eq!(answer.status, StatusCode::OK, "load {i}: {}", answer.body);
    }
    let limited = pair
        .page_from(&pair.a, shopper, &[], "/v3/frames/load", load.clone())
        .await;
    assert_eq!(
        (limited.status, limited.body["ret_code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("SO0009")),
        "{}",
        limited.body
    );
    // Another shopper is not held back; a forged X-Forwarded-For from a shopper counts
    // for nothing.
    let forged = [("x-forwarded-for", "198.51.100.1")];
    let spoofing = pair
        .page_from(&pair.b, shopper, &forged, "/v3/frames/load", load.clone())
        .await;
    assert_eq!(spoofing.status, StatusCode::TOO_MANY_REQUESTS);
    // Behind the trusted load balancer, each shopper is the address it names.
    let proxy = [10, 0, 0, 10];
    for address in ["198.51.100.2", "198.51.100.3"] {
        let behind = [("x-forwarded-for", address)];
        let answer = pair
            .page_from(&pair.b, proxy, &behind, "/v3/frames/load", load.clone())
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{address}: {}", answer.body);
    }

    // Paying: two a minute from one address, over both instances.
    let h = common::merchant_client(&pair.paykka.url, &pair.keys.merchant, &pair.keys.platform);
    let (key, _) = pair.card_key(&pair.a).await;
    let payer = [192, 0, 2, 30];
    let mut codes = Vec::new();
    for (i, instance) in [&pair.a, &pair.b, &pair.a].into_iter().enumerate() {
        let request = json!({"merchant_id": MERCHANT_ID, "payment_type": "PURCHASE",
            "trans_id": format!("RL{i}"), "currency": "USD", "amount": 300,
            "return_url": "http://shop.example/return"});
        let created = h
            .call(paykka_api::paths::SESSION_CREATE, &request)
            .await
            .unwrap();
        let sid = created["session_id"].as_str().unwrap().to_owned();
        let payment = encrypted_at(&key, Some(&sid), "4242424242424242", "123", now_ms());
        let body = json!({"client_key": CLIENT_KEY, "session_id": sid, "payment": payment});
        let answer = pair.page_from(instance, payer, &[], PAY, body).await;
        codes.push(
            answer.body["ret_code"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    assert_eq!(codes, ["000000", "000000", "SO0009"]);
    let metrics = common::metrics_of(&pair.a).await;
    assert!(
        metrics.contains("secure_origin_limit_hits_total{limit=\"pay\",scope=\"ip\"} 1"),
        "{metrics}"
    );
}
