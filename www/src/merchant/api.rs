//! The merchant server API: orders, payment from the encrypted card (full PayKKa request,
//! signed), query, checkout session and Apple Pay session, and what the staff calls and
//! the webhook receiver share (errors, PayKKa look-ups, recording an answer on its order). Errors reach the page as `{code, message}` only.

use axum::extract::{Path, Query, State as Extract};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::{params, OptionalExtension};
use serde::Deserialize;
use serde_json::{json, Value};
// Only these members of the page's `payment` object go to PayKKa (the package's list).
use paykka_web::form::payment::MEMBERS as PAYMENT_MEMBERS;

use super::State;
use paykka_api::apple_pay_token::ProcessingKey;
use paykka_api::client::CallError;
use paykka_api::client_ip::ClientIp;
use paykka_api::money;
use paykka_api::signing::{new_nonce, now_ms};

/// The webhook path (also what its signature covers).
pub const WEBHOOK_PATH: &str = "/api/webhooks/paykka";

/// An error for the page: a stable code and a message, nothing internal.
pub struct AppError {
    status: StatusCode,
    code: String,
    /// What the page (or, at the webhook, PayKKa) is told.
    pub message: String,
}

impl AppError {
    pub fn new(status: StatusCode, code: &str, message: &str) -> Self {
        AppError {
            status,
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn internal(error: anyhow::Error) -> Self {
        tracing::error!("merchant error: {error:#}");
        AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "Something went wrong; please try again.",
        )
    }
}

/// The secure origin's codes for a forward PayKKa did not get (`SO0007`) and one whose
/// outcome is unknown (`SO0003`; docs/deploy.md).
const SECURE_ORIGIN_NOT_SENT: &str = "SO0007";
const SECURE_ORIGIN_OUTCOME_UNKNOWN: &str = "SO0003";

fn not_sent() -> AppError {
    AppError::new(
        StatusCode::BAD_GATEWAY,
        "GATEWAY_UNAVAILABLE",
        "The payment service cannot be reached. Your card was not charged; please try again.",
    )
}

fn outcome_unknown() -> AppError {
    AppError::new(
        StatusCode::BAD_GATEWAY,
        "GATEWAY_NO_ANSWER",
        "The payment service did not answer in time. Check the order's status before paying again.",
    )
}

impl From<CallError> for AppError {
    fn from(error: CallError) -> Self {
        match error {
            CallError::NotSent => not_sent(),
            CallError::Refused(_, code, _) if code == SECURE_ORIGIN_NOT_SENT => not_sent(),
            CallError::Unavailable => outcome_unknown(),
            CallError::Refused(_, code, _) if code == SECURE_ORIGIN_OUTCOME_UNKNOWN => {
                outcome_unknown()
            }
            CallError::BadSignature | CallError::Garbage => AppError::new(
                StatusCode::BAD_GATEWAY,
                "GATEWAY_INVALID_ANSWER",
                "The payment service gave an answer we cannot trust. Please try again.",
            ),
            CallError::Refused(status, code, message) => {
                tracing::warn!(%code, %message, status, "PayKKa refused a request");
                let retry = code == "206021" || code == "206020";
                let text = if retry {
                    "The card details expired or could not be read. Please check them and pay again."
                } else {
                    "The payment could not be made with these details."
                };
                AppError {
                    status: StatusCode::BAD_REQUEST,
                    code,
                    message: text.into(),
                }
            }
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({"code": self.code, "message": self.message})),
        )
            .into_response()
    }
}

/// A JSON body of the expected shape; anything else is refused as `INVALID_REQUEST` in
/// the shop's error shape (not axum's plain-text rejection).
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, AppError> {
        match <Json<T> as axum::extract::FromRequest<S>>::from_request(request, state).await {
            Ok(Json(value)) => Ok(JsonBody(value)),
            Err(_) => Err(AppError::new(
                StatusCode::BAD_REQUEST,
                "INVALID_REQUEST",
                "The request is not JSON of the expected shape",
            )),
        }
    }
}

/// The demo order: one bag of coffee, US$3.00.
const DEMO_AMOUNT: i64 = 300;
const DEMO_CURRENCY: &str = "USD";

/// The cookie that marks the browser which created an order (its owner).
fn owner_cookie(trans_id: &str) -> String {
    format!("paykka_order_{trans_id}")
}

