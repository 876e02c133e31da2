//! The merchant's back-office calls, as a reference for PayKKa's Void, Refund and Refund
//! Query: the shop's staff (a bearer token, `admin-token` in the data directory) void an
//! authorisation, refund a paid order in whole or in part, and look a refund up. A refund
//! is named by the shop's `refund_trans_id` before PayKKa is called, so a retry after a
//! timeout is the same refund, never a second one.

use axum::extract::{Path, State as Extract};
use axum::http::{header, StatusCode};
use axum::Json;
use rusqlite::{params, OptionalExtension};
use serde::Deserialize;
use serde_json::{json, Value};

use super::api::{about, look_up_at, query_payment_by, record, AppError, JsonBody, WEBHOOK_PATH};
use super::{token_hash, State};
use paykka_api::client::CallError;
use paykka_api::money;
use paykka_api::signing::{new_nonce, now_ms};

/// The shop's staff, proven by `Authorization: Bearer <admin token>`.
pub struct Staff;

impl axum::extract::FromRequestParts<State> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        merchant: &State,
    ) -> Result<Self, AppError> {
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(token_hash);
        if given.as_deref() == Some(merchant.admin_token_hash.as_str()) {
            Ok(Staff)
        } else {
            Err(AppError::new(
                StatusCode::UNAUTHORIZED,
                "UNAUTHORIZED",
                "This call is for the shop's staff.",
            ))
        }
    }
}

/// PayKKa's reasons for a void or a refund.
const REASONS: [&str; 4] = ["DUPLICATE", "FRAUDULENT", "REQUESTED_BY_CUSTOMER", "OTHER"];

fn check_reason(reason: &str) -> Result<(), AppError> {
    if REASONS.contains(&reason) {
        Ok(())
    } else {
        Err(AppError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "reason must be DUPLICATE, FRAUDULENT, REQUESTED_BY_CUSTOMER or OTHER.",
        ))
    }
}

/// The order's PayKKa `order_id`, amount and currency; an order PayKKa never took has none.
async fn paid_order(merchant: &State, trans_id: &str) -> Result<(String, i64, String), AppError> {
    let id = trans_id.to_owned();
    let order: Option<(Option<String>, i64, String)> = merchant
        .db
        .call(move |conn| {
            conn.query_row(
                "SELECT order_id, amount, currency FROM orders WHERE trans_id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
        })
        .await
        .map_err(AppError::internal)?;
    match order {
        None => Err(AppError::new(
            StatusCode::NOT_FOUND,
            "ORDER_NOT_FOUND",
            "This order does not exist.",
        )),
        Some((None, ..)) => Err(AppError::new(
            StatusCode::CONFLICT,
            "ORDER_NOT_PAID",
            "PayKKa has no payment for this order.",
        )),
        Some((Some(order_id), amount, currency)) => Ok((order_id, amount, currency)),
    }
}

#[derive(Deserialize)]
pub struct VoidRequest {
    reason: String,
}

/// Voids (cancels) an order's authorisation, then shows the order as PayKKa has it.
pub async fn void(
    _: Staff,
    Extract(merchant): Extract<State>,
    Path(trans_id): Path<String>,
    JsonBody(request): JsonBody<VoidRequest>,
) -> Result<Json<Value>, AppError> {
    check_reason(&request.reason)?;
    let (order_id, ..) = paid_order(&merchant, &trans_id).await?;
    let body = json!({
        "merchant_id": merchant.paykka.merchant_id, "order_id": order_id,
        "reason": request.reason, "timestamp": now_ms(),
    });
    merchant.paykka.call(paykka_api::paths::VOID, &body).await?;
    let data = query_payment_by(&merchant, "order_id", &order_id).await?;
    record(&merchant, &data).await.map_err(AppError::internal)?;
    Ok(Json(
        json!({"trans_id": trans_id, "order_id": order_id, "status": data["status"]}),
    ))
}

#[derive(Deserialize)]
pub struct RefundRequest {
    /// Minor units, a number or a string of digits.
    amount: Value,
    reason: String,
    /// The shop's name for this refund; give the same one to retry it. New when absent.
    refund_trans_id: Option<String>,
}

/// A refund as the shop keeps it: refund_trans_id, trans_id, amount, currency,
/// refund_order_id, status.
type RefundRow = (String, String, i64, String, Option<String>, String);

/// A refund as the shop shows it.
fn refund_view(row: &RefundRow) -> Value {
    let (refund_trans_id, trans_id, amount, currency, refund_order_id, status) = row;
    json!({
        "refund_trans_id": refund_trans_id, "trans_id": trans_id, "amount": amount,
        "currency": currency, "refund_order_id": refund_order_id, "status": status,
    })
}

fn refund_row(
    conn: &rusqlite::Connection,
    refund_trans_id: &str,
) -> rusqlite::Result<Option<RefundRow>> {
    conn.query_row(
        "SELECT refund_trans_id, trans_id, amount, currency, refund_order_id, status FROM refunds WHERE refund_trans_id = ?1",
        [refund_trans_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
    )
    .optional()
}

/// Refunds an order in whole or in part. The refund is written down under its
/// `refund_trans_id` first; PayKKa makes one refund per `refund_trans_id`, so sending the
/// same one again (after a timeout) cannot refund twice.
pub async fn refund(
    _: Staff,
    Extract(merchant): Extract<State>,
    Path(trans_id): Path<String>,
    JsonBody(request): JsonBody<RefundRequest>,
) -> Result<Json<Value>, AppError> {
    check_reason(&request.reason)?;
    let amount = money::minor_units(&request.amount).ok_or_else(|| {
        AppError::new(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST",
            "amount must be a positive whole number of minor units.",
        )
    })?;
    let refund_trans_id = match request.refund_trans_id {
        Some(id)
            if !id.is_empty()
                && id.len() <= 64
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
        {
            id
        }
        Some(_) => {
            return Err(AppError::new(
                StatusCode::BAD_REQUEST,
                "INVALID_REQUEST",
                "refund_trans_id must be 1 to 64 letters, digits, - or _.",
            ))
        }
        None => format!("RF{}{}", now_ms(), &new_nonce()[..6]),
    };
    let (order_id, _, currency) = paid_order(&merchant, &trans_id).await?;
    let (id, order, money_currency, reason) = (
        refund_trans_id.clone(),
        trans_id.clone(),
        currency.clone(),
        request.reason.clone(),
    );
    let same_refund = merchant
        .db
        .call(move |conn| {
            let now = now_ms();
            conn.execute(
                "INSERT OR IGNORE INTO refunds (refund_trans_id, trans_id, amount, currency, reason, status, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, 'REQUESTED', ?6, ?6)",
                params![id, order, amount, money_currency, reason, now],
            )?;
            Ok(refund_row(conn, &id)?.is_some_and(|row| row.1 == order && row.2 == amount))
        })
        .await
        .map_err(AppError::internal)?;
    if !same_refund {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "REFUND_REFERENCE_USED",
            "This refund_trans_id names another refund.",
        ));
    }
    let body = json!({
        "merchant_id": merchant.paykka.merchant_id, "refund_trans_id": refund_trans_id,
        "ori_order_id": order_id, "refund_amount": amount, "currency": currency,
        "reason": request.reason, "notify_url": format!("{}{WEBHOOK_PATH}", merchant.origin),
        "timestamp": now_ms(),
    });
    match merchant.paykka.call(paykka_api::paths::REFUND, &body).await {
        Ok(data) => {
            let data = about(data, "refund_trans_id", &refund_trans_id)?;
            Ok(Json(record_refund(&merchant, data).await?))
        }
        Err(CallError::Refused(status, code, message)) => {
            let (id, refused) = (refund_trans_id.clone(), code.clone());
            merchant
                .db
                .call(move |conn| {
                    conn.execute(
                        "UPDATE refunds SET status = 'REFUSED', error_code = ?1, updated_at = ?2 WHERE refund_trans_id = ?3 AND status = 'REQUESTED'",
                        params![refused, now_ms(), id],
                    )
                })
                .await
                .map_err(AppError::internal)?;
            Err(CallError::Refused(status, code, message).into())
        }
        // Not sent, or no answer: the refund stays REQUESTED; the same call again (or a
        // look-up) settles it.
        Err(other) => Err(other.into()),
    }
}

