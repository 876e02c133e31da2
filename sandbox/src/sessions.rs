//! Checkout sessions (create, query) and Apple Pay merchant sessions at the sandbox.

use axum::body::Bytes;
use axum::extract::State as Extract;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rusqlite::{params, OptionalExtension};
use serde::Deserialize;
use serde_json::{json, Value};

use super::payment::Payment;
use super::protocol::{authenticate, parse, respond, ApiError};
use super::state::{Gateway, State};
use paykka_api::apple_pay_token::merchant_identifier;
use paykka_api::domain::host_of;
use paykka_api::money;
use paykka_api::paths::{APPLE_PAY_SESSION, SESSION_CREATE, SESSION_QUERY};
use paykka_api::signing::{new_nonce, now_ms};
use paykka_web::checkout_flow::coordinator::{SESSION_EXPIRED, SESSION_PAID};
use paykka_web::checkout_flow::methods::Method;

/// Sessions live this long unless the request says otherwise.
const SESSION_TTL_MS: i64 = 30 * 60 * 1000;

#[derive(Deserialize)]
struct CreateRequest {
    merchant_id: String,
    payment_type: String,
    trans_id: String,
    currency: String,
    /// Minor units: a number or a string of digits (`money::minor_units`).
    amount: serde_json::Value,
    notify_url: Option<String>,
    return_url: Option<String>,
    /// ISO 8601 with an offset (`2026-11-28T10:30:00+08:00`); 30 minutes when absent.
    expire_time: Option<String>,
    allowed_payment_methods: Option<Vec<String>>,
}

/// Reads `expire_time`: ISO 8601 with an offset, in the future, at most 24 hours ahead.
fn expiry(expire_time: Option<&str>, now: i64) -> Result<i64, ApiError> {
    let Some(text) = expire_time else {
        return Ok(now + SESSION_TTL_MS);
    };
    let ms = paykka_api::iso_time::parse(text)
        .ok_or_else(|| ApiError::bad_request("expire_time must be ISO 8601 with an offset"))?;
    if ms <= now || ms > now + 24 * 60 * 60 * 1000 {
        return Err(ApiError::bad_request(
            "expire_time must be in the next 24 hours",
        ));
    }
    Ok(ms)
}

#[derive(Deserialize)]
struct QueryRequest {
    merchant_id: String,
    session_id: String,
}

/// A stored session.
pub struct Session {
    pub session_id: String,
    pub trans_id: String,
    pub amount: i64,
    pub currency: String,
    /// Unix ms.
    pub expires_at: i64,
    /// The create request as sent.
    pub request: String,
}

impl Session {
    /// Finds a merchant's session by its `session_id`.
    pub fn find(
        conn: &rusqlite::Connection,
        merchant_id: &str,
        session_id: &str,
    ) -> rusqlite::Result<Option<Session>> {
        Session::find_where(conn, merchant_id, "session_id", session_id)
    }

    /// The merchant's session made for `trans_id` (Create Session makes one per `trans_id`).
    fn made_for(
        conn: &rusqlite::Connection,
        merchant_id: &str,
        trans_id: &str,
    ) -> rusqlite::Result<Option<Session>> {
        Session::find_where(conn, merchant_id, "trans_id", trans_id)
    }

    fn find_where(
        conn: &rusqlite::Connection,
        merchant_id: &str,
        column: &str,
        value: &str,
    ) -> rusqlite::Result<Option<Session>> {
        conn.query_row(
            &format!("SELECT session_id, trans_id, amount, currency, expires_at, request FROM sessions WHERE merchant_id = ?1 AND {column} = ?2"),
            params![merchant_id, value],
            |r| {
                Ok(Session {
                    session_id: r.get(0)?,
                    trans_id: r.get(1)?,
                    amount: r.get(2)?,
                    currency: r.get(3)?,
                    expires_at: r.get(4)?,
                    request: r.get(5)?,
                })
            },
        )
        .optional()
    }

    /// The methods the session allows.
    pub fn methods(&self) -> Vec<String> {
        let request: Value = serde_json::from_str(&self.request).unwrap_or(Value::Null);
        match request["allowed_payment_methods"].as_array() {
            Some(list) => list
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_ascii_uppercase)
                .collect(),
            // All of them when the merchant names none (the one list the drop-in shares).
            None => Method::ALL.iter().map(|m| m.code().to_owned()).collect(),
        }
    }

    fn data(self, payment: Option<Payment>, origin: &str) -> Value {
        let status = match &payment {
            Some(p) => p.status.clone(),
            None if now_ms() > self.expires_at => "EXPIRED".to_owned(),
            None => "OPEN".to_owned(),
        };
        let request: Value = serde_json::from_str(&self.request).unwrap_or(Value::Null);
        let asked = |member: &str| request.get(member).cloned().unwrap_or(Value::Null);
        json!({
            "merchant_id": asked("merchant_id"),
            "session_id": self.session_id,
            "trans_id": self.trans_id,
            "amount": self.amount,
            "currency": self.currency,
            "status": status,
            "expire_time": paykka_api::iso_time::format(self.expires_at),
            "goods": request.get("goods").cloned().unwrap_or(Value::Null),
            "allowed_payment_methods": self.methods(),
            "session_url": format!("{origin}/checkout/{}", self.session_id),
            "order_id": payment.map(|p| p.order_id),
            // A guess (PayKKa documents no Query Session answer): the session's own terms,
            // which a drop-in's backend pays it with.
            "payment_type": asked("payment_type"),
            "capture_method": asked("capture_method"),
            "notify_url": asked("notify_url"),
            "return_url": asked("return_url"),
            "display_merchant_name": asked("display_merchant_name"),
            "display_locale": asked("display_locale"),
        })
    }
}

