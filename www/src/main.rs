//! paykka-www: the demo server. Serves the merchant demo site (page, built npm package,
//! merchant API) and keeps its keys in a data directory created on first start.

mod keys;
mod merchant;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// Command-line options (each also readable from the environment).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Address of the merchant site.
    #[arg(long, env = "PAYKKA_MERCHANT_ADDR", default_value = "127.0.0.1:8080")]
    merchant_addr: SocketAddr,
    /// Directory for keys and data; created on first start.
    #[arg(long, env = "PAYKKA_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    /// The built npm package (./dev build writes it to pkg/).
    #[arg(long, env = "PAYKKA_PKG_DIR", default_value = "pkg")]
    pkg_dir: PathBuf,
    /// Static files of the demo page.
    #[arg(long, env = "PAYKKA_STATIC_DIR", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/static"))]
    static_dir: PathBuf,
    /// Log filter, e.g. `info` or `paykka_www=debug`.
    #[arg(long, env = "PAYKKA_LOG", default_value = "info")]
    log: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_new(&args.log)?)
        .init();

    std::fs::create_dir_all(&args.data_dir)?;
    let demo_key = keys::load_or_create(&args.data_dir.join("demo-card-key.pem"))?;
    let state = merchant::State::new(demo_key);
    let app = merchant::app(state, &args.static_dir, &args.pkg_dir);

    let listener = tokio::net::TcpListener::bind(args.merchant_addr).await?;
    let addr = listener.local_addr()?;
    tracing::info!("merchant site on http://{addr}");
    // Tests read this line to learn the port.
    println!("ready merchant=http://{addr}");
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
