//! Payments at the sandbox: initiate (a raw card from PCI merchants, a wallet token, a
//! redirect method), query, capture and void. A `trans_id` makes one payment only: a repeat
//! gets the first payment's answer.

use axum::body::Bytes;
use axum::extract::State as Extract;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rusqlite::{params, Transaction};
use serde::Deserialize;
use serde_json::Value;

use super::payment::{enqueue_payment, update_status, Payment, PaymentKey};
use super::protocol::{authenticate, parse, respond, ApiError, Caller};
use super::state::{Gateway, State};
use super::test_cards::{outcome, Outcome};
use super::wallet_tokens::{self, Expected, OneTimeId};
use paykka_api::card::Card;
use paykka_api::guesses::{RepeatedTransId, DUPLICATE_TRANS_ID};
use paykka_api::jwe::CardError;
use paykka_api::money;
use paykka_api::paths::{CAPTURE, INITIATE, QUERY, VOID};
use paykka_api::signing::now_ms;

#[derive(Deserialize)]
struct PaymentObject {
    payment_method: String,
    encrypted_card_no: Option<String>,
    encrypted_exp_month: Option<String>,
    encrypted_exp_year: Option<String>,
    encrypted_cvv: Option<String>,
    card_no: Option<String>,
    exp_month: Option<String>,
    exp_year: Option<String>,
    cvv: Option<String>,
    token_data: Option<String>,
    /// The merchant's id for the shopper (stored and tokenised payments).
    shopper_reference: Option<String>,
}

#[derive(Deserialize)]
struct InitiateRequest {
    merchant_id: String,
    payment_type: String,
    authorisation_type: Option<String>,
    capture_method: Option<String>,
    trans_id: String,
    /// Given by the session when paying within one.
    currency: Option<String>,
    amount: Option<Value>,
    notify_url: Option<String>,
    return_url: Option<String>,
    /// Pays a checkout session: amount and currency are the session's.
    session_id: Option<String>,
    payment: PaymentObject,
}

/// What pays: a card (sent raw, or a wallet's) with the wallet token's one-time id, or a
/// redirect method (Alipay, WeChat Pay), which the shopper approves on its own page.
struct Source {
    card: Option<Card>,
    wallet_token: Option<OneTimeId>,
}

/// Methods the shopper completes on the method's own page (the sandbox's approval page).
pub const REDIRECT_METHODS: [&str; 2] = ["ALIPAY", "WECHAT_PAY"];

/// Decrypts (or, for PCI merchants, reads) the card and checks it; a wallet's token or a
/// redirect method otherwise.
fn read_source(
    gateway: &Gateway,
    caller: &Caller<'_>,
    payment: &PaymentObject,
    expected: &Expected<'_>,
    now: i64,
) -> Result<Source, ApiError> {
    match payment.payment_method.to_ascii_uppercase().as_str() {
        "BANKCARD" => {}
        method @ ("APPLE_PAY" | "GOOGLE_PAY") => {
            return read_wallet(gateway, caller, payment, method, expected, now)
        }
        method if REDIRECT_METHODS.contains(&method) => {
            return Ok(Source {
                card: None,
                wallet_token: None,
            })
        }
        _ => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "210001",
                "Payment method not supported",
            ))
        }
    }
    let encrypted = [
        &payment.encrypted_card_no,
        &payment.encrypted_exp_month,
        &payment.encrypted_exp_year,
        &payment.encrypted_cvv,
    ];
    if encrypted.iter().any(|v| v.is_some()) {
        // PayKKa's own card envelope is closed: a sandbox has no key that opens it. Cards
        // come through a secure origin (paykka-secure-origin) as raw-card requests.
        return Err(ApiError::from(CardError::Decryption(
            "This sandbox does not open encrypted card fields: send the card through the secure origin",
        )));
    }
    let (Some(number), Some(month), Some(year), Some(cvv)) = (
        &payment.card_no,
        &payment.exp_month,
        &payment.exp_year,
        &payment.cvv,
    ) else {
        return Err(ApiError::bad_request("card data is missing"));
    };
    if !caller.merchant.pci {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "206017",
            "PCI compliance insufficient",
        ));
    }
    let card = Card::check(number, month, year, cvv, now).map_err(ApiError::from)?;
    Ok(Source {
        card: Some(card),
        wallet_token: None,
    })
}

