//! The drop-in's session API (`/v3/checkout/*`), called by the shopper's page: what it may
//! ask about a session and do with it. Authenticated by the client key, the page's
//! registered origin (its `Origin` header) and the session id; nothing secret goes out.
//! Amount, currency, `notify_url` and `return_url` always come from PayKKa's session, never
//! from the page; a session is paid at most once, an expired one is refused. A card is
//! opened here and sent to PayKKa as a raw-card Initiate through the forward ledger (one
//! PayKKa call per `trans_id`), a wallet token as it came. Card testing is not free: a
//! session takes `MAX_FAILED_ATTEMPTS` failed payments (`SB0008`), one IP address
//! `MAX_FAILURES_PER_IP` in `FAILURE_WINDOW_MS` over all sessions (`SB0009`); both counts
//! live in the storage, so they hold across instances.

use axum::body::Bytes;
use axum::extract::State as Extract;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use paykka_api::client::CallError;
use paykka_api::client_ip::ClientIp;
use paykka_api::domain::host_of;
use paykka_api::paths::APPLE_PAY_SESSION as PAYKKA_APPLE_PAY_SESSION;
use paykka_api::signing::now_ms;
use paykka_web::checkout_flow::coordinator::{TOO_MANY_ATTEMPTS, TOO_MANY_FAILURES};
use paykka_web::form::payment::{BANKCARD, MEMBERS};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::answers::{Refusal, KEY_RETIRED, NONCE_REPLAYED, PLAIN_CARD, UNKNOWN_CLIENT_KEY};
use crate::checkout_session::{self, Session, MAX_FAILED_ATTEMPTS};
use crate::cors::{allowed_origin, answer, preflight};
use crate::forward;
use crate::limits::{self, Limited};
use crate::state::{Merchant, Service, State};

pub const SESSION: &str = "/v3/checkout/session";
pub const PAY: &str = "/v3/checkout/pay";
pub const RESULT: &str = "/v3/checkout/result";
pub const APPLE_PAY_SESSION: &str = "/v3/checkout/apple-pay/session";

/// Failed payments one IP address may make over all sessions within the window.
pub const MAX_FAILURES_PER_IP: i64 = 10;
pub const FAILURE_WINDOW_MS: i64 = 15 * 60 * 1000;

/// The session API's routes.
pub fn app(state: State) -> Router {
    Router::new()
        .route(SESSION, post(session).options(preflight))
        .route(RESULT, post(session).options(preflight))
        .route(PAY, post(pay).options(preflight))
        .route(
            APPLE_PAY_SESSION,
            post(apple_pay_session).options(preflight),
        )
        .with_state(state)
}

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

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Refusal> {
    serde_json::from_slice(body).map_err(|_| Refusal::bad_request("Invalid request"))
}

/// The merchant of the client key (`SO0008` if none), if the calling page's origin is
/// registered for it (PayKKa's `1017` otherwise).
fn page_merchant<'s>(
    service: &'s Service,
    headers: &HeaderMap,
    key: &str,
) -> Result<&'s Merchant, Refusal> {
    let (merchant, client) = service.client(key).ok_or_else(|| {
        Refusal::new(
            StatusCode::UNAUTHORIZED,
            UNKNOWN_CLIENT_KEY,
            "Unknown client key",
        )
    })?;
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    if !origin.is_some_and(|o| client.origins.iter().any(|allowed| allowed == o)) {
        return Err(Refusal::new(
            StatusCode::FORBIDDEN,
            "1017",
            "Origin not registered for this client key",
        ));
    }
    Ok(merchant)
}

/// PayKKa's envelope (`ret_code`, `ret_msg`, `data`) with the page's CORS headers.
fn reply(service: &Service, headers: &HeaderMap, result: Result<Value, Refusal>) -> Response {
    let origin = allowed_origin(service, headers);
    match result {
        Ok(data) => answer(
            origin,
            StatusCode::OK,
            json!({"ret_code": "000000", "ret_msg": "Success", "data": data}),
        ),
        Err(refusal) => answer(
            origin,
            refusal.status,
            json!({"ret_code": refusal.code.as_ref(), "ret_msg": refusal.message}),
        ),
    }
}

