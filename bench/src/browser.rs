//! The in-browser measurements: a bench page served on its own origin, driven in headless
//! Chromium through chromedriver.

use std::path::PathBuf;
use std::time::Duration;

use fantoccini::{Client, Locator};
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
        let _ = axum::serve(paykka_api::listener::without_delay(listener), app).await;
    });
    Ok(origin)
}

pub use headless::free_port;

/// A headless Chromium for the bench page (killed when dropped).
pub struct Browser(headless::Browser);

impl Browser {
    pub async fn start() -> anyhow::Result<Browser> {
        Ok(Browser(headless::Browser::start().await?))
    }

    pub fn client(&self) -> &Client {
        &self.0.client
    }

    /// Opens the bench page and waits until the package is loaded.
    pub async fn open(&self, url: &str) -> anyhow::Result<()> {
        self.client().goto(url).await?;
        self.client()
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
        let value = self.client().execute_async(&script, vec![]).await?;
        if let Some(error) = value.get("error") {
            anyhow::bail!("bench page: {error}");
        }
        Ok(value)
    }

    pub async fn close(self) {
        self.0.close().await;
    }
}
