//! PayKKa v3 request, response and webhook signatures: SHA256withRSA (PKCS#1 v1.5) over
//! `METHOD\npath\ntimestamp\nnonce\nbody`, Base64, URL-encoded into `x-paykka-sign`;
//! a ±5-minute timestamp window and single-use nonces.

use base64ct::{Base64, Encoding};
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::signature::{SignatureEncoding, Signer, Verifier};
use rsa::{PrivateKey, PublicKey};
use sha2::Sha256;

pub const HEADER_APPID: &str = "x-paykka-appid";
pub const HEADER_TIMESTAMP: &str = "x-paykka-timestamp";
pub const HEADER_NONCE: &str = "x-paykka-nonce";
pub const HEADER_SIGN: &str = "x-paykka-sign";
pub const HEADER_SIGN_ALG: &str = "x-paykka-sign-alg";
pub const SIGN_ALG: &str = "SHA256_WITH_RSA";

/// How far a timestamp may be from the receiver's clock.
pub const TIMESTAMP_WINDOW_MS: i64 = 5 * 60 * 1000;

/// The signed string: method, path, timestamp, nonce and the body exactly as sent.
pub fn string_to_sign(
    method: &str,
    path: &str,
    timestamp: &str,
    nonce: &str,
    body: &[u8],
) -> Vec<u8> {
    let mut out = format!(
        "{}\n{path}\n{timestamp}\n{nonce}\n",
        method.to_ascii_uppercase()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// Signs and returns the header value (Base64, URL-encoded).
pub fn sign(key: &PrivateKey, message: &[u8]) -> String {
    let signer = SigningKey::<Sha256>::new(key.clone());
    let signature = signer.sign(message);
    urlencoding::encode(&Base64::encode_string(&signature.to_bytes())).into_owned()
}

/// Checks a header value (URL-encoded or plain Base64) against `message`.
pub fn verify(key: &PublicKey, message: &[u8], header: &str) -> bool {
    let decoded = urlencoding::decode(header)
        .map(|s| s.into_owned())
        .unwrap_or_default();
    let Ok(bytes) = Base64::decode_vec(decoded.trim()) else {
        return false;
    };
    let Ok(signature) = Signature::try_from(bytes.as_slice()) else {
        return false;
    };
    VerifyingKey::<Sha256>::new(key.clone())
        .verify(message, &signature)
        .is_ok()
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A fresh nonce for a request, response or webhook.
pub fn new_nonce() -> String {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a timestamp header is a number within the window of `now`.
pub fn timestamp_fresh(timestamp: &str, now: i64) -> bool {
    timestamp
        .parse::<i64>()
        .is_ok_and(|t| (t - now).abs() <= TIMESTAMP_WINDOW_MS)
}

/// The four signature headers for a message sent now.
pub struct SignedHeaders {
    pub timestamp: String,
    pub nonce: String,
    pub sign: String,
}

pub fn sign_now(key: &PrivateKey, method: &str, path: &str, body: &[u8]) -> SignedHeaders {
    let timestamp = now_ms().to_string();
    let nonce = new_nonce();
    let sign = sign(key, &string_to_sign(method, path, &timestamp, &nonce, body));
    SignedHeaders {
        timestamp,
        nonce,
        sign,
    }
}

/// A POST of `body` to `url`, signed with `key` over `path`, with all `x-paykka-*` headers.
pub fn signed_post(
    http: &reqwest::Client,
    url: &str,
    path: &str,
    app_id: &str,
    key: &PrivateKey,
    body: Vec<u8>,
) -> reqwest::RequestBuilder {
    post_signed(http, url, app_id, &sign_now(key, "POST", path, &body), body)
}

/// A POST of `body` to `url` with the `x-paykka-*` headers of `signed`.
pub fn post_signed(
    http: &reqwest::Client,
    url: &str,
    app_id: &str,
    signed: &SignedHeaders,
    body: Vec<u8>,
) -> reqwest::RequestBuilder {
    http.post(url)
        .header("content-type", "application/json")
        .header(HEADER_APPID, app_id)
        .header(HEADER_TIMESTAMP, &signed.timestamp)
        .header(HEADER_NONCE, &signed.nonce)
        .header(HEADER_SIGN_ALG, SIGN_ALG)
        .header(HEADER_SIGN, &signed.sign)
        .body(body)
}

/// Why a signed request is refused, as PayKKa answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsigned {
    /// A signature header is missing: `206002`.
    Missing,
    /// The signature, its algorithm or the nonce's length is wrong: `206003`.
    Invalid,
    /// No such app id: `206005`.
    UnknownApp,
    /// The timestamp is outside the window: `206004`.
    Expired,
}

impl Unsigned {
    pub fn code(self) -> &'static str {
        match self {
            Unsigned::Missing => "206002",
            Unsigned::Invalid => "206003",
            Unsigned::UnknownApp => "206005",
            Unsigned::Expired => "206004",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Unsigned::Missing => "Signature not found",
            Unsigned::Invalid => "Signature error",
            Unsigned::UnknownApp => "Merchant does not exist",
            Unsigned::Expired => "Signature expired",
        }
    }
}

/// Checks a signed request's `x-paykka-*` headers (read through `header`): the app id's
/// key (from `key_of`, with what the caller knows of that app) verifies the signature over
/// `path` and the exact body, and the timestamp is within the window of `now`. Gives the
/// app and the nonce, whose first use the caller records.
pub fn verify_request<'k, A>(
    header: impl Fn(&str) -> Option<&'k str>,
    path: &str,
    body: &[u8],
    key_of: impl FnOnce(&str) -> Option<(A, &'k PublicKey)>,
    now: i64,
) -> Result<(A, &'k str), Unsigned> {
    let (Some(app_id), Some(timestamp), Some(nonce), Some(sign)) = (
        header(HEADER_APPID),
        header(HEADER_TIMESTAMP),
        header(HEADER_NONCE),
        header(HEADER_SIGN),
    ) else {
        return Err(Unsigned::Missing);
    };
    if header(HEADER_SIGN_ALG).is_some_and(|alg| alg != SIGN_ALG) {
        return Err(Unsigned::Invalid);
    }
    let (app, key) = key_of(app_id).ok_or(Unsigned::UnknownApp)?;
    if !(10..=100).contains(&nonce.len()) {
        return Err(Unsigned::Invalid);
    }
    if !verify(
        key,
        &string_to_sign("POST", path, timestamp, nonce, body),
        sign,
    ) {
        return Err(Unsigned::Invalid);
    }
    if !timestamp_fresh(timestamp, now) {
        return Err(Unsigned::Expired);
    }
    Ok((app, nonce))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify_round_trip() {
        let key = PrivateKey::new(&mut rand::rng(), 2048).unwrap();
        let public = PublicKey::from(&key);
        let message = string_to_sign(
            "post",
            "/v3/payment/acq",
            "1757387467986",
            "abc",
            b"{\"a\":1}",
        );
        assert!(message.starts_with(b"POST\n/v3/payment/acq\n1757387467986\nabc\n{"));
        let header = sign(&key, &message);
        assert!(verify(&public, &message, &header));
        let plain = urlencoding::decode(&header).unwrap();
        assert!(
            verify(&public, &message, &plain),
            "plain Base64 accepted too"
        );
        assert!(!verify(&public, b"other", &header));
        assert!(!verify(&public, &message, "not-base64!"));
        assert!(timestamp_fresh("1000", 1000 + TIMESTAMP_WINDOW_MS));
        assert!(!timestamp_fresh("1000", 1001 + TIMESTAMP_WINDOW_MS));
        assert!(!timestamp_fresh("soon", 0));
    }
}
