//! Builds the running service from its configuration: storage (SQLite or PostgreSQL),
//! master key, keyring, merchants with their PayKKa clients, the frame page.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::Context;
use paykka_api::client::PaykkaClient;
use paykka_api::keys;

use crate::config::{Config, Database};
use crate::frame_page::FramePage;
use crate::keyring::{Keyring, Rotation};
use crate::seal::{KeyWrapper, MasterKey};
use crate::state::{ClientKey, Merchant, Service};
use crate::storage::{Postgres, Sqlite, Storage};

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The master key the configuration names.
fn master_key(config: &Config) -> anyhow::Result<MasterKey> {
    match (&config.master_key.file, &config.master_key.env) {
        (Some(file), _) => MasterKey::from_file(file, config.master_key.create),
        (None, Some(var)) => {
            let text = zeroize::Zeroizing::new(
                std::env::var(var).with_context(|| format!("the master key variable {var}"))?,
            );
            MasterKey::from_base64(&text)
        }
        (None, None) => anyhow::bail!("no master key configured"),
    }
}

/// The service for `config`.
pub async fn service(config: &Config) -> anyhow::Result<Service> {
    let storage: Arc<dyn Storage> = match &config.database {
        Database::Sqlite(file) => Arc::new(Sqlite::open(file)?),
        Database::Postgres(url) => Arc::new(
            Postgres::open(url)
                .await
                .context("opening the PostgreSQL database")?,
        ),
    };
    let wrapper: Arc<dyn KeyWrapper> = Arc::new(master_key(config)?);
    let rotation = Rotation {
        every_ms: i64::from(config.rotation.every_days) * DAY_MS,
        grace_ms: i64::from(config.rotation.grace_minutes) * 60 * 1000,
    };
    let platform_key = keys::load_public(&config.paykka.platform_public_key)?;
    let http = reqwest::Client::builder().build()?;
    let merchants = config
        .merchants
        .iter()
        .map(|m| {
            Ok(Merchant {
                merchant_id: m.merchant_id.clone(),
                app_id: m.app_id.clone(),
                shop_key: keys::load_public(&m.shop_public_key)?,
                paykka: PaykkaClient {
                    base_url: config.paykka.base_url.trim_end_matches('/').to_owned(),
                    merchant_id: m.merchant_id.clone(),
                    app_id: m.app_id.clone(),
                    merchant_key: keys::load_private(&m.paykka_private_key)?,
                    platform_key: platform_key.clone(),
                    also_trusted: None,
                    answer_signatures: config.paykka.answer_signatures,
                    http: http.clone(),
                },
                client_keys: m
                    .client_keys
                    .iter()
                    .map(|c| ClientKey {
                        key: c.key.clone(),
                        origins: c.origins.clone(),
                    })
                    .collect(),
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Service {
        public_origin: match &config.public_origin {
            Some(origin) => origin.trim_end_matches('/').to_owned(),
            None => format!("http://{}", config.listen),
        },
        keyring: Keyring::new(Arc::clone(&storage), wrapper, rotation),
        storage,
        merchants,
        answer_key: keys::load_or_create(&config.answer_key)?.private,
        paykka_timeout_ms: config.paykka.timeout_ms,
        frames: FramePage::load(&config.frames_dir, &config.pkg_dir)?,
        draining: AtomicBool::new(false),
        limits: config.limits,
        trusted_proxies: config.trusted_proxies.clone(),
        metrics: Arc::default(),
    })
}
