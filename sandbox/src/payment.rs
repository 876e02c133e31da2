//! A stored payment: its row, its API view and balances, its status changes and the
//! notifications they queue.

use paykka_api::signing::now_ms;
use rusqlite::{params, OptionalExtension, Row, Transaction};
use serde_json::{json, Value};

use super::webhooks::enqueue;

/// How a request names a payment: the merchant's `trans_id` or PayKKa's `order_id`.
#[derive(Clone, Copy)]
pub enum PaymentKey<'a> {
    TransId(&'a str),
    OrderId(&'a str),
}

/// A stored payment.
pub struct Payment {
    pub order_id: String,
    pub merchant_id: String,
    pub trans_id: String,
    pub status: String,
    pub amount: i64,
    pub currency: String,
    pub payment_method: String,
    pub capture_method: String,
    pub card: Option<(String, String, String)>,
    pub error_code: String,
    pub error_description: String,
    pub notify_url: Option<String>,
    pub return_url: Option<String>,
    pub challenge_token: Option<String>,
    pub session_id: Option<String>,
    pub authorisation_type: String,
    pub refunded_amount: i64,
    pub updated_at: i64,
    /// The shopper's id the merchant gave (`payment.shopper_reference`).
    pub shopper_reference: Option<String>,
    /// When the payment's session expires (Unix ms), for a session's payment.
    pub expires_at: Option<i64>,
    /// When the payment was last authorised or captured (Unix ms): `pay_finish_time`.
    pub finished_at: Option<i64>,
}

const PAYMENT_COLUMNS: &str = "order_id, merchant_id, trans_id, status, amount, currency, payment_method, \
     capture_method, card_brand, card_bin, card_last4, error_code, error_description, notify_url, return_url, \
     challenge_token, refunded_amount, updated_at, session_id, authorisation_type, shopper_reference, \
     expires_at, finished_at";

impl Payment {
    fn from_row(row: &Row<'_>) -> rusqlite::Result<Payment> {
        let brand: Option<String> = row.get(8)?;
        let bin: Option<String> = row.get(9)?;
        let last4: Option<String> = row.get(10)?;
        Ok(Payment {
            order_id: row.get(0)?,
            merchant_id: row.get(1)?,
            trans_id: row.get(2)?,
            status: row.get(3)?,
            amount: row.get(4)?,
            currency: row.get(5)?,
            payment_method: row.get(6)?,
            capture_method: row.get(7)?,
            card: brand.zip(bin).zip(last4).map(|((b, n), l)| (b, n, l)),
            error_code: row.get(11)?,
            error_description: row.get(12)?,
            notify_url: row.get(13)?,
            return_url: row.get(14)?,
            challenge_token: row.get(15)?,
            refunded_amount: row.get(16)?,
            updated_at: row.get(17)?,
            session_id: row.get(18)?,
            authorisation_type: row.get(19)?,
            shopper_reference: row.get(20)?,
            expires_at: row.get(21)?,
            finished_at: row.get(22)?,
        })
    }

    /// Finds a merchant's payment by the identifier `key` names (never one for the other:
    /// PayKKa's calls each name which they take).
    pub fn find(
        conn: &rusqlite::Connection,
        merchant_id: &str,
        key: PaymentKey<'_>,
    ) -> rusqlite::Result<Option<Payment>> {
        let (column, value) = match key {
            PaymentKey::TransId(value) => ("trans_id", value),
            PaymentKey::OrderId(value) => ("order_id", value),
        };
        conn.query_row(
            &format!(
                "SELECT {PAYMENT_COLUMNS} FROM payments WHERE merchant_id = ?1 AND {column} = ?2"
            ),
            params![merchant_id, value],
            Payment::from_row,
        )
        .optional()
    }

    /// A merchant's session's latest payment.
    pub fn find_in_session(
        conn: &rusqlite::Connection,
        merchant_id: &str,
        session_id: &str,
    ) -> rusqlite::Result<Option<Payment>> {
        conn.query_row(
            &format!("SELECT {PAYMENT_COLUMNS} FROM payments WHERE merchant_id = ?1 AND session_id = ?2 ORDER BY created_at DESC, rowid DESC LIMIT 1"),
            params![merchant_id, session_id],
            Payment::from_row,
        )
        .optional()
    }

    pub fn by_challenge(
        conn: &rusqlite::Connection,
        token: &str,
    ) -> rusqlite::Result<Option<Payment>> {
        conn.query_row(
            &format!("SELECT {PAYMENT_COLUMNS} FROM payments WHERE challenge_token = ?1"),
            [token],
            Payment::from_row,
        )
        .optional()
    }

    /// The amounts PayKKa reports in `balances`, from the status and what was refunded.
    pub fn balances(&self) -> Value {
        let a = self.amount;
        let (authed, captured, to_capture, voided, to_void) = match self.status.as_str() {
            "AUTHORIZED" => (a, 0, a, 0, a),
            "SUCCESS" | "PARTIALLY_REFUNDED" | "REFUNDED" => (a, a, 0, 0, 0),
            "CANCELED" => (a, 0, 0, a, 0),
            _ => (0, 0, 0, 0, 0),
        };
        json!({
            "authed_amount": authed,
            "captured_amount": captured,
            "able_to_capture_amount": to_capture,
            "voided_amount": voided,
            "able_to_void_amount": to_void,
            "refunded_amount": self.refunded_amount,
            "able_to_refund_amount": captured - self.refunded_amount,
        })
    }

    /// The API's view of the payment.
    pub fn data(&self, gateway_origin: &str) -> Value {
        let mut data = json!({
            "merchant_id": self.merchant_id,
            "trans_id": self.trans_id,
            "order_id": self.order_id,
            "status": self.status,
            "amount": self.amount,
            "currency": self.currency,
            "authorisation_type": self.authorisation_type,
            "capture_method": self.capture_method,
            "error_code": self.error_code,
            "error_description": self.error_description,
            "payment": {"payment_method": self.payment_method},
            "balances": self.balances(),
        });
        self.add_times_and_references(&mut data);
        if let Some((brand, bin, last4)) = &self.card {
            data["card_info"] = json!({"card_brand": brand, "bin": bin, "last4": last4});
        }
        if let (Some(token), "PROCESSING") = (&self.challenge_token, self.status.as_str()) {
            data["authentication_result"] =
                json!({"authentication_url": format!("{gateway_origin}/3ds/challenge/{token}")});
        }
        data
    }

    /// The members answers and notifications both carry when they have a value: the
    /// session, the shopper's reference, the session's expiry and `pay_finish_time`
    /// (only once paid or authorised: never on a failure).
    fn add_times_and_references(&self, body: &mut Value) {
        let times = [
            ("expire_time", self.expires_at),
            ("pay_finish_time", self.finished_at),
        ];
        for (member, ms) in times {
            if let Some(text) = ms.and_then(paykka_api::iso_time::format) {
                body[member] = text.into();
            }
        }
        for (member, value) in [
            ("session_id", &self.session_id),
            ("shopper_reference", &self.shopper_reference),
        ] {
            if let Some(value) = value {
                body[member] = value.as_str().into();
            }
        }
    }
}

/// Whether a payment in `status` has been paid or authorised (it has a `pay_finish_time`).
pub fn is_finished(status: &str) -> bool {
    matches!(status, "SUCCESS" | "AUTHORIZED")
}

/// The notification a final status sends.
pub fn final_notify_type(status: &str) -> Option<&'static str> {
    match status {
        "SUCCESS" => Some("PAYMENT.SUCCESS"),
        "AUTHORIZED" => Some("PAYMENT.AUTHORIZATION"),
        "FAILURE" => Some("PAYMENT.FAILURE"),
        "CANCELED" => Some("PAYMENT.CANCELED"),
        _ => None,
    }
}

