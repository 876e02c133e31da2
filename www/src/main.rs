//! paykka-www: the demo shop — its site (page, built npm package, config) and its server
//! API — and the launcher of the demo's two other programs, each on its own origin: the
//! sandbox playing PayKKa (`paykka-sandbox`) and the secure origin that serves the card
//! frames and the drop-in's session API and sends PayKKa raw-card requests
//! (`paykka-secure-origin`). Keys and data live in a data directory created on first start.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::Parser;
use paykka_api::apple_pay_signature::TrustRoot;
use paykka_api::apple_pay_token::{merchant_identifier, ProcessingKey};
use paykka_api::client::{AnswerSignatures, PaykkaClient};
use paykka_api::keys;
use paykka_api::store::Db;
use paykka_www::launch::{self, SandboxLaunch, SecureOriginLaunch};
use paykka_www::merchant::{self, Merchant, WalletFakes};
use rsa::PublicKey;
use std::sync::Arc;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

/// Command-line options (each also readable from the environment).
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// Address of the merchant site.
    #[arg(long, env = "PAYKKA_MERCHANT_ADDR", default_value = "127.0.0.1:8080")]
    merchant_addr: SocketAddr,
    /// Address of the sandbox playing PayKKa (paykka-sandbox, started by this program).
    #[arg(long, env = "PAYKKA_GATEWAY_ADDR", default_value = "127.0.0.1:8081")]
    gateway_addr: SocketAddr,
    /// Address of the secure origin (paykka-secure-origin, started by this program: the
    /// card frames, their keys, the drop-in's session API, card payments to PayKKa).
    #[arg(
        long,
        env = "PAYKKA_SECURE_ORIGIN_ADDR",
        default_value = "127.0.0.1:8082"
    )]
    secure_origin_addr: SocketAddr,
    /// Page origins registered for the demo client key (repeatable). Default: the merchant
    /// site as http://localhost:<port> and http://127.0.0.1:<port>.
    #[arg(
        long = "allowed-origin",
        env = "PAYKKA_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    allowed_origins: Vec<String>,
    /// Directory for keys and data; created on first start.
    #[arg(long, env = "PAYKKA_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    /// The built npm package (./dev build writes it to pkg/).
    #[arg(long, env = "PAYKKA_PKG_DIR", default_value = "pkg")]
    pkg_dir: PathBuf,
    /// Static files of the demo page.
    #[arg(long, env = "PAYKKA_STATIC_DIR", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/static"))]
    static_dir: PathBuf,
    /// The secure frame page.
    #[arg(long, env = "PAYKKA_FRAMES_DIR", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/frames"))]
    frames_dir: PathBuf,
    /// PayKKa API base URL (default: the sandbox this program starts).
    #[arg(long, env = "PAYKKA_API_BASE")]
    paykka_base_url: Option<String>,
    /// The merchant id at PayKKa.
    #[arg(long, env = "PAYKKA_MERCHANT_ID", default_value = "10001234567890")]
    merchant_id: String,
    /// The app id (`x-paykka-appid`) at PayKKa.
    #[arg(long, env = "PAYKKA_APP_ID", default_value = "100012345678901")]
    app_id: String,
    /// The merchant's private key (PKCS#8 PEM); default: generated in the data directory.
    #[arg(long, env = "PAYKKA_MERCHANT_KEY")]
    merchant_key: Option<PathBuf>,
    /// PayKKa's platform public key (PEM); default: the sandbox's.
    #[arg(long, env = "PAYKKA_PLATFORM_KEY")]
    platform_public_key: Option<PathBuf>,
    /// First webhook retry delay in ms (doubles per attempt).
    #[arg(long, env = "PAYKKA_WEBHOOK_BACKOFF_MS", default_value_t = 1000)]
    webhook_backoff_ms: i64,
    /// How the sandbox answers a repeated `trans_id` (PayKKa does not document it): `first`
    /// returns the first payment, `refuse` refuses with SB0006.
    #[arg(long, env = "PAYKKA_REPEATED_TRANS_ID", default_value = "first", value_parser = ["first", "refuse"])]
    repeated_trans_id: String,
    /// Serve the component lab page (`/lab.html`) and the pages' test hooks, which the
    /// end-to-end tests use.
    #[arg(long, env = "PAYKKA_LAB")]
    lab: bool,
    /// Decrypt Apple Pay tokens in the merchant backend and send the card data as a PCI
    /// merchant (PayKKa's second Apple Pay mode) instead of sending the token.
    #[arg(long, env = "PAYKKA_APPLE_PAY_DECRYPT")]
    apple_pay_decrypt: bool,
    /// Verify Apple Pay token signatures against this root before decrypting: `apple`
    /// (Apple Root CA – G3, for real tokens) or a PEM file (a test root). Without it, the
    /// unsigned tokens of the test fakes are taken (and a warning is logged).
    #[arg(long, env = "PAYKKA_APPLE_PAY_SIGNING_ROOT")]
    apple_pay_signing_root: Option<String>,
    /// Serve test fakes of Apple Pay and Google Pay to the demo page, to try the wallet
    /// buttons in any browser. Never for production.
    #[arg(long, env = "PAYKKA_WALLET_FAKES")]
    wallet_fakes: bool,
    /// What is done with a PayKKa answer not signed as guessed (PayKKa does not publish how
    /// it signs answers): `strict` refuses it (GATEWAY_INVALID_ANSWER), `report` takes it
    /// and logs a warning. Also given to the secure origin.
    #[arg(long, env = "PAYKKA_ANSWER_SIGNATURES", default_value = "strict")]
    answer_signatures: AnswerSignatures,
    /// Log filter, e.g. `info` or `paykka_www=debug`.
    #[arg(long, env = "PAYKKA_LOG", default_value = "info")]
    log: String,
}

