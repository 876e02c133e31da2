//! The `paykka-secure-origin` binary as an operator runs it: from its configuration file,
//! ready when it says so, paying cards through the real sandbox under load with logs that
//! hold no card number or security code, rotating a key on command, and draining on
//! SIGTERM — `/readyz` says 503 at once, the payment in flight finishes, the process exits;
//! and two instances on one PostgreSQL, one killed under load and started again, losing no
//! payment, sending no `trans_id` to PayKKa twice, each webhook delivered once.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::postgres::Cluster;
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
    try_forward(&http, &url, &shop, &bytes)
        .await
        .expect("the service answers")
}

/// The same; an error when no answer came (the instance is gone).
async fn try_forward(
    http: &reqwest::Client,
    url: &str,
    shop: &rsa::PrivateKey,
    bytes: &[u8],
) -> reqwest::Result<Value> {
    let mut request = http.post(format!("{url}{INITIATE}"));
    for (name, value) in signed_headers(bytes, shop, &signing::new_nonce()) {
        request = request.header(name, value);
    }
    request.body(bytes.to_vec()).send().await?.json().await
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

/// A shop's webhook endpoint: answers every notification, and counts them.
async fn webhook_receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let kept = Arc::clone(&received);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::body::Bytes| {
            let kept = Arc::clone(&kept);
            async move {
                let notification = serde_json::from_slice(&body).unwrap_or(Value::Null);
                kept.lock().unwrap().push(notification);
                axum::Json(json!({"ret_code": "000000", "ret_msg": "Success"}))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_killed_under_load_loses_no_payment_and_sends_nothing_twice() {
    let cluster = Cluster::start();
    let database = cluster.database("failover");
    let dir = tempfile::tempdir().unwrap();
    let keys = Keys::create(dir.path());
    let paykka = sandbox(dir.path(), &keys).await;
    let (hook, notifications) = webhook_receiver().await;
    let config = common::config_file(dir.path(), &paykka.url, "127.0.0.1:0", 60);
    let text = std::fs::read_to_string(&config).unwrap().replace(
        "database = \"secure-origin.sqlite\"",
        &format!("database = \"{database}\""),
    );
    std::fs::write(&config, text).unwrap();
    let a = start(&config, &dir.path().join("a.log"));
    let b = start(&config, &dir.path().join("b.log"));
    let http = reqwest::Client::new();
    let key = card_key(&http, &b.url).await;
    let payment = |i: usize| {
        serde_json::to_vec(&json!({
            "merchant_id": common::MERCHANT_ID, "trans_id": format!("F{i}"),
            "payment_type": "PURCHASE", "amount": 300, "currency": "USD",
            "return_url": "https://shop.example/return", "notify_url": hook,
            "payment": encrypted(&key, "4242424242424242", "123"),
        }))
        .unwrap()
    };
    // Pays `range` from 4 clients, alternating instances; a payment whose instance is gone
    // is sent again, the same request, to B (as a load balancer would).
    let pay_all = |range: std::ops::Range<usize>, a_url: String| {
        let (http, b_url, shop) = (http.clone(), b.url.clone(), keys.shop.private.clone());
        let work = Arc::new(Mutex::new(
            range.map(|i| (i, payment(i))).collect::<Vec<_>>(),
        ));
        let answers = Arc::new(Mutex::new(Vec::new()));
        let clients = (0..4).map(|_| {
            let (http, a_url, b_url, shop) =
                (http.clone(), a_url.clone(), b_url.clone(), shop.clone());
            let (work, answers) = (Arc::clone(&work), Arc::clone(&answers));
            tokio::spawn(async move {
                loop {
                    let Some((i, bytes)) = work.lock().unwrap().pop() else {
                        break;
                    };
                    let first = if i % 2 == 0 { &a_url } else { &b_url };
                    let answer = match try_forward(&http, first, &shop, &bytes).await {
                        Ok(answer) => answer,
                        Err(_) => try_forward(&http, &b_url, &shop, &bytes).await.unwrap(),
                    };
                    answers.lock().unwrap().push((format!("F{i}"), answer));
                }
            })
        });
        let tasks: Vec<_> = clients.collect();
        async move {
            for task in tasks {
                task.await.unwrap();
            }
            Arc::try_unwrap(answers).unwrap().into_inner().unwrap()
        }
    };

    // A dies (SIGKILL) while the first 40 payments are under way.
    let mut a = a;
    let first = tokio::spawn(pay_all(0..40, a.url.clone()));
    let started = Instant::now();
    while paykka.trans_ids.lock().unwrap().len() < 8 && started.elapsed() < Duration::from_secs(20)
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    a.child.kill().unwrap();
    a.child.wait().unwrap();
    let sent_when_killed = paykka.trans_ids.lock().unwrap().len();
    assert!(
        (8..40).contains(&sent_when_killed),
        "killed under load: {sent_when_killed} of 40 sent"
    );
    let mut answers = first.await.unwrap();
    // A comes back on the same database and takes its share again.
    let a = start(&config, &dir.path().join("a-again.log"));
    answers.extend(pay_all(40..60, a.url.clone()).await);
    assert_eq!(answers.len(), 60);

    let db = rusqlite::Connection::open(dir.path().join("sandbox.sqlite")).unwrap();
    let status_at_paykka = |trans_id: &str| -> Option<String> {
        db.query_row(
            "SELECT status FROM payments WHERE trans_id = ?1",
            [trans_id],
            |r| r.get(0),
        )
        .ok()
    };
    for (trans_id, answer) in &answers {
        match answer["ret_code"].as_str() {
            // Acknowledged: PayKKa has it.
            Some("000000") => {
                assert_eq!(answer["data"]["status"], "SUCCESS", "{trans_id}: {answer}");
                assert_eq!(
                    status_at_paykka(trans_id).as_deref(),
                    Some("SUCCESS"),
                    "{trans_id}"
                );
            }
            // Sent by A, which died before it wrote the outcome: settled by a query, which
            // says what PayKKa has.
            Some("SO0003") => {
                let known = status_at_paykka(trans_id).unwrap_or_else(|| "NOT_FOUND".into());
                assert_eq!(
                    answer["data"]["status"],
                    known.as_str(),
                    "{trans_id}: {answer}"
                );
            }
            _ => panic!("{trans_id}: {answer}"),
        }
    }
    let sent = paykka.trans_ids.lock().unwrap().clone();
    let mut distinct = sent.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        sent.len(),
        "no trans_id sent to PayKKa twice: {sent:?}"
    );

    // Each payment PayKKa made is notified once.
    let paid: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM payments WHERE status = 'SUCCESS'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while notifications.lock().unwrap().len() < usize::try_from(paid).unwrap()
        && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut orders: Vec<String> = notifications
        .lock()
        .unwrap()
        .iter()
        .map(|n| n["order_id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        orders.len(),
        usize::try_from(paid).unwrap(),
        "one notification each"
    );
    orders.sort();
    orders.dedup();
    assert_eq!(orders.len(), usize::try_from(paid).unwrap(), "none twice");
    drop(a);
}
