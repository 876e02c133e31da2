//! What the service keeps, behind one small interface: sealed keys, spent nonces (request
//! and ciphertext), the forward ledger (one row per merchant and `trans_id`) and the
//! checkout's failed payments (per session and per IP address). SQLite (`sqlite`) is the
//! embedded implementation, for one instance; PostgreSQL (`postgres`) the one several
//! instances share.

mod postgres;
mod sqlite;

pub use postgres::Postgres;
pub use sqlite::Sqlite;

/// The database's migrations, the same for SQLite and PostgreSQL (types both read alike:
/// `BIGINT` is SQLite's integer, `BYTEA` keeps SQLite's blobs as they are).
pub const MIGRATIONS: &[&str] = &[
    "CREATE TABLE card_keys (
       merchant_id TEXT NOT NULL, kid TEXT NOT NULL, sealed BYTEA NOT NULL,
       public_jwk TEXT NOT NULL, created_at BIGINT NOT NULL, decrypt_until BIGINT,
       PRIMARY KEY (merchant_id, kid));
     CREATE UNIQUE INDEX one_current_key ON card_keys (merchant_id) WHERE decrypt_until IS NULL;
     CREATE TABLE request_nonces (
       app_id TEXT NOT NULL, nonce TEXT NOT NULL, seen_at BIGINT NOT NULL,
       PRIMARY KEY (app_id, nonce));
     CREATE TABLE card_nonces (
       merchant_id TEXT NOT NULL, nonce TEXT NOT NULL, keep_until BIGINT NOT NULL,
       PRIMARY KEY (merchant_id, nonce));
     CREATE TABLE forwards (
       merchant_id TEXT NOT NULL, trans_id TEXT NOT NULL, fingerprint TEXT NOT NULL,
       state TEXT NOT NULL, answer_status INTEGER, answer_headers TEXT, answer_body BYTEA,
       created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
       PRIMARY KEY (merchant_id, trans_id));",
    "CREATE TABLE session_failures (
       merchant_id TEXT NOT NULL, session_id TEXT NOT NULL, trans_id TEXT NOT NULL,
       at BIGINT NOT NULL, PRIMARY KEY (merchant_id, trans_id));
     CREATE INDEX session_failures_by_session ON session_failures (merchant_id, session_id);
     CREATE TABLE ip_failures (ip TEXT NOT NULL, at BIGINT NOT NULL);
     CREATE INDEX ip_failures_by_ip ON ip_failures (ip, at);",
    "CREATE TABLE rate_counts (
       key TEXT NOT NULL, window_start BIGINT NOT NULL, hits BIGINT NOT NULL,
       PRIMARY KEY (key, window_start));",
];

use std::future::Future;
use std::pin::Pin;

/// A storage call's future.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = anyhow::Result<T>> + Send + 'a>>;

/// A merchant's card-encryption key as stored: sealed private key, public JWK, and when it
/// stops opening ciphertexts (`None` while it is the current key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredKey {
    pub merchant_id: String,
    pub kid: String,
    pub sealed: Vec<u8>,
    pub public_jwk: String,
    pub created_at: i64,
    pub decrypt_until: Option<i64>,
}

/// PayKKa's signed answer to a forwarded request, kept to answer a retry byte for byte.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAnswer {
    pub status: u16,
    /// `x-paykka-timestamp`, `x-paykka-nonce`, `x-paykka-sign` as PayKKa sent them.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Where a forward stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ForwardState {
    /// Claimed; PayKKa's answer has not come yet.
    InFlight,
    /// PayKKa answered.
    Answered(StoredAnswer),
    /// Sent, and no usable answer came (timeout, 5xx, a bad signature): never sent again.
    Unknown,
}

/// A forward already in the ledger.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forward {
    pub fingerprint: String,
    pub state: ForwardState,
}

/// A forward's state as the ledger's columns hold it: the state's name and, when PayKKa
/// answered, its status, headers (JSON) and body.
pub(crate) struct StateColumns {
    pub name: &'static str,
    pub status: Option<u16>,
    pub headers: Option<String>,
    pub body: Option<Vec<u8>>,
}

impl ForwardState {
    pub(crate) fn into_columns(self) -> StateColumns {
        match self {
            ForwardState::Answered(answer) => StateColumns {
                name: "answered",
                status: Some(answer.status),
                headers: Some(serde_json::to_string(&answer.headers).unwrap_or_default()),
                body: Some(answer.body),
            },
            ForwardState::Unknown => StateColumns::bare("unknown"),
            ForwardState::InFlight => StateColumns::bare("in_flight"),
        }
    }
}

