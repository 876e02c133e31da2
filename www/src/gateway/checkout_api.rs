//! The checkout's client-side session API on the secure origin: what a shopper's page may
//! ask about a session and do with it. Authenticated by the client key, the page's
//! registered origin (its `Origin` header) and the session id; nothing secret goes out.
//! Amount, currency, `notify_url` and `return_url` always come from the session, never
//! from the page; a session is paid at most once, an expired one is refused.

use axum::extract::State as Extract;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Value};

use super::frames::answer;
use super::payments::{initiate_for_checkout, Payment};
use super::sessions::{self, iso_time, Session};
use super::{ApiError, ClientKey, Gateway, State};
use crate::signing::now_ms;

pub const SESSION: &str = "/v3/checkout/session";
pub const PAY: &str = "/v3/checkout/pay";
pub const RESULT: &str = "/v3/checkout/result";

/// Which session a page asks about, and with which client key.
#[derive(Deserialize)]
struct SessionAddress {
    client_key: String,
    session_id: String,
}

#[derive(Deserialize)]
struct PayRequest {
    #[serde(flatten)]
    address: SessionAddress,
    payment: Value,
    browser: Option<Value>,
}

/// The client key, if the calling page's origin is registered for it.
fn page_client<'a>(
    gateway: &'a Gateway,
    headers: &HeaderMap,
    key: &str,
) -> Result<&'a ClientKey, ApiError> {
    let client = gateway
        .clients
        .iter()
        .find(|c| c.key == key)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "CLIENT_KEY_UNKNOWN",
                "Unknown client key",
            )
        })?;
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if !origin.is_some_and(|o| client.origins.iter().any(|allowed| allowed == o)) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "ORIGIN_NOT_ALLOWED",
            "Origin not registered for this client key",
        ));
    }
    Ok(client)
}

async fn session_of(
    gateway: &State,
    client: &ClientKey,
    session_id: &str,
) -> Result<(Session, Option<Payment>), ApiError> {
    let (merchant_id, session_id) = (client.merchant_id.clone(), session_id.to_owned());
    gateway
        .db
        .call(move |conn| {
            let Some(session) = Session::find(conn, &merchant_id, &session_id)? else {
                return Ok(None);
            };
            if session.session_id != session_id {
                return Ok(None);
            }
            let payment = Payment::find_in_session(conn, &merchant_id, &session.session_id)?;
            Ok(Some((session, payment)))
        })
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(sessions::not_found)
}

/// The addressed session and its latest payment, for a page whose origin the client key
/// allows.
async fn opened<'a>(
    gateway: &'a State,
    headers: &HeaderMap,
    address: &SessionAddress,
) -> Result<(&'a ClientKey, Session, Option<Payment>), ApiError> {
    let client = page_client(gateway, headers, &address.client_key)?;
    let (session, payment) = session_of(gateway, client, &address.session_id).await?;
    Ok((client, session, payment))
}

/// What the page learns of a payment: status, codes, the 3-D Secure URL, brand and last 4.
fn payment_view(payment: &Payment, gateway_origin: &str) -> Value {
    let data = payment.data(gateway_origin);
    json!({
        "status": data["status"],
        "order_id": data["order_id"],
        "error_code": data["error_code"],
        "message": data["error_description"],
        "action": data["authentication_result"]["authentication_url"].as_str().map(|url| json!({"type": "redirect", "url": url})),
        "card": data["card_info"],
        "payment_method": data["payment"]["payment_method"],
    })
}

fn session_view(session: &Session, payment: Option<&Payment>, gateway_origin: &str) -> Value {
    let expired = now_ms() > session.expires_at;
    let status = match payment {
        Some(p) if p.status != "FAILURE" => p.status.clone(),
        _ if expired => "EXPIRED".to_owned(),
        _ => "OPEN".to_owned(),
    };
    json!({
        "session_id": session.session_id,
        "merchant_id": session.requested("merchant_id"),
        "amount": session.amount,
        "currency": session.currency,
        "goods": session.requested("goods"),
        "merchant_name": session.requested("display_merchant_name"),
        "locale": session.requested("display_locale"),
        "allowed_payment_methods": session.methods(),
        "expire_time": iso_time(session.expires_at),
        "status": status,
        "payment": payment.map(|p| payment_view(p, gateway_origin)),
    })
}

