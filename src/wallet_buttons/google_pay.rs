//! `GooglePayButton`: the Google Pay API for PayKKa. pay.js is loaded only when
//! `google.payments.api` is absent (a load failure or timeout means unavailable);
//! `isReadyToPay`, then Google's own button; `loadPaymentData` is called synchronously in
//! its click; `onPaymentAuthorized` hands the token string, unchanged, to the backend as
//! `token_data` and answers `SUCCESS` or `ERROR` with a reason.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_events::EventListener;
use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};
use web_sys::Element;

use crate::wallet::answer::Answer;
use crate::wallet::apple::ANSWER_DEADLINE_MS;
use crate::wallet::google::{
    rejection, total_price, Rejection, AUTH_METHODS, BUTTON_COLORS, BUTTON_SIZE_MODES,
    BUTTON_TYPES, DEFAULT_GATEWAY, DEFAULT_LOAD_TIMEOUT_MS, DEFAULT_NETWORKS, ENVIRONMENTS,
    NETWORKS, PAY_JS_URL,
};
use crate::web::dom::{document, element, resolve_target};
use crate::web::error::SetupError;
use crate::web::events::{set, Dispatcher};
use crate::web::http::within;
use crate::web::option_reader::{invalid, member, number, required_string, string};
use crate::web::types::MountTarget;

use super::backend::pay;
use super::options::{all_of, one_of, WalletOptions};
use super::report::{self, payload};

const WALLET: &str = "googlePay";
/// Google Pay's own options beside the shared ones.
const OWN: [&str; 8] = [
    "environment",
    "merchantId",
    "googleMerchantId",
    "gateway",
    "payJsUrl",
    "loadTimeout",
    "buttonColor",
    "buttonSizeMode",
];

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "GooglePayButtonOptions")]
    pub type GooglePayButtonOptions;
}

/// The options, checked against the Google Pay API's vocabulary, and the requests.
struct GoogleOptions {
    common: WalletOptions,
    environment: String,
    ready_request: Object,
    data_request: Object,
    button: Object,
    pay_js_url: String,
    load_timeout_ms: u32,
}

fn strings(values: &[impl AsRef<str>]) -> Array {
    values
        .iter()
        .map(|v| JsValue::from_str(v.as_ref()))
        .collect()
}

fn id(text: &str, what: &str) -> Result<(), SetupError> {
    let ok = (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(invalid(
            [what, " must be 1–64 letters, digits, - _ or ."].concat(),
        ))
    }
}

/// Google Pay's own choices beside the shared options (`None`: the defaults).
struct GoogleConfig {
    /// The PayKKa merchant id (tokenization's `gatewayMerchantId`).
    merchant_id: String,
    environment: Option<String>,
    gateway: Option<String>,
    google_merchant_id: Option<String>,
    pay_js_url: Option<String>,
    load_timeout_ms: Option<u32>,
    button_color: Option<String>,
    button_size_mode: Option<String>,
}

impl GoogleOptions {
    fn read(options: &JsValue) -> Result<GoogleOptions, SetupError> {
        let (common, _) = WalletOptions::read(options, &OWN)?;
        let load_timeout_ms = match number(options, "loadTimeout")? {
            None => None,
            Some(t) if (100.0..=60_000.0).contains(&t) => Some(t as u32),
            Some(_) => return Err(invalid("loadTimeout must be 100–60000 ms")),
        };
        let config = GoogleConfig {
            merchant_id: required_string(options, "merchantId")?,
            environment: string(options, "environment")?,
            gateway: string(options, "gateway")?,
            google_merchant_id: string(options, "googleMerchantId")?,
            pay_js_url: string(options, "payJsUrl")?,
            load_timeout_ms,
            button_color: string(options, "buttonColor")?,
            button_size_mode: string(options, "buttonSizeMode")?,
        };
        GoogleOptions::build(common, config)
    }

