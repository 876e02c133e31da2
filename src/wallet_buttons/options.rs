//! The options both wallet buttons share (amount, country, label, backend, button looks,
//! event callbacks) and each one's own, read into types: an unknown key, a bad amount or a
//! value outside a wallet's vocabulary is `INVALID_OPTION` before any button appears.

use js_sys::{Array, Function, Object};
use wasm_bindgen::{JsCast, JsValue};

use crate::wallet::amount::{exponent, MAX_MINOR};
use crate::wallet::apple::{is_country_code, is_locale};
use crate::web::error::SetupError;
use crate::web::option_reader::{
    callback_name, callbacks, check_keys, invalid, member, number, options_object, plain_object,
    required_string, string,
};

use super::backend::Backend;

/// The events of both buttons, in the order a payment meets them.
pub const EVENTS: [&str; 9] = [
    "ready",
    "unavailable",
    "click",
    "authorized",
    "cancel",
    "success",
    "failed",
    "action",
    "error",
];

/// Options both buttons take (their `on…` callbacks follow `EVENTS`).
const COMMON: [&str; 9] = [
    "amount",
    "countryCode",
    "label",
    "networks",
    "merchantApi",
    "reference",
    "buttonType",
    "buttonLocale",
    "answerTimeout",
];

/// The total: minor units of `currency`.
#[derive(Clone, Debug)]
pub struct Amount {
    pub minor: u64,
    pub currency: String,
}

/// Options both buttons share.
#[derive(Clone)]
pub struct WalletOptions {
    pub amount: Amount,
    pub country_code: String,
    pub label: String,
    /// Networks as given (each wallet checks its own vocabulary).
    pub networks: Option<Vec<String>>,
    pub backend: Backend,
    pub button_type: Option<String>,
    pub button_locale: Option<String>,
    pub answer_timeout_ms: Option<u32>,
    pub callbacks: Vec<(&'static str, Function)>,
}

impl WalletOptions {
    /// Reads `options`, whose keys must be shared ones, `own` ones, or callbacks.
    pub fn read(options: &JsValue, own: &[&str]) -> Result<(WalletOptions, Object), SetupError> {
        let object = plain_object(options, "options")?;
        let event_keys: Vec<String> = EVENTS.iter().map(|e| callback_name(e)).collect();
        let event_keys: Vec<&str> = event_keys.iter().map(String::as_str).collect();
        check_keys(&object, &[&COMMON, own, &event_keys])?;
        let country_code = required_string(options, "countryCode")?;
        let label = required_string(options, "label")?;
        let button_locale = string(options, "buttonLocale")?;
        let answer_timeout_ms = number(options, "answerTimeout")?
            .map(|t| {
                Some(t)
                    .filter(|t| (1_000.0..=25_000.0).contains(t))
                    .map(|t| t as u32)
                    .ok_or_else(|| invalid("answerTimeout must be 1000–25000 ms"))
            })
            .transpose()?;
        let mut callbacks = callbacks(options, &EVENTS)?;
        let backend = read_backend(options, &callbacks)?;
        if let Backend::Callbacks { .. } = backend {
            // `onAuthorized` is the backend then: called once, for its answer.
            callbacks.retain(|(name, _)| *name != "authorized");
        }
        let shared = WalletOptions {
            amount: read_amount(options)?,
            country_code,
            label,
            networks: string_list(options, "networks")?,
            backend,
            button_type: string(options, "buttonType")?,
            button_locale,
            answer_timeout_ms,
            callbacks,
        };
        Ok((shared, object))
    }

    /// What both wallets need of the shared options: each wallet's `build` checks it
    /// first.
    pub fn check(&self) -> Result<(), SetupError> {
        if !is_country_code(&self.country_code) {
            return Err(invalid(
                "countryCode must be an ISO 3166 alpha-2 code such as \"US\"",
            ));
        }
        if self.label.trim().is_empty() || crate::card::char_count(&self.label) > 64 {
            return Err(invalid("label must be 1–64 characters"));
        }
        if self.button_locale.as_deref().is_some_and(|l| !is_locale(l)) {
            return Err(invalid(
                "buttonLocale must be a language tag such as \"en\"",
            ));
        }
        Ok(())
    }
}

fn read_amount(options: &JsValue) -> Result<Amount, SetupError> {
    let amount = member(options, "amount").ok_or_else(|| invalid("amount is required"))?;
    options_object(&amount, &["value", "currency"], "amount")?;
    let currency = required_string(&amount, "currency")?;
    if exponent(&currency).is_err() {
        return Err(invalid(
            "amount.currency must be an ISO 4217 code such as \"USD\"",
        ));
    }
    let value = number(&amount, "value")?
        .filter(|v| v.fract() == 0.0 && (0.0..=MAX_MINOR as f64).contains(v))
        .ok_or_else(|| invalid("amount.value must be a whole number of minor units"))?;
    Ok(Amount {
        minor: value as u64,
        currency,
    })
}

fn read_backend(
    options: &JsValue,
    callbacks: &[(&'static str, Function)],
) -> Result<Backend, SetupError> {
    let validate = member(options, "onValidateMerchant")
        .map(|f| {
            f.dyn_into::<Function>()
                .map_err(|_| invalid("onValidateMerchant must be a function"))
        })
        .transpose()?;
    if let Some(base) = string(options, "merchantApi")? {
        let reference = required_string(options, "reference")?;
        return Ok(Backend::Api {
            base: base.trim_end_matches('/').to_owned(),
            reference,
        });
    }
    let authorize = callbacks
        .iter()
        .find(|(name, _)| *name == "authorized")
        .map(|(_, f)| f.clone())
        .ok_or_else(|| invalid("give merchantApi (with reference) or onAuthorized"))?;
    Ok(Backend::Callbacks {
        authorize,
        validate,
    })
}

/// An optional array of strings.
pub fn string_list(options: &JsValue, key: &str) -> Result<Option<Vec<String>>, SetupError> {
    member(options, key)
        .map(|list| {
            let list = list
                .dyn_ref::<Array>()
                .filter(|a| a.length() > 0)
                .ok_or_else(|| invalid([key, " must be a non-empty array"].concat()))?;
            list.iter()
                .map(|v| {
                    v.as_string()
                        .ok_or_else(|| invalid([key, " must hold strings"].concat()))
                })
                .collect()
        })
        .transpose()
}

/// `value` if it is one of `allowed`, else `INVALID_OPTION` naming `key`.
pub fn one_of(
    value: Option<String>,
    allowed: &[&str],
    default: &str,
    key: &str,
) -> Result<String, SetupError> {
    match value {
        None => Ok(default.to_owned()),
        Some(v) if allowed.contains(&v.as_str()) => Ok(v),
        Some(_) => Err(invalid(
            [key, " must be one of: ", &allowed.join(", ")].concat(),
        )),
    }
}

/// Each of `values` must be in `allowed`.
pub fn all_of(
    values: Option<Vec<String>>,
    allowed: &[&str],
    default: &[&str],
    key: &str,
) -> Result<Vec<String>, SetupError> {
    let values = values.unwrap_or_else(|| default.iter().map(|s| (*s).to_owned()).collect());
    match values.iter().find(|v| !allowed.contains(&v.as_str())) {
        Some(_) => Err(invalid(
            [key, " may hold only: ", &allowed.join(", ")].concat(),
        )),
        None => Ok(values),
    }
}