/// PayKKa's envelope (`ret_code`, `ret_msg`, `data`) with the page's CORS headers.
fn reply(headers: &HeaderMap, result: Result<Value, ApiError>) -> Response {
    match result {
        Ok(data) => answer(
            headers,
            StatusCode::OK,
            json!({"ret_code": "000000", "ret_msg": "Success", "data": data}),
        ),
        Err(error) => answer(
            headers,
            error.status,
            json!({"ret_code": error.code, "ret_msg": error.message}),
        ),
    }
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body).map_err(|_| ApiError::bad_request("Invalid request"))
}

/// Session details: amount, currency, goods, allowed methods, expiry and status.
pub async fn session(
    Extract(gateway): Extract<State>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let result = async {
        let (_, session, payment) = opened(&gateway, &headers, &parse(&body)?).await?;
        Ok(session_view(
            &session,
            payment.as_ref(),
            &gateway.own_origin,
        ))
    }
    .await;
    reply(&headers, result)
}

/// The session's latest payment (after 3-D Secure or a redirect method).
pub async fn result(
    Extract(gateway): Extract<State>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    session(Extract(gateway), headers, body).await
}

/// Pays the session with the page's `payment` (encrypted card bound to this session, or a
/// wallet token). Each attempt has its own `trans_id` (`<session trans_id>-<n>`); a second
/// request for the same attempt gets the same payment, and a paid session refuses more.
pub async fn pay(
    Extract(gateway): Extract<State>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let result = async {
        let request: PayRequest = parse(&body)?;
        let (client, session, latest) = opened(&gateway, &headers, &request.address).await?;
        if latest.is_some_and(|p| p.status != "FAILURE") {
            return Err(sessions::already_paid());
        }
        if now_ms() > session.expires_at {
            return Err(sessions::expired());
        }
        let merchant = gateway
            .merchants
            .iter()
            .find(|m| m.merchant_id == client.merchant_id)
            .ok_or_else(|| ApiError::internal(anyhow::anyhow!("client key without merchant")))?;
        let method = request.payment["payment_method"]
            .as_str()
            .unwrap_or_default()
            .to_ascii_uppercase();
        if !session.methods().contains(&method) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "210001",
                "Payment method not supported",
            ));
        }
        let attempt = attempt_of(&gateway, &session).await?;
        let initiate = json!({
            "merchant_id": merchant.merchant_id,
            "payment_type": session.requested("payment_type").as_str().unwrap_or("PURCHASE"),
            "capture_method": session.requested("capture_method"),
            "trans_id": format!("{}-{attempt}", session.trans_id),
            "session_id": session.session_id,
            "notify_url": session.requested("notify_url"),
            "return_url": session.requested("return_url"),
            "payment": only_payment_members(&request.payment),
            "browser": request.browser,
        });
        initiate_for_checkout(&gateway, merchant, initiate).await?;
        let (session, payment) = session_of(&gateway, client, &session.session_id).await?;
        Ok(session_view(
            &session,
            payment.as_ref(),
            &gateway.own_origin,
        ))
    }
    .await;
    reply(&headers, result)
}

/// The number of the next attempt: one more than the session's failed payments (a request
/// racing another for the same attempt reuses its `trans_id`, so it cannot charge twice).
async fn attempt_of(gateway: &State, session: &Session) -> Result<i64, ApiError> {
    let session_id = session.session_id.clone();
    gateway
        .db
        .call(move |conn| {
            conn.query_row(
                "SELECT COUNT(*) FROM payments WHERE session_id = ?1 AND status = 'FAILURE'",
                [session_id],
                |r| r.get::<_, i64>(0),
            )
        })
        .await
        .map(|failed| failed + 1)
        .map_err(ApiError::internal)
}

/// Only the members a page may set in `payment` (PayKKa's names for cards and wallets).
fn only_payment_members(payment: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for member in paykka_web::form::payment::MEMBERS {
        if let Some(value) = payment.get(member).filter(|v| v.is_string()) {
            out.insert(member.into(), value.clone());
        }
    }
    Value::Object(out)
}
