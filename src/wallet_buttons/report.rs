//! What the buttons tell the page: the wallet events' payloads, built from the outcome
//! only (a token goes only into `authorized`, to the merchant's own handler).

use js_sys::Object;

use crate::wallet::answer::Answer;
use crate::web::events::{set, Dispatcher};

use super::backend::Failure;

/// A payload naming the wallet (`"applePay"` or `"googlePay"`).
pub fn payload(wallet: &str) -> Object {
    let o = Object::new();
    set(&o, "wallet", wallet);
    o
}

/// An `error` event.
pub fn error(dispatcher: &Dispatcher, wallet: &str, code: &str, message: &str) {
    let detail = payload(wallet);
    set(&detail, "code", code);
    set(&detail, "message", message);
    dispatcher.emit("error", &detail);
}

/// An `unavailable` event with the reason the button is not shown.
pub fn unavailable(dispatcher: &Dispatcher, wallet: &str, reason: &str) {
    let detail = payload(wallet);
    set(&detail, "reason", reason);
    dispatcher.emit("unavailable", &detail);
}

/// The event that ends a payment: `success`, `action`, `failed` or `error`.
pub fn end(dispatcher: &Dispatcher, wallet: &str, outcome: &Result<Answer, Failure>) {
    let detail = payload(wallet);
    match outcome {
        Ok(Answer::Success) => dispatcher.emit("success", &detail),
        Ok(Answer::Action { url }) => {
            let action = Object::new();
            set(&action, "type", "redirect");
            set(&action, "url", url.as_str());
            set(&detail, "action", action);
            dispatcher.emit("action", &detail);
        }
        Ok(Answer::Failed { code, message }) => {
            set(&detail, "code", code.as_str());
            set(&detail, "message", message.as_str());
            dispatcher.emit("failed", &detail);
        }
        Err(failure) => {
            let (code, message) = failure.code_and_message();
            error(dispatcher, wallet, code, message);
        }
    }
}
