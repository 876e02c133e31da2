//! The running service: its merchants (PayKKa keys, the shop's key, client keys), the
//! keyring, the storage, PayKKa's address and whether it is draining.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use paykka_api::client::PaykkaClient;
use rsa::{PrivateKey, PublicKey};

use crate::frame_page::FramePage;
use crate::keyring::Keyring;
use crate::storage::Storage;

/// A client key and the page origins registered for it.
pub struct ClientKey {
    pub key: String,
    pub origins: Vec<String>,
}

/// A merchant the service works for.
pub struct Merchant {
    pub merchant_id: String,
    pub app_id: String,
    /// The shop's key registered here: its requests must verify with it.
    pub shop_key: PublicKey,
    /// Signed as the merchant, to PayKKa.
    pub paykka: PaykkaClient,
    pub client_keys: Vec<ClientKey>,
}

/// Everything a request may need.
pub struct Service {
    pub public_origin: String,
    pub storage: Arc<dyn Storage>,
    pub keyring: Keyring,
    pub merchants: Vec<Merchant>,
    /// Signs the service's own answers (its refusals); PayKKa's pass through as they are.
    pub answer_key: PrivateKey,
    pub paykka_timeout_ms: u64,
    pub frames: FramePage,
    /// Set on SIGTERM: `/readyz` says 503 while requests in flight finish.
    pub draining: AtomicBool,
    pub limits: crate::config::LimitsConfig,
    pub trusted_proxies: Vec<std::net::IpAddr>,
    pub metrics: std::sync::Arc<crate::metrics::Metrics>,
}

pub type State = Arc<Service>;

impl Service {
    pub fn merchant_by_app(&self, app_id: &str) -> Option<&Merchant> {
        self.merchants.iter().find(|m| m.app_id == app_id)
    }

    /// The merchant and client key of `key`.
    pub fn client(&self, key: &str) -> Option<(&Merchant, &ClientKey)> {
        self.merchants
            .iter()
            .find_map(|m| m.client_keys.iter().find(|c| c.key == key).map(|c| (m, c)))
    }
}
