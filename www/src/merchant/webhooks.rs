//! PayKKa's notifications to the shop: the platform's signature checked, each event counted
//! once however PayKKa redelivers it, and the order (and a refund the shop made) moved by
//! what a query of PayKKa answers, never by the notification's own claim.

use axum::body::Bytes;
use axum::extract::State as Extract;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rusqlite::params;
use serde_json::{json, Value};

use super::api::{query_payment_by, record, AppError, WEBHOOK_PATH};
use super::State;
use paykka_api::signing::{self, now_ms, HEADER_NONCE, HEADER_SIGN, HEADER_TIMESTAMP};

/// Receives PayKKa's notifications: the platform's signature is checked, each (order, type,
/// refund) is stored once, and the order follows what a query of it answers. PayKKa retries
/// a notification until it is acknowledged, perhaps hours later and perhaps byte for byte:
/// a redelivery is acknowledged like the first and counted once. Its age and nonce do not
/// matter, because its content moves nothing: a replayed one only makes the shop ask
/// PayKKa again.
pub async fn receive(
    Extract(merchant): Extract<State>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    let message = paykka_api::guesses::webhook_message(
        WEBHOOK_PATH,
        header(HEADER_TIMESTAMP),
        header(HEADER_NONCE),
        &body,
    );
    if !signing::verify(&merchant.paykka.platform_key, &message, header(HEADER_SIGN)) {
        tracing::warn!("webhook refused: bad signature");
        return (
            StatusCode::UNAUTHORIZED,
            Json(json!({"ret_code": "206003", "ret_msg": "Signature error"})),
        )
            .into_response();
    }
    let Ok(notification) = serde_json::from_slice::<Value>(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"ret_code": "010000", "ret_msg": "Invalid request"})),
        )
            .into_response();
    };
    let order_id = notification["order_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // In a refund's notification `trans_id` is the merchant's refund_trans_id.
    let refund_trans_id = notification["notify_type"]
        .as_str()
        .is_some_and(|t| t.starts_with("REFUND."))
        .then(|| notification["trans_id"].as_str().map(str::to_owned))
        .flatten();
    match merchant
        .db
        .call(move |conn| store_notification(conn, &notification))
        .await
    {
        Ok(true) => {}
        Ok(false) => tracing::info!("webhook redelivered: already counted"),
        Err(error) => return AppError::internal(error).into_response(),
    }
    // A notification only says "look": the order follows what a query answers, as PayKKa
    // recommends. If PayKKa cannot be asked now, the notification is not acknowledged, so
    // it comes again.
    let answer = async {
        let data = query_payment_by(&merchant, "order_id", &order_id).await?;
        record(&merchant, &data).await.map_err(AppError::internal)?;
        if let Some(refund_trans_id) = refund_trans_id {
            super::refunds::follow(&merchant, &refund_trans_id).await?;
        }
        Ok::<_, AppError>(())
    }
    .await;
    match answer {
        Ok(()) => Json(json!({"ret_code": "000000", "ret_msg": "Success"})).into_response(),
        Err(error) => {
            tracing::warn!("webhook kept for a retry: the payment could not be queried");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"ret_code": "999999", "ret_msg": error.message})),
            )
                .into_response()
        }
    }
}

/// Stores a notification once per (order, type, refund); `false` for one stored before (a
/// redelivery).
fn store_notification(conn: &rusqlite::Connection, notification: &Value) -> rusqlite::Result<bool> {
    let text = |key: &str| notification[key].as_str().unwrap_or_default().to_owned();
    let event_key = format!(
        "{}:{}:{}",
        text("order_id"),
        text("notify_type"),
        text("refund_order_id")
    );
    let stored = conn.execute(
        "INSERT OR IGNORE INTO webhooks (event_key, order_id, notify_type, trans_id, status, body, received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![event_key, text("order_id"), text("notify_type"), text("trans_id"), text("status"), notification.to_string(), now_ms()],
    )?;
    Ok(stored == 1)
}
