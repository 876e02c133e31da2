//! Test support: starts the real demo (the shop's binary, which starts the sandbox and the
//! secure origin beside it) on free ports and a real headless Chromium through
//! chromedriver, and stops both when dropped.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, Locator};
pub use headless::Browser;
use serde_json::Value;

/// The built npm package; `./dev build` (and `./dev test`) create it.
pub fn pkg_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../pkg");
    assert!(
        dir.join("paykka_web_bg.wasm").exists(),
        "pkg/ is missing: run ./dev build first"
    );
    dir
}

/// A running `paykka-www` process.
pub struct Server {
    child: Child,
    pub merchant: String,
    /// PayKKa: the sandbox (paykka-sandbox) the demo started, unless it was given another.
    pub gateway: String,
    /// The secure origin (paykka-secure-origin): card frames, the drop-in's session API.
    pub secure_origin: String,
    pub log_path: PathBuf,
}

impl Server {
    /// Starts the binary with `data_dir` on free ports, waits for its ready line.
    pub fn start(data_dir: &Path) -> Server {
        Server::start_with(data_dir, &["--merchant-addr", "127.0.0.1:0"])
    }

    /// Starts the binary with the wallet test fakes served to its pages (`--wallet-fakes`).
    pub fn start_with_wallet_fakes(data_dir: &Path) -> Server {
        Server::start_with(
            data_dir,
            &["--merchant-addr", "127.0.0.1:0", "--wallet-fakes"],
        )
    }

    /// Starts the binary with extra arguments.
    pub fn start_with(data_dir: &Path, extra: &[&str]) -> Server {
        let log_path = data_dir.join("server.log");
        let log = std::fs::File::create(&log_path).expect("log file");
        let mut command = Command::new(env!("CARGO_BIN_EXE_paykka-www"));
        if !extra.contains(&"--gateway-addr") {
            command.args(["--gateway-addr", "127.0.0.1:0"]);
        }
        if !extra.contains(&"--secure-origin-addr") {
            command.args(["--secure-origin-addr", "127.0.0.1:0"]);
        }
        if !extra.contains(&"--pkg-dir") {
            command.arg("--pkg-dir").arg(pkg_dir());
        }
        let mut child = command
            .args(["--log", "debug", "--lab"])
            .args(extra)
            .arg("--data-dir")
            .arg(data_dir)
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start paykka-www");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let ready = lines
            .find_map(|line| line.ok().filter(|l| l.starts_with("ready ")))
            .expect("the server printed its ready line");
        let address = |name: &str| {
            ready
                .split_whitespace()
                .find_map(|part| part.strip_prefix(name))
                .expect("address in the ready line")
                .to_owned()
        };
        Server {
            merchant: address("merchant="),
            gateway: address("gateway="),
            secure_origin: address("secure-origin="),
            child,
            log_path,
        }
    }

