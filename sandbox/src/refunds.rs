//! Refunds at the sandbox: Refund answers `PROCESSING` at once and the refund settles
//! later (`--refund-settle-ms`), as a bank's does: then it is `SUCCESS`, the payment is
//! `REFUNDED` or `PARTIALLY_REFUNDED` and `REFUND.SUCCESS` is notified. What a processing
//! refund holds cannot be refunded twice. Refund Query reads a refund in either state.

use axum::body::Bytes;
use axum::extract::State as Extract;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::Deserialize;
use serde_json::{json, Value};

use super::payment::{Payment, PaymentKey};
use super::payments::order_not_found;
use super::protocol::{authenticate, parse, respond, ApiError};
use super::state::State;
use super::webhooks::enqueue;
use paykka_api::money;
use paykka_api::paths::{REFUND, REFUND_QUERY};
use paykka_api::signing::now_ms;

#[derive(Deserialize)]
struct RefundRequest {
    merchant_id: String,
    refund_trans_id: String,
    /// The original payment's `order_id`.
    ori_order_id: String,
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
    notify_url: Option<String>,
    settled_at: Option<i64>,
}

impl Refund {
    const COLUMNS: &'static str =
        "r.refund_order_id, r.order_id, r.merchant_id, r.refund_trans_id, \
         r.amount, p.currency, r.status, COALESCE(r.notify_url, p.notify_url), r.settled_at";

    fn from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Refund> {
        Ok(Refund {
            refund_order_id: r.get(0)?,
            order_id: r.get(1)?,
            merchant_id: r.get(2)?,
            refund_trans_id: r.get(3)?,
            amount: r.get(4)?,
            currency: r.get(5)?,
            status: r.get(6)?,
            notify_url: r.get(7)?,
            settled_at: r.get(8)?,
        })
    }

    /// The refund whose row meets `condition` (over `r`, the refund, and `p`, its payment).
    fn find_where(
        conn: &rusqlite::Connection,
        condition: &str,
        values: impl rusqlite::Params,
    ) -> rusqlite::Result<Option<Refund>> {
        conn.query_row(
            &format!(
                "SELECT {} FROM refunds r JOIN payments p ON p.order_id = r.order_id WHERE {condition}",
                Refund::COLUMNS
            ),
            values,
            Refund::from_row,
        )
        .optional()
    }

    /// A merchant's refund by its `refund_trans_id` or `refund_order_id`.
    fn find(
        conn: &rusqlite::Connection,
        merchant_id: &str,
        refund_trans_id: Option<&str>,
        refund_order_id: Option<&str>,
    ) -> rusqlite::Result<Option<Refund>> {
        Refund::find_where(
            conn,
            "r.merchant_id = ?1 AND (r.refund_trans_id = ?2 OR r.refund_order_id = ?3)",
            params![merchant_id, refund_trans_id, refund_order_id],
        )
    }

    /// The refund as Refund and Refund Query answer it.
    fn data(&self) -> Value {
        let text = if self.status == "SUCCESS" {
            "Success"
        } else {
            "Processing"
        };
        json!({
            "merchant_id": self.merchant_id,
            "refund_trans_id": self.refund_trans_id,
            "refund_order_id": self.refund_order_id,
            "order_id": self.order_id,
            "status": self.status,
            "amount": self.amount,
            "currency": self.currency,
            "error_code": "0000",
            "error_description": text,
        })
    }

    /// The `REFUND.SUCCESS` notification (`trans_id` is the merchant's refund_trans_id).
    fn notification(&self) -> Value {
        json!({
            "notify_type": "REFUND.SUCCESS", "error_code": "0000", "error_description": "Success",
            "merchant_id": self.merchant_id, "trans_id": self.refund_trans_id,
            "refund_order_id": self.refund_order_id, "order_id": self.order_id,
            "status": self.status, "amount": self.amount, "currency": self.currency,
            "pay_finish_time": self.settled_at.and_then(paykka_api::iso_time::format),
            "timestamp": self.settled_at,
        })
    }
}