    /// Checks the options against the Google Pay API's vocabulary and builds its requests.
    fn build(common: WalletOptions, config: GoogleConfig) -> Result<GoogleOptions, SetupError> {
        common.check()?;
        let environment = one_of(config.environment, &ENVIRONMENTS, "TEST", "environment")?;
        let merchant_id = config.merchant_id;
        id(&merchant_id, "merchantId")?;
        let gateway = config.gateway.unwrap_or_else(|| DEFAULT_GATEWAY.into());
        id(&gateway, "gateway")?;
        let google_merchant_id = config.google_merchant_id;
        if let Some(g) = &google_merchant_id {
            id(g, "googleMerchantId")?;
        } else if environment == "PRODUCTION" {
            return Err(invalid("googleMerchantId is required in PRODUCTION"));
        }
        let networks = all_of(
            common.networks.clone(),
            &NETWORKS,
            &DEFAULT_NETWORKS,
            "networks",
        )?;
        let price = total_price(common.amount.minor, &common.amount.currency).map_err(|_| {
            invalid("amount.currency has more than two decimals, which Google Pay cannot take")
        })?;
        let pay_js_url = config.pay_js_url.unwrap_or_else(|| PAY_JS_URL.into());
        if !(pay_js_url.starts_with("https://") || pay_js_url.starts_with('/')) {
            return Err(invalid("payJsUrl must be an https URL or a path"));
        }
        let load_timeout_ms = config.load_timeout_ms.unwrap_or(DEFAULT_LOAD_TIMEOUT_MS);

        let card = Object::new();
        set(&card, "type", "CARD");
        let parameters = Object::new();
        set(&parameters, "allowedAuthMethods", strings(&AUTH_METHODS));
        set(&parameters, "allowedCardNetworks", strings(&networks));
        set(&card, "parameters", parameters);
        let ready_request = version_2();
        set(&ready_request, "allowedPaymentMethods", Array::of1(&card));

        let tokenized = Object::assign(&Object::new(), &card);
        let tokenization = Object::new();
        set(&tokenization, "type", "PAYMENT_GATEWAY");
        let gateway_parameters = Object::new();
        set(&gateway_parameters, "gateway", gateway);
        set(&gateway_parameters, "gatewayMerchantId", merchant_id);
        set(&tokenization, "parameters", gateway_parameters);
        set(&tokenized, "tokenizationSpecification", tokenization);
        let data_request = version_2();
        set(
            &data_request,
            "allowedPaymentMethods",
            Array::of1(&tokenized),
        );
        let merchant_info = Object::new();
        set(&merchant_info, "merchantName", common.label.as_str());
        if let Some(g) = google_merchant_id {
            set(&merchant_info, "merchantId", g);
        }
        set(&data_request, "merchantInfo", merchant_info);
        let transaction = Object::new();
        set(&transaction, "totalPriceStatus", "FINAL");
        set(&transaction, "totalPrice", price);
        set(
            &transaction,
            "currencyCode",
            common.amount.currency.as_str(),
        );
        set(&transaction, "countryCode", common.country_code.as_str());
        set(&data_request, "transactionInfo", transaction);
        set(
            &data_request,
            "callbackIntents",
            strings(&["PAYMENT_AUTHORIZATION"]),
        );

        let button = Object::new();
        set(
            &button,
            "buttonColor",
            one_of(
                config.button_color,
                &BUTTON_COLORS,
                "default",
                "buttonColor",
            )?,
        );
        set(
            &button,
            "buttonType",
            one_of(
                common.button_type.clone(),
                &BUTTON_TYPES,
                "buy",
                "buttonType",
            )?,
        );
        set(
            &button,
            "buttonSizeMode",
            one_of(
                config.button_size_mode,
                &BUTTON_SIZE_MODES,
                "static",
                "buttonSizeMode",
            )?,
        );
        if let Some(locale) = &common.button_locale {
            // Google takes ISO 639-1: the language of the tag.
            set(
                &button,
                "buttonLocale",
                locale.split('-').next().unwrap_or("en"),
            );
        }
        set(&button, "allowedPaymentMethods", Array::of1(&card));
        Ok(GoogleOptions {
            common,
            environment,
            ready_request,
            data_request,
            button,
            pay_js_url,
            load_timeout_ms,
        })
    }
}