/// A wallet payment: the token (PayKKa decrypts it), or the card data a PCI merchant
/// decrypted from it (no security code: the wallet's cryptogram stands in for it).
fn read_wallet(
    gateway: &Gateway,
    caller: &Caller<'_>,
    payment: &PaymentObject,
    method: &str,
    expected: &Expected<'_>,
    now: i64,
) -> Result<Source, ApiError> {
    if let Some(token) = payment.token_data.as_deref() {
        let wallet = if method == "APPLE_PAY" {
            wallet_tokens::apple_pay(&gateway.apple_pay_key, token, expected, now)?
        } else {
            wallet_tokens::google_pay(token, now)?
        };
        return Ok(Source {
            card: Some(wallet.card),
            wallet_token: Some(wallet.once),
        });
    }
    let (Some(number), Some(month), Some(year)) =
        (&payment.card_no, &payment.exp_month, &payment.exp_year)
    else {
        return Err(ApiError::bad_request(
            "token_data is required for wallet payments",
        ));
    };
    if !caller.merchant.pci {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "206017",
            "PCI compliance insufficient",
        ));
    }
    let card = Card::without_code(number, month, year, now).map_err(ApiError::from)?;
    Ok(Source {
        card: Some(card),
        wallet_token: None,
    })
}

/// A new order id: `GW` and 17 digits.
pub fn order_id() -> String {
    let mut bytes = [0u8; 4];
    rand::fill(&mut bytes);
    format!("GW{}{:04}", now_ms(), u32::from_le_bytes(bytes) % 10_000)
}

fn token() -> String {
    paykka_api::signing::new_nonce()
}

enum Stored {
    New(Payment),
    Existing(Payment),
    Replayed,
    SessionPaid,
}

/// Initiate Transaction.
pub async fn initiate(
    Extract(gateway): Extract<State>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = initiate_inner(&gateway, &headers, &body).await;
    respond(&gateway, INITIATE, result)
}

