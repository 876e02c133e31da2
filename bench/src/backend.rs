//! Backend throughput through the whole demo path (merchant API → signed forward → secure
//! origin: four JWE decryptions, a signed raw-card Initiate → sandbox → SQLite commit →
//! PayKKa's signed answer, relayed), and beside it the ceiling: RSA-2048 private-key
//! operations per second on this machine, divided by the operations a payment costs.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use paykka_web::crypto::{encrypt_card, CardFields, EncryptionContext, EncryptionKey};
use rsa::{Oaep, PrivateKey};
use serde_json::{json, Value};
use sha2::Sha256;

/// RSA-2048 private-key operations one payment costs on the demo path: the shop's signed
/// forward, four JWE decryptions, the secure origin's signed Initiate, the sandbox's signed
/// answer and its signed webhook.
pub const PRIVATE_OPS_PER_PAYMENT: f64 = 8.0;

/// RSA-OAEP-256 decryptions per second with one thread per core.
pub fn rsa_ceiling(seconds: f64) -> anyhow::Result<(f64, usize)> {
    let key = PrivateKey::new(&mut rand::rng(), 2048)?;
    let public = rsa::PublicKey::from(&key);
    let ciphertext = public.encrypt(&mut rand::rng(), Oaep::<Sha256>::new(), &[7u8; 32])?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let done = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (key, ciphertext, done) = (key.clone(), ciphertext.clone(), Arc::clone(&done));
            std::thread::spawn(move || {
                while start.elapsed().as_secs_f64() < seconds {
                    if key.decrypt(Oaep::<Sha256>::new(), &ciphertext).is_ok() {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for handle in handles {
        let _ = handle.join();
    }
    Ok((
        done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64(),
        threads,
    ))
}

pub struct Throughput {
    pub clients: usize,
    pub seconds: f64,
    pub payments: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub failures: usize,
}

/// The card key a frames-load answer gives.
pub fn key_of(load: &Value) -> anyhow::Result<EncryptionKey> {
    Ok(EncryptionKey::from_jwk(
        &serde_json::from_value(load["data"]["public_key"].clone())?,
        None,
    )?)
}

/// `count` cards encrypted for `key` as the frames encrypt them (the payment members).
pub fn encrypted_cards(key: &EncryptionKey, count: usize) -> anyhow::Result<Vec<Value>> {
    let now = now_ms();
    (0..count)
        .map(|_| {
            let card = CardFields {
                number: "4242424242424242".into(),
                expiry_month: "12".into(),
                expiry_year: "2031".into(),
                cvc: "123".into(),
            };
            let context = EncryptionContext {
                now_ms: now,
                session_id: None,
            };
            let e = encrypt_card(key, &card, &context, &mut rand::rng())?;
            Ok(json!({
                "payment_method": "BANKCARD",
                "encrypted_card_no": e.encrypted_card_number,
                "encrypted_exp_month": e.encrypted_expire_month,
                "encrypted_exp_year": e.encrypted_expire_year,
                "encrypted_cvv": e.encrypted_cvv,
            }))
        })
        .collect()
}

/// Pays pre-created orders with pre-encrypted cards from `clients` concurrent clients.
pub async fn throughput(
    merchant: &str,
    secure_origin: &str,
    clients: usize,
    seconds: f64,
) -> anyhow::Result<Throughput> {
    let http = reqwest::Client::new();
    let config: Value = http
        .get(format!("{merchant}/api/config"))
        .send()
        .await?
        .json()
        .await?;
    let load: Value = http
        .post(format!("{secure_origin}/v3/frames/load"))
        .header("origin", merchant)
        .json(&json!({"client_key": config["clientKey"]}))
        .send()
        .await?
        .json()
        .await?;
    let key = key_of(&load)?;
    // Enough work for the window, prepared before it starts.
    let count = 3000;
    let cards = encrypted_cards(&key, count)?;
    let mut orders = Vec::with_capacity(count);
    for _ in 0..count {
        let order: Value = http
            .post(format!("{merchant}/api/orders"))
            .send()
            .await?
            .json()
            .await?;
        orders.push(order["trans_id"].as_str().unwrap_or_default().to_owned());
    }
    let work: Vec<(String, Value)> = orders.into_iter().zip(cards).collect();
    let merchant = merchant.to_owned();
    let pay = move |(trans_id, payment): (String, Value)| {
        let (http, merchant) = (http.clone(), merchant.clone());
        async move {
            let answer = http
                .post(format!("{merchant}/api/payments"))
                .json(&json!({"trans_id": trans_id, "payment": payment}))
                .send()
                .await;
            match answer {
                Ok(r) => r
                    .json::<Value>()
                    .await
                    .is_ok_and(|v| v["status"] == "SUCCESS"),
                Err(_) => false,
            }
        }
    };
    Ok(drive(clients, seconds, work, pay).await)
}

/// Runs `pay` over `work` from `clients` concurrent clients for `seconds` (or until the
/// work runs out): payments per second, latencies of the successful ones, failures.
pub async fn drive<T, F, Fut>(clients: usize, seconds: f64, work: Vec<T>, pay: F) -> Throughput
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let work = Arc::new(std::sync::Mutex::new(work));
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (work, pay) = (Arc::clone(&work), pay.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0;
            while Instant::now() < deadline {
                let Some(item) = work.lock().ok().and_then(|mut w| w.pop()) else {
                    break;
                };
                let t0 = Instant::now();
                if pay(item).await {
                    latencies.push(t0.elapsed().as_secs_f64() * 1000.0);
                } else {
                    failures += 1;
                }
            }
            (latencies, failures)
        }));
    }
    let mut latencies = Vec::new();
    let mut failures = 0;
    for task in tasks {
        if let Ok((l, f)) = task.await {
            latencies.extend(l);
            failures += f;
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let pick = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
    };
    Throughput {
        clients,
        seconds: elapsed,
        payments: latencies.len(),
        per_second: latencies.len() as f64 / elapsed,
        p50_ms: pick(0.5),
        p99_ms: pick(0.99),
        failures,
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
