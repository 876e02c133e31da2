//! The checkout's client-side session API on the secure origin: what a shopper's page may
//! ask about a session and do with it. Authenticated by the client key, the page's
//! registered origin (its `Origin` header) and the session id; nothing secret goes out.
//! Amount, currency, `notify_url` and `return_url` always come from the session, never
//! from the page; a session is paid at most once, an expired one is refused. Card testing
//! is not free: a session takes `MAX_FAILED_ATTEMPTS` failed payments, then refuses
//! (`SB0008`), and one IP address `MAX_FAILURES_PER_IP` failures in `FAILURE_WINDOW_MS`
//! over all sessions (`SB0009`).

use axum::extract::State as Extract;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{json, Value};

use paykka_web::checkout_flow::coordinator::{TOO_MANY_ATTEMPTS, TOO_MANY_FAILURES};
use paykka_web::checkout_flow::session::{
    ActionView, CardView, GoodsLine, PaymentView, SessionView,
};

use super::frames::answer;
use super::payment::Payment;
use super::payments::initiate_for_checkout;
use super::protocol::ApiError;
use super::sessions::{self, Session};
use super::state::{ClientKey, Gateway, State};
use crate::client_ip::ClientIp;
use paykka_api::signing::now_ms;

pub const SESSION: &str = "/v3/checkout/session";
pub const PAY: &str = "/v3/checkout/pay";
pub const RESULT: &str = "/v3/checkout/result";
pub const APPLE_PAY_SESSION: &str = "/v3/checkout/apple-pay/session";

/// Failed payments a session takes before it refuses more.
pub const MAX_FAILED_ATTEMPTS: i64 = 5;
/// Failed payments one IP address may make over all sessions within the window.
pub const MAX_FAILURES_PER_IP: i64 = 10;
pub const FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;

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

/// A session, its latest payment and how many of its payments failed.
struct Opened {
    session: Session,
    latest: Option<Payment>,
    failed: i64,
}

impl Opened {
    /// A payment may start: the session is neither paid (nor being paid) nor expired.
    fn still_open(&self) -> Result<(), ApiError> {
        if self.latest.as_ref().is_some_and(|p| p.status != "FAILURE") {
            return Err(sessions::already_paid());
        }
        if now_ms() > self.session.expires_at {
            return Err(sessions::expired());
        }
        Ok(())
    }

    /// The session allows `method` (PayKKa's code, upper case).
    fn allows(&self, method: &str) -> Result<(), ApiError> {
        if self.session.methods().iter().any(|m| m == method) {
            Ok(())
        } else {
            Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "210001",
                "Payment method not supported",
            ))
        }
    }
}

async fn session_of(
    gateway: &State,
    client: &ClientKey,
    session_id: &str,
) -> Result<Opened, ApiError> {
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
            let latest = Payment::find_in_session(conn, &merchant_id, &session.session_id)?;
            let failed = conn.query_row(
                "SELECT COUNT(*) FROM payments WHERE session_id = ?1 AND status = 'FAILURE'",
                [&session.session_id],
                |r| r.get::<_, i64>(0),
            )?;
            Ok(Some(Opened {
                session,
                latest,
                failed,
            }))
        })
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(sessions::not_found)
}

/// The addressed session, for a page whose origin the client key allows.
async fn opened<'a>(
    gateway: &'a State,
    headers: &HeaderMap,
    address: &SessionAddress,
) -> Result<(&'a ClientKey, Opened), ApiError> {
    let client = page_client(gateway, headers, &address.client_key)?;
    let opened = session_of(gateway, client, &address.session_id).await?;
    Ok((client, opened))
}

/// What the page learns of a payment: status, codes, the 3-D Secure URL, brand and last 4.
fn payment_view(payment: &Payment, gateway_origin: &str) -> PaymentView {
    let action = payment
        .challenge_token
        .as_ref()
        .filter(|_| payment.status == "PROCESSING")
        .map(|token| ActionView {
            kind: "redirect".into(),
            url: format!("{gateway_origin}/3ds/challenge/{token}"),
        });
    PaymentView {
        status: payment.status.clone(),
        order_id: Some(payment.order_id.clone()),
        error_code: Some(payment.error_code.clone()),
        message: Some(payment.error_description.clone()),
        action,
        card: payment.card.as_ref().map(|(brand, bin, last4)| CardView {
            card_brand: Some(brand.clone()),
            bin: Some(bin.clone()),
            last4: Some(last4.clone()),
        }),
        payment_method: Some(payment.payment_method.clone()),
    }
}

/// The order summary's lines from the session's `goods` (PayKKa writes amounts as numbers
/// or as strings of digits; a line without a name is left out).
fn goods_lines(goods: &Value) -> Vec<GoodsLine> {
    let whole = |v: &Value| {
        v.as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    };
    goods
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| {
            Some(GoodsLine {
                name: item["name"].as_str()?.to_owned(),
                price: whole(&item["price"]).unwrap_or(0),
                quantity: whole(&item["quantity"])
                    .and_then(|q| u32::try_from(q).ok())
                    .unwrap_or(1),
            })
        })
        .collect()
}