fn version_2() -> Object {
    let o = Object::new();
    set(&o, "apiVersion", 2);
    set(&o, "apiVersionMinor", 0);
    o
}

/// `google.payments.api`, when it has a `PaymentsClient`.
fn payments_api() -> Option<JsValue> {
    let api = ["google", "payments", "api"]
        .iter()
        .try_fold(js_sys::global().into(), |o: JsValue, key| member(&o, key))?;
    member(&api, "PaymentsClient")
        .filter(|c| c.is_function())
        .map(|_| api)
}

/// Loads pay.js unless the API is already there; whether the API is there afterwards.
async fn load_pay_js(url: &str, timeout_ms: u32) -> bool {
    if payments_api().is_some() {
        return true;
    }
    let Ok(doc) = document() else { return false };
    let Ok(script) = element(&doc, "script", &[("src", url), ("async", "")]) else {
        return false;
    };
    let mut listeners = Vec::new();
    let loaded = Promise::new(&mut |resolve, _| {
        for event in ["load", "error"] {
            let resolve = resolve.clone();
            listeners.push(EventListener::once(&script, event, move |_| {
                let _ = resolve.call0(&JsValue::UNDEFINED);
            }));
        }
    });
    let parent = doc
        .head()
        .map(Element::from)
        .or_else(|| doc.document_element());
    if parent.and_then(|p| p.append_child(&script).ok()).is_none() {
        return false;
    }
    let _ = within(loaded.into(), timeout_ms).await;
    drop(listeners);
    payments_api().is_some()
}

/// Calls `target[method](...args)`; a missing method or a throw is an `Err`.
fn call(target: &JsValue, method: &str, args: &Array) -> Result<JsValue, JsValue> {
    let f: Function = Reflect::get(target, &method.into())?.dyn_into()?;
    f.apply(target, args)
}

fn text_member(value: &JsValue, path: &[&str]) -> Option<String> {
    path.iter()
        .try_fold(value.clone(), |o, key| member(&o, key))
        .and_then(|v| v.as_string())
}

/// A callback handed to pay.js.
type Callback = Closure<dyn FnMut(JsValue) -> JsValue>;

struct GooglePay {
    options: GoogleOptions,
    dispatcher: Dispatcher,
    client: RefCell<Option<JsValue>>,
    button: RefCell<Option<Element>>,
    busy: Cell<bool>,
    closures: RefCell<Vec<Callback>>,
}

