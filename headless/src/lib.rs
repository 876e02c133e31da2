//! chromedriver driving a headless Chromium, or geckodriver driving a headless Firefox ESR
//! (a fresh profile each time), with the flags that work as root on these machines; used
//! by the end-to-end tests and the benchmarks. Dropping a `Browser` kills the driver and
//! every browser process it started.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder};

/// A free TCP port on the loopback interface.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn chromium_binary() -> &'static str {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .find(|p| Path::new(p).exists())
    .unwrap_or("chromium")
}

/// Which browser the tests drive: Chromium, or Firefox ESR when `PAYKKA_BROWSER=firefox`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    Firefox,
}

impl Engine {
    /// The engine `PAYKKA_BROWSER` names (Chromium by default).
    pub fn from_env() -> Engine {
        match std::env::var("PAYKKA_BROWSER").as_deref() {
            Ok("firefox") => Engine::Firefox,
            _ => Engine::Chromium,
        }
    }

    fn driver(self) -> &'static str {
        match self {
            Engine::Chromium => "chromedriver",
            Engine::Firefox => "geckodriver",
        }
    }

    fn capabilities(self) -> Capabilities {
        let mut caps = Capabilities::new();
        match self {
            Engine::Chromium => {
                caps.insert(
                    "goog:chromeOptions".into(),
                    serde_json::json!({
                        "binary": chromium_binary(),
                        "args": [
                            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                            "--disable-background-networking", "--disable-component-update",
                            "--disable-sync", "--no-first-run", "--disable-quic"
                        ]
                    }),
                );
            }
            Engine::Firefox => {
                caps.insert("browserName".into(), "firefox".into());
                caps.insert(
                    "moz:firefoxOptions".into(),
                    serde_json::json!({
                        "binary": "/usr/bin/firefox-esr",
                        "args": ["-headless"],
                        "prefs": {"network.connectivity-service.enabled": false, "app.update.enabled": false}
                    }),
                );
            }
        }
        caps
    }
}

/// A WebDriver (chromedriver or geckodriver) with its headless browser.
pub struct Browser {
    driver: Child,
    pub client: Client,
}

impl Browser {
    /// The browser `PAYKKA_BROWSER` names (Chromium by default).
    pub async fn start() -> anyhow::Result<Browser> {
        Browser::start_engine(Engine::from_env()).await
    }

    pub async fn start_engine(engine: Engine) -> anyhow::Result<Browser> {
        let port = free_port()?;
        // Its own process group, so the browsers it starts can be killed with it.
        let driver = Command::new(engine.driver())
            .process_group(0)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| {
                anyhow::anyhow!("{} on PATH (./dev setup installs it): {e}", engine.driver())
            })?;
        let caps = engine.capabilities();
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut driver = driver;
        let client = loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(e) if Instant::now() > deadline => {
                    kill_group(&mut driver);
                    anyhow::bail!("chromedriver: {e}");
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Ok(Browser { driver, client })
    }

    /// Ends the session politely; dropping kills whatever is left.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

/// Kills chromedriver's process group: it and every browser process it started.
fn kill_group(driver: &mut Child) {
    let group = format!("-{}", driver.id());
    let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
    let _ = driver.wait();
}

impl Drop for Browser {
    fn drop(&mut self) {
        kill_group(&mut self.driver);
    }
}
