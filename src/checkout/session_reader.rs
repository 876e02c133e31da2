//! Reads the session API's answer into the shared `SessionView` (the gateway writes it with
//! serde; here it is read member by member, which keeps serde's deserializer, about 23 KB
//! gzip, out of the checkout bundle). A member of the wrong type makes the answer unreadable.

use js_sys::Array;
use wasm_bindgen::JsValue;

use crate::checkout_flow::session::{ActionView, CardView, GoodsLine, PaymentView, SessionView};
use crate::web::option_reader::member;

fn text(o: &JsValue, key: &str) -> Option<String> {
    member(o, key).and_then(|v| v.as_string())
}

/// A whole number that fits `u64` (amounts in minor units, counts).
fn whole(o: &JsValue, key: &str) -> Option<u64> {
    member(o, key)
        .and_then(|v| v.as_f64())
        .filter(|n| n.fract() == 0.0 && (0.0..9.0e15).contains(n))
        .map(|n| n as u64)
}

fn list(o: &JsValue, key: &str) -> Vec<JsValue> {
    member(o, key)
        .filter(Array::is_array)
        .map(|a| Array::from(&a).iter().collect())
        .unwrap_or_default()
}

fn goods_line(item: &JsValue) -> Option<GoodsLine> {
    Some(GoodsLine {
        name: text(item, "name")?,
        price: whole(item, "price")?,
        quantity: u32::try_from(whole(item, "quantity")?).ok()?,
    })
}

fn payment(p: &JsValue) -> Option<PaymentView> {
    let action = match member(p, "action") {
        Some(a) => Some(ActionView {
            kind: text(&a, "type")?,
            url: text(&a, "url")?,
        }),
        None => None,
    };
    Some(PaymentView {
        status: text(p, "status")?,
        order_id: text(p, "order_id"),
        error_code: text(p, "error_code"),
        message: text(p, "message"),
        action,
        card: member(p, "card").map(|c| CardView {
            card_brand: text(&c, "card_brand"),
            bin: text(&c, "bin"),
            last4: text(&c, "last4"),
        }),
        payment_method: text(p, "payment_method"),
    })
}

/// The session in `data`, or `None` when it is not one.
pub fn read_session(data: &JsValue) -> Option<SessionView> {
    let payment = match member(data, "payment") {
        Some(p) => Some(payment(&p)?),
        None => None,
    };
    Some(SessionView {
        session_id: text(data, "session_id")?,
        merchant_id: text(data, "merchant_id")?,
        amount: whole(data, "amount")?,
        currency: text(data, "currency")?,
        goods: list(data, "goods")
            .iter()
            .map(goods_line)
            .collect::<Option<_>>()?,
        merchant_name: text(data, "merchant_name"),
        locale: text(data, "locale"),
        allowed_payment_methods: list(data, "allowed_payment_methods")
            .iter()
            .map(JsValue::as_string)
            .collect::<Option<_>>()?,
        expire_time: text(data, "expire_time")?,
        status: text(data, "status")?,
        attempts_left: u32::try_from(whole(data, "attempts_left")?).ok()?,
        payment,
        // Only a web address: the page may navigate to it.
        return_url: text(data, "return_url")
            .filter(|url| url.starts_with("https://") || url.starts_with("http://")),
    })
}