impl GooglePay {
    /// The click: `loadPaymentData` synchronously, in the user gesture.
    fn start(self: &Rc<Self>) {
        let Some(client) = self.client.borrow().clone() else {
            return;
        };
        if self.busy.replace(true) {
            return;
        }
        self.dispatcher.emit("click", &payload(WALLET));
        let promise = match call(
            &client,
            "loadPaymentData",
            &Array::of1(&self.options.data_request),
        ) {
            Ok(p) => p,
            Err(_) => {
                self.busy.set(false);
                return report::error(
                    &self.dispatcher,
                    WALLET,
                    "GOOGLE_PAY_ERROR",
                    "Google Pay refused the request",
                );
            }
        };
        let this = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let result = JsFuture::from(Promise::resolve(&promise)).await;
            this.busy.set(false);
            // Success was reported when the backend answered (onPaymentAuthorized).
            let Err(error) = result else { return };
            match rejection(text_member(&error, &["statusCode"]).as_deref()) {
                Rejection::Canceled => this.dispatcher.emit("cancel", &payload(WALLET)),
                Rejection::Error(code) => {
                    let message = text_member(&error, &["statusMessage"])
                        .unwrap_or_else(|| "Google Pay failed".into());
                    let message: String = message.chars().take(200).collect();
                    report::error(&this.dispatcher, WALLET, code, &message);
                }
            }
        });
    }

    /// `onPaymentAuthorized`: the backend pays with the token string as is; the sheet
    /// gets `SUCCESS`, or `ERROR` with a reason the shopper can act on.
    async fn authorized(self: Rc<Self>, payment_data: JsValue) -> JsValue {
        let state = Object::new();
        let error = |reason: &str, message: &str| {
            set(&state, "transactionState", "ERROR");
            let e = Object::new();
            set(&e, "intent", "PAYMENT_AUTHORIZATION");
            set(&e, "reason", reason);
            set(&e, "message", message);
            set(&state, "error", e);
        };
        let path = ["paymentMethodData", "tokenizationData", "token"];
        let Some(token) = text_member(&payment_data, &path).filter(|t| !t.is_empty()) else {
            error("PAYMENT_DATA_INVALID", "Google Pay gave no token");
            report::error(
                &self.dispatcher,
                WALLET,
                "GOOGLE_PAY_TOKEN_MISSING",
                "Google Pay gave no token",
            );
            return state.into();
        };
        let payment = Object::new();
        set(&payment, "payment_method", "GOOGLE_PAY");
        set(&payment, "token_data", token);
        let detail = payload(WALLET);
        set(&detail, "payment", &payment);
        let network = text_member(&payment_data, &["paymentMethodData", "info", "cardNetwork"]);
        set(
            &detail,
            "network",
            network.map_or(JsValue::NULL, JsValue::from),
        );
        self.dispatcher.emit("authorized", &detail);
        let timeout = self
            .options
            .common
            .answer_timeout_ms
            .unwrap_or(ANSWER_DEADLINE_MS);
        let outcome = pay(&self.options.common.backend, &payment, &detail, timeout).await;
        match &outcome {
            Ok(Answer::Success | Answer::Action { .. }) => {
                set(&state, "transactionState", "SUCCESS")
            }
            Ok(Answer::Failed { message, .. }) => error("PAYMENT_DATA_INVALID", message),
            Err(failure) => error("OTHER_ERROR", failure.code_and_message().1),
        }
        report::end(&self.dispatcher, WALLET, &outcome);
        state.into()
    }

    /// `new PaymentsClient(…)`, `isReadyToPay`, `createButton`.
    async fn show(self: &Rc<Self>, root: &Element) -> Result<(), &'static str> {
        let api = payments_api().ok_or("PAY_JS_UNAVAILABLE")?;
        let weak = Rc::downgrade(self);
        let on_authorized = Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |data: JsValue| {
            let this = weak.upgrade();
            future_to_promise(async move {
                match this {
                    Some(this) => Ok(this.authorized(data).await),
                    None => Ok(JsValue::UNDEFINED),
                }
            })
            .into()
        });
        let callbacks = Object::new();
        set(&callbacks, "onPaymentAuthorized", on_authorized.as_ref());
        let config = Object::new();
        set(&config, "environment", self.options.environment.as_str());
        set(&config, "paymentDataCallbacks", callbacks);
        let class: Function = member(&api, "PaymentsClient")
            .and_then(|c| c.dyn_into().ok())
            .ok_or("PAY_JS_UNAVAILABLE")?;
        let client =
            Reflect::construct(&class, &Array::of1(&config)).map_err(|_| "CLIENT_REFUSED")?;
        let ready = call(
            &client,
            "isReadyToPay",
            &Array::of1(&self.options.ready_request),
        )
        .map_err(|_| "NOT_READY")?;
        let ready = JsFuture::from(Promise::resolve(&ready))
            .await
            .map_err(|_| "NOT_READY")?;
        if member(&ready, "result").and_then(|r| r.as_bool()) != Some(true) {
            return Err("NOT_READY");
        }
        let weak = Rc::downgrade(self);
        let on_click = Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |_event: JsValue| {
            if let Some(this) = weak.upgrade() {
                this.start();
            }
            JsValue::UNDEFINED
        });
        let button_options = Object::assign(&Object::new(), &self.options.button);
        set(&button_options, "onClick", on_click.as_ref());
        let button: Element = call(&client, "createButton", &Array::of1(&button_options))
            .ok()
            .and_then(|b| b.dyn_into().ok())
            .ok_or("BUTTON_REFUSED")?;
        root.append_child(&button).map_err(|_| "BUTTON_REFUSED")?;
        *self.button.borrow_mut() = Some(button);
        *self.client.borrow_mut() = Some(client);
        self.closures.borrow_mut().extend([on_authorized, on_click]);
        Ok(())
    }

    fn teardown(&self) {
        self.client.borrow_mut().take();
        if let Some(button) = self.button.borrow_mut().take() {
            button.remove();
        }
    }
}

