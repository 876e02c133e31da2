//! Shared by the service's tests: the keys of one merchant, the real sandbox on a loopback
//! port playing PayKKa (counting Initiate calls, slow on request), a configuration file
//! as a deployment writes it, cards encrypted as the frames encrypt them, and the shop's
//! signed Initiate.

#![allow(dead_code)]

pub mod postgres;

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use paykka_api::apple_pay_token::{random_secret, ProcessingKey};
use paykka_api::keys::{self, KeyPair};
use paykka_api::paths::INITIATE;
use paykka_api::signing::{self, now_ms};
use paykka_api::store::Db;
use paykka_sandbox::{self as gateway, Gateway};
use paykka_secure_origin::config::Config;
use paykka_secure_origin::{app, start};
use paykka_web::crypto::EncryptionKey;
use paykka_web::crypto::{encrypt_field, EncryptionContext, FieldName};
use rsa::PublicKey;
use serde_json::{json, Value};
use tower::ServiceExt;

pub const MERCHANT_ID: &str = "10001234567890";
pub const APP_ID: &str = "100012345678901";
pub const CLIENT_KEY: &str = "ck_service_test";
pub const SHOP: &str = "https://shop.example";
/// The second merchant the service works for (PayKKa's sandbox knows only the first).
pub const MERCHANT_B: &str = "20001234567890";
pub const APP_ID_B: &str = "200012345678901";
pub const CLIENT_KEY_B: &str = "ck_service_test_b";

/// PayKKa's platform key, the merchant's PayKKa key and the shop's key, as files in `dir`
/// (the public halves the service reads too).
pub struct Keys {
    pub platform: KeyPair,
    pub merchant: KeyPair,
    pub shop: KeyPair,
}

impl Keys {
    pub fn create(dir: &Path) -> Keys {
        let keys = Keys {
            platform: keys::load_or_create(&dir.join("platform.pem")).unwrap(),
            merchant: keys::load_or_create(&dir.join("merchant.pem")).unwrap(),
            shop: keys::load_or_create(&dir.join("shop.pem")).unwrap(),
        };
        keys::write_public(&dir.join("platform-public.pem"), &keys.platform).unwrap();
        keys::write_public(&dir.join("shop-public.pem"), &keys.shop).unwrap();
        keys
    }
}

/// The sandbox as PayKKa, with the merchant registered as PCI-assessed.
pub struct Paykka {
    pub url: String,
    /// Initiate requests received.
    pub initiates: Arc<AtomicUsize>,
    /// While set, each Initiate waits a second before it is answered.
    pub slow: Arc<AtomicBool>,
    /// The `trans_id` of each Initiate received, in order.
    pub trans_ids: Arc<std::sync::Mutex<Vec<String>>>,
}