async fn initiate_inner(
    gateway: &State,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Value, ApiError> {
    let caller = authenticate(gateway, headers, INITIATE, body).await?;
    let request: InitiateRequest = parse(body)?;
    initiate_as(gateway, &caller, request).await
}

async fn initiate_as(
    gateway: &State,
    caller: &Caller<'_>,
    request: InitiateRequest,
) -> Result<Value, ApiError> {
    caller.owns(&request.merchant_id)?;
    if !["PURCHASE", "RECURRING"].contains(&request.payment_type.as_str()) {
        return Err(ApiError::bad_request(
            "payment_type must be PURCHASE or RECURRING",
        ));
    }
    let authorisation_type = request
        .authorisation_type
        .clone()
        .unwrap_or_else(|| "FINAL_AUTH".into());
    if !["FINAL_AUTH", "PRE_AUTH"].contains(&authorisation_type.as_str()) {
        return Err(ApiError::bad_request(
            "authorisation_type must be FINAL_AUTH or PRE_AUTH",
        ));
    }
    let capture_method = request
        .capture_method
        .clone()
        .unwrap_or_else(|| "AUTOMATIC".into());
    if !["AUTOMATIC", "MANUAL"].contains(&capture_method.as_str()) {
        return Err(ApiError::bad_request(
            "capture_method must be AUTOMATIC or MANUAL",
        ));
    }
    if request.trans_id.is_empty() || request.trans_id.len() > 64 {
        return Err(ApiError::bad_request("trans_id must be 1 to 64 characters"));
    }
    if request
        .payment
        .shopper_reference
        .as_ref()
        .is_some_and(|r| r.is_empty() || r.len() > 64)
    {
        return Err(ApiError::bad_request(
            "payment.shopper_reference must be 1 to 64 characters",
        ));
    }
    let requested_amount = request
        .amount
        .as_ref()
        .map(|a| {
            money::minor_units(a).ok_or_else(|| {
                ApiError::bad_request("amount must be a positive integer in minor units")
            })
        })
        .transpose()?;
    if request.return_url.is_none() && request.payment_type == "PURCHASE" {
        return Err(ApiError::bad_request("return_url is required"));
    }
    super::protocol::check_urls(&[
        ("notify_url", request.notify_url.as_deref()),
        ("return_url", request.return_url.as_deref()),
    ])?;

    // A repeat of a known trans_id gets the first answer, before anything else is checked.
    let merchant_id = request.merchant_id.clone();
    let trans_id = request.trans_id.clone();
    let existing = gateway
        .db
        .call(move |conn| Payment::find(conn, &merchant_id, PaymentKey::TransId(&trans_id)))
        .await
        .map_err(ApiError::internal)?;
    if let Some(existing) = existing {
        return repeated(gateway, &existing);
    }

    let now = now_ms();
    let (amount, currency, expires_at) = match &request.session_id {
        Some(session_id) => {
            let session = open_session(gateway, &request.merchant_id, session_id, now).await?;
            let differs = requested_amount.is_some_and(|a| a != session.amount)
                || request
                    .currency
                    .as_ref()
                    .is_some_and(|c| *c != session.currency);
            if differs {
                return Err(ApiError::bad_request(
                    "amount and currency are the session's",
                ));
            }
            (session.amount, session.currency, Some(session.expires_at))
        }
        None => match (requested_amount, request.currency.clone()) {
            (Some(amount), Some(currency)) => (amount, currency, None),
            _ => return Err(ApiError::bad_request("amount and currency are required")),
        },
    };
    if money::exponent(&currency).is_none() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "1007",
            "Currency not supported",
        ));
    }
    let expected = Expected {
        merchant_id: &caller.merchant.merchant_id,
        amount,
        currency: &currency,
    };
    let source = read_source(gateway, caller, &request.payment, &expected, now)?;
    let Source { card, wallet_token } = source;
    // A redirect method always goes through its approval page.
    let decision = card
        .as_ref()
        .map_or(Outcome::Challenge, |c| outcome(&c.number));
    let (status, error_code, error_description, challenge) = match decision {
        Outcome::Authorised if capture_method == "MANUAL" => {
            ("AUTHORIZED", "0000", "Success", None)
        }
        Outcome::Authorised => ("SUCCESS", "0000", "Success", None),
        Outcome::Challenge => (
            "PROCESSING",
            "0000",
            "Authentication required",
            Some(token()),
        ),
        Outcome::Declined(code, text) => ("FAILURE", code, text, None),
        Outcome::NotSupported => ("FAILURE", "2006", "Card not supported", None),
    };
    let payment = Payment {
        order_id: order_id(),
        merchant_id: request.merchant_id,
        trans_id: request.trans_id,
        status: status.into(),
        amount,
        currency,
        payment_method: request.payment.payment_method.to_ascii_uppercase(),
        capture_method,
        card: card.as_ref().map(|c| {
            (
                c.brand_name().to_owned(),
                c.bin().to_owned(),
                c.last4().to_owned(),
            )
        }),
        error_code: error_code.into(),
        error_description: error_description.into(),
        notify_url: request.notify_url,
        return_url: request.return_url,
        challenge_token: challenge,
        session_id: request.session_id,
        authorisation_type,
        refunded_amount: 0,
        updated_at: now,
        shopper_reference: request.payment.shopper_reference,
        expires_at,
        finished_at: super::payment::is_finished(status).then_some(now),
    };
    let app_id = caller.merchant.app_id.clone();
    let stored = gateway
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            if let Some(existing) = Payment::find(
                &tx,
                &payment.merchant_id,
                PaymentKey::TransId(&payment.trans_id),
            )? {
                return Ok(Stored::Existing(existing));
            }
            if let Some(session_id) = &payment.session_id {
                if session_paid(&tx, session_id)? {
                    return Ok(Stored::SessionPaid);
                }
            }
            if let Some(token) = &wallet_token {
                if !spend_wallet_token(&tx, token, now)? {
                    return Ok(Stored::Replayed);
                }
            }
            super::payment::insert_payment(&tx, &payment)?;
            if let Some(notify_type) = super::payment::final_notify_type(&payment.status) {
                enqueue_payment(&tx, &payment, notify_type, &app_id)?;
            }
            tx.commit()?;
            Ok(Stored::New(payment))
        })
        .await
        .map_err(ApiError::internal)?;
    match stored {
        Stored::New(payment) => {
            tracing::info!(order_id = %payment.order_id, status = %payment.status, "payment");
            Ok(payment.data(&gateway.own_origin))
        }
        Stored::Existing(payment) => repeated(gateway, &payment),
        Stored::Replayed => Err(ApiError::from(CardError::Replayed)),
        Stored::SessionPaid => Err(super::sessions::already_paid()),
    }
}