/// A Google Pay button. `await GooglePayButton.mount(target, options)`.
#[wasm_bindgen]
pub struct GooglePayButton {
    inner: Rc<GooglePay>,
}

#[wasm_bindgen]
impl GooglePayButton {
    /// Whether Google Pay can be offered with these options (loads pay.js if needed, then
    /// `isReadyToPay`). Never rejects: bad options or no Google Pay are `false`.
    #[wasm_bindgen(js_name = isAvailable)]
    pub async fn is_available(options: GooglePayButtonOptions) -> bool {
        let Ok(options) = GoogleOptions::read(&options) else {
            return false;
        };
        if !load_pay_js(&options.pay_js_url, options.load_timeout_ms).await {
            return false;
        }
        let Some(api) = payments_api() else {
            return false;
        };
        let config = Object::new();
        set(&config, "environment", options.environment.as_str());
        let ready = member(&api, "PaymentsClient")
            .and_then(|c| c.dyn_into::<Function>().ok())
            .and_then(|class| Reflect::construct(&class, &Array::of1(&config)).ok())
            .and_then(|client| {
                call(&client, "isReadyToPay", &Array::of1(&options.ready_request)).ok()
            });
        let Some(ready) = ready else { return false };
        let ready = JsFuture::from(Promise::resolve(&ready)).await.ok();
        ready
            .and_then(|r| member(&r, "result"))
            .and_then(|r| r.as_bool())
            == Some(true)
    }

    /// Checks the options, then shows Google's button in `target` and emits `ready` — or,
    /// where Google Pay is unavailable (pay.js not loading, `isReadyToPay` false), shows
    /// nothing and emits `unavailable`. Rejects with `INVALID_OPTION` or `HOLDER_MISSING`.
    pub async fn mount(
        target: MountTarget,
        options: GooglePayButtonOptions,
    ) -> Result<GooglePayButton, JsValue> {
        let parsed = GoogleOptions::read(&options).map_err(JsValue::from)?;
        let root = resolve_target(&target).map_err(JsValue::from)?;
        Ok(GooglePayButton::mount_parsed(root, parsed).await)
    }

    /// Whether the button is shown.
    #[wasm_bindgen(getter)]
    pub fn available(&self) -> bool {
        self.inner.button.borrow().is_some()
    }

    /// Removes the button; a sheet already open still ends with its events.
    pub fn unmount(&self) {
        self.inner.teardown();
    }
}

impl GooglePayButton {
    async fn mount_parsed(root: Element, parsed: GoogleOptions) -> GooglePayButton {
        let dispatcher = Dispatcher::new(root.clone(), parsed.common.callbacks.clone());
        let loaded = load_pay_js(&parsed.pay_js_url, parsed.load_timeout_ms).await;
        let inner = Rc::new(GooglePay {
            options: parsed,
            dispatcher,
            client: RefCell::new(None),
            button: RefCell::new(None),
            busy: Cell::new(false),
            closures: RefCell::new(Vec::new()),
        });
        let shown = if loaded {
            inner.show(&root).await
        } else {
            Err("PAY_JS_UNAVAILABLE")
        };
        match shown {
            Ok(()) => inner.dispatcher.emit("ready", &payload(WALLET)),
            Err(reason) => report::unavailable(&inner.dispatcher, WALLET, reason),
        }
        GooglePayButton { inner }
    }
}

impl Drop for GooglePayButton {
    fn drop(&mut self) {
        self.inner.teardown();
    }
}