/// Whether the request carries the owner cookie of `trans_id`.
fn is_owner(
    conn: &rusqlite::Connection,
    headers: &HeaderMap,
    trans_id: &str,
) -> rusqlite::Result<bool> {
    let name = owner_cookie(trans_id);
    let token = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(name.as_str())?.strip_prefix('='));
    let Some(token) = token else {
        return Ok(false);
    };
    let stored: Option<String> = conn
        .query_row(
            "SELECT owner_hash FROM orders WHERE trans_id = ?1",
            [trans_id],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    Ok(stored == Some(super::token_hash(token)))
}

/// Creates an order (a `trans_id`) for the page to pay; the creating browser gets an
/// owner cookie, which later shows it (and only it) the card used.
pub async fn create_order(Extract(merchant): Extract<State>) -> Result<Response, AppError> {
    let (trans_id, token) = new_order(&merchant).await?;
    let cookie = format!(
        "{}={token}; Path=/api/payments; HttpOnly; SameSite=Lax; Max-Age=86400",
        owner_cookie(&trans_id)
    );
    Ok((
        [(header::SET_COOKIE, cookie)],
        Json(json!({
            "trans_id": trans_id,
            "amount": DEMO_AMOUNT,
            "currency": DEMO_CURRENCY,
            "display_amount": money::decimal(DEMO_AMOUNT, DEMO_CURRENCY),
        })),
    )
        .into_response())
}

/// Stores a new demo order: its `trans_id` and the owner token.
async fn new_order(merchant: &State) -> Result<(String, String), AppError> {
    let trans_id = format!("ORD{}{}", now_ms(), &new_nonce()[..6]);
    let token = new_nonce();
    let (id, hash) = (trans_id.clone(), super::token_hash(&token));
    merchant
        .db
        .call(move |conn| {
            let now = now_ms();
            conn.execute(
                "INSERT INTO orders (trans_id, amount, currency, status, owner_hash, created_at, updated_at) VALUES (?1, ?2, ?3, 'CREATED', ?4, ?5, ?5)",
                params![id, DEMO_AMOUNT, DEMO_CURRENCY, hash, now],
            )
        })
        .await
        .map_err(AppError::internal)?;
    Ok((trans_id, token))
}

#[derive(Deserialize)]
pub struct PayRequest {
    trans_id: String,
    /// The `payment` object from `encrypt()` (BANKCARD + encrypted_*), or a wallet's.
    payment: Value,
    /// `encrypt().browserInfo`.
    browser: Option<Value>,
}

/// The `browser` members PayKKa documents; anything else the page sends is dropped.
const BROWSER_MEMBERS: [&str; 13] = [
    "user_agent",
    "color_depth",
    "language",
    "java_enabled",
    "device_type",
    "terminal_type",
    "device_os",
    "timezone_offset",
    "screen_height",
    "screen_width",
    "cookies",
    "device_finger_print_id",
    "fraud_detection_id",
];

fn order_of(
    conn: &rusqlite::Connection,
    trans_id: &str,
) -> rusqlite::Result<Option<(i64, String, String)>> {
    conn.query_row(
        "SELECT amount, currency, status FROM orders WHERE trans_id = ?1",
        [trans_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .optional()
}

/// An answer's payment must be the one asked about (its `key` is `value`); anything else
/// is not trusted.
pub fn about(data: Value, key: &str, value: &str) -> Result<Value, AppError> {
    if data[key].as_str() == Some(value) {
        Ok(data)
    } else {
        tracing::warn!("PayKKa answered about another payment");
        Err(CallError::Garbage.into())
    }
}

/// What the page learns of a payment; card metadata only for the shopper who just paid.
fn view(data: &Value, with_card: bool) -> Value {
    let mut out = json!({
        "trans_id": data["trans_id"],
        "order_id": data["order_id"],
        "status": data["status"],
        "error_code": data["error_code"],
        "message": data["error_description"],
    });
    if with_card {
        out["card"] = data["card_info"].clone();
    }
    if let Some(url) = data["authentication_result"]["authentication_url"].as_str() {
        out["action"] = json!({"type": "redirect", "url": url});
    }
    out
}

/// Stores a payment's answer on its order, unless it would move the order backwards.
pub async fn record(merchant: &State, data: &Value) -> anyhow::Result<()> {
    let data = data.clone();
    merchant
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            let trans_id = data["trans_id"].as_str().unwrap_or_default();
            let to = data["status"].as_str().unwrap_or_default();
            if !order_may_move(&tx, trans_id, to)? {
                return Ok(0);
            }
            let updated = tx.execute(
                "UPDATE orders SET status = ?1, order_id = ?2, error_code = ?3, message = ?4, card_brand = ?5, card_last4 = ?6, updated_at = ?7 WHERE trans_id = ?8",
                params![
                    data["status"].as_str(),
                    data["order_id"].as_str(),
                    data["error_code"].as_str(),
                    data["error_description"].as_str(),
                    data["card_info"]["card_brand"].as_str(),
                    data["card_info"]["last4"].as_str(),
                    now_ms(),
                    trans_id,
                ],
            )?;
            tx.commit()?;
            Ok(updated)
        })
        .await
        .map(drop)
}