    /// Everything the server logged so far (at least its start-up lines: a check that
    /// something is absent from the log must not pass because the log went elsewhere).
    pub fn log(&self) -> String {
        let log = std::fs::read_to_string(&self.log_path).unwrap_or_default();
        assert!(
            log.contains("secure origin on"),
            "the server's log did not reach {}",
            self.log_path.display()
        );
        log
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The merchant's current card key at the secure origin, opened from its database with
/// the data directory's master key (as an operator with both could), as PKCS#8 PEM.
pub async fn secure_origin_card_key(data_dir: &Path) -> String {
    use paykka_secure_origin::keyring::{Keyring, Rotation};
    use paykka_secure_origin::seal::MasterKey;
    use paykka_secure_origin::storage::{Sqlite, Storage};
    use rsa::pkcs8::{EncodePrivateKey, LineEnding};
    let storage =
        std::sync::Arc::new(Sqlite::open(&data_dir.join("secure-origin.sqlite")).unwrap());
    let keys = storage.keys_of("10001234567890".into()).await.unwrap();
    let current = keys
        .iter()
        .find(|k| k.decrypt_until.is_none())
        .expect("a current key");
    let master = MasterKey::from_file(&data_dir.join("master.key"), false).unwrap();
    let rotation = Rotation {
        every_ms: i64::MAX,
        grace_ms: 0,
    };
    let keyring = Keyring::new(storage, std::sync::Arc::new(master), rotation);
    let pair = keyring.open(current).unwrap();
    pair.private
        .to_pkcs8_pem(LineEnding::LF)
        .unwrap()
        .to_string()
}

/// A PayKKa platform key of a PayKKa that is not the sandbox: its public half written as a
/// PEM file in `dir`; the file's path.
pub fn platform_public_key(dir: &Path) -> String {
    let pair = paykka_api::keys::load_or_create(&dir.join("other-platform-key.pem")).unwrap();
    let path = dir.join("other-platform-public.pem");
    paykka_api::keys::write_public(&path, &pair).unwrap();
    path.display().to_string()
}

pub fn free_port() -> u16 {
    headless::free_port().expect("a free port")
}

/// A headless Chromium through chromedriver (killed when dropped).
pub async fn browser() -> Browser {
    Browser::start()
        .await
        .expect("chromium and chromedriver (./dev setup installs them)")
}

/// Opens the fake sheet of `wallet` (`apple-pay` or `google-pay`) with a trusted click on
/// `button`, picks test card `card` and pays.
pub async fn pay_in_fake_sheet(c: &Client, button: &str, wallet: &str, card: usize) {
    wait_until_still(c, button).await;
    click(c, button).await;
    wait_for(c, &format!("#fake-{wallet}-sheet[data-state='ready']")).await;
    c.find(Locator::Css(&format!("#fake-{wallet}-card")))
        .await
        .unwrap()
        .select_by_value(&card.to_string())
        .await
        .unwrap();
    click(c, &format!("#fake-{wallet}-pay")).await;
}

/// Waits until the element `css` selects has stopped moving on the page (frames above it
/// take their heights by messages): a click aimed at a button that then moves lands
/// elsewhere, for a shopper too.
pub async fn wait_until_still(c: &Client, css: &str) {
    wait_for(c, css).await;
    let top = format!(
        "return document.querySelector({}).getBoundingClientRect().top + scrollY",
        serde_json::to_string(css).unwrap()
    );
    settled(c, &top).await;
}

/// Opens a lab page and waits until it reports `state` (`ready` or `error`).
pub async fn open_lab(c: &Client, url: &str, state: &str) {
    c.goto(url).await.unwrap();
    wait_for(c, &format!("#status[data-state='{state}']")).await;
}

/// Waits for an element; a search cut short by a navigation (the page is going to the
/// element's page) is tried again, up to 20 s.
pub async fn wait_for(c: &Client, css: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        match c.find(Locator::Css(css)).await {
            Ok(_) => return,
            Err(e) if std::time::Instant::now() > deadline => panic!("waiting for {css}: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// Types into the input of the `index`-th frame on the page.
pub async fn type_in_frame(c: &Client, index: u16, text: &str) {
    c.enter_frame(index).await.unwrap();
    type_here_and_leave(c, text).await;
}

/// Types into the input of the frame element `css` selects (Firefox numbers frames by when
/// they were made, Chromium by where they are: with two components, pick by element).
pub async fn type_in_frame_at(c: &Client, css: &str, text: &str) {
    let frame = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap();
    frame.enter_frame().await.unwrap();
    type_here_and_leave(c, text).await;
}

/// Types into the input of the frame the client is in, then goes back to its parent.
async fn type_here_and_leave(c: &Client, text: &str) {
    let input = c
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("input"))
        .await
        .unwrap();
    click_and_type(&input, text).await;
    c.enter_parent_frame().await.unwrap();
}

/// Clicks an input, as a shopper does, then types into it. (WebKitWebDriver refuses keys
/// for an input in a frame that has not had focus: "Element is not focusable".)
pub async fn click_and_type(input: &fantoccini::elements::Element, text: &str) {
    input.click().await.unwrap();
    input.send_keys(text).await.unwrap();
}

/// Presses keys on whatever has focus, as a keyboard does (WebDriver key actions; WebKit's
/// driver refuses `send_keys` to an element found as "the active element" of a frame).
pub async fn press_keys(c: &Client, text: &str) {
    use fantoccini::actions::{InputSource, KeyAction, KeyActions};
    let mut keys = KeyActions::new("keyboard".into());
    for value in text.chars() {
        keys = keys
            .then(KeyAction::Down { value })
            .then(KeyAction::Up { value });
    }
    c.perform_actions(keys).await.unwrap();
    c.release_actions().await.unwrap();
}

/// `text` percent-encoded for a URL's query.
pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub async fn frame_value(c: &Client, index: u16) -> String {
    c.enter_frame(index).await.unwrap();
    let value = c
        .find(Locator::Css("input"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    c.enter_parent_frame().await.unwrap();
    value.unwrap_or_default()
}

/// Calls the lab card's `encrypt()`: the result's last 4, or the error code.
pub async fn encrypt_last4(c: &Client) -> Value {
    c.execute_async(
        "const done = arguments[0]; window.lab.card.encrypt().then(r => done(r.last4), e => done(e.code))",
        vec![],
    )
    .await
    .unwrap()
}

pub async fn eval(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap()
}

/// Evaluates `script` until it returns `expected` (up to 5 s); returns the last value.
pub async fn eventually(c: &Client, script: &str, expected: Value) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let value = eval(c, script).await;
        if value == expected || std::time::Instant::now() > deadline {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The value `script` returns once it has stayed the same for half a second (at most 5 s):
/// the frames report typing, focus and blur asynchronously.
pub async fn settled(c: &Client, script: &str) -> Value {
    stable(
        || eval(c, script),
        Duration::from_millis(500),
        Duration::from_secs(5),
    )
    .await
}

/// What `read` gives once it has not changed for `quiet` (or whatever it gives at `max`).
pub async fn stable<T: PartialEq, F: std::future::Future<Output = T>>(
    mut read: impl FnMut() -> F,
    quiet: Duration,
    max: Duration,
) -> T {
    let deadline = std::time::Instant::now() + max;
    let mut last = read().await;
    let mut since = std::time::Instant::now();
    while std::time::Instant::now() < deadline && since.elapsed() < quiet {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let value = read().await;
        if value != last {
            last = value;
            since = std::time::Instant::now();
        }
    }
    last
}

pub fn next_year_yy() -> u32 {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 86_400;
    ((1970.0 + days as f64 / 365.2425) as u32 + 1) % 100
}

/// Clicks an element (a trusted WebDriver click) once it is there.
pub async fn click(c: &Client, css: &str) {
    wait_for(c, css).await;
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// The text of a demo page's event panel (`#event-log`).
pub async fn event_log(c: &Client) -> String {
    eval(c, "return document.getElementById('event-log').textContent")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Waits (up to 10 s) until the browser is on a page whose URL starts with `prefix`.
pub async fn wait_for_url(c: &Client, prefix: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let url = c.current_url().await.unwrap().to_string();
        if url.starts_with(prefix) {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "still on {url}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