/// The staff's bearer token for the shop's void, refund and refund query calls, made once
/// and kept in the data directory (mode 0600); its SHA-256.
fn admin_token_hash(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join("admin-token");
    if !path.exists() {
        keys::write_secret(&path, paykka_api::signing::new_nonce().as_bytes())?;
    }
    let token = std::fs::read_to_string(&path)?;
    Ok(merchant::token_hash(token.trim()))
}

/// The demo client key, made once and kept in the data directory.
fn client_key(data_dir: &Path) -> anyhow::Result<String> {
    let path = data_dir.join("client-key");
    if let Ok(key) = std::fs::read_to_string(&path) {
        return Ok(key.trim().to_owned());
    }
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    let key = format!(
        "ck_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    );
    std::fs::write(&path, &key)?;
    Ok(key)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // Logs go to stderr; stdout carries only the `ready` line that scripts and tests read.
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_new(&args.log)?)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();

    let data_dir = &args.data_dir;
    std::fs::create_dir_all(data_dir)?;
    let merchant_listener = TcpListener::bind(args.merchant_addr).await?;
    let merchant_addr = merchant_listener.local_addr()?;
    let merchant_url = format!("http://{merchant_addr}");
    let allowed_origins = if args.allowed_origins.is_empty() {
        vec![
            format!("http://localhost:{}", merchant_addr.port()),
            format!("http://127.0.0.1:{}", merchant_addr.port()),
        ]
    } else {
        args.allowed_origins.clone()
    };

    // What an operator provisions: the merchant's PayKKa key (its public half registered at
    // PayKKa and, as the shop's key, at the secure origin), the client key, Apple Pay keys.
    let client_key = client_key(data_dir)?;
    let merchant_key_file = match &args.merchant_key {
        Some(path) => path.clone(),
        None => data_dir.join("merchant-key.pem"),
    };
    let merchant_key = keys::load_or_create(&merchant_key_file)?;
    let merchant_public_file = data_dir.join("merchant-public.pem");
    keys::write_public(&merchant_public_file, &merchant_key)?;
    let apple_merchant = merchant_identifier(&args.merchant_id);
    let signing_root = TrustRoot::named(args.apple_pay_signing_root.as_deref())?;
    let gateway_apple_key = ProcessingKey::load_or_create(
        &data_dir.join("apple-pay-gateway-key.pem"),
        &apple_merchant,
    )?;
    let merchant_apple_key = if args.apple_pay_decrypt {
        Some(
            ProcessingKey::load_or_create(
                &data_dir.join("apple-pay-merchant-key.pem"),
                &apple_merchant,
            )?
            .with_signing_root(signing_root),
        )
    } else {
        None
    };
    let wallet_fakes = args.wallet_fakes.then(|| WalletFakes {
        apple_pay_public_key: merchant_apple_key
            .as_ref()
            .unwrap_or(&gateway_apple_key)
            .public_key_base64(),
    });

    let sandbox = match &args.paykka_base_url {
        Some(_) => None,
        None => Some(
            launch::sandbox(&SandboxLaunch {
                addr: &args.gateway_addr.to_string(),
                data_dir,
                merchant_id: &args.merchant_id,
                app_id: &args.app_id,
                merchant_public_key: &merchant_public_file,
                domains: &allowed_origins,
                webhook_backoff_ms: args.webhook_backoff_ms,
                repeated_trans_id: &args.repeated_trans_id,
                apple_pay_signing_root: args.apple_pay_signing_root.as_deref(),
                log: &args.log,
            })
            .await?,
        ),
    };
    let paykka_url = match (&args.paykka_base_url, &sandbox) {
        (Some(url), _) => url.clone(),
        (None, Some(sandbox)) => sandbox.origin.clone(),
        (None, None) => unreachable!("the sandbox runs when no PayKKa URL is given"),
    };
    let platform_key_file = match (&args.platform_public_key, &sandbox) {
        (Some(path), _) => path.clone(),
        (None, Some(_)) => data_dir.join("platform-public.pem"),
        (None, None) => anyhow::bail!("--platform-public-key is needed with --paykka-base-url"),
    };
    let platform_public_key = keys::load_public(&platform_key_file)?;
    let secure_origin = launch::secure_origin(&SecureOriginLaunch {
        addr: &args.secure_origin_addr.to_string(),
        data_dir,
        paykka_url: &paykka_url,
        platform_public_key: &platform_key_file,
        answer_signatures: args.answer_signatures,
        merchant_id: &args.merchant_id,
        app_id: &args.app_id,
        merchant_key: &merchant_key_file,
        shop_public_key: &merchant_public_file,
        client_key: &client_key,
        origins: &allowed_origins,
        frames_dir: &args.frames_dir,
        pkg_dir: &args.pkg_dir,
        log: &args.log,
    })
    .await?;
    let answer_key = keys::load_private(&launch::answer_key_file(data_dir))?;

    let http = reqwest::Client::builder().build()?;
    let paykka_client = |base_url: &str, also_trusted| PaykkaClient {
        base_url: base_url.to_owned(),
        merchant_id: args.merchant_id.clone(),
        app_id: args.app_id.clone(),
        merchant_key: merchant_key.private.clone(),
        platform_key: platform_public_key.clone(),
        also_trusted,
        answer_signatures: args.answer_signatures,
        http: http.clone(),
    };
    let merchant = Arc::new(Merchant {
        origin: merchant_url.clone(),
        client_key,
        gateway_url: paykka_url.clone(),
        secure_origin_url: secure_origin.origin.clone(),
        paykka: paykka_client(&paykka_url, None),
        // Card payments go to the secure origin, which answers with PayKKa's signed answer
        // or with a refusal of its own, signed with its answer key.
        forwarder: paykka_client(&secure_origin.origin, Some(PublicKey::from(&answer_key))),
        db: Db::open(&data_dir.join("merchant.sqlite"), merchant::MIGRATIONS)?,
        admin_token_hash: admin_token_hash(data_dir)?,
        serve_lab: args.lab,
        apple_pay_key: merchant_apple_key,
        wallet_fakes,
    });
    let merchant_app = merchant::site::app(merchant, &args.static_dir, &args.pkg_dir);

    tracing::info!(
        "merchant site on {merchant_url} (also http://localhost:{})",
        merchant_addr.port()
    );
    tracing::info!("PayKKa (the sandbox unless --paykka-base-url) on {paykka_url}");
    tracing::info!("secure origin on {}", secure_origin.origin);
    // Tests read this line to learn the origins.
    println!(
        "ready merchant={merchant_url} gateway={paykka_url} secure-origin={}",
        secure_origin.origin
    );

    // With connect info: the shopper's IP for PayKKa's `customer` fields.
    axum::serve(
        paykka_api::listener::without_delay(merchant_listener),
        merchant_app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(paykka_api::shutdown::requested())
    .await?;
    // The neighbours stop as they are dropped (their standard input closes).
    drop((secure_origin, sandbox));
    tracing::info!("stopped");
    Ok(())
}