/// Queues the payment notification (once per order and type).
pub fn enqueue_payment(
    tx: &Transaction<'_>,
    p: &Payment,
    notify_type: &str,
    app_id: &str,
) -> rusqlite::Result<()> {
    let Some(url) = &p.notify_url else {
        return Ok(());
    };
    let body = payment_notification(p, notify_type);
    enqueue(
        tx,
        &format!("{}:{notify_type}", p.order_id),
        url,
        &body,
        app_id,
    )
}

/// Sets a payment's status (and error) in a transaction, with its notification.
pub fn update_status(
    tx: &Transaction<'_>,
    p: &mut Payment,
    status: &str,
    code: &str,
    text: &str,
    app_id: &str,
) -> rusqlite::Result<()> {
    let now = now_ms();
    if is_finished(status) {
        p.finished_at = Some(now);
    }
    tx.execute(
        "UPDATE payments SET status = ?1, error_code = ?2, error_description = ?3, updated_at = ?4, finished_at = ?5 WHERE order_id = ?6",
        params![status, code, text, now, p.finished_at, p.order_id],
    )?;
    p.status = status.into();
    p.error_code = code.into();
    p.error_description = text.into();
    p.updated_at = now;
    if let Some(notify_type) = final_notify_type(status) {
        enqueue_payment(tx, p, notify_type, app_id)?;
    }
    Ok(())
}

/// The body of a payment notification (PayKKa v3 fields).
pub fn payment_notification(p: &Payment, notify_type: &str) -> Value {
    let mut body = json!({
        "notify_type": notify_type,
        "error_code": p.error_code,
        "error_description": p.error_description,
        "merchant_id": p.merchant_id,
        "trans_id": p.trans_id,
        "order_id": p.order_id,
        "status": p.status,
        "amount": p.amount,
        "currency": p.currency,
        "payment": {"payment_method": p.payment_method},
        "timestamp": p.updated_at,
    });
    p.add_times_and_references(&mut body);
    if let Some((brand, bin, last4)) = &p.card {
        body["card_info"] = json!({"card_brand": brand, "bin": bin, "last4": last4});
    }
    body
}

pub fn insert_payment(tx: &Transaction<'_>, p: &Payment) -> rusqlite::Result<()> {
    let (brand, bin, last4) = match &p.card {
        Some((b, n, l)) => (Some(b), Some(n), Some(l)),
        None => (None, None, None),
    };
    tx.execute(
        &format!("INSERT INTO payments ({PAYMENT_COLUMNS}, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?18)"),
        params![
            p.order_id, p.merchant_id, p.trans_id, p.status, p.amount, p.currency, p.payment_method,
            p.capture_method, brand, bin, last4, p.error_code, p.error_description, p.notify_url,
            p.return_url, p.challenge_token, p.refunded_amount, p.updated_at, p.session_id,
            p.authorisation_type, p.shopper_reference, p.expires_at, p.finished_at
        ],
    )?;
    Ok(())
}
