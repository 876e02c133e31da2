//! The demo merchant: its site (page, package, config) and its server API, which builds
//! and signs PayKKa requests from the page's encrypted card, receives webhooks and shows
//! the 3-D Secure return page. The reference integration for merchant back ends.

pub mod api;
pub mod client;
pub mod site;

use std::sync::Arc;

use crate::store::Db;
use client::PaykkaClient;

/// The merchant's configuration and connections.
pub struct Merchant {
    /// This site's own origin (for `notify_url` and `return_url`).
    pub origin: String,
    pub client_key: String,
    /// The secure origin the card frames come from.
    pub gateway_url: String,
    pub paykka: PaykkaClient,
    pub db: Db,
}

pub type State = Arc<Merchant>;

/// The merchant database's migrations.
pub const MIGRATIONS: &[&str] = &["CREATE TABLE orders (
       trans_id TEXT PRIMARY KEY, amount INTEGER NOT NULL, currency TEXT NOT NULL,
       status TEXT NOT NULL, order_id TEXT, error_code TEXT, message TEXT,
       card_brand TEXT, card_last4 TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
     CREATE TABLE webhooks (
       order_id TEXT NOT NULL, notify_type TEXT NOT NULL, trans_id TEXT NOT NULL,
       status TEXT NOT NULL, body TEXT NOT NULL, received_at INTEGER NOT NULL,
       PRIMARY KEY (order_id, notify_type));"];