/// Whether the order `trans_id` may take status `to` (see `status_may_move`).
fn order_may_move(conn: &rusqlite::Connection, trans_id: &str, to: &str) -> rusqlite::Result<bool> {
    let from: Option<String> = conn
        .query_row(
            "SELECT status FROM orders WHERE trans_id = ?1",
            [trans_id],
            |r| r.get(0),
        )
        .optional()?;
    Ok(from.is_some_and(|from| from == to || super::status_may_move(&from, to)))
}

/// Pays an order with the page's encrypted card: builds the whole PayKKa request (amount
/// from the order, never from the page), signs and sends it; the answer shows the card
/// (brand, BIN, last 4) only to the browser that created the order. A repeat for the same order
/// reuses its `trans_id`, so PayKKa answers with the first payment or refuses the repeat
/// (then the first payment is queried): never a second charge.
pub async fn pay(
    Extract(merchant): Extract<State>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    JsonBody(request): JsonBody<PayRequest>,
) -> Result<Json<Value>, AppError> {
    let trans_id = request.trans_id.clone();
    let order = merchant
        .db
        .call(move |conn| order_of(conn, &trans_id))
        .await
        .map_err(AppError::internal)?
        .ok_or_else(|| {
            AppError::new(
                StatusCode::NOT_FOUND,
                "ORDER_NOT_FOUND",
                "This order does not exist.",
            )
        })?;
    let (amount, currency, _) = order;
    let mut payment = serde_json::Map::new();
    for member in PAYMENT_MEMBERS {
        if let Some(value) = request.payment.get(member).filter(|v| v.is_string()) {
            payment.insert(member.into(), value.clone());
        }
    }
    if !payment.contains_key("payment_method") {
        return Err(AppError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "The payment details are incomplete.",
        ));
    }
    if let Some(key) = &merchant.apple_pay_key {
        if let Some(token_id) = decrypt_apple_pay(key, &mut payment, amount, &currency)? {
            spend_wallet_token(&merchant, token_id, &request.trans_id).await?;
        }
    }
    // Only the members PayKKa documents for `browser`; the shopper's IP goes in `customer`.
    let mut browser = serde_json::Map::new();
    if let Some(given) = request.browser.as_ref().and_then(Value::as_object) {
        for member in BROWSER_MEMBERS {
            if let Some(value) = given
                .get(member)
                .filter(|v| v.is_string() || v.is_number() || v.is_boolean())
            {
                browser.insert(member.into(), value.clone());
            }
        }
    }
    let ip = ip.map(|ip| ip.to_string());
    let origin = &merchant.origin;
    let body = json!({
        "merchant_id": merchant.paykka.merchant_id,
        "payment_type": "PURCHASE",
        "authorisation_type": "FINAL_AUTH",
        "capture_method": "AUTOMATIC",
        "trans_id": request.trans_id,
        "timestamp": now_ms(),
        "currency": currency,
        "amount": amount,
        "notify_url": format!("{origin}{WEBHOOK_PATH}"),
        // The shop's own order reference: PayKKa does not document what it adds on return.
        "return_url": format!("{origin}/3ds/return?order={}", urlencoding::encode(&request.trans_id)),
        "payment": payment,
        "authentication": {"challenge_indicator": "AUTO"},
        "browser": browser,
        "goods": [{
            "id": "SKU-BEANS-250", "name": "Hand-roasted beans, 250 g", "category": "Coffee",
            "price": amount, "quantity": 1, "link": format!("{origin}/"),
        }],
        "bill": {
            "billing_address_collection": "NONE", "first_name": "Demo", "last_name": "Shopper",
            "country": "US", "city": "San Francisco", "postal_code": "94107", "email": "shopper@example.com",
        },
        "shipping": {
            "first_name": "Demo", "last_name": "Shopper", "address_line1": "1 Market St",
            "country": "US", "city": "San Francisco", "postal_code": "94107",
        },
        "customer": {"email": "shopper@example.com", "order_ip": ip, "pay_ip": ip},
    });
    // A card's ciphertexts go through the secure origin, which alone can open them; the
    // rest (wallet tokens, redirect methods) straight to PayKKa.
    let encrypted_card = body["payment"].get("encrypted_card_no").is_some();
    let client = if encrypted_card {
        &merchant.forwarder
    } else {
        &merchant.paykka
    };
    let data = match client.call(paykka_api::paths::INITIATE, &body).await {
        Ok(data) => data,
        // A repeated trans_id may be refused rather than answered with the first payment
        // (PayKKa does not say which), and the secure origin refuses a forward whose
        // outcome it does not know: whatever the refusal, a payment that exists wins.
        Err(refused @ CallError::Refused(..)) => {
            match query_payment(&merchant, &request.trans_id).await {
                Ok(existing) => existing,
                Err(_) => return Err(refused.into()),
            }
        }
        Err(other) => return Err(other.into()),
    };
    let data = about(data, "trans_id", &request.trans_id)?;
    // Whoever knows the order number may send it again (and gets the first payment's
    // answer).
    recorded_view(&merchant, data, headers, request.trans_id).await
}

