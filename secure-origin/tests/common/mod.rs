//! Shared by the service's tests: the keys of one merchant, the real sandbox on a loopback
//! port playing PayKKa (counting Initiate calls, slow on request), a configuration file
//! as a deployment writes it, cards encrypted as the frames encrypt them, and the shop's
//! signed Initiate.

#![allow(dead_code)]

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use paykka_api::keys::{self, KeyPair};
use paykka_api::paths::INITIATE;
use paykka_api::signing::{self, now_ms};
use paykka_api::store::Db;
use paykka_web::crypto::{encrypt_field, EncryptionContext, EncryptionKey, FieldName};
use paykka_www::apple_pay_token::{random_secret, ProcessingKey};
use paykka_www::gateway::{self, Gateway};
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use rsa::PublicKey;
use serde_json::{json, Value};

pub const MERCHANT_ID: &str = "10001234567890";
pub const APP_ID: &str = "100012345678901";
pub const CLIENT_KEY: &str = "ck_service_test";
pub const SHOP: &str = "https://shop.example";

/// PayKKa's platform key, the merchant's PayKKa key and the shop's key, as files in `dir`
/// (the public halves the service reads too).
pub struct Keys {
    pub platform: KeyPair,
    pub merchant: KeyPair,
    pub shop: KeyPair,
}

fn write_public(path: &Path, key: &KeyPair) {
    let pem = PublicKey::from(&key.private)
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    std::fs::write(path, pem).unwrap();
}

impl Keys {
    pub fn create(dir: &Path) -> Keys {
        let keys = Keys {
            platform: keys::load_or_create(&dir.join("platform.pem")).unwrap(),
            merchant: keys::load_or_create(&dir.join("merchant.pem")).unwrap(),
            shop: keys::load_or_create(&dir.join("shop.pem")).unwrap(),
        };
        write_public(&dir.join("platform-public.pem"), &keys.platform);
        write_public(&dir.join("shop-public.pem"), &keys.shop);
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
        }],
        clients: vec![],
        http: reqwest::Client::new(),
        webhook_backoff_ms: 1000,
        repeated_trans_id: paykka_api::guesses::RepeatedTransId::FirstPayment,
        apple_pay_key: ProcessingKey::from_secret(random_secret(), "merchant.sandbox.test"),
    });
    let initiates = Arc::new(AtomicUsize::new(0));
    let slow = Arc::new(AtomicBool::new(false));
    let (counter, delay) = (Arc::clone(&initiates), Arc::clone(&slow));
    let app = gateway::app(state, dir, dir).layer(axum::middleware::from_fn(
        move |request: Request<Body>, next: axum::middleware::Next| {
            let initiate = request.uri().path() == INITIATE;
            if initiate {
                counter.fetch_add(1, Ordering::SeqCst);
            }
            let wait = initiate && delay.load(Ordering::SeqCst);
            async move {
                if wait {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                next.run(request).await
            }
        },
    ));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Paykka {
        url,
        initiates,
        slow,
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
"#
    );
    let path = dir.join("secure-origin.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// A card encrypted for `key` as the frames encrypt it.
pub fn encrypted(key: &EncryptionKey, number: &str, cvc: &str) -> Value {
    let context = EncryptionContext {
        now_ms: now_ms(),
        session_id: None,
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
    let timestamp = now_ms().to_string();
    let sign = signing::sign(
        key,
        &signing::string_to_sign("POST", INITIATE, &timestamp, nonce, bytes),
    );
    vec![
        ("content-type", "application/json".into()),
        (signing::HEADER_APPID, APP_ID.into()),
        (signing::HEADER_TIMESTAMP, timestamp),
        (signing::HEADER_NONCE, nonce.into()),
        (signing::HEADER_SIGN, sign),
    ]
}
