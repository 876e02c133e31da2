//! The secure origin by itself on PostgreSQL: payments per second through one instance and
//! through two over the same database (same machine), the bench signing the shop's
//! forwards and the `paykka-sandbox` binary playing PayKKa. Each payment: the bench's
//! signature, four decryptions and a signature at the service, the sandbox's signature.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use paykka_api::keys;
use paykka_api::paths::INITIATE;
use paykka_api::signing;
use serde_json::{json, Value};

use crate::backend::{drive, encrypted_cards, key_of, Throughput};

#[path = "../../secure-origin/tests/common/postgres.rs"]
mod postgres;

/// RSA-2048 private-key operations a payment costs on this path.
pub const PRIVATE_OPS_PER_PAYMENT: f64 = 7.0;

const MERCHANT_ID: &str = "10001234567890";
const APP_ID: &str = "100012345678901";
const CLIENT_KEY: &str = "ck_bench";
const PAGE: &str = "http://bench.example";

/// A program of the bench's, stopped when dropped.
struct Program(Child);

impl Drop for Program {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `binary` and reads its `ready <part>=<url>` line.
fn start(binary: &Path, args: &[&str], part: &str) -> anyhow::Result<(Program, String)> {
    let mut child = Command::new(binary)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let program = Program(child);
    let prefix = format!("{part}=");
    let url = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.strip_prefix("ready ")?
                .split_whitespace()
                .find_map(|p| p.strip_prefix(&prefix).map(str::to_owned))
        })
        .ok_or_else(|| anyhow::anyhow!("{} did not start", binary.display()))?;
    Ok((program, url))
}

/// One instance, then two, each for `seconds` with `clients` clients.
pub async fn measure(root: &Path, clients: usize, seconds: f64) -> anyhow::Result<[Throughput; 2]> {
    let cluster = postgres::Cluster::start();
    let database = cluster.database("bench");
    let dir = tempfile::tempdir()?;
    let path = |name: &str| dir.path().join(name).display().to_string();
    let merchant = keys::load_or_create(&dir.path().join("merchant.pem"))?;
    let shop = keys::load_or_create(&dir.path().join("shop.pem"))?;
    keys::write_public(&dir.path().join("merchant-public.pem"), &merchant)?;
    keys::write_public(&dir.path().join("shop-public.pem"), &shop)?;
    let release = root.join("target/release");
    let (_sandbox, paykka) = start(
        &release.join("paykka-sandbox"),
        &[
            "--addr",
            "127.0.0.1:0",
            "--data-dir",
            &path("sandbox"),
            "--merchant-public-key",
            &path("merchant-public.pem"),
            "--pci",
            "--log",
            "warn",
        ],
        "sandbox",
    )?;
    let config = json!({
        "listen": "127.0.0.1:0",
        "database": database,
        "frames_dir": root.join("www/frames").display().to_string(),
        "pkg_dir": root.join("pkg").display().to_string(),
        "answer_key": path("answer-key.pem"),
        "drain_seconds": 0,
        "master_key": {"file": path("master.key"), "create": true},
        "paykka": {"base_url": paykka, "platform_public_key": path("sandbox/platform-public.pem")},
        "limits": {"frames_load_per_ip": 100000, "pays_per_ip": 100000},
        "merchants": [{
            "merchant_id": MERCHANT_ID, "app_id": APP_ID,
            "paykka_private_key": path("merchant.pem"), "shop_public_key": path("shop-public.pem"),
            "client_keys": [{"key": CLIENT_KEY, "origins": [PAGE]}],
        }],
    });
    std::fs::write(
        dir.path().join("secure-origin.toml"),
        toml::to_string(&config)?,
    )?;
    let binary = release.join("paykka-secure-origin");
    let args = ["--config", &path("secure-origin.toml"), "--log", "warn"];
    let (_a, a) = start(&binary, &args, "secure-origin")?;
    let http = reqwest::Client::new();
    let load: Value = http
        .post(format!("{a}/v3/frames/load"))
        .header("origin", PAGE)
        .json(&json!({"client_key": CLIENT_KEY}))
        .send()
        .await?
        .json()
        .await?;
    let key = key_of(&load)?;
    let mut cards = encrypted_cards(&key, 3000)?.into_iter().enumerate();
    let mut run = |instances: Vec<String>, label: &str| {
        let work: Vec<(String, Vec<u8>)> = cards
            .by_ref()
            .take(1500)
            .map(|(i, payment)| {
                let body = json!({
                    "merchant_id": MERCHANT_ID, "trans_id": format!("{label}{i}"),
                    "payment_type": "PURCHASE", "amount": 300, "currency": "USD",
                    "return_url": "https://bench.example/return", "payment": payment,
                });
                (
                    instances[i % instances.len()].clone(),
                    body.to_string().into_bytes(),
                )
            })
            .collect();
        let (http, shop) = (http.clone(), shop.private.clone());
        drive(
            clients,
            seconds,
            work,
            move |(url, bytes): (String, Vec<u8>)| {
                let (http, shop) = (http.clone(), shop.clone());
                async move {
                    let url = format!("{url}{INITIATE}");
                    let answer = signing::signed_post(&http, &url, INITIATE, APP_ID, &shop, bytes)
                        .send()
                        .await;
                    // A failure says why on stderr (the table only counts them).
                    let answer = match answer {
                        Ok(r) => r.json::<Value>().await.map_err(|e| e.to_string()),
                        Err(e) => Err(e.to_string()),
                    };
                    match answer {
                        Ok(v) if v["data"]["status"] == "SUCCESS" => true,
                        Ok(v) => {
                            eprintln!(
                                "payment failed: code {} status {}",
                                v["code"], v["data"]["status"]
                            );
                            false
                        }
                        Err(e) => {
                            eprintln!("payment failed: {e}");
                            false
                        }
                    }
                }
            },
        )
    };
    let one = run(vec![a.clone()], "ONE").await;
    let (_b, b) = start(&binary, &args, "secure-origin")?;
    let two = run(vec![a, b], "TWO").await;
    Ok([one, two])
}