/// Records a payment's answer on its order and shows it; the card only to the order's
/// owner.
async fn recorded_view(
    merchant: &State,
    data: Value,
    headers: HeaderMap,
    trans_id: String,
) -> Result<Json<Value>, AppError> {
    record(merchant, &data).await.map_err(AppError::internal)?;
    let owner = merchant
        .db
        .call(move |conn| is_owner(conn, &headers, &trans_id))
        .await
        .map_err(AppError::internal)?;
    Ok(Json(view(&data, owner)))
}

/// PayKKa's second Apple Pay mode: the merchant opens the token with its own
/// payment-processing key and sends the card it stands for (as a PCI merchant), if the
/// shopper approved the order's own total. The device account number goes to PayKKa only,
/// never to a log or the database. Answers the token's one-time identity.
fn decrypt_apple_pay(
    key: &ProcessingKey,
    payment: &mut serde_json::Map<String, Value>,
    amount: i64,
    currency: &str,
) -> Result<Option<String>, AppError> {
    let is_apple_pay = payment["payment_method"]
        .as_str()
        .is_some_and(|m| m.eq_ignore_ascii_case("APPLE_PAY"));
    let Some(token) = payment
        .get("token_data")
        .and_then(Value::as_str)
        .filter(|_| is_apple_pay)
    else {
        return Ok(None);
    };
    let opened = key.open(token, now_ms()).map_err(|e| {
        tracing::warn!("Apple Pay token refused: {e}");
        AppError::new(
            StatusCode::BAD_REQUEST,
            "WALLET_TOKEN_INVALID",
            "The Apple Pay token could not be used.",
        )
    })?;
    if !opened.is_for(amount, currency) {
        return Err(AppError::new(
            StatusCode::BAD_REQUEST,
            "WALLET_TOKEN_WRONG_AMOUNT",
            "The Apple Pay token was approved for another amount.",
        ));
    }
    payment.remove("token_data");
    payment.insert(
        "card_no".into(),
        Value::from(opened.account_number.as_str()),
    );
    payment.insert("exp_month".into(), opened.exp_month().into());
    payment.insert("exp_year".into(), opened.exp_year().into());
    if let Some(name) = &opened.cardholder_name {
        payment.insert("holder_name".into(), name.as_str().into());
    }
    Ok(Some(opened.one_time_id.clone()))
}

/// Binds an opened Apple Pay token to the order it pays: the same order may send it again
/// (a retry reuses the order's `trans_id`, so PayKKa cannot charge twice), another may not.
async fn spend_wallet_token(
    merchant: &State,
    token_id: String,
    trans_id: &str,
) -> Result<(), AppError> {
    let trans_id = trans_id.to_owned();
    let owner = merchant
        .db
        .call(move |conn| {
            conn.execute(
                "INSERT OR IGNORE INTO wallet_tokens (token_id, trans_id) VALUES (?1, ?2)",
                [&token_id, &trans_id],
            )?;
            conn.query_row(
                "SELECT trans_id = ?2 FROM wallet_tokens WHERE token_id = ?1",
                [&token_id, &trans_id],
                |r| r.get::<_, bool>(0),
            )
        })
        .await
        .map_err(AppError::internal)?;
    if owner {
        Ok(())
    } else {
        Err(AppError::new(
            StatusCode::CONFLICT,
            "WALLET_TOKEN_USED",
            "This Apple Pay token has already paid another order.",
        ))
    }
}

