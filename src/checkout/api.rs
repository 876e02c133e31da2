//! The checkout's calls to the secure origin's session API: session details, pay, result,
//! Apple Pay merchant validation. Sessions arrive as the shared `SessionView`; failures are
//! typed: the gateway's code and message, or no answer at all.

use js_sys::Object;
use wasm_bindgen::JsValue;

pub use crate::checkout_flow::coordinator::ApiError;
use crate::checkout_flow::session::SessionView;
use crate::web::events::set;
use crate::web::http::{post_json, HttpError};
use crate::web::option_reader::member;

use super::session_reader::read_session;

/// How long a session call may take (a wallet payment gives its own, shorter, deadline).
pub const TIMEOUT_MS: u32 = 30_000;

/// The session API for one session.
pub struct SessionApi {
    pub base: String,
    pub client_key: String,
    pub session_id: String,
}

fn text(value: &JsValue, key: &str) -> Option<String> {
    member(value, key).and_then(|v| v.as_string())
}

impl SessionApi {
    async fn call(
        &self,
        path: &str,
        extra: &[(&str, JsValue)],
        timeout_ms: u32,
    ) -> Result<JsValue, ApiError> {
        let body = Object::new();
        set(&body, "client_key", self.client_key.as_str());
        set(&body, "session_id", self.session_id.as_str());
        for (key, value) in extra {
            set(&body, key, value);
        }
        let answer = post_json(&[&self.base, path].concat(), &body, timeout_ms)
            .await
            .map_err(|e| match e {
                HttpError::Timeout => ApiError::Timeout,
                HttpError::Unreachable | HttpError::Garbage => ApiError::Unreachable,
            })?;
        let code = text(&answer.body, "ret_code").unwrap_or_default();
        if answer.ok && code == "000000" {
            return member(&answer.body, "data").ok_or(ApiError::Unreachable);
        }
        Err(ApiError::Refused {
            code: if code.is_empty() {
                "GATEWAY_ERROR".into()
            } else {
                code
            },
            message: text(&answer.body, "ret_msg").unwrap_or_default(),
        })
    }

    /// A call whose answer is a session.
    async fn session_call(
        &self,
        path: &str,
        extra: &[(&str, JsValue)],
        timeout_ms: u32,
    ) -> Result<SessionView, ApiError> {
        let data = self.call(path, extra, timeout_ms).await?;
        read_session(&data).ok_or_else(|| ApiError::Refused {
            code: "GATEWAY_ERROR".into(),
            message: "the gateway's session could not be read".into(),
        })
    }

    /// Amount, currency, goods, allowed methods, expiry, status and the latest payment.
    pub async fn session(&self) -> Result<SessionView, ApiError> {
        self.session_call("/v3/checkout/session", &[], TIMEOUT_MS)
            .await
    }

    /// Pays with `payment` (`encrypt()`'s, a wallet's, or a redirect method's), waiting
    /// `timeout_ms` at most (a wallet's sheet cannot wait as long as a card form).
    pub async fn pay(
        &self,
        payment: &JsValue,
        browser: &JsValue,
        timeout_ms: u32,
    ) -> Result<SessionView, ApiError> {
        self.session_call(
            "/v3/checkout/pay",
            &[("payment", payment.clone()), ("browser", browser.clone())],
            timeout_ms,
        )
        .await
    }

    /// Apple Pay merchant validation: PayKKa's Create Apple Pay Session answer (a string)
    /// for this page's domain, which the gateway takes from the page's origin.
    pub async fn apple_pay_session(
        &self,
        validation_url: &str,
        timeout_ms: u32,
    ) -> Result<JsValue, ApiError> {
        self.call(
            "/v3/checkout/apple-pay/session",
            &[("validation_url", validation_url.into())],
            timeout_ms,
        )
        .await
    }

    /// The session now (after 3-D Secure, or back from a redirect).
    pub async fn result(&self) -> Result<SessionView, ApiError> {
        self.session_call("/v3/checkout/result", &[], TIMEOUT_MS)
            .await
    }
}
