//! The merchant backend as the buttons reach it: by the demo's HTTP conventions
//! (`merchantApi`), by the merchant's callbacks, or — for a component in the same wasm,
//! the drop-in — through the `WalletHost` contract. Each call has a deadline, and every
//! way it can go wrong is a typed `Failure` with a stable code.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::{Array, Function, Object, JSON};
use wasm_bindgen::JsValue;

use crate::wallet::answer::{classify, Answer};
use crate::web::events::set;
use crate::web::http::{post_json, within, HttpError};
use crate::web::option_reader::member;

/// How long merchant validation may take (Apple's step limit is 30 s).
const VALIDATION_TIMEOUT_MS: u32 = 20_000;

/// A future on the page's one thread.
pub type LocalFuture<T> = Pin<Box<dyn Future<Output = T>>>;

/// What a wallet button needs of a backend inside the same wasm (the drop-in's session
/// API): pay with a token, and Apple Pay's merchant session, each within `timeout_ms`
/// (`Failure::Timeout` after it). A new payment surface implements this; the buttons stay
/// as they are.
pub trait WalletHost {
    /// Pays with `payment` (`{payment_method, token_data}`).
    fn pay(&self, payment: Object, timeout_ms: u32) -> LocalFuture<Result<Answer, Failure>>;
    /// PayKKa's Create Apple Pay Session answer (a string or an object) for this page.
    fn merchant_session(
        &self,
        validation_url: String,
        timeout_ms: u32,
    ) -> LocalFuture<Result<JsValue, Failure>>;
}

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
    /// A component in the same wasm (the drop-in), through the wallet contract.
    Host(Rc<dyn WalletHost>),
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
        Backend::Host(host) => host.pay(payment.clone(), timeout_ms).await,
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
                VALIDATION_TIMEOUT_MS,
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
            within(value, VALIDATION_TIMEOUT_MS)
                .await
                .map_err(deadline_failure)?
        }
        Backend::Host(host) => {
            host.merchant_session(validation_url.to_owned(), VALIDATION_TIMEOUT_MS)
                .await?
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
