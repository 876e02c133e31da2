//! The demo's two neighbours as programs of their own, started beside the shop's binary on
//! their own origins: the sandbox playing PayKKa (`paykka-sandbox`) and the secure origin
//! (`paykka-secure-origin`). The launcher provisions what an operator would — the keys in
//! the data directory, the secure origin's configuration file — reads each program's
//! `ready` line, and keeps its standard input open: when the shop ends, however it ends,
//! they stop too. Their logs go to the shop's standard error.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::Context;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A program the shop started; it is stopped when this is dropped.
pub struct Neighbour {
    /// Held for its standard input: closing it tells the program to stop.
    _child: Child,
    /// Its origin, from its `ready` line.
    pub origin: String,
}

/// The program `name` built beside this binary (`cargo build --workspace --bins` builds
/// all three; `./dev build` does).
fn sibling(name: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let dir = exe.parent().context("this binary has no folder")?;
    // Test binaries run from target/<profile>/deps.
    let candidates = [dir.join(name), dir.join("..").join(name)];
    candidates.into_iter().find(|p| p.is_file()).with_context(|| {
        format!(
            "{name} is not built next to {}: run `cargo build --workspace --bins` (./dev build does)",
            exe.display()
        )
    })
}

/// Starts `name` with `args` (and the shop's log filter; it stops when the shop does) and
/// waits for its `ready <part>=<origin>` line.
async fn start(name: &str, part: &str, args: &[String], log: &str) -> anyhow::Result<Neighbour> {
    let mut child = Command::new(sibling(name)?)
        .args(args)
        .args(["--log", log, "--stop-when-stdin-closes"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {name}"))?;
    let stdout = child.stdout.take().context("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let prefix = format!("{part}=");
    while let Some(line) = lines.next_line().await? {
        if let Some(rest) = line.strip_prefix("ready ") {
            let origin = rest
                .split_whitespace()
                .find_map(|p| p.strip_prefix(&prefix))
                .with_context(|| format!("{name}'s ready line has no {part}"))?;
            return Ok(Neighbour {
                _child: child,
                origin: origin.to_owned(),
            });
        }
    }
    anyhow::bail!("{name} stopped before it was ready (its log is above)")
}

/// A path as the neighbours get it: absolute (the secure origin reads relative paths from
/// its configuration file's folder).
fn text(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_owned())
        .display()
        .to_string()
}

/// What the sandbox is started with.
pub struct SandboxLaunch<'a> {
    pub addr: &'a str,
    pub data_dir: &'a Path,
    pub merchant_id: &'a str,
    pub app_id: &'a str,
    pub merchant_public_key: &'a Path,
    pub domains: &'a [String],
    pub webhook_backoff_ms: i64,
    pub repeated_trans_id: &'a str,
    pub apple_pay_signing_root: Option<&'a str>,
    pub log: &'a str,
}

/// Starts the sandbox, the merchant registered as PCI-assessed (its secure
/// origin sends raw-card requests). Its platform key's public half is
/// `<data_dir>/platform-public.pem` once it is ready.
pub async fn sandbox(launch: &SandboxLaunch<'_>) -> anyhow::Result<Neighbour> {
    let mut args = vec![
        "--addr".to_owned(),
        launch.addr.to_owned(),
        "--data-dir".to_owned(),
        text(launch.data_dir),
        "--merchant-id".to_owned(),
        launch.merchant_id.to_owned(),
        "--app-id".to_owned(),
        launch.app_id.to_owned(),
        "--merchant-public-key".to_owned(),
        text(launch.merchant_public_key),
        "--pci".to_owned(),
        "--webhook-backoff-ms".to_owned(),
        launch.webhook_backoff_ms.to_string(),
        "--repeated-trans-id".to_owned(),
        launch.repeated_trans_id.to_owned(),
    ];
    for domain in launch.domains {
        args.extend(["--domain".to_owned(), domain.clone()]);
    }
    if let Some(root) = launch.apple_pay_signing_root {
        args.extend(["--apple-pay-signing-root".to_owned(), root.to_owned()]);
    }
    start("paykka-sandbox", "sandbox", &args, launch.log).await
}

/// What the secure origin is configured with.
pub struct SecureOriginLaunch<'a> {
    pub addr: &'a str,
    pub data_dir: &'a Path,
    /// PayKKa (the sandbox, or the real one).
    pub paykka_url: &'a str,
    pub platform_public_key: &'a Path,
    /// The shop's `--answer-signatures`.
    pub answer_signatures: paykka_api::client::AnswerSignatures,
    pub merchant_id: &'a str,
    pub app_id: &'a str,
    /// The merchant's PayKKa key: signs the raw-card requests.
    pub merchant_key: &'a Path,
    /// The shop's key registered at the service (its public half).
    pub shop_public_key: &'a Path,
    pub client_key: &'a str,
    pub origins: &'a [String],
    pub frames_dir: &'a Path,
    pub pkg_dir: &'a Path,
    pub log: &'a str,
}

/// Writes `<data_dir>/secure-origin.toml` as an operator would and starts the service; its answer key is `<data_dir>/secure-origin-answer-key.pem`.
pub async fn secure_origin(launch: &SecureOriginLaunch<'_>) -> anyhow::Result<Neighbour> {
    let dir = launch.data_dir;
    let config = json!({
        "listen": launch.addr,
        "database": text(&dir.join("secure-origin.sqlite")),
        "frames_dir": text(launch.frames_dir),
        "pkg_dir": text(launch.pkg_dir),
        "answer_key": text(&answer_key_file(dir)),
        "drain_seconds": 0,
        "master_key": {"file": text(&dir.join("master.key")), "create": true},
        // Every shopper of the demo (the tests, the bench) comes from 127.0.0.1.
        "limits": {"frames_load_per_ip": 6000, "pays_per_ip": 1200},
        "paykka": {
            "base_url": launch.paykka_url,
            "platform_public_key": text(launch.platform_public_key),
            "timeout_ms": 30_000,
            "answer_signatures": launch.answer_signatures.name(),
        },
        "merchants": [{
            "merchant_id": launch.merchant_id,
            "app_id": launch.app_id,
            "paykka_private_key": text(launch.merchant_key),
            "shop_public_key": text(launch.shop_public_key),
            "client_keys": [{"key": launch.client_key, "origins": launch.origins}],
        }],
    });
    let path = dir.join("secure-origin.toml");
    std::fs::write(&path, toml::to_string(&config)?)?;
    let args = ["--config".to_owned(), text(&path)];
    start("paykka-secure-origin", "secure-origin", &args, launch.log).await
}

/// The secure origin's answer-signing key in the data directory.
pub fn answer_key_file(data_dir: &Path) -> PathBuf {
    data_dir.join("secure-origin-answer-key.pem")
}
