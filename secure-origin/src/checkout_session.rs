//! A checkout session as the drop-in's page may see it, read from PayKKa as the merchant:
//! Query Session for the session (amount, currency, goods, methods, expiry, the order of its
//! latest payment) and Query Transaction for that payment. The service adds what it counts
//! itself: the session's failed payments, against `MAX_FAILED_ATTEMPTS`.

use axum::http::StatusCode;
use paykka_api::client::CallError;
use paykka_api::paths::{QUERY, SESSION_QUERY};
use paykka_api::signing::now_ms;
use paykka_web::checkout_flow::coordinator::{SESSION_EXPIRED, SESSION_PAID};
use paykka_web::checkout_flow::session::{
    ActionView, CardView, GoodsLine, PaymentView, SessionView,
};
use serde_json::{json, Value};

use crate::answers::Refusal;
use crate::state::{Merchant, Service};
use crate::storage::SessionFailure;

/// Failed payments a session takes before it refuses more.
pub const MAX_FAILED_ATTEMPTS: i64 = 5;

/// A session, its latest payment (PayKKa's answers as they came) and its failed payments.
pub struct Session {
    pub session: Value,
    pub payment: Option<Value>,
    pub failed: i64,
}

/// PayKKa's answer for an unknown session.
pub fn not_found() -> Refusal {
    Refusal::new(StatusCode::NOT_FOUND, "206011", "Session does not exist")
}

/// PayKKa could not be asked (or its answer was not signed): nothing was done.
pub fn unavailable(error: &CallError) -> Refusal {
    tracing::warn!("checkout: PayKKa did not answer a lookup: {error:?}");
    Refusal::new(
        StatusCode::BAD_GATEWAY,
        "999999",
        "PayKKa cannot be reached; try again",
    )
}

/// PayKKa's amounts are numbers or strings of digits.
fn whole(value: &Value) -> Option<u64> {
    value
        .as_u64()
        .or_else(|| value.as_str().and_then(|s| s.parse().ok()))
}

fn text<'v>(value: &'v Value, member: &str) -> Option<&'v str> {
    value.get(member).and_then(Value::as_str)
}

/// The session `session_id` of `merchant`, as PayKKa has it now.
pub async fn read(
    service: &Service,
    merchant: &Merchant,
    session_id: &str,
) -> Result<Session, Refusal> {
    let query = json!({"merchant_id": merchant.merchant_id, "session_id": session_id});
    let session = match merchant.paykka.call(SESSION_QUERY, &query).await {
        Ok(session) => session,
        Err(CallError::Refused(..)) => return Err(not_found()),
        Err(error) => return Err(unavailable(&error)),
    };
    if text(&session, "session_id") != Some(session_id) {
        return Err(not_found());
    }
    let payment = match text(&session, "order_id") {
        Some(order_id) => {
            let query = json!({"merchant_id": merchant.merchant_id, "order_id": order_id});
            let payment = merchant.paykka.call(QUERY, &query).await;
            Some(payment.map_err(|error| unavailable(&error))?)
        }
        None => None,
    };
    let counted = service
        .storage
        .session_failures(merchant.merchant_id.clone(), session_id.to_owned())
        .await
        .map_err(Refusal::internal)?;
    let mut failed = counted.len() as i64;
    // A payment that failed after its answer (3-D Secure, a redirect method) counts too,
    // written once (not on every look at the session).
    let uncounted = payment.as_ref().filter(|p| {
        p["status"] == "FAILURE"
            && text(p, "trans_id").is_some_and(|t| !counted.iter().any(|c| c == t))
    });
    if let Some(newly_failed) = uncounted {
        record_failure(service, merchant, session_id, newly_failed).await?;
        failed += 1;
    }
    Ok(Session {
        session,
        payment,
        failed,
    })
}

/// Counts `payment` (PayKKa's answer, `FAILURE`) against its session.
pub async fn record_failure(
    service: &Service,
    merchant: &Merchant,
    session_id: &str,
    payment: &Value,
) -> Result<(), Refusal> {
    let Some(trans_id) = text(payment, "trans_id") else {
        return Ok(());
    };
    let failure = SessionFailure {
        merchant_id: merchant.merchant_id.clone(),
        session_id: session_id.to_owned(),
        trans_id: trans_id.to_owned(),
        at: now_ms(),
    };
    service
        .storage
        .record_session_failure(failure)
        .await
        .map_err(Refusal::internal)
}