/// Asks PayKKa's query at `path` for what `key` names `value`; only an answer about that is
/// taken.
pub async fn look_up_at(
    merchant: &State,
    path: &str,
    key: &str,
    value: &str,
) -> Result<Value, AppError> {
    let body =
        json!({"merchant_id": merchant.paykka.merchant_id, key: value, "timestamp": now_ms()});
    let data = merchant.paykka.call(path, &body).await?;
    about(data, key, value)
}

/// Asks PayKKa for the payment whose `key` (`trans_id` or `order_id`) is `value`.
pub async fn query_payment_by(merchant: &State, key: &str, value: &str) -> Result<Value, AppError> {
    look_up_at(merchant, paykka_api::paths::QUERY, key, value).await
}

/// Asks PayKKa for the payment `trans_id` made.
async fn query_payment(merchant: &State, trans_id: &str) -> Result<Value, AppError> {
    query_payment_by(merchant, "trans_id", trans_id).await
}

/// Queries a payment at PayKKa and updates the order.
pub async fn query(
    Extract(merchant): Extract<State>,
    Path(trans_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, AppError> {
    let data = query_payment(&merchant, &trans_id).await?;
    // Anyone with the order number may ask.
    recorded_view(&merchant, data, headers, trans_id).await
}

/// `?expires_in=<seconds>` for a session (30 minutes by default; the demo's tests use short
/// ones).
#[derive(Deserialize)]
pub struct SessionLifetime {
    expires_in: Option<u32>,
}

/// Creates a checkout session for a new demo order.
pub async fn create_session(
    Extract(merchant): Extract<State>,
    Query(lifetime): Query<SessionLifetime>,
) -> Result<Json<Value>, AppError> {
    let (trans_id, _) = new_order(&merchant).await?;
    let origin = &merchant.origin;
    let seconds = lifetime
        .expires_in
        .unwrap_or(30 * 60)
        .clamp(1, 24 * 60 * 60);
    let expire_time = paykka_api::iso_time::format(now_ms() + i64::from(seconds) * 1000);
    let body = json!({
        "merchant_id": merchant.paykka.merchant_id,
        "payment_type": "PURCHASE",
        "trans_id": trans_id,
        "amount": DEMO_AMOUNT,
        "currency": DEMO_CURRENCY,
        "session_mode": "DROP_IN",
        "expire_time": expire_time,
        "display_merchant_name": "Paykka Coffee",
        // The checkout page restores itself after 3-D Secure or a redirect method.
        "return_url": format!("{origin}/checkout"),
        "notify_url": format!("{origin}{WEBHOOK_PATH}"),
        "goods": [{"name": "Hand-roasted beans, 250 g", "price": DEMO_AMOUNT, "quantity": 1}],
        "timestamp": now_ms(),
    });
    let data = merchant
        .paykka
        .call(paykka_api::paths::SESSION_CREATE, &body)
        .await?;
    Ok(Json(
        json!({"session_id": data["session_id"], "trans_id": data["trans_id"], "expire_time": data["expire_time"]}),
    ))
}

#[derive(Deserialize)]
pub struct ApplePayRequest {
    domain_name: String,
}

/// Merchant validation for Apple Pay: asks PayKKa (Create Apple Pay Session) for the
/// merchant session of the page's domain.
pub async fn apple_pay_session(
    Extract(merchant): Extract<State>,
    JsonBody(request): JsonBody<ApplePayRequest>,
) -> Result<Json<Value>, AppError> {
    let body = json!({
        "merchant_id": merchant.paykka.merchant_id,
        "domain_name": request.domain_name,
        "display_name": "Paykka Coffee",
        "timestamp": now_ms(),
    });
    let session = merchant
        .paykka
        .call(paykka_api::paths::APPLE_PAY_SESSION, &body)
        .await?;
    // PayKKa's "ApplePay data string", passed on as is: the button parses it.
    Ok(Json(json!({ "merchant_session": session })))
}