/// What the page learns of a session; `LOCKED` once its failed attempts are used up.
fn session_view(opened: &Opened, gateway_origin: &str) -> SessionView {
    let Opened {
        session,
        latest: payment,
        failed,
    } = opened;
    let payment = payment.as_ref();
    let expired = now_ms() > session.expires_at;
    let attempts_left = (MAX_FAILED_ATTEMPTS - failed).max(0);
    let status = match payment {
        Some(p) if p.status != "FAILURE" => p.status.clone(),
        _ if expired => "EXPIRED".to_owned(),
        _ if attempts_left == 0 => "LOCKED".to_owned(),
        _ => "OPEN".to_owned(),
    };
    let text = |member: &str| session.requested(member).as_str().map(str::to_owned);
    SessionView {
        session_id: session.session_id.clone(),
        merchant_id: text("merchant_id").unwrap_or_default(),
        amount: u64::try_from(session.amount).unwrap_or(0),
        currency: session.currency.clone(),
        goods: goods_lines(&session.requested("goods")),
        merchant_name: text("display_merchant_name"),
        locale: text("display_locale"),
        allowed_payment_methods: session.methods(),
        expire_time: paykka_api::signing::iso_time(session.expires_at).unwrap_or_default(),
        status,
        attempts_left: u32::try_from(attempts_left).unwrap_or(0),
        payment: payment.map(|p| payment_view(p, gateway_origin)),
    }
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
        let (_, opened) = opened(&gateway, &headers, &parse(&body)?).await?;
        Ok(json!(session_view(&opened, &gateway.own_origin)))
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
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let ip = ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let result = async {
        let request: PayRequest = parse(&body)?;
        let (client, opened) = opened(&gateway, &headers, &request.address).await?;
        opened.still_open()?;
        if opened.failed >= MAX_FAILED_ATTEMPTS {
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                TOO_MANY_ATTEMPTS,
                "Too many failed attempts for this session",
            ));
        }
        if failures_from(&gateway, &ip).await? >= MAX_FAILURES_PER_IP {
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                TOO_MANY_FAILURES,
                "Too many failed payments, try again later",
            ));
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
        opened.allows(&method)?;
        let session = &opened.session;
        let attempt = opened.failed + 1;
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
        let paid = initiate_for_checkout(&gateway, merchant, initiate).await;
        if paid
            .as_ref()
            .map_or(true, |data| data["status"] == "FAILURE")
        {
            record_failure(&gateway, &ip).await?;
        }
        paid?;
        let opened = session_of(&gateway, client, &session.session_id).await?;
        Ok(json!(session_view(&opened, &gateway.own_origin)))
    }
    .await;
    reply(&headers, result)
}

/// Failed checkout payments from `ip` within the window.
async fn failures_from(gateway: &State, ip: &str) -> Result<i64, ApiError> {
    let ip = ip.to_owned();
    gateway
        .db
        .call(move |conn| {
            conn.query_row(
                "SELECT COUNT(*) FROM checkout_failures WHERE ip = ?1 AND at >= ?2",
                rusqlite::params![ip, now_ms() - FAILURE_WINDOW_MS],
                |r| r.get::<_, i64>(0),
            )
        })
        .await
        .map_err(ApiError::internal)
}

/// Counts a failed payment (declined, or refused for its card or token) against `ip`.
async fn record_failure(gateway: &State, ip: &str) -> Result<(), ApiError> {
    let ip = ip.to_owned();
    gateway
        .db
        .call(move |conn| {
            let now = now_ms();
            conn.execute(
                "DELETE FROM checkout_failures WHERE at < ?1",
                [now - FAILURE_WINDOW_MS],
            )?;
            conn.execute(
                "INSERT INTO checkout_failures (ip, at) VALUES (?1, ?2)",
                rusqlite::params![ip, now],
            )
            .map(drop)
        })
        .await
        .map_err(ApiError::internal)
}

/// Apple Pay merchant validation for the drop-in: the merchant session (PayKKa's Create
/// Apple Pay Session string) for the page's own domain, for an open session that allows
/// Apple Pay. The page names no domain: its registered `Origin` does.
pub async fn apple_pay_session(
    Extract(gateway): Extract<State>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let result = async {
        // The body is the session's address (a `validation_url` beside it is not used:
        // PayKKa asks Apple itself).
        let (client, opened) = opened(&gateway, &headers, &parse(&body)?).await?;
        opened.still_open()?;
        opened.allows("APPLE_PAY")?;
        let session = &opened.session;
        let origin = headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let domain = sessions::host_of(origin)
            .ok_or_else(|| ApiError::bad_request("the page's origin has no host"))?;
        let display_name = session.requested("display_merchant_name");
        sessions::apple_pay_merchant_session(
            &gateway,
            &client.merchant_id,
            domain,
            display_name.as_str(),
        )
        .map(Value::String)
    }
    .await;
    reply(&headers, result)
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
