//! The in-browser measurements: a bench page served on its own origin, driven in headless
//! Chromium through chromedriver.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::Value;
use tower_http::services::ServeDir;

/// Serves the bench page, the package and node-forge; returns its origin.
pub async fn serve_page(page: PathBuf, pkg: PathBuf, forge: PathBuf) -> anyhow::Result<String> {
    let app = axum::Router::new()
        .nest_service("/pkg", ServeDir::new(pkg))
        .nest_service("/forge", ServeDir::new(forge))
        .fallback_service(ServeDir::new(page));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let origin = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(origin)
}

pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// chromedriver with a headless Chromium (a fresh profile each time).
pub struct Browser {
    driver: Child,
    pub client: Client,
}

impl Browser {
    pub async fn start() -> anyhow::Result<Browser> {
        let port = free_port()?;
        // Its own process group, so the browsers it starts can be killed with it.
        let driver = Command::new("chromedriver")
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let mut caps = Capabilities::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": if Path::new("/usr/bin/chromium").exists() { "/usr/bin/chromium" } else { "chromium" },
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--no-first-run", "--disable-quic"]
            }),
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => break client,
                Err(e) if Instant::now() > deadline => anyhow::bail!("chromedriver: {e}"),
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Ok(Browser { driver, client })
    }

    /// Opens the bench page and waits until the package is loaded.
    pub async fn open(&self, url: &str) -> anyhow::Result<()> {
        self.client.goto(url).await?;
        self.client
            .wait()
            .at_most(Duration::from_secs(30))
            .for_element(Locator::Css("#status[data-state='ready']"))
            .await?;
        Ok(())
    }

    /// Runs `window.bench.<call>` and returns its result.
    pub async fn run(&self, call: &str) -> anyhow::Result<Value> {
        let script = format!(
            "const done = arguments[0]; window.bench.{call}.then(done, e => done({{error: String(e)}}));"
        );
        let value = self.client.execute_async(&script, vec![]).await?;
        if let Some(error) = value.get("error") {
            anyhow::bail!("bench page: {error}");
        }
        Ok(value)
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

/// Kills chromedriver and every browser process it started, even after a failure.
impl Drop for Browser {
    fn drop(&mut self) {
        let group = format!("-{}", self.driver.id());
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.driver.wait();
    }
}