/// PayKKa's answer for an unknown session.
pub fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "206011", "Session does not exist")
}

/// Sandbox-only code (PayKKa documents none): the session's time is over.
pub fn expired() -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, SESSION_EXPIRED, "Session expired")
}

/// Sandbox-only code (PayKKa documents none): a session is paid at most once.
pub fn already_paid() -> ApiError {
    ApiError::new(StatusCode::CONFLICT, SESSION_PAID, "Session already paid")
}

/// Create Session: one per `trans_id`; a repeat returns the same session.
pub async fn create(Extract(gateway): Extract<State>, headers: HeaderMap, body: Bytes) -> Response {
    let result = async {
        let caller = authenticate(&gateway, &headers, SESSION_CREATE, &body).await?;
        let request: CreateRequest = parse(&body)?;
        caller.owns(&request.merchant_id)?;
        if money::exponent(&request.currency).is_none() {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, "1007", "Currency not supported"));
        }
        let amount = money::minor_units(&request.amount).ok_or_else(|| {
            ApiError::bad_request("amount must be a positive integer in minor units")
        })?;
        if !["PURCHASE", "RECURRING"].contains(&request.payment_type.as_str()) {
            return Err(ApiError::bad_request("payment_type must be PURCHASE or RECURRING"));
        }
        if let Some(methods) = &request.allowed_payment_methods {
            let known = |m: &String| Method::from_code(m).is_some();
            if methods.is_empty() || !methods.iter().all(known) {
                return Err(ApiError::new(StatusCode::BAD_REQUEST, "210001", "Payment method not supported"));
            }
        }
        let expires_at = expiry(request.expire_time.as_deref(), now_ms())?;
        super::protocol::check_urls(&[
            ("notify_url", request.notify_url.as_deref()),
            ("return_url", request.return_url.as_deref()),
        ])?;
        let raw = String::from_utf8_lossy(&body).into_owned();
        let origin = gateway.own_origin.clone();
        gateway
            .db
            .call(move |conn| {
                let tx = conn.transaction()?;
                if Session::made_for(&tx, &request.merchant_id, &request.trans_id)?.is_none() {
                    let now = now_ms();
                    tx.execute(
                        "INSERT INTO sessions (session_id, merchant_id, trans_id, amount, currency, request, expires_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        params![format!("CS{}", &new_nonce()[..20]), request.merchant_id, request.trans_id, amount, request.currency, raw, expires_at, now],
                    )?;
                }
                let session = Session::made_for(&tx, &request.merchant_id, &request.trans_id)?;
                tx.commit()?;
                Ok(session.map(|session| session.data(None, &origin)))
            })
            .await
            .map_err(ApiError::internal)?
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("session vanished")))
    }
    .await;
    respond(&gateway, SESSION_CREATE, result)
}

/// Query Session: its status follows its payment, or EXPIRED.
pub async fn query(Extract(gateway): Extract<State>, headers: HeaderMap, body: Bytes) -> Response {
    let result = async {
        let caller = authenticate(&gateway, &headers, SESSION_QUERY, &body).await?;
        let request: QueryRequest = parse(&body)?;
        caller.owns(&request.merchant_id)?;
        let origin = gateway.own_origin.clone();
        gateway
            .db
            .call(move |conn| {
                let Some(session) = Session::find(conn, &request.merchant_id, &request.session_id)?
                else {
                    return Ok(None);
                };
                let payment =
                    Payment::find_in_session(conn, &request.merchant_id, &session.session_id)?;
                Ok(Some(session.data(payment, &origin)))
            })
            .await
            .map_err(ApiError::internal)?
            .ok_or_else(not_found)
    }
    .await;
    respond(&gateway, SESSION_QUERY, result)
}

#[derive(Deserialize)]
struct ApplePayRequest {
    merchant_id: String,
    domain_name: String,
    display_name: Option<String>,
}

/// The sandbox's stand-in for Apple's merchant session (same members, valid 5 minutes) for
/// a domain registered for the merchant (its page origins), as the "ApplePay data
/// string" PayKKa answers with: the session as JSON text.
pub fn apple_pay_merchant_session(
    gateway: &Gateway,
    merchant_id: &str,
    domain_name: &str,
    display_name: Option<&str>,
) -> Result<String, ApiError> {
    let registered = gateway
        .merchants
        .iter()
        .filter(|m| m.merchant_id == merchant_id)
        .flat_map(|m| m.domains.iter())
        .any(|origin| host_of(origin) == Some(domain_name));
    if !registered {
        return Err(ApiError::bad_request(
            "domain_name is not registered for this merchant",
        ));
    }
    let now = now_ms();
    let session = json!({
        "epochTimestamp": now,
        "expiresAt": now + 5 * 60 * 1000,
        "merchantSessionIdentifier": format!("SSH{}", new_nonce()),
        "nonce": &new_nonce()[..8],
        "merchantIdentifier": merchant_identifier(merchant_id),
        "domainName": domain_name,
        "displayName": display_name.unwrap_or("PayKKa sandbox"),
        "signature": new_nonce(),
    });
    Ok(session.to_string())
}

/// Create Apple Pay Session, as a merchant's backend calls it (signed).
pub async fn apple_pay(
    Extract(gateway): Extract<State>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let caller = authenticate(&gateway, &headers, APPLE_PAY_SESSION, &body).await?;
        let request: ApplePayRequest = parse(&body)?;
        caller.owns(&request.merchant_id)?;
        let display_name = request.display_name.as_deref();
        apple_pay_merchant_session(
            &gateway,
            &request.merchant_id,
            &request.domain_name,
            display_name,
        )
        .map(Value::String)
    }
    .await;
    respond(&gateway, APPLE_PAY_SESSION, result)
}
