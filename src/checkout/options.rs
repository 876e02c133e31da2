//! The checkout's options, read into types: `sessionId`, `clientKey`, `environment`,
//! `locale`, `threeDSecure` (`"modal"` or `"redirect"`), `hidePayButton`, `countryCode`
//! (the merchant's, for the wallets), `methods` (a subset of the session's), and the event
//! callbacks (this product's names, and PayKKa's `onSuccess`/`onTimeout`/`onSubmit`).

use js_sys::{Array, Function};
use wasm_bindgen::{JsCast, JsValue};

use crate::checkout_flow::coordinator::ThreeDs;
use crate::checkout_flow::methods::Method;
use crate::form::i18n::Locale;
use crate::form::locale_packs::choose;
use crate::wallet::apple::is_country_code;
use crate::wallet::apple::is_locale;
use crate::web::error::SetupError;
use crate::web::keys::gateway_base;
use crate::web::option_reader::{
    boolean, callback_name, callbacks, invalid, member, options_object, required_string, string,
    string_map,
};

/// The checkout's events (`paykka:<name>` DOM events and `on<Name>` callbacks).
pub const EVENTS: [&str; 9] = [
    "paymentMethodsReady",
    "submit",
    "paymentCompleted",
    "success",
    "paymentFailed",
    "actionRequired",
    "expired",
    "timeout",
    "error",
];

const OPTIONS: [&str; 9] = [
    "translations",
    "methods",
    "sessionId",
    "clientKey",
    "environment",
    "locale",
    "threeDSecure",
    "hidePayButton",
    "countryCode",
];

pub struct CheckoutOptions {
    pub session_id: String,
    pub client_key: String,
    /// The gateway base URL (the secure origin).
    pub base: String,
    pub environment: String,
    /// The built-in texts (en-US under a locale pack).
    pub locale: Locale,
    /// The language asked for (`lang`, `Intl`, the card fields' `locale`).
    pub lang: String,
    /// A locale pack's texts and the merchant's, by key.
    pub translations: Vec<(String, String)>,
    pub three_ds: ThreeDs,
    pub hide_pay_button: bool,
    /// The merchant's country, for the wallets (`US` unless given).
    pub country_code: String,
    /// Only these of the session's methods (PayKKa's codes); all when `None`.
    pub methods: Option<Vec<String>>,
    pub callbacks: Vec<(&'static str, Function)>,
}

impl CheckoutOptions {
    pub fn read(options: &JsValue) -> Result<CheckoutOptions, SetupError> {
        let event_keys: Vec<String> = EVENTS.iter().map(|e| callback_name(e)).collect();
        let mut known: Vec<&str> = OPTIONS.to_vec();
        known.extend(event_keys.iter().map(String::as_str));
        options_object(options, &known, "options")?;
        let session_id = required_string(options, "sessionId")?;
        if session_id.is_empty() || session_id.len() > 64 {
            return Err(invalid("sessionId must be 1–64 characters"));
        }
        let environment = string(options, "environment")?.unwrap_or_else(|| "sandbox".into());
        let three_ds = match string(options, "threeDSecure")?.as_deref() {
            None | Some("modal") => ThreeDs::Modal,
            Some("redirect") => ThreeDs::Redirect,
            Some(_) => return Err(invalid("threeDSecure must be \"modal\" or \"redirect\"")),
        };
        let tag = string(options, "locale")?.filter(|t| is_locale(t));
        let choice = choose(tag.as_deref());
        let translations = match member(options, "translations") {
            Some(t) => string_map(&t, "translations")?,
            None => Vec::new(),
        };
        Ok(CheckoutOptions {
            session_id,
            client_key: required_string(options, "clientKey")?,
            base: gateway_base(&environment)?,
            environment,
            locale: choice.built_in,
            lang: choice.lang.to_owned(),
            translations,
            three_ds,
            hide_pay_button: boolean(options, "hidePayButton", false)?,
            country_code: match string(options, "countryCode")? {
                None => "US".into(),
                Some(code) if is_country_code(&code) => code,
                Some(_) => {
                    return Err(invalid(
                        "countryCode must be an ISO 3166 alpha-2 code such as \"US\"",
                    ))
                }
            },
            methods: match member(options, "methods") {
                None => None,
                Some(list) => Some(
                    list.dyn_ref::<Array>()
                        .filter(|a| a.length() > 0)
                        .map(|a| a.iter().filter_map(|m| m.as_string()).collect::<Vec<_>>())
                        .filter(|m: &Vec<String>| m.iter().all(|c| Method::from_code(c).is_some()))
                        .ok_or_else(|| invalid("methods must list BANKCARD, APPLE_PAY, GOOGLE_PAY, ALIPAY or WECHAT_PAY"))?,
                ),
            },
            callbacks: callbacks(options, &EVENTS)?,
        })
    }

    /// Whether the merchant's `methods` (all when absent) take the method with this code.
    pub fn wants(&self, code: &str) -> bool {
        self.methods
            .as_ref()
            .is_none_or(|wanted| wanted.iter().any(|w| w.eq_ignore_ascii_case(code)))
    }
}
