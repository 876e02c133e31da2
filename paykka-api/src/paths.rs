//! PayKKa's v3 API paths, as the shop calls them and the sandbox serves them.

/// Initiate Transaction.
pub const INITIATE: &str = "/v3/payment/acq";
/// Query Transaction (by `trans_id`, `order_id` or `session_id`).
pub const QUERY: &str = "/v3/payment/acq/query";
/// Capture (a guess: PayKKa documents capture only as an effect).
pub const CAPTURE: &str = crate::guesses::CAPTURE_PATH;
pub const VOID: &str = "/v3/payment/acq/void";
pub const REFUND: &str = "/v3/payment/acq/refund";
pub const REFUND_QUERY: &str = "/v3/payment/acq/refund/query";
/// Create Session (the Checkout UI's session).
pub const SESSION_CREATE: &str = "/v3/payment/acq/session";
pub const SESSION_QUERY: &str = "/v3/payment/acq/session/query";
/// Create Apple Pay Session (merchant validation).
pub const APPLE_PAY_SESSION: &str = "/v3/payment/acq/apple-pay/create-session";