pub async fn sandbox(dir: &Path, keys: &Keys) -> Paykka {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(Gateway {
        own_origin: url.clone(),
        db: Db::open(&dir.join("sandbox.sqlite"), gateway::MIGRATIONS).unwrap(),
        platform_key: keys.platform.private.clone(),
        merchants: vec![gateway::Merchant {
            merchant_id: MERCHANT_ID.into(),
            app_id: APP_ID.into(),
            public_key: PublicKey::from(&keys.merchant.private),
            pci: true,
            domains: vec![SHOP.into()],
        }],
        http: reqwest::Client::new(),
        webhook_backoff_ms: 200,
        refund_settle_ms: 0,
        repeated_trans_id: paykka_api::guesses::RepeatedTransId::FirstPayment,
        apple_pay_key: ProcessingKey::from_secret(random_secret(), "merchant.sandbox.test"),
    });
    tokio::spawn(gateway::webhooks::run(Arc::clone(&state)));
    let initiates = Arc::new(AtomicUsize::new(0));
    let slow = Arc::new(AtomicBool::new(false));
    let trans_ids = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (counter, delay, seen) = (
        Arc::clone(&initiates),
        Arc::clone(&slow),
        Arc::clone(&trans_ids),
    );
    let app = gateway::app(state).layer(axum::middleware::from_fn(
        move |request: Request<Body>, next: axum::middleware::Next| {
            let initiate = request.uri().path() == INITIATE;
            if initiate {
                counter.fetch_add(1, Ordering::SeqCst);
            }
            let wait = initiate && delay.load(Ordering::SeqCst);
            let seen = Arc::clone(&seen);
            async move {
                let (parts, body) = request.into_parts();
                let bytes = axum::body::to_bytes(body, 1 << 20)
                    .await
                    .unwrap_or_default();
                if initiate {
                    let json: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                    let trans_id = json["trans_id"].as_str().unwrap_or_default().to_owned();
                    seen.lock().unwrap().push(trans_id);
                }
                if wait {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                next.run(Request::from_parts(parts, Body::from(bytes)))
                    .await
            }
        },
    ));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Paykka {
        url,
        initiates,
        slow,
        trans_ids,
    }
}

/// Writes the frame page's stand-in files and `secure-origin.toml` (relative paths, as a
/// deployment writes it) into `dir`; answers the file's path.
pub fn config_file(
    dir: &Path,
    paykka_url: &str,
    listen: &str,
    grace_minutes: u32,
) -> std::path::PathBuf {
    std::fs::create_dir_all(dir.join("frames/brands")).unwrap();
    std::fs::create_dir_all(dir.join("pkg")).unwrap();
    std::fs::write(
        dir.join("frames/frame.js"),
        "import '/pkg/paykka_web_frame.js';",
    )
    .unwrap();
    std::fs::write(dir.join("pkg/paykka_web_frame.js"), "export default 1;").unwrap();
    std::fs::write(dir.join("pkg/paykka_web_frame_bg.wasm"), b"\0asm").unwrap();
    let text = format!(
        r#"listen = "{listen}"
public_origin = "https://secure.example"
database = "secure-origin.sqlite"
frames_dir = "frames"
pkg_dir = "pkg"
answer_key = "answer-key.pem"
drain_seconds = 2

[master_key]
file = "master.key"
create = true

[paykka]
base_url = "{paykka_url}"
platform_public_key = "platform-public.pem"
timeout_ms = 2000

[rotation]
every_days = 365
grace_minutes = {grace_minutes}

[[merchants]]
merchant_id = "{MERCHANT_ID}"
app_id = "{APP_ID}"
paykka_private_key = "merchant.pem"
shop_public_key = "shop-public.pem"

[[merchants.client_keys]]
key = "{CLIENT_KEY}"
origins = ["{SHOP}"]

# A second merchant of the same operator, with keys of its own.
[[merchants]]
merchant_id = "{MERCHANT_B}"
app_id = "{APP_ID_B}"
paykka_private_key = "merchant.pem"
shop_public_key = "shop-public.pem"

[[merchants.client_keys]]
key = "{CLIENT_KEY_B}"
origins = ["{SHOP}"]
"#
    );
    let path = dir.join("secure-origin.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// A card encrypted for `key` as the frames encrypt it.
pub fn encrypted(key: &EncryptionKey, number: &str, cvc: &str) -> Value {
    encrypted_at(key, None, number, cvc, now_ms())
}

/// A card encrypted for `key` at `now`, for `session` (the drop-in's) or for none.
pub fn encrypted_at(
    key: &EncryptionKey,
    session: Option<&str>,
    number: &str,
    cvc: &str,
    now: i64,
) -> Value {
    let context = EncryptionContext {
        now_ms: now,
        session_id: session.map(str::to_owned),
    };
    let field =
        |name, value: &str| encrypt_field(key, name, value, &context, &mut rand::rng()).unwrap();
    json!({
        "payment_method": "BANKCARD",
        "encrypted_card_no": field(FieldName::Number, number),
        "encrypted_exp_month": field(FieldName::ExpiryMonth, "12"),
        "encrypted_exp_year": field(FieldName::ExpiryYear, "2040"),
        "encrypted_cvv": field(FieldName::Cvc, cvc),
    })
}

/// The shop's Initiate body for `trans_id` with `payment`.
pub fn initiate(trans_id: &str, payment: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "merchant_id": MERCHANT_ID, "trans_id": trans_id, "payment_type": "PURCHASE",
        "amount": 300, "currency": "USD", "return_url": "https://shop.example/return",
        "payment": payment,
    }))
    .unwrap()
}

