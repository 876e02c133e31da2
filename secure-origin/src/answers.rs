//! The service's answers in PayKKa's shape (`{ret_code, ret_msg, data}`): its own refusals
//! are signed with the service's answer key, as PayKKa signs its answers, so the shop
//! trusts a refusal only if it came from here. Codes: PayKKa's where PayKKa has one,
//! `SO…` for what only the service refuses (docs/secure-origin.md lists them).

use std::borrow::Cow;

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use paykka_api::signing::{HEADER_NONCE, HEADER_SIGN, HEADER_TIMESTAMP};
use serde_json::{json, Value};

use crate::state::Service;

// `SO0001` (a `trans_id` still being sent) is no longer answered: such a forward is
// settled like an unknown one (`SO0003`).
/// This `trans_id` was sent with another request body.
pub const FORWARD_MISMATCH: &str = "SO0002";
/// This `trans_id` was sent and its outcome is unknown: query PayKKa, never resend.
pub const FORWARD_UNKNOWN: &str = "SO0003";
/// The ciphertext's key was replaced and its grace window is over.
pub const KEY_RETIRED: &str = "SO0004";
/// The request carries card data in the clear (the shop must never see it).
pub const PLAIN_CARD: &str = "SO0005";
/// A signed request's nonce was used before.
pub const NONCE_REPLAYED: &str = "SO0006";
/// PayKKa could not be reached and nothing was sent: try again.
pub const NOT_SENT: &str = "SO0007";
/// Too many requests from this page's client key or address in this minute.
pub const RATE_LIMITED: &str = "SO0009";
/// No merchant has this client key (PayKKa's `1017` is for an origin not registered).
pub const UNKNOWN_CLIENT_KEY: &str = "SO0008";

/// A refusal: HTTP status, code and message (never card data).
#[derive(Debug)]
pub struct Refusal {
    pub status: StatusCode,
    pub code: Cow<'static, str>,
    pub message: String,
    pub data: Option<Box<Value>>,
}

impl Refusal {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Refusal {
            status,
            code: Cow::Borrowed(code),
            message: message.into(),
            data: None,
        }
    }

    /// PayKKa's refusal, passed on: its HTTP status, `ret_code` and `ret_msg`.
    pub fn from_paykka(status: u16, code: String, message: impl Into<String>) -> Self {
        Refusal {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
            code: Cow::Owned(code),
            message: message.into(),
            data: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Refusal::new(StatusCode::BAD_REQUEST, "010000", message)
    }

    pub fn internal(error: anyhow::Error) -> Self {
        tracing::error!("secure origin error: {error:#}");
        Refusal::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "999999",
            "System exception",
        )
    }
}

impl From<paykka_api::jwe::CardError> for Refusal {
    fn from(error: paykka_api::jwe::CardError) -> Self {
        Refusal::new(StatusCode::BAD_REQUEST, error.ret_code(), error.message())
    }
}

/// The refusal as an answer signed over `path` with the service's answer key.
pub fn signed_refusal(service: &Service, path: &str, refusal: Refusal) -> Response {
    let mut body = json!({"ret_code": refusal.code, "ret_msg": refusal.message});
    if let Some(data) = refusal.data {
        body["data"] = *data;
    }
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    let signed = paykka_api::guesses::sign_answer(&service.answer_key, path, &bytes);
    let mut response = (
        refusal.status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        bytes,
    )
        .into_response();
    for (name, value) in [
        (HEADER_TIMESTAMP, signed.timestamp),
        (HEADER_NONCE, signed.nonce),
        (HEADER_SIGN, signed.sign),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response
                .headers_mut()
                .insert(HeaderName::from_static(name), value);
        }
    }
    response
}