/// Stores what PayKKa says of a refund (never moving a settled one back) and shows it.
async fn record_refund(merchant: &State, data: Value) -> Result<Value, AppError> {
    let refund_trans_id = data["refund_trans_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let row = merchant
        .db
        .call(move |conn| {
            conn.execute(
                "UPDATE refunds SET refund_order_id = ?1, status = ?2, error_code = ?3, updated_at = ?4 \
                 WHERE refund_trans_id = ?5 AND status NOT IN ('SUCCESS', 'FAILURE')",
                params![
                    data["refund_order_id"].as_str(),
                    data["status"].as_str(),
                    data["error_code"].as_str(),
                    now_ms(),
                    refund_trans_id,
                ],
            )?;
            refund_row(conn, &refund_trans_id)
        })
        .await
        .map_err(AppError::internal)?;
    row.as_ref().map(refund_view).ok_or_else(|| {
        AppError::new(
            StatusCode::NOT_FOUND,
            "REFUND_NOT_FOUND",
            "The shop has no such refund.",
        )
    })
}

/// Asks PayKKa for the refund whose `key` (`refund_trans_id` or `refund_order_id`) is
/// `value` and records it.
async fn look_up(merchant: &State, key: &str, value: &str) -> Result<Value, AppError> {
    let data = look_up_at(merchant, paykka_api::paths::REFUND_QUERY, key, value).await?;
    record_refund(merchant, data).await
}

/// After a refund's notification: a refund the shop made is looked up at PayKKa (one made
/// elsewhere, in PayKKa's portal, only moves the order).
pub async fn follow(merchant: &State, refund_trans_id: &str) -> Result<(), AppError> {
    let id = refund_trans_id.to_owned();
    let known = merchant
        .db
        .call(move |conn| refund_row(conn, &id))
        .await
        .map_err(AppError::internal)?
        .is_some();
    if known {
        look_up(merchant, "refund_trans_id", refund_trans_id).await?;
    }
    Ok(())
}

/// Looks a refund up at PayKKa (Refund Query) and shows it.
pub async fn query(
    _: Staff,
    Extract(merchant): Extract<State>,
    Path(refund_trans_id): Path<String>,
) -> Result<Json<Value>, AppError> {
    look_up(&merchant, "refund_trans_id", &refund_trans_id)
        .await
        .map(Json)
}