/// Refund a paid order, fully or in part; `refund_trans_id` makes it happen once. The
/// answer is `PROCESSING`; the refund settles later (`settle_due`).
pub async fn refund(Extract(gateway): Extract<State>, headers: HeaderMap, body: Bytes) -> Response {
    let result = async {
        let caller = authenticate(&gateway, &headers, REFUND, &body).await?;
        let request: RefundRequest = parse(&body)?;
        caller.owns(&request.merchant_id)?;
        let amount = money::minor_units(&request.refund_amount).ok_or_else(|| {
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
        gateway
            .db
            .call(move |conn| record_refund(conn, &request, amount))
            .await
            .map_err(ApiError::internal)?
            .map(|refund| refund.data())
    }
    .await;
    respond(&gateway, REFUND, result)
}

/// What refunds still processing hold of a payment.
fn held(tx: &Transaction<'_>, order_id: &str) -> rusqlite::Result<i64> {
    tx.query_row(
        "SELECT COALESCE(SUM(amount), 0) FROM refunds WHERE order_id = ?1 AND status = 'PROCESSING'",
        [order_id],
        |r| r.get(0),
    )
}

fn record_refund(
    conn: &mut rusqlite::Connection,
    request: &RefundRequest,
    amount: i64,
) -> rusqlite::Result<Result<Refund, ApiError>> {
    let merchant_id = &request.merchant_id;
    let tx = conn.transaction()?;
    if let Some(existing) = Refund::find(&tx, merchant_id, Some(&request.refund_trans_id), None)? {
        return Ok(Ok(existing));
    }
    let key = PaymentKey::OrderId(&request.ori_order_id);
    let Some(p) = Payment::find(&tx, merchant_id, key)? else {
        return Ok(Err(order_not_found()));
    };
    if !["SUCCESS", "PARTIALLY_REFUNDED"].contains(&p.status.as_str()) {
        return Ok(Err(super::protocol::wrong_state(&p.status, "refunded")));
    }
    if request.currency != p.currency {
        return Ok(Err(ApiError::bad_request("currency is not the payment's")));
    }
    if amount > p.amount - p.refunded_amount - held(&tx, &p.order_id)? {
        return Ok(Err(ApiError::bad_request(
            "refund_amount exceeds what is left to refund",
        )));
    }
    let refund_order_id = format!("RG{}", &super::payments::order_id()[2..]);
    tx.execute(
        "INSERT INTO refunds (refund_order_id, order_id, merchant_id, refund_trans_id, amount, status, reason, notify_url, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, 'PROCESSING', ?6, ?7, ?8)",
        params![refund_order_id, p.order_id, merchant_id, request.refund_trans_id, amount, request.reason, request.notify_url, now_ms()],
    )?;
    let refund = Refund::find(&tx, merchant_id, None, Some(&refund_order_id))?;
    tx.commit()?;
    Ok(refund.ok_or_else(order_not_found))
}

/// Settles the refunds processing for `settle_ms` or longer: each becomes `SUCCESS`, its
/// payment `REFUNDED` or `PARTIALLY_REFUNDED`, and `REFUND.SUCCESS` is queued, in one
/// transaction per refund.
pub async fn settle_due(gateway: &State) -> anyhow::Result<()> {
    let due_before = now_ms() - gateway.refund_settle_ms;
    let apps: Vec<(String, String)> = gateway
        .merchants
        .iter()
        .map(|m| (m.merchant_id.clone(), m.app_id.clone()))
        .collect();
    gateway
        .db
        .call(move |conn| {
            let due: Vec<String> = conn
                .prepare("SELECT refund_order_id FROM refunds WHERE status = 'PROCESSING' AND created_at <= ?1 ORDER BY created_at LIMIT 50")?
                .query_map([due_before], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for refund_order_id in due {
                settle(conn, &refund_order_id, &apps)?;
            }
            Ok(())
        })
        .await
}

fn settle(
    conn: &mut rusqlite::Connection,
    refund_order_id: &str,
    apps: &[(String, String)],
) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    let now = now_ms();
    let moved = tx.execute(
        "UPDATE refunds SET status = 'SUCCESS', settled_at = ?1 WHERE refund_order_id = ?2 AND status = 'PROCESSING'",
        params![now, refund_order_id],
    )?;
    if moved == 0 {
        return Ok(());
    }
    let Some(refund) = Refund::find_where(&tx, "r.refund_order_id = ?1", [refund_order_id])? else {
        return Ok(());
    };
    tx.execute(
        "UPDATE payments SET refunded_amount = refunded_amount + ?1, \
           status = CASE WHEN refunded_amount + ?1 >= amount THEN 'REFUNDED' ELSE 'PARTIALLY_REFUNDED' END, \
           updated_at = ?2 WHERE order_id = ?3",
        params![refund.amount, now, refund.order_id],
    )?;
    let app_id = apps
        .iter()
        .find(|(merchant, _)| *merchant == refund.merchant_id)
        .map(|(_, app)| app.as_str());
    if let (Some(url), Some(app_id)) = (&refund.notify_url, app_id) {
        let key = format!("{}:REFUND.SUCCESS", refund.refund_order_id);
        enqueue(&tx, &key, url, &refund.notification(), app_id)?;
    }
    tx.commit()
}

/// Settles refunds as they come due, until the process stops.
pub async fn run_settlement(gateway: State) {
    loop {
        if let Err(error) = settle_due(&gateway).await {
            tracing::warn!("refund settlement: {error:#}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
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
