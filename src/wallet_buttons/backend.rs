//! The merchant backend as the buttons reach it: by the demo's HTTP conventions
//! (`merchantApi`) or by the merchant's callbacks (as the drop-in gives them). Each call
//! has a deadline, and every way it can go wrong is a typed `Failure` with a stable code.

use js_sys::{Array, Function, Object, JSON};
use wasm_bindgen::JsValue;

use crate::wallet::answer::{classify, Answer};
use crate::wallet::apple::VALIDATION_DEADLINE_MS;
use crate::web::events::set;
use crate::web::http::{post_json, within, HttpError};
use crate::web::option_reader::member;

/// Who pays with the token.
#[derive(Clone)]
pub enum Backend {
    /// The demo's conventions: `POST {base}/payments` with `{trans_id: reference, payment}`
    /// and `POST {base}/apple-pay/session` with `{domain_name, validation_url}`.
    Api { base: String, reference: String },
    /// The merchant's own callbacks: `onAuthorized` returns (a promise of) the backend's
    /// answer; Apple Pay's `onValidateMerchant` returns the merchant session.
    Callbacks {
        authorize: Function,
        validate: Option<Function>,
    },
}

/// A call to the merchant backend that gave no answer to act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The backend could not be reached.
    Unreachable,
    /// No answer within the deadline.
    Timeout,
    /// The merchant's callback threw, rejected, or answered something unusable.
    Merchant(&'static str),
}

impl Failure {
    /// The stable error code and a message for the `error` event.
    pub fn code_and_message(&self) -> (&'static str, &'static str) {
        match self {
            Failure::Unreachable => ("NETWORK_ERROR", "the merchant backend could not be reached"),
            Failure::Timeout => ("TIMEOUT", "the merchant backend did not answer in time"),
            Failure::Merchant(message) => ("MERCHANT_ERROR", message),
        }
    }
}

fn text(value: &JsValue, key: &str) -> Option<String> {
    member(value, key).and_then(|v| v.as_string())
}

/// Reads a backend answer (`status`, `action.url`, `error_code` or `code`, `message`).
fn read_answer(value: &JsValue) -> Result<Answer, Failure> {
    if !value.is_object() || Array::is_array(value) {
        return Err(Failure::Merchant("the payment answer must be an object"));
    }
    let action_url = member(value, "action").and_then(|a| text(&a, "url"));
    let code = text(value, "error_code").or_else(|| text(value, "code"));
    Ok(classify(
        text(value, "status").as_deref(),
        action_url.as_deref(),
        code.as_deref(),
        text(value, "message").as_deref(),
    ))
}

fn http_failure(error: HttpError) -> Failure {
    match error {
        HttpError::Unreachable => Failure::Unreachable,
        HttpError::Timeout => Failure::Timeout,
        HttpError::Garbage => Failure::Merchant("the merchant backend answered garbage"),
    }
}

fn deadline_failure(error: Option<JsValue>) -> Failure {
    match error {
        None => Failure::Timeout,
        Some(_) => Failure::Merchant("the merchant callback failed"),
    }
}

/// Pays with `payment` (`{payment_method, token_data}`); `detail` is the `authorized`
/// event, which a merchant callback gets.
pub async fn pay(
    backend: &Backend,
    payment: &Object,
    detail: &Object,
    timeout_ms: u32,
) -> Result<Answer, Failure> {
    match backend {
        Backend::Api { base, reference } => {
            let body = Object::new();
            set(&body, "trans_id", reference.as_str());
            set(&body, "payment", payment);
            let answer = post_json(&[base, "/payments"].concat(), &body, timeout_ms)
                .await
                .map_err(http_failure)?;
            read_answer(&answer.body)
        }
        Backend::Callbacks { authorize, .. } => {
            let value = authorize
                .call1(&JsValue::UNDEFINED, detail)
                .map_err(|_| Failure::Merchant("onAuthorized threw"))?;
            let value = within(value, timeout_ms).await.map_err(deadline_failure)?;
            read_answer(&value)
        }
    }
}

/// Apple Pay merchant validation: the merchant session object for
/// `completeMerchantValidation`. PayKKa answers Create Apple Pay Session with the session
/// as a string, which is parsed here (a string would make WebKit throw).
pub async fn merchant_session(
    backend: &Backend,
    validation_url: &str,
    domain_name: &str,
) -> Result<Object, Failure> {
    let request = Object::new();
    let value = match backend {
        Backend::Api { base, .. } => {
            set(&request, "domain_name", domain_name);
            set(&request, "validation_url", validation_url);
            let answer = post_json(
                &[base, "/apple-pay/session"].concat(),
                &request,
                VALIDATION_DEADLINE_MS,
            )
            .await
            .map_err(http_failure)?;
            if !answer.ok {
                return Err(Failure::Merchant(
                    "the merchant backend refused merchant validation",
                ));
            }
            member(&answer.body, "merchant_session").unwrap_or(answer.body)
        }
        Backend::Callbacks { validate, .. } => {
            let validate = validate.as_ref().ok_or(Failure::Merchant(
                "onValidateMerchant is required with onAuthorized",
            ))?;
            set(&request, "validationURL", validation_url);
            set(&request, "domainName", domain_name);
            let value = validate
                .call1(&JsValue::UNDEFINED, &request)
                .map_err(|_| Failure::Merchant("onValidateMerchant threw"))?;
            within(value, VALIDATION_DEADLINE_MS)
                .await
                .map_err(deadline_failure)?
        }
    };
    let value = match value.as_string() {
        Some(text) => {
            JSON::parse(&text).map_err(|_| Failure::Merchant("the merchant session is not JSON"))?
        }
        None => value,
    };
    if value.is_object() && !Array::is_array(&value) {
        Ok(Object::from(value))
    } else {
        Err(Failure::Merchant("the merchant session must be an object"))
    }
}