impl StateColumns {
    fn bare(name: &'static str) -> Self {
        StateColumns {
            name,
            status: None,
            headers: None,
            body: None,
        }
    }
}

/// The state the ledger's columns hold (`name` as stored).
pub(crate) fn state_from_columns(
    name: &str,
    status: Option<u16>,
    headers: Option<String>,
    body: Option<Vec<u8>>,
) -> ForwardState {
    match (name, status, headers, body) {
        ("answered", Some(status), Some(headers), Some(body)) => {
            ForwardState::Answered(StoredAnswer {
                status,
                headers: serde_json::from_str(&headers).unwrap_or_default(),
                body,
            })
        }
        ("unknown", ..) => ForwardState::Unknown,
        _ => ForwardState::InFlight,
    }
}

/// What claiming a `trans_id` gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// This caller sends it.
    Claimed,
    /// Someone did before.
    Existing(Forward),
    /// A ciphertext nonce was spent before: nothing was claimed.
    Replayed,
}

/// The service's storage.
pub trait Storage: Send + Sync {
    /// A merchant's keys, newest first.
    fn keys_of(&self, merchant_id: String) -> StoreFuture<'_, Vec<StoredKey>>;
    /// Makes `new` the current key if `current` (its kid) still is: `current` then opens
    /// ciphertexts until `grace_until`. `false` if another caller rotated first.
    fn rotate(
        &self,
        current: Option<String>,
        new: StoredKey,
        grace_until: i64,
    ) -> StoreFuture<'_, bool>;
    /// Records a signed request's nonce; `false` if it was seen before.
    fn spend_request_nonce(&self, app_id: String, nonce: String, now: i64)
        -> StoreFuture<'_, bool>;
    /// Spends the ciphertext nonces and claims `trans_id`, all or nothing.
    fn claim_forward(&self, claim: ForwardClaim) -> StoreFuture<'_, Claim>;
    /// A forward in the ledger.
    fn forward(&self, merchant_id: String, trans_id: String) -> StoreFuture<'_, Option<Forward>>;
    /// Records how a claimed forward ended.
    fn finish_forward(
        &self,
        merchant_id: String,
        trans_id: String,
        state: ForwardState,
    ) -> StoreFuture<'_, ()>;
    /// Undoes a claim whose request was never sent (no connection to PayKKa): the
    /// `trans_id` and its ciphertexts may be tried again.
    fn release_forward(
        &self,
        merchant_id: String,
        trans_id: String,
        nonces: Vec<String>,
    ) -> StoreFuture<'_, ()>;
    /// Counts a session's failed payment (once per `trans_id`).
    fn record_session_failure(&self, failure: SessionFailure) -> StoreFuture<'_, ()>;
    /// A session's failed payments: their `trans_id`s.
    fn session_failures(
        &self,
        merchant_id: String,
        session_id: String,
    ) -> StoreFuture<'_, Vec<String>>;
    /// Counts a failed checkout payment against `ip` (older entries than `forget_before` go).
    fn record_ip_failure(&self, ip: String, at: i64, forget_before: i64) -> StoreFuture<'_, ()>;
    /// Failed checkout payments from `ip` since `since`.
    fn ip_failures(&self, ip: String, since: i64) -> StoreFuture<'_, i64>;
    /// Counts one hit of `key` in the window starting at `window` (ms); the count so far.
    /// Windows that ended before `forget_before` are dropped.
    fn count_hit(&self, key: String, window: i64, forget_before: i64) -> StoreFuture<'_, i64>;
    /// Checks the database answers (for readiness).
    fn ping(&self) -> StoreFuture<'_, ()>;
}

/// A checkout session's failed payment.
pub struct SessionFailure {
    pub merchant_id: String,
    pub session_id: String,
    pub trans_id: String,
    pub at: i64,
}

/// A forward to claim: its ledger key, a fingerprint of the request, the ciphertext nonces
/// it spends and how long they stay spent.
pub struct ForwardClaim {
    pub merchant_id: String,
    pub trans_id: String,
    pub fingerprint: String,
    pub nonces: Vec<String>,
    pub now: i64,
    pub nonces_until: i64,
}

/// How long a request nonce is remembered (twice the signature timestamp window).
pub(crate) const REQUEST_NONCE_MS: i64 = 2 * paykka_api::signing::TIMESTAMP_WINDOW_MS;
