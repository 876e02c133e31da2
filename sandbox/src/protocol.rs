//! PayKKa's v3 protocol as the sandbox speaks it: signed requests checked (app id,
//! signature, timestamp, nonce once), answers signed, `{ret_code, ret_msg, data}` bodies,
//! the error type every handler returns, and request parsing that never echoes input.

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use paykka_api::jwe::CardError;
use paykka_api::signing::{self, HEADER_NONCE, HEADER_SIGN, HEADER_TIMESTAMP};
use serde_json::{json, Value};

use super::state::{Gateway, Merchant};

/// An API error: HTTP status and PayKKa's `{ret_code, ret_msg}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "010000", message)
    }

    pub fn internal(error: anyhow::Error) -> Self {
        tracing::error!("gateway error: {error:#}");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "999999",
            "System exception",
        )
    }
}

impl From<CardError> for ApiError {
    fn from(error: CardError) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, error.ret_code(), error.message())
    }
}

/// Sandbox-only codes, for refusals PayKKa documents no code for (docs/sandbox.md lists
/// them). Those the drop-in acts on — `SB0001`/`SB0002` (session expired / paid),
/// `SB0008`/`SB0009` (attempt limits) — are `paykka_web::checkout_flow::coordinator`'s;
/// `SB0006` (repeated `trans_id` refused) is in `guesses`, `SB0007` (a wallet token's total)
/// in `wallet_tokens`.
pub const NONCE_REPLAYED: &str = "SB0003";
pub const REFUND_NOT_FOUND: &str = "SB0004";
pub const WRONG_ORDER_STATE: &str = "SB0005";

/// The answer for an operation the order's status does not allow.
pub fn wrong_state(status: &str, operation: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        WRONG_ORDER_STATE,
        format!("Order in status {status} cannot be {operation}"),
    )
}

/// `reason` of Void and Refund: PayKKa's enum.
pub const REASONS: [&str; 4] = ["DUPLICATE", "FRAUDULENT", "REQUESTED_BY_CUSTOMER", "OTHER"];

/// The authenticated caller and the path it called, for signing the answer.
pub struct Caller<'a> {
    pub merchant: &'a Merchant,
    pub path: &'static str,
}

impl Caller<'_> {
    /// The request's `merchant_id` must be the caller's own.
    pub fn owns(&self, merchant_id: &str) -> Result<(), ApiError> {
        if merchant_id == self.merchant.merchant_id {
            Ok(())
        } else {
            Err(ApiError::bad_request(
                "merchant_id does not belong to the caller",
            ))
        }
    }
}

/// Checks `x-paykka-*` headers: known app id, signature over the exact body, a fresh
/// timestamp and a nonce never seen before (kept in the database).
pub async fn authenticate<'a>(
    gateway: &'a Gateway,
    headers: &HeaderMap,
    path: &'static str,
    body: &[u8],
) -> Result<Caller<'a>, ApiError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let now = signing::now_ms();
    let (merchant, nonce) = signing::verify_request(
        header,
        path,
        body,
        |app_id| {
            let merchant = gateway.merchants.iter().find(|m| m.app_id == app_id)?;
            Some((merchant, &merchant.public_key))
        },
        now,
    )
    .map_err(|refused| {
        ApiError::new(StatusCode::UNAUTHORIZED, refused.code(), refused.message())
    })?;
    let nonce = nonce.to_owned();
    let fresh = gateway
        .db
        .call(move |conn| {
            conn.execute(
                "DELETE FROM request_nonces WHERE seen_at < ?1",
                [now - 2 * signing::TIMESTAMP_WINDOW_MS],
            )?;
            conn.execute(
                "INSERT OR IGNORE INTO request_nonces (nonce, seen_at) VALUES (?1, ?2)",
                rusqlite::params![nonce, now],
            )
        })
        .await
        .map_err(ApiError::internal)?;
    if fresh == 0 {
        // PayKKa documents no code for a replayed request.
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            NONCE_REPLAYED,
            "Nonce already used",
        ));
    }
    Ok(Caller { merchant, path })
}

/// A JSON answer signed with the platform key (`x-paykka-timestamp/nonce/sign`).
pub fn signed(gateway: &Gateway, path: &str, status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let signed = paykka_api::guesses::sign_answer(&gateway.platform_key, path, &bytes);
    let mut response = (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        bytes,
    )
        .into_response();
    let headers = response.headers_mut();
    for (name, value) in [
        (HEADER_TIMESTAMP, signed.timestamp),
        (HEADER_NONCE, signed.nonce),
        (HEADER_SIGN, signed.sign),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    response
}

/// `{ret_code: "000000", ret_msg: "Success", data}`, or without `data` where PayKKa's
/// answer has none (`Value::Null`).
pub fn success(gateway: &Gateway, path: &str, data: Value) -> Response {
    let mut body = json!({"ret_code": "000000", "ret_msg": "Success"});
    if !data.is_null() {
        body["data"] = data;
    }
    signed(gateway, path, StatusCode::OK, &body)
}

/// An error answer, signed like every answer.
pub fn failure(gateway: &Gateway, path: &str, error: ApiError) -> Response {
    signed(
        gateway,
        path,
        error.status,
        &json!({"ret_code": error.code, "ret_msg": error.message}),
    )
}

/// The signed answer for a handler's result.
pub fn respond(gateway: &Gateway, path: &str, result: Result<Value, ApiError>) -> Response {
    match result {
        Ok(data) => success(gateway, path, data),
        Err(error) => failure(gateway, path, error),
    }
}

/// `notify_url` and `return_url` must be absolute `http(s)` URLs with a host (a 400, never
/// a failure later when the gateway calls or redirects to them).
pub fn check_urls(urls: &[(&str, Option<&str>)]) -> Result<(), ApiError> {
    for (name, url) in urls {
        let Some(url) = url else { continue };
        // A URL parser strips tabs, newlines and outer spaces; a stored URL must be what
        // was checked, so none may be there.
        let clean = !url.bytes().any(|b| b.is_ascii_control() || b == b' ');
        let ok = clean
            && reqwest::Url::parse(url).is_ok_and(|u| {
                matches!(u.scheme(), "http" | "https")
                    && u.has_host()
                    && u.username().is_empty()
                    && u.password().is_none()
            });
        if !ok || url.len() > 1000 {
            return Err(ApiError::bad_request(format!(
                "{name} must be an absolute http(s) URL"
            )));
        }
    }
    Ok(())
}

/// Parses a request body, or a 400 `010000`.
pub fn parse<T: serde::de::DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("Invalid request: {}", e.classify_name())))
}

trait ClassifyName {
    fn classify_name(&self) -> &'static str;
}

impl ClassifyName for serde_json::Error {
    /// The kind of JSON error, without echoing the input.
    fn classify_name(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "io",
            serde_json::error::Category::Syntax => "malformed JSON",
            serde_json::error::Category::Data => "missing or wrong fields",
            serde_json::error::Category::Eof => "truncated JSON",
        }
    }
}
