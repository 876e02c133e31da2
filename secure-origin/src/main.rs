//! paykka-secure-origin: `serve` (the default) runs the service from its configuration;
//! `rotate --merchant-id M` rotates a merchant's card key now. Logs are JSON lines on
//! stderr; stdout carries only the `ready` line scripts and tests read.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use paykka_secure_origin::config::Config;
use paykka_secure_origin::{app, start};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// The configuration file (TOML).
    #[arg(long, env = "PAYKKA_SO_CONFIG")]
    config: PathBuf,
    /// Log filter, e.g. `info`.
    #[arg(long, env = "PAYKKA_SO_LOG", default_value = "info")]
    log: String,
    /// Stop when standard input closes (for a launcher: the service goes with it).
    #[arg(long)]
    stop_when_stdin_closes: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve (the default).
    Serve,
    /// Rotate a merchant's card key now; the old key opens ciphertexts for the grace window.
    Rotate {
        #[arg(long)]
        merchant_id: String,
    },
}

/// How often due rotations are looked for.
const ROTATION_TICK: Duration = Duration::from_secs(60);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(EnvFilter::try_new(&args.log)?)
        .with_writer(std::io::stderr)
        .init();
    let mut config = Config::load(&args.config)?;
    if let Some(Command::Rotate { merchant_id }) = args.command {
        let service = start::service(&config).await?;
        anyhow::ensure!(
            service
                .merchants
                .iter()
                .any(|m| m.merchant_id == merchant_id),
            "{merchant_id} is not configured"
        );
        let kid = service.keyring.rotate(&merchant_id).await?;
        println!("rotated {merchant_id}: current kid {kid}");
        return Ok(());
    }
    let listener = TcpListener::bind(config.listen).await?;
    let address = listener.local_addr()?;
    // Port 0 asked for any free port: the origin (when not configured) is the one bound.
    config.listen = address;
    let service = Arc::new(start::service(&config).await?);
    // Every merchant has a current key before the service says it is ready.
    for merchant in &service.merchants {
        service.keyring.current(&merchant.merchant_id).await?;
    }
    tokio::spawn(rotate_when_due(Arc::clone(&service)));
    if let Some(metrics_listen) = config.metrics_listen {
        let metrics = TcpListener::bind(metrics_listen).await?;
        tracing::info!(address = %metrics.local_addr()?, "metrics listening");
        let app = paykka_secure_origin::metrics::app(Arc::clone(&service.metrics));
        let metrics = paykka_api::listener::without_delay(metrics);
        tokio::spawn(async move { axum::serve(metrics, app).await });
    }
    tracing::info!(%address, "secure origin listening");
    println!("ready secure-origin=http://{address}");
    let drain = Duration::from_secs(config.drain_seconds);
    let draining = Arc::clone(&service);
    axum::serve(
        paykka_api::listener::without_delay(listener),
        app(service).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        paykka_api::shutdown::requested_or_orphaned(args.stop_when_stdin_closes).await;
        // Out of the load balancer first, then stop taking connections.
        draining.draining.store(true, Ordering::SeqCst);
        tracing::info!("draining");
        tokio::time::sleep(drain).await;
    })
    .await?;
    tracing::info!("stopped");
    Ok(())
}

/// Rotates each merchant's key once it is older than the rotation period.
async fn rotate_when_due(service: Arc<paykka_secure_origin::state::Service>) {
    loop {
        for merchant in &service.merchants {
            if let Err(error) = service.keyring.current(&merchant.merchant_id).await {
                tracing::error!(merchant_id = %merchant.merchant_id, "key rotation: {error:#}");
            }
        }
        tokio::time::sleep(ROTATION_TICK).await;
    }
}
