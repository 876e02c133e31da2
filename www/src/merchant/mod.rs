//! The demo merchant: its site (page, package, config) and its server API, which builds
//! and signs PayKKa requests from the page's encrypted card, receives webhooks and shows
//! the 3-D Secure return page. The reference integration for merchant back ends.

pub mod api;
pub mod refunds;
pub mod site;
pub mod webhooks;

use std::sync::Arc;

use paykka_api::client::PaykkaClient;
use paykka_api::store::Db;

/// The merchant's configuration and connections.
pub struct Merchant {
    /// This site's own origin (for `notify_url` and `return_url`).
    pub origin: String,
    pub client_key: String,
    /// PayKKa's pages (3-D Secure, redirect methods), which the page may frame.
    pub gateway_url: String,
    /// The secure origin the card frames come from, which card payments go through.
    pub secure_origin_url: String,
    pub paykka: PaykkaClient,
    /// PayKKa through the secure origin: Initiate with the card's ciphertexts.
    pub forwarder: PaykkaClient,
    pub db: Db,
    /// The SHA-256 (hex) of the staff's bearer token for void, refund and refund query.
    pub admin_token_hash: String,
    /// Serve the component lab (`/lab.html`), which the end-to-end tests drive.
    pub serve_lab: bool,
    /// Decrypt Apple Pay tokens here and send the card as a PCI merchant (PayKKa's second
    /// Apple Pay mode); `None`: PayKKa decrypts the token.
    pub apple_pay_key: Option<paykka_api::apple_pay_token::ProcessingKey>,
    /// Serve the wallet fakes (`/wallet-fakes/…`) so the demo's wallet buttons can be tried
    /// without Safari or a Google account. A try-out switch; the package has no fakes.
    pub wallet_fakes: Option<WalletFakes>,
}

/// What the wallet fakes need to make tokens the demo can pay with.
pub struct WalletFakes {
    /// Base64 SPKI of the key that opens Apple Pay tokens (the gateway's or the merchant's).
    pub apple_pay_public_key: String,
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
    // One row per notification: (order, type, refund), so a second partial refund counts.
    "CREATE TABLE webhooks_by_event (
       event_key TEXT PRIMARY KEY, order_id TEXT NOT NULL, notify_type TEXT NOT NULL,
       trans_id TEXT NOT NULL, status TEXT NOT NULL, body TEXT NOT NULL, received_at INTEGER NOT NULL);
     INSERT INTO webhooks_by_event
       SELECT order_id || ':' || notify_type || ':', order_id, notify_type, trans_id, status, body, received_at FROM webhooks;
     DROP TABLE webhooks;
     ALTER TABLE webhooks_by_event RENAME TO webhooks;",
    // Apple Pay tokens the merchant opened itself (`--apple-pay-decrypt`): one order each.
    "CREATE TABLE wallet_tokens (token_id TEXT PRIMARY KEY, trans_id TEXT NOT NULL);",
    // Notifications are counted by event, whatever their nonce (PayKKa redelivers them);
    // the merchant's refunds (the reference for void, refund and refund query).
    "DROP TABLE webhook_nonces;
     CREATE TABLE refunds (
       refund_trans_id TEXT PRIMARY KEY, trans_id TEXT NOT NULL REFERENCES orders(trans_id),
       amount INTEGER NOT NULL, currency TEXT NOT NULL, reason TEXT NOT NULL,
       refund_order_id TEXT, status TEXT NOT NULL, error_code TEXT,
       created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);",
];

/// The SHA-256 (hex) of a secret the shop checks but does not keep: an order owner's
/// cookie, the staff's bearer token.
pub fn token_hash(token: &str) -> String {
    base16ct::lower::encode_string(&<sha2::Sha256 as sha2::Digest>::digest(token.as_bytes()))
}

/// Whether an order may go from status `from` to `to`: only forward (a late PROCESSING or
/// AUTHORIZED never undoes a SUCCESS), and FAILURE, CANCELED and REFUNDED are final. What
/// a late, repeated or reordered notification or answer must not do.
pub fn status_may_move(from: &str, to: &str) -> bool {
    let next: &[&str] = match from {
        "CREATED" | "PENDING" => &["PROCESSING", "AUTHORIZED", "SUCCESS", "FAILURE", "CANCELED"],
        "PROCESSING" => &["AUTHORIZED", "SUCCESS", "FAILURE", "CANCELED"],
        // Capture or void; never FAILURE.
        "AUTHORIZED" => &["SUCCESS", "CANCELED", "PARTIALLY_REVERSED"],
        "SUCCESS" => &["PARTIALLY_REFUNDED", "REFUNDED"],
        "PARTIALLY_REFUNDED" => &["REFUNDED"],
        _ => &[],
    };
    next.contains(&to)
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
            ("SUCCESS", "PARTIALLY_REFUNDED"),
            ("SUCCESS", "REFUNDED"),
            ("PARTIALLY_REFUNDED", "REFUNDED"),
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
            ("REFUNDED", "SUCCESS"),
            ("PARTIALLY_REFUNDED", "SUCCESS"),
        ] {
            assert!(!status_may_move(from, to), "{from} -> {to}");
        }
    }
}
