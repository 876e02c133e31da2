//! What PayKKa does not publish, guessed in one named place each. docs/sandbox.md lists
//! every entry; code that depends on a guess goes through here, so a fact learnt later
//! changes one place.

use rsa::{PrivateKey, PublicKey};

use crate::signing::{self, SignedHeaders};

/// Guess: the capture path. PayKKa documents capture only as an effect (`AUTHORIZED` →
/// `SUCCESS`), not its call.
pub const CAPTURE_PATH: &str = "/v3/payment/acq/capture";

/// Guess: answers are signed like requests, with the platform key, over
/// `POST\n<request path>\n<timestamp>\n<nonce>\n<answer body>`.
pub fn sign_answer(platform_key: &PrivateKey, request_path: &str, body: &[u8]) -> SignedHeaders {
    signing::sign_now(platform_key, "POST", request_path, body)
}

/// Checks an answer signed as `sign_answer` guesses.
pub fn verify_answer(
    platform_key: &PublicKey,
    request_path: &str,
    timestamp: &str,
    nonce: &str,
    body: &[u8],
    sign: &str,
) -> bool {
    let message = signing::string_to_sign("POST", request_path, timestamp, nonce, body);
    signing::verify(platform_key, &message, sign)
}

/// Guess: notifications are signed like requests, with the platform key, over the path of
/// `notify_url` (without its query).
pub fn webhook_message(notify_path: &str, timestamp: &str, nonce: &str, body: &[u8]) -> Vec<u8> {
    signing::string_to_sign("POST", notify_path, timestamp, nonce, body)
}

/// Signs a notification as `webhook_message` guesses (the request layout, over the path).
pub fn sign_webhook(platform_key: &PrivateKey, notify_path: &str, body: &[u8]) -> SignedHeaders {
    signing::sign_now(platform_key, "POST", notify_path, body)
}

/// Guess: what PayKKa answers to a second Initiate with a `trans_id` it has seen. Either
/// the first payment comes back, or the repeat is refused; the sandbox can play both
/// (`--repeated-trans-id`), and the merchant client is safe under both (it queries).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RepeatedTransId {
    /// The first payment's answer, as if it were this one's.
    FirstPayment,
    /// Refused with `DUPLICATE_TRANS_ID` (a sandbox-only code).
    Refused,
}

/// Sandbox-only code for a refused repeat of a `trans_id`.
pub const DUPLICATE_TRANS_ID: &str = "SB0006";

/// Guess: `token_data` of an `APPLE_PAY` payment is the whole Apple Pay token as JSON
/// (`{paymentMethod, transactionIdentifier, paymentData}`), as the buttons send it; a bare
/// `paymentData` is accepted too (PayKKa does not say which it takes).
pub fn apple_pay_data(token: &serde_json::Value) -> &serde_json::Value {
    token.get("paymentData").unwrap_or(token)
}

/// Sandbox convention (not PayKKa's): a Google Pay test token's
/// `signedMessage.encryptedMessage` is the base64 of the message a real token encrypts
/// (`{messageId, paymentMethodDetails: {pan, expirationMonth, expirationYear}}`), since
/// Google encrypts real tokens to PayKKa's key, which no sandbox holds.
pub fn google_pay_test_message(encrypted_message: &str) -> Option<Vec<u8>> {
    use base64ct::{Base64, Encoding};
    Base64::decode_vec(encrypted_message).ok()
}