/// Session details and its latest payment (`/session`, and `/result` after 3-D Secure or
/// a redirect method).
async fn session(Extract(service): Extract<State>, headers: HeaderMap, body: Bytes) -> Response {
    let result = async {
        let address: SessionAddress = parse(&body)?;
        let merchant = page_merchant(&service, &headers, &address.client_key)?;
        let session = checkout_session::read(&service, merchant, &address.session_id).await?;
        Ok(json!(session.view()))
    }
    .await;
    reply(&service, &headers, result)
}

/// Pays the session with the page's `payment` (an encrypted card bound to this session, or
/// a wallet token). Each attempt has its own `trans_id` (`<session trans_id>-<n>`, `n` one
/// more than the failed ones): a second request for the same attempt gets the same answer,
/// a paid session refuses more.
async fn pay(
    Extract(service): Extract<State>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ip = limits::shopper_ip(&service, ip, &headers);
    let result = async {
        let request: PayRequest = parse(&body)?;
        let merchant = page_merchant(&service, &headers, &request.address.client_key)?;
        limits::check(&service, Limited::Pay, &request.address.client_key, &ip).await?;
        let session =
            checkout_session::read(&service, merchant, &request.address.session_id).await?;
        session.still_open()?;
        if session.failed >= MAX_FAILED_ATTEMPTS {
            return Err(Refusal::new(
                StatusCode::TOO_MANY_REQUESTS,
                TOO_MANY_ATTEMPTS,
                "Too many failed attempts for this session",
            ));
        }
        let since = now_ms() - FAILURE_WINDOW_MS;
        let from_ip = service.storage.ip_failures(ip.clone(), since).await;
        if from_ip.map_err(Refusal::internal)? >= MAX_FAILURES_PER_IP {
            return Err(Refusal::new(
                StatusCode::TOO_MANY_REQUESTS,
                TOO_MANY_FAILURES,
                "Too many failed payments, try again later",
            ));
        }
        let payment = only_payment_members(&request.payment);
        let method = payment
            .get("payment_method")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_ascii_uppercase();
        session.allows(&method)?;
        let initiate = initiate_request(merchant, &session, payment, request.browser);
        let paid = send(&service, merchant, &session, &initiate, &method).await;
        let failed = match &paid {
            Ok(payment) => payment["status"] == "FAILURE",
            Err(refusal) => counts_against_the_shopper(refusal),
        };
        if failed {
            let now = now_ms();
            let counted = service
                .storage
                .record_ip_failure(ip, now, now - FAILURE_WINDOW_MS)
                .await;
            counted.map_err(Refusal::internal)?;
        }
        let payment = paid?;
        if payment["status"] == "FAILURE" {
            checkout_session::record_failure(&service, merchant, session.id(), &payment).await?;
        }
        let failed = session.failed + i64::from(payment["status"] == "FAILURE");
        let paid = Session {
            payment: Some(payment),
            failed,
            ..session
        };
        Ok(json!(paid.view()))
    }
    .await;
    reply(&service, &headers, result)
}

/// Refusals of the payment's own data: a card or token that could not be opened, was
/// expired, replayed or for another amount, or was not a card at all. What card testing
/// produces, so they count against the shopper's address; the service's or PayKKa's own
/// troubles (not reached, no answer, a session already paid or expired) do not.
const SHOPPERS_FAULTS: [&str; 7] = [
    "010000", // the card's or token's data is invalid
    "206020", // cannot be opened, or replayed
    "206021", // the card encryption or token expired
    "SB0007", // a wallet token approved for another amount
    KEY_RETIRED,
    NONCE_REPLAYED,
    PLAIN_CARD,
];

/// Whether a refused attempt counts as a failed payment from the shopper's address.
fn counts_against_the_shopper(refusal: &Refusal) -> bool {
    SHOPPERS_FAULTS.contains(&refusal.code.as_ref())
}

