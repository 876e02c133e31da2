//! The sandbox's configuration and connections, and its database's migrations.

use std::sync::Arc;

use rsa::{PrivateKey, PublicKey};

use paykka_api::store::Db;

/// A merchant registered at the sandbox.
pub struct Merchant {
    pub merchant_id: String,
    pub app_id: String,
    pub public_key: PublicKey,
    /// May send plain card numbers (PCI DSS certified).
    pub pci: bool,
    /// The merchant's registered page origins (PayKKa's domain whitelist): the pages that
    /// may frame its 3-D Secure challenges and whose domains Apple Pay may validate.
    pub domains: Vec<String>,
}

/// The gateway's configuration and connections.
pub struct Gateway {
    pub own_origin: String,
    pub db: Db,
    pub platform_key: PrivateKey,
    pub merchants: Vec<Merchant>,
    pub http: reqwest::Client,
    /// First webhook retry delay; doubles per attempt.
    pub webhook_backoff_ms: i64,
    /// How long a refund stays `PROCESSING` before it settles.
    pub refund_settle_ms: i64,
    /// How a repeated `trans_id` is answered (PayKKa does not say).
    pub repeated_trans_id: paykka_api::guesses::RepeatedTransId,
    /// The Apple Pay payment-processing key (PayKKa decrypts Apple Pay tokens).
    pub apple_pay_key: paykka_api::apple_pay_token::ProcessingKey,
}

pub type State = Arc<Gateway>;

/// The gateway database's migrations.
pub const MIGRATIONS: &[&str] = &[
    "CREATE TABLE request_nonces (nonce TEXT PRIMARY KEY, seen_at INTEGER NOT NULL);
     CREATE TABLE card_nonces (nonce TEXT PRIMARY KEY, seen_at INTEGER NOT NULL);
     CREATE TABLE payments (
       order_id TEXT PRIMARY KEY, merchant_id TEXT NOT NULL, trans_id TEXT NOT NULL,
       status TEXT NOT NULL, amount INTEGER NOT NULL, currency TEXT NOT NULL,
       payment_method TEXT NOT NULL, capture_method TEXT NOT NULL,
       card_brand TEXT, card_bin TEXT, card_last4 TEXT,
       error_code TEXT NOT NULL, error_description TEXT NOT NULL,
       notify_url TEXT, return_url TEXT, challenge_token TEXT UNIQUE, session_id TEXT,
       refunded_amount INTEGER NOT NULL DEFAULT 0,
       created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
       UNIQUE (merchant_id, trans_id));
     CREATE TABLE refunds (
       refund_order_id TEXT PRIMARY KEY, order_id TEXT NOT NULL REFERENCES payments(order_id),
       merchant_id TEXT NOT NULL, refund_trans_id TEXT NOT NULL, amount INTEGER NOT NULL,
       status TEXT NOT NULL, created_at INTEGER NOT NULL,
       UNIQUE (merchant_id, refund_trans_id));
     CREATE TABLE sessions (
       session_id TEXT PRIMARY KEY, merchant_id TEXT NOT NULL, trans_id TEXT NOT NULL,
       amount INTEGER NOT NULL, currency TEXT NOT NULL, request TEXT NOT NULL,
       expires_at INTEGER NOT NULL, created_at INTEGER NOT NULL,
       UNIQUE (merchant_id, trans_id));
     CREATE TABLE outbox (
       id INTEGER PRIMARY KEY AUTOINCREMENT, event_key TEXT NOT NULL UNIQUE,
       url TEXT NOT NULL, app_id TEXT NOT NULL, body TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
       next_attempt_at INTEGER NOT NULL, delivered_at INTEGER, last_status TEXT);",
    "ALTER TABLE payments ADD COLUMN authorisation_type TEXT NOT NULL DEFAULT 'FINAL_AUTH';
     ALTER TABLE refunds ADD COLUMN reason TEXT;
     ALTER TABLE refunds ADD COLUMN notify_url TEXT;",
    "CREATE TABLE wallet_tokens (token_id TEXT PRIMARY KEY, keep_until INTEGER);
     CREATE TABLE checkout_failures (ip TEXT NOT NULL, at INTEGER NOT NULL);
     CREATE INDEX checkout_failures_by_ip ON checkout_failures (ip, at);",
    // The checkout's session API and the card envelope moved to the secure origin.
    "DROP TABLE checkout_failures; DROP TABLE card_nonces;",
    // Members of PayKKa's notifications: the shopper's reference, the session's expiry,
    // pay_finish_time.
    "ALTER TABLE payments ADD COLUMN shopper_reference TEXT;
     ALTER TABLE payments ADD COLUMN expires_at INTEGER;
     ALTER TABLE payments ADD COLUMN finished_at INTEGER;
     ALTER TABLE refunds ADD COLUMN settled_at INTEGER;",
];
