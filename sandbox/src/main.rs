//! paykka-sandbox: serves the sandbox on its own origin for one merchant, registered with
//! its public key, its page origins and whether PayKKa assessed it as PCI DSS compliant.
//! Its own keys (PayKKa's platform key, the Apple Pay processing key) and database live in
//! a data directory; the platform key's public half is written beside it for the merchant.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Parser;
use paykka_api::apple_pay_signature::TrustRoot;
use paykka_api::apple_pay_token::{merchant_identifier, ProcessingKey};
use paykka_api::guesses::RepeatedTransId;
use paykka_api::keys;
use paykka_api::store::Db;
use paykka_sandbox::{Gateway, Merchant, MIGRATIONS};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

/// Command-line options (each also readable from the environment).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    #[arg(long, env = "PAYKKA_SANDBOX_ADDR", default_value = "127.0.0.1:8081")]
    addr: SocketAddr,
    /// Directory for the sandbox's keys and database; created on first start.
    #[arg(long, env = "PAYKKA_SANDBOX_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    /// The registered merchant's id.
    #[arg(long, env = "PAYKKA_MERCHANT_ID", default_value = "10001234567890")]
    merchant_id: String,
    /// The registered merchant's app id (`x-paykka-appid`).
    #[arg(long, env = "PAYKKA_APP_ID", default_value = "100012345678901")]
    app_id: String,
    /// The merchant's public key (PEM): its requests must verify with it.
    #[arg(long, env = "PAYKKA_MERCHANT_PUBLIC_KEY")]
    merchant_public_key: PathBuf,
    /// The merchant is assessed as PCI DSS compliant: it may send raw card data.
    #[arg(long, env = "PAYKKA_MERCHANT_PCI")]
    pci: bool,
    /// A page origin registered for the merchant (repeatable): frames its 3-D Secure
    /// challenges, and Apple Pay validates its domain.
    #[arg(
        long = "domain",
        env = "PAYKKA_MERCHANT_DOMAINS",
        value_delimiter = ','
    )]
    domains: Vec<String>,
    /// First webhook retry delay in ms (doubles per attempt).
    #[arg(long, env = "PAYKKA_WEBHOOK_BACKOFF_MS", default_value_t = 1000)]
    webhook_backoff_ms: i64,
    /// How long a refund is `PROCESSING` before it settles (then `REFUND.SUCCESS`), in ms.
    #[arg(long, env = "PAYKKA_REFUND_SETTLE_MS", default_value_t = 2000)]
    refund_settle_ms: i64,
    /// How a repeated `trans_id` is answered (PayKKa does not document it): `first`
    /// returns the first payment, `refuse` refuses with SB0006.
    #[arg(long, env = "PAYKKA_REPEATED_TRANS_ID", default_value = "first", value_parser = ["first", "refuse"])]
    repeated_trans_id: String,
    /// Verify Apple Pay token signatures against this root: `apple` (Apple Root CA – G3)
    /// or a PEM file (a test root). Without it, unsigned test tokens are taken.
    #[arg(long, env = "PAYKKA_APPLE_PAY_SIGNING_ROOT")]
    apple_pay_signing_root: Option<String>,
    /// Stop when standard input closes (for a launcher: the sandbox goes with it).
    #[arg(long)]
    stop_when_stdin_closes: bool,
    /// Log filter, e.g. `info`.
    #[arg(long, env = "PAYKKA_LOG", default_value = "info")]
    log: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // Logs go to stderr; stdout carries only the `ready` line that scripts and tests read.
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_new(&args.log)?)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
    std::fs::create_dir_all(&args.data_dir)?;
    let listener = TcpListener::bind(args.addr).await?;
    let origin = format!("http://{}", listener.local_addr()?);
    let platform_key = keys::load_or_create(&args.data_dir.join("platform-key.pem"))?;
    keys::write_public(&args.data_dir.join("platform-public.pem"), &platform_key)?;
    let apple_pay_key = ProcessingKey::load_or_create(
        &args.data_dir.join("apple-pay-gateway-key.pem"),
        &merchant_identifier(&args.merchant_id),
    )?
    .with_signing_root(TrustRoot::named(args.apple_pay_signing_root.as_deref())?);
    let gateway = Arc::new(Gateway {
        own_origin: origin.clone(),
        db: Db::open(&args.data_dir.join("gateway.sqlite"), MIGRATIONS)?,
        platform_key: platform_key.private,
        merchants: vec![Merchant {
            merchant_id: args.merchant_id,
            app_id: args.app_id,
            public_key: keys::load_public(&args.merchant_public_key)?,
            pci: args.pci,
            domains: args.domains,
        }],
        http: reqwest::Client::new(),
        webhook_backoff_ms: args.webhook_backoff_ms,
        refund_settle_ms: args.refund_settle_ms,
        repeated_trans_id: if args.repeated_trans_id == "refuse" {
            RepeatedTransId::Refused
        } else {
            RepeatedTransId::FirstPayment
        },
        apple_pay_key,
    });
    tokio::spawn(paykka_sandbox::webhooks::run(Arc::clone(&gateway)));
    tokio::spawn(paykka_sandbox::refunds::run_settlement(Arc::clone(
        &gateway,
    )));
    tracing::info!("sandbox (PayKKa) on {origin}");
    println!("ready sandbox={origin}");
    axum::serve(
        paykka_api::listener::without_delay(listener),
        paykka_sandbox::app(gateway).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(paykka_api::shutdown::requested_or_orphaned(
        args.stop_when_stdin_closes,
    ))
    .await?;
    tracing::info!("stopped");
    Ok(())
}