/// Only the members a page may set in `payment` (PayKKa's names for cards and wallets).
fn only_payment_members(payment: &Value) -> Map<String, Value> {
    MEMBERS
        .iter()
        .filter_map(|member| {
            let value = payment.get(*member).filter(|v| v.is_string())?;
            Some(((*member).to_owned(), value.clone()))
        })
        .collect()
}

/// The Initiate request for the session's next attempt: everything but the payment comes
/// from the session.
fn initiate_request(
    merchant: &Merchant,
    session: &Session,
    payment: Map<String, Value>,
    browser: Option<Value>,
) -> Value {
    let trans_id = session.member("trans_id");
    let attempt = session.failed + 1;
    json!({
        "merchant_id": merchant.merchant_id,
        "payment_type": session.member("payment_type").as_str().unwrap_or("PURCHASE"),
        "capture_method": session.member("capture_method"),
        "trans_id": format!("{}-{attempt}", trans_id.as_str().unwrap_or_default()),
        "session_id": session.id(),
        "amount": session.member("amount"),
        "currency": session.member("currency"),
        "notify_url": session.member("notify_url"),
        "return_url": session.member("return_url"),
        "payment": payment,
        "browser": browser,
    })
}

/// Sends the attempt to PayKKa (a card opened first); PayKKa's payment, or its refusal.
async fn send(
    service: &Service,
    merchant: &Merchant,
    session: &Session,
    initiate: &Value,
    method: &str,
) -> Result<Value, Refusal> {
    let now = now_ms();
    let card = if method == BANKCARD {
        let payment = initiate["payment"].as_object().cloned().unwrap_or_default();
        Some(forward::open_card(service, merchant, &payment, Some(session.id()), now).await?)
    } else {
        None
    };
    let answer = forward::send(service, merchant, initiate, card.as_ref(), now).await?;
    let json: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
    if json["ret_code"] == "000000" {
        return Ok(json["data"].clone());
    }
    Err(Refusal::from_paykka(
        answer.status,
        json["ret_code"].as_str().unwrap_or("999999").to_owned(),
        json["ret_msg"].as_str().unwrap_or("Payment refused"),
    ))
}

/// Apple Pay merchant validation for the drop-in: PayKKa's merchant session (Create Apple
/// Pay Session) for the page's own domain, for an open session that allows Apple Pay. The
/// page names no domain: its registered `Origin` does.
async fn apple_pay_session(
    Extract(service): Extract<State>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        // The body is the session's address (a `validation_url` beside it is not used:
        // PayKKa asks Apple itself).
        let address: SessionAddress = parse(&body)?;
        let merchant = page_merchant(&service, &headers, &address.client_key)?;
        let session = checkout_session::read(&service, merchant, &address.session_id).await?;
        session.still_open()?;
        session.allows("APPLE_PAY")?;
        let origin = headers
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let domain =
            host_of(origin).ok_or_else(|| Refusal::bad_request("the page's origin has no host"))?;
        let request = json!({
            "merchant_id": merchant.merchant_id,
            "domain_name": domain,
            "display_name": session.member("display_merchant_name"),
        });
        let answer = merchant
            .paykka
            .call(PAYKKA_APPLE_PAY_SESSION, &request)
            .await;
        answer.map_err(|error| match error {
            CallError::Refused(status, code, message) => {
                Refusal::from_paykka(status, code, message)
            }
            other => checkout_session::unavailable(&other),
        })
    }
    .await;
    reply(&service, &headers, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_payments_own_refusals_count_against_the_shopper() {
        let refused = |code: &'static str| Refusal::new(StatusCode::BAD_REQUEST, code, "x");
        for code in SHOPPERS_FAULTS {
            assert!(counts_against_the_shopper(&refused(code)), "{code}");
        }
        let not_theirs = [
            crate::answers::NOT_SENT,
            crate::answers::FORWARD_UNKNOWN,
            crate::answers::FORWARD_MISMATCH,
            crate::answers::RATE_LIMITED,
            "999999",
            "SB0001",
            "SB0002",
            "206011",
        ];
        for code in not_theirs {
            assert!(!counts_against_the_shopper(&refused(code)), "{code}");
        }
    }
}