/// Records a wallet token's one-time identity; `false` if it was spent before. Identities
/// are forgotten only once their token could no longer be accepted.
fn spend_wallet_token(
    tx: &rusqlite::Transaction<'_>,
    token: &OneTimeId,
    now: i64,
) -> rusqlite::Result<bool> {
    tx.execute(
        "DELETE FROM wallet_tokens WHERE keep_until < ?1",
        [now - paykka_api::jwe::MAX_SKEW_MS],
    )?;
    let inserted = tx.execute(
        "INSERT OR IGNORE INTO wallet_tokens (token_id, keep_until) VALUES (?1, ?2)",
        params![token.id, token.keep_until],
    )?;
    Ok(inserted == 1)
}

/// The answer to an Initiate whose `trans_id` already made `first` (see `guesses`).
fn repeated(gateway: &Gateway, first: &Payment) -> Result<Value, ApiError> {
    match gateway.repeated_trans_id {
        RepeatedTransId::FirstPayment => Ok(first.data(&gateway.own_origin)),
        RepeatedTransId::Refused => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            DUPLICATE_TRANS_ID,
            "Duplicate trans_id",
        )),
    }
}

/// A session's amount and currency, if it exists for the merchant and is still open.
async fn open_session(
    gateway: &State,
    merchant_id: &str,
    session_id: &str,
    now: i64,
) -> Result<super::sessions::Session, ApiError> {
    let (merchant_id, session_id) = (merchant_id.to_owned(), session_id.to_owned());
    let session = gateway
        .db
        .call(move |conn| super::sessions::Session::find(conn, &merchant_id, &session_id))
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(super::sessions::not_found)?;
    if now > session.expires_at {
        return Err(super::sessions::expired());
    }
    Ok(session)
}

/// Whether a session already has a payment that is not a failure.
fn session_paid(tx: &Transaction<'_>, session_id: &str) -> rusqlite::Result<bool> {
    tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM payments WHERE session_id = ?1 AND status != 'FAILURE')",
        [session_id],
        |r| r.get(0),
    )
}

#[derive(Deserialize)]
struct OrderRequest {
    merchant_id: String,
    trans_id: Option<String>,
    order_id: Option<String>,
    session_id: Option<String>,
}

/// How a request names a payment.
enum OrderKey {
    TransId(String),
    OrderId(String),
    /// A session's latest payment.
    Session(String),
}

pub fn order_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "206024", "Order does not exist")
}

async fn find_order(
    gateway: &State,
    merchant_id: &str,
    key: OrderKey,
) -> Result<Payment, ApiError> {
    let merchant_id = merchant_id.to_owned();
    gateway
        .db
        .call(move |conn| match key {
            OrderKey::TransId(id) => Payment::find(conn, &merchant_id, PaymentKey::TransId(&id)),
            OrderKey::OrderId(id) => Payment::find(conn, &merchant_id, PaymentKey::OrderId(&id)),
            OrderKey::Session(id) => Payment::find_in_session(conn, &merchant_id, &id),
        })
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(order_not_found)
}

