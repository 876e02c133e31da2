//! Payments at the sandbox: initiate (encrypted card, plain card for PCI merchants,
//! wallet token), query, capture, void, refund and refund query. A `trans_id` makes one
//! payment only: a repeat gets the first payment's answer.

use axum::body::Bytes;
use axum::extract::State as Extract;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Deserialize;
use serde_json::{json, Value};

use super::payment::{enqueue_payment, update_status, Payment};
use super::protocol::{authenticate, parse, respond, ApiError, Caller};
use super::state::{Gateway, State};
use super::test_cards::{outcome, Outcome};
use super::wallet_tokens::{self, Expected, OneTimeId};
use super::webhooks::enqueue;
use paykka_api::card::Card;
use paykka_api::guesses::{RepeatedTransId, DUPLICATE_TRANS_ID};
use paykka_api::jwe::CardError;
use paykka_api::money;
use paykka_api::paths::{CAPTURE, INITIATE, QUERY, REFUND, REFUND_QUERY, VOID};
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

fn amount_of(value: &Value) -> Option<i64> {
    let n = match value {
        Value::Number(n) => n.as_i64()?,
        Value::String(s)
            if !s.is_empty() && s.len() <= 15 && s.bytes().all(|b| b.is_ascii_digit()) =>
        {
            s.parse().ok()?
        }
        _ => return None,
    };
    (1..=1_000_000_000_000).contains(&n).then_some(n)
}

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
fn order_id() -> String {
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
    let requested_amount = request
        .amount
        .as_ref()
        .map(|a| {
            amount_of(a).ok_or_else(|| {
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
        .call(move |conn| Payment::find(conn, &merchant_id, &trans_id))
        .await
        .map_err(ApiError::internal)?;
    if let Some(existing) = existing {
        return repeated(gateway, &existing);
    }

    let now = now_ms();
    let (amount, currency) = match &request.session_id {
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
            (session.amount, session.currency)
        }
        None => match (requested_amount, request.currency.clone()) {
            (Some(amount), Some(currency)) => (amount, currency),
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
    };
    let app_id = caller.merchant.app_id.clone();
    let stored = gateway
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            if let Some(existing) = Payment::find(&tx, &payment.merchant_id, &payment.trans_id)? {
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
    /// `trans_id` or `order_id`.
    Id(String),
    Session(String),
}

fn order_not_found() -> ApiError {
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
            OrderKey::Id(id) => Payment::find(conn, &merchant_id, &id),
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
        let key = match (request.trans_id.or(request.order_id), request.session_id) {
            (Some(id), _) => OrderKey::Id(id),
            (None, Some(session)) => OrderKey::Session(session),
            (None, None) => {
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
            let Some(mut p) = Payment::find(&tx, &payment.merchant_id, &payment.order_id)? else {
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
            .or(request.trans_id)
            .ok_or_else(|| ApiError::bad_request("order_id is required"))?;
        let payment = find_order(&gateway, &request.merchant_id, OrderKey::Id(id)).await?;
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
            OrderKey::Id(request.order_id),
        )
        .await?;
        settle_authorized(&gateway, &caller, payment, "CANCELED", "voided").await?;
        Ok(Value::Null)
    }
    .await;
    respond(&gateway, VOID, result)
}

#[derive(Deserialize)]
struct RefundRequest {
    merchant_id: String,
    refund_trans_id: String,
    /// The original payment: PayKKa's `ori_order_id`, or its `trans_id`.
    ori_order_id: Option<String>,
    trans_id: Option<String>,
    refund_amount: Value,
    currency: String,
    reason: Option<String>,
    notify_url: Option<String>,
}

/// A stored refund with its payment's merchant and currency.
struct Refund {
    refund_order_id: String,
    order_id: String,
    merchant_id: String,
    refund_trans_id: String,
    amount: i64,
    currency: String,
    status: String,
}

impl Refund {
    fn find(
        conn: &rusqlite::Connection,
        merchant_id: &str,
        refund_trans_id: Option<&str>,
        refund_order_id: Option<&str>,
    ) -> rusqlite::Result<Option<Refund>> {
        conn.query_row(
            "SELECT r.refund_order_id, r.order_id, r.merchant_id, r.refund_trans_id, r.amount, p.currency, r.status \
             FROM refunds r JOIN payments p ON p.order_id = r.order_id \
             WHERE r.merchant_id = ?1 AND (r.refund_trans_id = ?2 OR r.refund_order_id = ?3)",
            params![merchant_id, refund_trans_id, refund_order_id],
            |r| {
                Ok(Refund {
                    refund_order_id: r.get(0)?,
                    order_id: r.get(1)?,
                    merchant_id: r.get(2)?,
                    refund_trans_id: r.get(3)?,
                    amount: r.get(4)?,
                    currency: r.get(5)?,
                    status: r.get(6)?,
                })
            },
        )
        .optional()
    }

    /// The refund as Refund and Refund Query answer it.
    fn data(&self) -> Value {
        json!({
            "merchant_id": self.merchant_id,
            "refund_trans_id": self.refund_trans_id,
            "refund_order_id": self.refund_order_id,
            "order_id": self.order_id,
            "status": self.status,
            "amount": self.amount,
            "currency": self.currency,
            "error_code": "0000",
            "error_description": "Success",
        })
    }
}

/// Refund a paid order, fully or in part; `refund_trans_id` makes it happen once. The
/// notification goes to the refund's `notify_url`, else the payment's.
pub async fn refund(Extract(gateway): Extract<State>, headers: HeaderMap, body: Bytes) -> Response {
    let result = async {
        let caller = authenticate(&gateway, &headers, REFUND, &body).await?;
        let request: RefundRequest = parse(&body)?;
        caller.owns(&request.merchant_id)?;
        let amount = amount_of(&request.refund_amount).ok_or_else(|| {
            ApiError::bad_request("refund_amount must be a positive integer in minor units")
        })?;
        if request
            .reason
            .as_deref()
            .is_some_and(|r| !super::protocol::REASONS.contains(&r))
        {
            return Err(ApiError::bad_request(
                "reason must be DUPLICATE, FRAUDULENT, REQUESTED_BY_CUSTOMER or OTHER",
            ));
        }
        super::protocol::check_urls(&[("notify_url", request.notify_url.as_deref())])?;
        let key = request
            .ori_order_id
            .clone()
            .or(request.trans_id.clone())
            .ok_or_else(|| ApiError::bad_request("ori_order_id or trans_id is required"))?;
        let app_id = caller.merchant.app_id.clone();
        gateway
            .db
            .call(move |conn| record_refund(conn, &request, &key, amount, &app_id))
            .await
            .map_err(ApiError::internal)?
            .map(|refund| refund.data())
    }
    .await;
    respond(&gateway, REFUND, result)
}

fn record_refund(
    conn: &mut rusqlite::Connection,
    request: &RefundRequest,
    key: &str,
    amount: i64,
    app_id: &str,
) -> rusqlite::Result<Result<Refund, ApiError>> {
    let merchant_id = &request.merchant_id;
    let tx = conn.transaction()?;
    if let Some(existing) = Refund::find(&tx, merchant_id, Some(&request.refund_trans_id), None)? {
        return Ok(Ok(existing));
    }
    let Some(mut p) = Payment::find(&tx, merchant_id, key)? else {
        return Ok(Err(order_not_found()));
    };
    if !["SUCCESS", "PARTIALLY_REFUNDED"].contains(&p.status.as_str()) {
        return Ok(Err(super::protocol::wrong_state(&p.status, "refunded")));
    }
    if request.currency != p.currency {
        return Ok(Err(ApiError::bad_request("currency is not the payment's")));
    }
    if amount > p.amount - p.refunded_amount {
        return Ok(Err(ApiError::bad_request(
            "refund_amount exceeds what is left to refund",
        )));
    }
    let refund_order_id = format!("RG{}", &order_id()[2..]);
    let now = now_ms();
    tx.execute(
        "INSERT INTO refunds (refund_order_id, order_id, merchant_id, refund_trans_id, amount, status, reason, notify_url, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, 'SUCCESS', ?6, ?7, ?8)",
        params![refund_order_id, p.order_id, merchant_id, request.refund_trans_id, amount, request.reason, request.notify_url, now],
    )?;
    p.refunded_amount += amount;
    let status = if p.refunded_amount == p.amount {
        "REFUNDED"
    } else {
        "PARTIALLY_REFUNDED"
    };
    tx.execute(
        "UPDATE payments SET status = ?1, refunded_amount = ?2, updated_at = ?3 WHERE order_id = ?4",
        params![status, p.refunded_amount, now, p.order_id],
    )?;
    if let Some(url) = request.notify_url.as_ref().or(p.notify_url.as_ref()) {
        // In refund notifications `trans_id` is the merchant's refund_trans_id.
        let body = json!({
            "notify_type": "REFUND.SUCCESS", "error_code": "0000", "error_description": "Success",
            "merchant_id": p.merchant_id, "trans_id": request.refund_trans_id, "refund_order_id": refund_order_id,
            "order_id": p.order_id, "status": "SUCCESS", "amount": amount, "currency": p.currency,
            "timestamp": now,
        });
        enqueue(
            &tx,
            &format!("{refund_order_id}:REFUND.SUCCESS"),
            url,
            &body,
            app_id,
        )?;
    }
    tx.commit()?;
    Ok(Ok(Refund {
        refund_order_id,
        order_id: p.order_id,
        merchant_id: merchant_id.clone(),
        refund_trans_id: request.refund_trans_id.clone(),
        amount,
        currency: p.currency,
        status: "SUCCESS".into(),
    }))
}

#[derive(Deserialize)]
struct RefundQuery {
    merchant_id: String,
    refund_trans_id: Option<String>,
    refund_order_id: Option<String>,
}

/// Refund Query, by `refund_trans_id` and/or `refund_order_id`.
pub async fn refund_query(
    Extract(gateway): Extract<State>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let caller = authenticate(&gateway, &headers, REFUND_QUERY, &body).await?;
        let request: RefundQuery = parse(&body)?;
        caller.owns(&request.merchant_id)?;
        if request.refund_trans_id.is_none() && request.refund_order_id.is_none() {
            return Err(ApiError::bad_request(
                "refund_trans_id or refund_order_id is required",
            ));
        }
        gateway
            .db
            .call(move |conn| {
                Refund::find(
                    conn,
                    &request.merchant_id,
                    request.refund_trans_id.as_deref(),
                    request.refund_order_id.as_deref(),
                )
            })
            .await
            .map_err(ApiError::internal)?
            .map(|refund| refund.data())
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::NOT_FOUND,
                    super::protocol::REFUND_NOT_FOUND,
                    "Refund does not exist",
                )
            })
    }
    .await;
    respond(&gateway, REFUND_QUERY, result)
}
