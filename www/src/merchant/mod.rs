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
    /// Serve the component lab (`/lab.html`), which the end-to-end tests drive.
    pub serve_lab: bool,
}

pub type State = Arc<Merchant>;

/// The merchant database's migrations.
pub const MIGRATIONS: &[&str] = &[
    "CREATE TABLE orders (
       trans_id TEXT PRIMARY KEY, amount INTEGER NOT NULL, currency TEXT NOT NULL,
       status TEXT NOT NULL, order_id TEXT, error_code TEXT, message TEXT,
       card_brand TEXT, card_last4 TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
     CREATE TABLE webhooks (
       order_id TEXT NOT NULL, notify_type TEXT NOT NULL, trans_id TEXT NOT NULL,
       status TEXT NOT NULL, body TEXT NOT NULL, received_at INTEGER NOT NULL,
       PRIMARY KEY (order_id, notify_type));",
    "CREATE TABLE webhook_nonces (nonce TEXT PRIMARY KEY, seen_at INTEGER NOT NULL);
     ALTER TABLE orders ADD COLUMN owner_hash TEXT;",
];

/// Whether an order may go from status `from` to `to`. Final statuses never change, and
/// nothing moves back (a late PROCESSING or AUTHORIZED never undoes a SUCCESS): what a
/// late, repeated or reordered notification or answer must not do.
pub fn status_may_move(from: &str, to: &str) -> bool {
    let rank = |status: &str| match status {
        "CREATED" => Some(0),
        "PENDING" | "PROCESSING" => Some(1),
        "AUTHORIZED" => Some(2),
        "SUCCESS" | "FAILURE" | "CANCELED" => Some(3),
        _ => None,
    };
    match (rank(from), rank(to)) {
        (Some(3), _) | (_, None) => false,
        // AUTHORIZED ends in SUCCESS (capture) or CANCELED (void), never FAILURE.
        (Some(2), _) => to == "SUCCESS" || to == "CANCELED",
        (Some(a), Some(b)) => b > a,
        (None, _) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::status_may_move;

    #[test]
    fn orders_only_move_forward() {
        for (from, to) in [
            ("CREATED", "PROCESSING"),
            ("CREATED", "SUCCESS"),
            ("PROCESSING", "SUCCESS"),
            ("PROCESSING", "FAILURE"),
            ("PROCESSING", "AUTHORIZED"),
            ("AUTHORIZED", "SUCCESS"),
            ("AUTHORIZED", "CANCELED"),
        ] {
            assert!(status_may_move(from, to), "{from} -> {to}");
        }
        for (from, to) in [
            ("SUCCESS", "PROCESSING"),
            ("SUCCESS", "FAILURE"),
            ("SUCCESS", "SUCCESS"),
            ("FAILURE", "SUCCESS"),
            ("CANCELED", "AUTHORIZED"),
            ("AUTHORIZED", "PROCESSING"),
            ("AUTHORIZED", "FAILURE"),
            ("PROCESSING", "PROCESSING"),
            ("CREATED", "WHATEVER"),
        ] {
            assert!(!status_may_move(from, to), "{from} -> {to}");
        }
    }
}
