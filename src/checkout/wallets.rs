//! The drop-in's wallet buttons, each from its wallet's own bundle: the checkout's bundle
//! holds no wallet code, and a session that offers no wallet loads none. A button is
//! mounted through its public API, as a merchant's page mounts it, with the checkout's
//! session API behind its `onAuthorized` (pay with the token) and `onValidateMerchant`
//! (Apple's merchant session).

use js_sys::{Error, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::Element;

use crate::checkout_flow::methods::Method;
use crate::checkout_flow::session::SessionView;
use crate::wallet::apple::{ANSWER_DEADLINE_MS, VALIDATION_DEADLINE_MS};
use crate::web::events::set;

use super::api::ApiError;

#[wasm_bindgen(module = "/src/checkout/wallet_bundle.js")]
extern "C" {
    /// The wallet's button class (`ApplePayButton`, `GooglePayButton`) from its bundle,
    /// loaded and started, or `null` where the wallet probe says it cannot be shown;
    /// `method` is `APPLE_PAY` or `GOOGLE_PAY`.
    #[wasm_bindgen(catch)]
    async fn load_wallet_button(method: &str) -> Result<JsValue, JsValue>;
}

/// The checkout's pay call waits this long: a second longer than the sheet waits for its
/// answer, so a stalled gateway is the button's `TIMEOUT` (and then the checkout's).
pub const PAY_TIMEOUT_MS: u32 = ANSWER_DEADLINE_MS + 1_000;
/// The merchant-session call waits this long, a second longer than the button.
pub const VALIDATION_TIMEOUT_MS: u32 = VALIDATION_DEADLINE_MS + 1_000;

/// What a wallet button is mounted with: the session's total and merchant, the shopper's
/// language, and the checkout's callbacks.
pub struct WalletSetup<'a> {
    pub minor: u64,
    pub currency: &'a str,
    pub country_code: &'a str,
    pub label: &'a str,
    pub lang: &'a str,
    /// The session's PayKKa merchant id (Google Pay's `gatewayMerchantId`).
    pub merchant_id: &'a str,
    pub on_authorized: &'a JsValue,
    pub on_validate_merchant: &'a JsValue,
}

impl WalletSetup<'_> {
    /// The button's options, as its TypeScript declarations name them.
    fn options(&self, method: Method) -> Object {
        let amount = Object::new();
        set(&amount, "value", self.minor as f64);
        set(&amount, "currency", self.currency);
        let options = Object::new();
        set(&options, "amount", amount);
        set(&options, "countryCode", self.country_code);
        set(&options, "label", self.label);
        set(&options, "buttonLocale", self.lang);
        set(&options, "answerTimeout", ANSWER_DEADLINE_MS);
        set(&options, "onAuthorized", self.on_authorized);
        if method == Method::ApplePay {
            set(&options, "onValidateMerchant", self.on_validate_merchant);
        } else {
            set(&options, "merchantId", self.merchant_id);
        }
        options
    }
}

/// A mounted wallet button (an object of the wallet's bundle).
pub struct WalletButton(JsValue);

impl WalletButton {
    /// Loads `method`'s bundle and mounts its button in `panel`: `None` when the wallet
    /// cannot be shown on this device (then its bundle is not fetched), or its bundle
    /// cannot be loaded or mounted (then a warning names why).
    pub async fn mount(method: Method, panel: &Element, setup: &WalletSetup<'_>) -> Option<Self> {
        let mounted = async {
            let class = load_wallet_button(method.code()).await?;
            if class.is_null() {
                return Ok(None);
            }
            let mount = Function::from(Reflect::get(&class, &"mount".into())?);
            let pending = mount.call2(&class, panel, &setup.options(method))?;
            JsFuture::from(Promise::resolve(&pending)).await.map(Some)
        };
        let button = match mounted.await {
            Ok(None) => return None,
            Ok(Some(button)) => WalletButton(button),
            Err(error) => {
                let warning = [
                    "paykka-web: the ",
                    method.code(),
                    " button could not be shown:",
                ];
                web_sys::console::warn_2(&warning.concat().into(), &error);
                return None;
            }
        };
        let available = Reflect::get(&button.0, &"available".into()).ok();
        if available.and_then(|a| a.as_bool()) == Some(true) {
            Some(button)
        } else {
            button.unmount();
            None
        }
    }

    /// Removes the button and its listeners.
    pub fn unmount(&self) {
        let unmount = Reflect::get(&self.0, &"unmount".into()).ok();
        if let Some(unmount) = unmount.and_then(|u| u.dyn_into::<Function>().ok()) {
            let _ = unmount.call0(&self.0);
        }
    }
}

/// The checkout's pay answer as a wallet button reads a backend's (`status`, `action.url`,
/// `error_code`, `message`); a rejection where the gateway gave none.
pub fn answer(result: &Result<SessionView, ApiError>) -> Result<JsValue, JsValue> {
    let answer = Object::new();
    match result {
        Ok(SessionView {
            payment: Some(payment),
            ..
        }) => {
            set(&answer, "status", payment.status.as_str());
            if let Some(action) = &payment.action {
                let to = Object::new();
                set(&to, "url", action.url.as_str());
                set(&answer, "action", to);
            }
            if let Some(code) = &payment.error_code {
                set(&answer, "error_code", code.as_str());
            }
            if let Some(message) = &payment.message {
                set(&answer, "message", message.as_str());
            }
        }
        Err(ApiError::Refused { code, message }) => {
            set(&answer, "status", "FAILED");
            set(&answer, "error_code", code.as_str());
            set(&answer, "message", message.as_str());
        }
        Ok(_) => return Err(Error::new("the gateway answered without a payment").into()),
        Err(_) => return Err(Error::new("the gateway did not answer").into()),
    }
    Ok(answer.into())
}

/// Apple Pay's `onValidateMerchant` request's `validationURL`.
pub fn validation_url(request: &JsValue) -> Option<String> {
    Reflect::get(request, &"validationURL".into())
        .ok()
        .and_then(|url| url.as_string())
}
