//! chromedriver driving a headless Chromium, geckodriver driving a headless Firefox ESR (a
//! fresh profile each time), or WebKitWebDriver driving WebKitGTK's MiniBrowser on an Xvfb
//! display of its own, with the flags that work as root on these machines; used by the
//! end-to-end tests and the benchmarks. Dropping a `Browser` kills the driver, every browser
//! process it started and its display.

use std::io::{BufRead, BufReader};
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

/// WebKitGTK's own browser, which WebKitWebDriver starts in automation mode.
const MINIBROWSER: &str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

/// Which browser the tests drive: Chromium, or Firefox ESR when `PAYKKA_BROWSER=firefox`,
/// or WebKit (Safari's engine) when `PAYKKA_BROWSER=webkit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Chromium,
    Firefox,
    WebKit,
}

impl Engine {
    /// The engine `PAYKKA_BROWSER` names (Chromium by default).
    pub fn from_env() -> Engine {
        match std::env::var("PAYKKA_BROWSER").as_deref() {
            Ok("firefox") => Engine::Firefox,
            Ok("webkit") => Engine::WebKit,
            _ => Engine::Chromium,
        }
    }

    /// The engine's name as `PAYKKA_BROWSER` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "chromium",
            Engine::Firefox => "firefox",
            Engine::WebKit => "webkit",
        }
    }

    fn driver(self) -> &'static str {
        match self {
            Engine::Chromium => "chromedriver",
            Engine::Firefox => "geckodriver",
            Engine::WebKit => "WebKitWebDriver",
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
            Engine::WebKit => {
                // MiniBrowser has no headless mode: it draws on the Xvfb display `start` makes.
                caps.insert(
                    "webkitgtk:browserOptions".into(),
                    serde_json::json!({"binary": MINIBROWSER, "args": ["--automation"]}),
                );
            }
        }
        caps
    }
}

/// An X server in memory for a browser with no headless mode, killed when dropped.
struct Display {
    server: Child,
    name: String,
}

impl Display {
    /// A new Xvfb on a display number it picks itself (`-displayfd` writes it to stdout).
    fn start() -> anyhow::Result<Display> {
        let mut server = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-screen",
                "0",
                "1280x1024x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| anyhow::anyhow!("Xvfb on PATH (./dev setup installs xvfb): {e}"))?;
        let mut line = String::new();
        let stdout = server.stdout.take().expect("piped stdout");
        BufReader::new(stdout).read_line(&mut line)?;
        let number: u32 = line.trim().parse().map_err(|_| {
            let _ = server.kill();
            anyhow::anyhow!("Xvfb did not name its display: {line:?}")
        })?;
        Ok(Display {
            server,
            name: format!(":{number}"),
        })
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// A WebDriver (chromedriver, geckodriver or WebKitWebDriver) with its browser.
pub struct Browser {
    driver: Child,
    // Dropped after the driver is killed (fields drop in order after `Drop::drop`).
    _display: Option<Display>,
    pub client: Client,
    pub engine: Engine,
}

impl Browser {
    /// The browser `PAYKKA_BROWSER` names (Chromium by default).
    pub async fn start() -> anyhow::Result<Browser> {
        Browser::start_engine(Engine::from_env()).await
    }

    pub async fn start_engine(engine: Engine) -> anyhow::Result<Browser> {
        let port = free_port()?;
        let display = match engine {
            Engine::WebKit => Some(Display::start()?),
            _ => None,
        };
        let mut command = Command::new(engine.driver());
        if let Some(display) = &display {
            command.env("DISPLAY", &display.name);
        }
        // Its own process group, so the browsers it starts can be killed with it.
        let driver = command
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
                    anyhow::bail!("{}: {e}", engine.driver());
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        };
        Ok(Browser {
            driver,
            _display: display,
            client,
            engine,
        })
    }

    /// Ends the session politely; dropping kills whatever is left.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

/// Kills the driver's process group: it and every browser process it started.
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
