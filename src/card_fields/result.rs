//! What `encrypt()` resolves with: the four ciphertexts, the holder name, card metadata
//! from the number field's report (brand, BIN, last 4 — never the number), the browser
//! data for 3-D Secure, and the API's `payment` object.

use js_sys::Object;
use wasm_bindgen::JsValue;

use crate::form::messages::Slot;
use crate::form::model::FieldReport;
use crate::form::payment::card_payment;
use crate::web::browser_info::collect_browser_info;
use crate::web::events::set;

fn or_null(value: Option<String>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from)
}

/// The result object from the fields' answers and the number field's report.
pub fn encrypt_result(values: &[(Slot, String)], number: Option<&FieldReport>) -> Object {
    let result = Object::new();
    let value = |slot: Slot| {
        values
            .iter()
            .find(|(s, _)| *s == slot)
            .map(|(_, v)| v.clone())
    };
    for slot in [
        Slot::CardNumber,
        Slot::ExpireMonth,
        Slot::ExpireYear,
        Slot::Cvv,
    ] {
        set(&result, slot.id(), or_null(value(slot)));
    }
    set(
        &result,
        "holderName",
        or_null(value(Slot::HolderName).filter(|n| !n.is_empty())),
    );
    set(
        &result,
        "brand",
        or_null(number.and_then(|r| r.brand).map(|b| b.id().to_owned())),
    );
    set(&result, "bin", or_null(number.and_then(|r| r.bin.clone())));
    set(
        &result,
        "last4",
        or_null(number.and_then(|r| r.last4.clone())),
    );
    set(&result, "browserInfo", collect_browser_info());
    let payment = Object::new();
    for (member, value) in card_payment(values) {
        set(&payment, member, value.as_str());
    }
    set(&result, "payment", payment);
    result
}