impl Session {
    pub fn id(&self) -> &str {
        text(&self.session, "session_id").unwrap_or_default()
    }

    /// The session's own member (`trans_id`, `return_url`, `display_merchant_name`…).
    pub fn member(&self, name: &str) -> Value {
        self.session.get(name).cloned().unwrap_or(Value::Null)
    }

    fn expired(&self) -> bool {
        let expires = text(&self.session, "expire_time").and_then(|t| {
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
        });
        let past =
            expires.is_some_and(|at| at.unix_timestamp_nanos() / 1_000_000 < now_ms().into());
        past || text(&self.session, "status") == Some("EXPIRED")
    }

    /// The latest payment, unless it failed (a failed one leaves the session open).
    fn live_payment(&self) -> Option<&Value> {
        self.payment.as_ref().filter(|p| p["status"] != "FAILURE")
    }

    /// The methods the session allows (PayKKa's codes, upper case).
    pub fn methods(&self) -> Vec<String> {
        self.session["allowed_payment_methods"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_ascii_uppercase)
            .collect()
    }

    /// A payment may start: the session is neither paid (nor being paid) nor expired.
    pub fn still_open(&self) -> Result<(), Refusal> {
        if self.live_payment().is_some() {
            return Err(Refusal::new(
                StatusCode::CONFLICT,
                SESSION_PAID,
                "Session already paid",
            ));
        }
        if self.expired() {
            return Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                SESSION_EXPIRED,
                "Session expired",
            ));
        }
        Ok(())
    }

    /// The session allows `method` (PayKKa's code, upper case).
    pub fn allows(&self, method: &str) -> Result<(), Refusal> {
        if self.methods().iter().any(|m| m == method) {
            Ok(())
        } else {
            Err(Refusal::new(
                StatusCode::BAD_REQUEST,
                "210001",
                "Payment method not supported",
            ))
        }
    }

    /// What the page learns of the session; `LOCKED` once its failed attempts are used up.
    pub fn view(&self) -> SessionView {
        let attempts_left = (MAX_FAILED_ATTEMPTS - self.failed).max(0);
        let status = match self.live_payment() {
            Some(payment) => text(payment, "status").unwrap_or("PROCESSING").to_owned(),
            None if self.expired() => "EXPIRED".to_owned(),
            None if attempts_left == 0 => "LOCKED".to_owned(),
            None => "OPEN".to_owned(),
        };
        let owned = |name: &str| text(&self.session, name).map(str::to_owned);
        SessionView {
            session_id: self.id().to_owned(),
            merchant_id: owned("merchant_id").unwrap_or_default(),
            amount: whole(&self.session["amount"]).unwrap_or(0),
            currency: owned("currency").unwrap_or_default(),
            goods: goods_lines(&self.session["goods"]),
            merchant_name: owned("display_merchant_name"),
            locale: owned("display_locale"),
            allowed_payment_methods: self.methods(),
            expire_time: owned("expire_time").unwrap_or_default(),
            status,
            attempts_left: u32::try_from(attempts_left).unwrap_or(0),
            payment: self.payment.as_ref().map(payment_view),
            return_url: owned("return_url"),
        }
    }
}

/// What the page learns of a payment: status, codes, where to authenticate, brand and last 4.
pub fn payment_view(payment: &Value) -> PaymentView {
    let owned = |name: &str| text(payment, name).map(str::to_owned);
    let status = owned("status").unwrap_or_default();
    let action = payment["authentication_result"]["authentication_url"]
        .as_str()
        .filter(|_| status == "PROCESSING")
        .map(|url| ActionView {
            kind: "redirect".into(),
            url: url.to_owned(),
        });
    let card = payment.get("card_info").map(|card| CardView {
        card_brand: text(card, "card_brand").map(str::to_owned),
        bin: text(card, "bin").map(str::to_owned),
        last4: text(card, "last4").map(str::to_owned),
    });
    PaymentView {
        status,
        order_id: owned("order_id"),
        error_code: owned("error_code"),
        message: owned("error_description"),
        action,
        card,
        payment_method: text(&payment["payment"], "payment_method").map(str::to_owned),
    }
}

/// The order summary's lines from the session's `goods` (a line without a name is left out).
fn goods_lines(goods: &Value) -> Vec<GoodsLine> {
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