/// Query Transaction: by `trans_id`, `order_id` or `session_id`.
pub async fn query(Extract(gateway): Extract<State>, headers: HeaderMap, body: Bytes) -> Response {
    let result = async {
        let caller = authenticate(&gateway, &headers, QUERY, &body).await?;
        let request: OrderRequest = parse(&body)?;
        caller.owns(&request.merchant_id)?;
        let key = match (request.order_id, request.trans_id, request.session_id) {
            (Some(id), _, _) => OrderKey::OrderId(id),
            (None, Some(id), _) => OrderKey::TransId(id),
            (None, None, Some(session)) => OrderKey::Session(session),
            (None, None, None) => {
                return Err(ApiError::bad_request(
                    "trans_id, order_id or session_id is required",
                ))
            }
        };
        Ok(find_order(&gateway, &request.merchant_id, key)
            .await?
            .data(&gateway.own_origin))
    }
    .await;
    respond(&gateway, QUERY, result)
}

/// Moves an AUTHORIZED payment to `to` (capture → SUCCESS, void → CANCELED); a repeat of
/// the same move answers as the first.
async fn settle_authorized(
    gateway: &State,
    caller: &Caller<'_>,
    payment: Payment,
    to: &'static str,
    operation: &'static str,
) -> Result<Payment, ApiError> {
    let app_id = caller.merchant.app_id.clone();
    let updated = gateway
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let Some(mut p) = Payment::find(
                &tx,
                &payment.merchant_id,
                PaymentKey::OrderId(&payment.order_id),
            )?
            else {
                return Ok(None);
            };
            if p.status == to {
                return Ok(Some(Ok(p)));
            }
            if p.status != "AUTHORIZED" {
                return Ok(Some(Err(p.status)));
            }
            update_status(&tx, &mut p, to, "0000", "Success", &app_id)?;
            tx.commit()?;
            Ok(Some(Ok(p)))
        })
        .await
        .map_err(ApiError::internal)?;
    match updated {
        Some(Ok(p)) => Ok(p),
        Some(Err(status)) => Err(super::protocol::wrong_state(&status, operation)),
        None => Err(order_not_found()),
    }
}

/// Capture an authorisation (the path and fields are guesses: see `guesses`).
pub async fn capture(
    Extract(gateway): Extract<State>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let caller = authenticate(&gateway, &headers, CAPTURE, &body).await?;
        let request: OrderRequest = parse(&body)?;
        caller.owns(&request.merchant_id)?;
        let id = request
            .order_id
            .ok_or_else(|| ApiError::bad_request("order_id is required"))?;
        let payment = find_order(&gateway, &request.merchant_id, OrderKey::OrderId(id)).await?;
        let payment = settle_authorized(&gateway, &caller, payment, "SUCCESS", "captured").await?;
        Ok(payment.data(&gateway.own_origin))
    }
    .await;
    respond(&gateway, CAPTURE, result)
}

#[derive(Deserialize)]
struct VoidRequest {
    merchant_id: String,
    order_id: String,
    reason: String,
}

/// Void (cancel) an authorisation: `order_id` and a `reason` from PayKKa's enum; the
/// answer is `{ret_code, ret_msg}` only, as documented.
pub async fn void(Extract(gateway): Extract<State>, headers: HeaderMap, body: Bytes) -> Response {
    let result = async {
        let caller = authenticate(&gateway, &headers, VOID, &body).await?;
        let request: VoidRequest = parse(&body)?;
        caller.owns(&request.merchant_id)?;
        if !super::protocol::REASONS.contains(&request.reason.as_str()) {
            return Err(ApiError::bad_request(
                "reason must be DUPLICATE, FRAUDULENT, REQUESTED_BY_CUSTOMER or OTHER",
            ));
        }
        let payment = find_order(
            &gateway,
            &request.merchant_id,
            OrderKey::OrderId(request.order_id),
        )
        .await?;
        settle_authorized(&gateway, &caller, payment, "CANCELED", "voided").await?;
        Ok(Value::Null)
    }
    .await;
    respond(&gateway, VOID, result)
}
