//! The `paykka-secure-origin` binary as an operator runs it: from its configuration file,
//! ready when it says so, paying cards through the real sandbox under load with logs that
//! hold no card number or security code, rotating a key on command, and draining on
//! SIGTERM — `/readyz` says 503 at once, the payment in flight finishes, the process exits.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::{encrypted, initiate, sandbox, signed_headers, Keys, CLIENT_KEY, SHOP};
use paykka_api::paths::INITIATE;
use paykka_api::signing;
use paykka_web::crypto::EncryptionKey;
use serde_json::{json, Value};

const BINARY: &str = env!("CARGO_BIN_EXE_paykka-secure-origin");

/// The running binary and its address.
struct Running {
    child: Child,
    url: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(config: &std::path::Path, log: &std::path::Path) -> Running {
    let mut child = Command::new(BINARY)
        .arg("--config")
        .arg(config)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("ready secure-origin=")
        .unwrap_or_else(|| panic!("no ready line: {line:?}"))
        .to_owned();
    Running { child, url }
}

/// The shop's signed Initiate sent to the running service; its answer.
async fn forward(
    http: reqwest::Client,
    url: String,
    shop: rsa::PrivateKey,
    bytes: Vec<u8>,
) -> Value {
    let mut request = http.post(format!("{url}{INITIATE}"));
    for (name, value) in signed_headers(&bytes, &shop, &signing::new_nonce()) {
        request = request.header(name, value);
    }
    request
        .body(bytes)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn card_key(http: &reqwest::Client, url: &str) -> EncryptionKey {
    let answer: Value = http
        .post(format!("{url}/v3/frames/load"))
        .header("origin", SHOP)
        .json(&json!({"client_key": CLIENT_KEY}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwk = serde_json::from_value(answer["data"]["public_key"].clone()).unwrap();
    EncryptionKey::from_jwk(&jwk, None).unwrap()
}

/// Digit runs of 13 to 19 that pass the Luhn check: what a card number looks like.
fn card_like_numbers(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|run| (13..=19).contains(&run.len()))
        .filter(|run| {
            let sum: u32 = run
                .bytes()
                .rev()
                .enumerate()
                .map(|(i, b)| {
                    let d = u32::from(b - b'0');
                    if i % 2 == 1 {
                        if d * 2 > 9 {
                            d * 2 - 9
                        } else {
                            d * 2
                        }
                    } else {
                        d
                    }
                })
                .sum();
            sum.is_multiple_of(10)
        })
        .map(str::to_owned)
        .collect()
}

/// Whether `code` stands alone in `text` (not inside a longer number or hex string).
fn stands_alone(text: &str, code: &str) -> bool {
    text.match_indices(code).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + code.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_hexdigit())
            && !after.is_some_and(|c| c.is_ascii_hexdigit())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_pays_under_load_logs_no_card_rotates_on_command_and_drains_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let keys = Keys::create(dir.path());
    let paykka = sandbox(dir.path(), &keys).await;
    let config = common::config_file(dir.path(), &paykka.url, "127.0.0.1:0", 60);
    let log = dir.path().join("secure-origin.log");
    let running = start(&config, &log);
    let (http, url) = (reqwest::Client::new(), running.url.clone());
    let ready = http.get(format!("{url}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);

    // A load run: 40 payments, 8 at a time, with three cards and their codes.
    let key = card_key(&http, &url).await;
    let cards = [
        ("4242424242424242", "737"),
        ("5555555555554444", "912"),
        ("378282246310005", "8264"),
    ];
    let mut tasks = Vec::new();
    for i in 0..40 {
        let (number, cvc) = cards[i % cards.len()];
        let bytes = initiate(&format!("LOAD-{i}"), encrypted(&key, number, cvc));
        let task = forward(http.clone(), url.clone(), keys.shop.private.clone(), bytes);
        tasks.push(tokio::spawn(async move {
            let answer = task.await;
            answer["data"]["status"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), "SUCCESS");
    }
    assert_eq!(paykka.initiates.load(Ordering::SeqCst), 40);

    // Rotation on command, by a second process on the same database.
    let rotated = Command::new(BINARY)
        .arg("--config")
        .arg(&config)
        .args(["rotate", "--merchant-id", common::MERCHANT_ID])
        .output()
        .unwrap();
    assert!(rotated.status.success(), "{rotated:?}");
    assert_ne!(card_key(&http, &url).await.kid(), key.kid());
    let before_rotation = initiate("AFTER-ROTATION", encrypted(&key, "4242424242424242", "737"));
    assert_eq!(
        forward(
            http.clone(),
            url.clone(),
            keys.shop.private.clone(),
            before_rotation
        )
        .await["data"]["status"],
        "SUCCESS",
        "the old key opens within the grace window"
    );

    // SIGTERM while a payment waits on PayKKa: out of rotation at once, the payment
    // finishes, the process exits.
    paykka.slow.store(true, Ordering::SeqCst);
    let fresh = card_key(&http, &url).await;
    let slow = initiate("IN-FLIGHT", encrypted(&fresh, "4242424242424242", "737"));
    let in_flight = tokio::spawn(forward(
        http.clone(),
        url.clone(),
        keys.shop.private.clone(),
        slow,
    ));
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = running.child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    tokio::time::sleep(Duration::from_millis(200)).await;
    let draining = http.get(format!("{url}/readyz")).send().await.unwrap();
    assert_eq!(draining.status(), 503, "out of the load balancer at once");
    let answer = in_flight.await.unwrap();
    assert_eq!(answer["data"]["status"], "SUCCESS", "{answer}");
    let mut running = running;
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = running.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running after SIGTERM");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status:?}");

    // The logs of all that: JSON lines, cards as BIN and last 4 at most.
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.lines().count() >= 40, "a line per payment at least");
    assert!(
        text.lines()
            .all(|l| serde_json::from_str::<Value>(l).is_ok()),
        "JSON lines"
    );
    assert!(text.contains("\"last4\":\"4242\""));
    assert_eq!(card_like_numbers(&text), Vec::<String>::new());
    for (_, cvc) in cards {
        assert!(!stands_alone(&text, cvc), "security code {cvc} in the log");
    }
}

#[test]
fn the_log_checks_find_what_they_look_for() {
    assert_eq!(
        card_like_numbers("x 4242424242424242, 1234567890123 y"),
        ["4242424242424242"]
    );
    assert!(stands_alone("\"cvv\":\"737\"", "737"));
    assert!(!stands_alone("nonce a737b 17370", "737"));
}