/// The `x-paykka-*` headers of `bytes` sent to the Initiate path, signed with `key`.
pub fn signed_headers(
    bytes: &[u8],
    key: &rsa::PrivateKey,
    nonce: &str,
) -> Vec<(&'static str, String)> {
    signed_headers_as(APP_ID, bytes, key, nonce)
}

/// The same, as the shop of the merchant with `app_id`.
pub fn signed_headers_as(
    app_id: &str,
    bytes: &[u8],
    key: &rsa::PrivateKey,
    nonce: &str,
) -> Vec<(&'static str, String)> {
    let timestamp = now_ms().to_string();
    let sign = signing::sign(
        key,
        &signing::string_to_sign("POST", INITIATE, &timestamp, nonce, bytes),
    );
    vec![
        ("content-type", "application/json".into()),
        (signing::HEADER_APPID, app_id.into()),
        (signing::HEADER_TIMESTAMP, timestamp),
        (signing::HEADER_NONCE, nonce.into()),
        (signing::HEADER_SIGN, sign),
    ]
}

/// `request` answered by `service`.
pub async fn send_to(
    service: &paykka_secure_origin::state::State,
    request: Request<Body>,
) -> Answer {
    let response = app(Arc::clone(service)).oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        bytes,
        body,
    }
}

/// `service`'s `/metrics` text.
pub async fn metrics_of(service: &paykka_secure_origin::state::State) -> String {
    let request = Request::get("/metrics").body(Body::empty()).unwrap();
    let response = paykka_secure_origin::metrics::app(Arc::clone(&service.metrics))
        .oneshot(request)
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The merchant's own PayKKa client at `paykka_url` (its backend creating sessions).
pub fn merchant_client(
    paykka_url: &str,
    merchant: &KeyPair,
    platform: &KeyPair,
) -> paykka_api::client::PaykkaClient {
    paykka_api::client::PaykkaClient {
        base_url: paykka_url.to_owned(),
        merchant_id: MERCHANT_ID.into(),
        app_id: APP_ID.into(),
        merchant_key: merchant.private.clone(),
        platform_key: PublicKey::from(&platform.private),
        also_trusted: None,
        answer_signatures: paykka_api::client::AnswerSignatures::Strict,
        http: reqwest::Client::new(),
    }
}

pub struct Harness {
    pub dir: tempfile::TempDir,
    /// PayKKa's base URL.
    pub paykka_url: String,
    pub merchant_key: KeyPair,
    pub service: paykka_secure_origin::state::State,
    pub shop_key: KeyPair,
    pub platform: KeyPair,
    /// Initiate requests the PayKKa side received.
    pub initiates: Arc<AtomicUsize>,
}

pub struct Answer {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub bytes: Bytes,
    pub body: Value,
}

/// The configuration a deployment writes, read as the binary reads it.
pub fn config(dir: &std::path::Path, paykka_url: &str, grace_minutes: u32) -> Config {
    Config::load(&config_file(dir, paykka_url, "127.0.0.1:0", grace_minutes)).unwrap()
}

impl Harness {
    pub async fn start() -> Harness {
        Harness::start_with(None, 60).await
    }

    /// With PayKKa at `paykka_url` (the sandbox when `None`) and a grace window.
    pub async fn start_with(paykka_url: Option<&str>, grace_minutes: u32) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path();
        let keys = Keys::create(path);
        let (url, initiates) = match paykka_url {
            Some(url) => (url.to_owned(), Arc::new(AtomicUsize::new(0))),
            None => {
                let paykka = sandbox(path, &keys).await;
                (paykka.url, paykka.initiates)
            }
        };
        let config = config(path, &url, grace_minutes);
        let service = Arc::new(start::service(&config).await.unwrap());
        Harness {
            dir,
            paykka_url: url,
            merchant_key: keys.merchant,
            service,
            shop_key: keys.shop,
            platform: keys.platform,
            initiates,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Answer {
        send_to(&self.service, request).await
    }

    /// `/v3/frames/load` from `origin`.
    pub async fn frames_load(&self, origin: &str) -> Answer {
        let request = Request::post("/v3/frames/load")
            .header("origin", origin)
            .header("content-type", "application/json")
            .body(Body::from(json!({"client_key": CLIENT_KEY}).to_string()))
            .unwrap();
        self.send(request).await
    }

    pub async fn card_key(&self) -> EncryptionKey {
        let answer = self.frames_load(SHOP).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let jwk = serde_json::from_value(answer.body["data"]["public_key"].clone()).unwrap();
        EncryptionKey::from_jwk(&jwk, None).unwrap()
    }

    /// The shop's Initiate for `trans_id` with `payment`.
    pub fn initiate(&self, trans_id: &str, payment: Value) -> Vec<u8> {
        initiate(trans_id, payment)
    }

    pub fn signed(&self, bytes: &[u8], key: &KeyPair, nonce: &str) -> Request<Body> {
        let mut request = Request::post(INITIATE);
        for (name, value) in signed_headers(bytes, &key.private, nonce) {
            request = request.header(name, value);
        }
        request.body(Body::from(bytes.to_vec())).unwrap()
    }

    pub async fn forward(&self, bytes: &[u8]) -> Answer {
        let request = self.signed(bytes, &self.shop_key, &signing::new_nonce());
        self.send(request).await
    }

    /// Whether `answer` carries PayKKa's signature over the Initiate path.
    pub fn signed_by_paykka(&self, answer: &Answer) -> bool {
        let header = |n: &str| answer.headers.get(n).unwrap().to_str().unwrap().to_owned();
        paykka_api::guesses::verify_answer(
            &PublicKey::from(&self.platform.private),
            INITIATE,
            &header(signing::HEADER_TIMESTAMP),
            &header(signing::HEADER_NONCE),
            &answer.bytes,
            &header(signing::HEADER_SIGN),
        )
    }

    pub fn sandbox_payments(&self) -> Vec<(String, String, Option<String>)> {
        let db = rusqlite::Connection::open(self.dir.path().join("sandbox.sqlite")).unwrap();
        let mut rows = db
            .prepare("SELECT trans_id, status, card_last4 FROM payments ORDER BY created_at")
            .unwrap();
        rows.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }
}

impl Harness {
    /// The merchant's own PayKKa client (its backend creating sessions).
    pub fn merchant_client(&self) -> paykka_api::client::PaykkaClient {
        merchant_client(&self.paykka_url, &self.merchant_key, &self.platform)
    }

    /// Creates a checkout session at PayKKa for `trans_id` with `methods`; its id.
    pub async fn open_session(&self, trans_id: &str, methods: Value) -> String {
        let request = json!({"merchant_id": MERCHANT_ID, "payment_type": "PURCHASE", "trans_id": trans_id,
            "currency": "USD", "amount": 300, "allowed_payment_methods": methods,
            "display_merchant_name": "Coffee", "goods": [{"name": "Beans", "price": 300, "quantity": 1}],
            "notify_url": "http://shop.example/hook", "return_url": "http://shop.example/return"});
        let data = self
            .merchant_client()
            .call(paykka_api::paths::SESSION_CREATE, &request)
            .await
            .unwrap();
        data["session_id"].as_str().unwrap().to_owned()
    }

    /// A call from a shopper's page at `origin` (and IP address `ip`): JSON with an
    /// `Origin` header, no signature.
    pub async fn page_call(&self, path: &str, origin: &str, ip: [u8; 4], body: Value) -> Answer {
        let mut request = Request::post(path)
            .header("content-type", "application/json")
            .header("origin", origin)
            .body(Body::from(body.to_string()))
            .unwrap();
        let peer = std::net::SocketAddr::from((ip, 40000));
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        self.send(request).await
    }
}
