//! `ApplePayButton`: Apple Pay JS as WebKit runs it. The session is created and begun
//! synchronously inside the click (the user-gesture rule), one at a time; merchant
//! validation goes to the merchant backend (PayKKa's Create Apple Pay Session) and its
//! string is parsed for `completeMerchantValidation`; the authorized token is paid with by
//! the backend and the sheet completed within Apple's 30 s; `cancel` may come at any stage,
//! even after authorization (the backend's answer is still reported).

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use gloo_events::EventListener;
use js_sys::{Array, Function, Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

use crate::wallet::amount::to_decimal;
use crate::wallet::answer::Answer;
use crate::wallet::apple::{
    highest_version, ANSWER_DEADLINE_MS, BUTTON_STYLES, BUTTON_TYPES, CAPABILITIES,
    DEFAULT_NETWORKS, NETWORKS, STATUS_FAILURE, STATUS_SUCCESS,
};
use crate::web::dom::{cast, document, element, resolve_target, window};
use crate::web::error::SetupError;
use crate::web::events::{set, Dispatcher};
use crate::web::option_reader::{invalid, string};
use crate::web::types::MountTarget;

use super::backend::{merchant_session, pay};
use super::options::{all_of, one_of, string_list, WalletOptions};
use super::report::{self, payload};

const WALLET: &str = "applePay";
/// Apple Pay's own options beside the shared ones.
const OWN: [&str; 3] = ["merchantCapabilities", "buttonStyle", "onValidateMerchant"];

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "ApplePayButtonOptions")]
    pub type ApplePayButtonOptions;
}

/// The options, checked against Apple Pay's vocabulary.
struct AppleOptions {
    common: WalletOptions,
    request: Object,
    button_type: String,
    button_style: String,
}

/// Apple Pay's own choices beside the shared options (`None`: the defaults).
struct AppleConfig {
    merchant_capabilities: Option<Vec<String>>,
    button_style: Option<String>,
}

impl AppleOptions {
    fn read(options: &JsValue) -> Result<AppleOptions, SetupError> {
        let (common, _) = WalletOptions::read(options, &OWN)?;
        let config = AppleConfig {
            merchant_capabilities: string_list(options, "merchantCapabilities")?,
            button_style: string(options, "buttonStyle")?,
        };
        AppleOptions::build(common, config)
    }

    /// Checks the options against Apple Pay's vocabulary and builds the payment request.
    fn build(common: WalletOptions, config: AppleConfig) -> Result<AppleOptions, SetupError> {
        common.check()?;
        let networks = all_of(
            common.networks.clone(),
            &NETWORKS,
            &DEFAULT_NETWORKS,
            "networks",
        )?;
        let capabilities = all_of(
            config.merchant_capabilities,
            &CAPABILITIES,
            &["supports3DS"],
            "merchantCapabilities",
        )?;
        let amount = to_decimal(common.amount.minor, &common.amount.currency)
            .map_err(|_| invalid("amount cannot be shown by Apple Pay"))?;
        let request = Object::new();
        set(&request, "countryCode", common.country_code.as_str());
        set(&request, "currencyCode", common.amount.currency.as_str());
        set(&request, "supportedNetworks", strings(&networks));
        set(&request, "merchantCapabilities", strings(&capabilities));
        let total = Object::new();
        set(&total, "label", common.label.as_str());
        set(&total, "amount", amount);
        set(&total, "type", "final");
        set(&request, "total", total);
        Ok(AppleOptions {
            button_type: one_of(
                common.button_type.clone(),
                &BUTTON_TYPES,
                "plain",
                "buttonType",
            )?,
            button_style: one_of(config.button_style, &BUTTON_STYLES, "black", "buttonStyle")?,
            common,
            request,
        })
    }

    fn total(&self) -> JsValue {
        Reflect::get(&self.request, &"total".into()).unwrap_or(JsValue::UNDEFINED)
    }
}

fn strings(values: &[String]) -> Array {
    values.iter().map(|v| JsValue::from_str(v)).collect()
}

/// `window.ApplePaySession`, looked up at call time (absent outside WebKit).
fn session_class() -> Option<Function> {
    Reflect::get(&js_sys::global(), &"ApplePaySession".into())
        .ok()
        .and_then(|c| c.dyn_into::<Function>().ok())
}

/// Calls `target[method](...args)`; a missing method or a throw is an `Err`.
fn call(target: &JsValue, method: &str, args: &Array) -> Result<JsValue, JsValue> {
    let f: Function = Reflect::get(target, &method.into())?.dyn_into()?;
    f.apply(target, args)
}

/// The message of a thrown value (WebKit's texts; never card data).
fn message_of(error: &JsValue) -> String {
    Reflect::get(error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| "Apple Pay refused the request".into())
        .chars()
        .take(200)
        .collect()
}

/// The Apple Pay JS version to use, or why Apple Pay is unavailable.
fn availability() -> Result<u32, &'static str> {
    let class = session_class().ok_or("NO_APPLE_PAY")?;
    let version = highest_version(|v| {
        call(&class, "supportsVersion", &Array::of1(&v.into()))
            .ok()
            .and_then(|r| r.as_bool())
            .unwrap_or(false)
    })
    .ok_or("VERSION_UNSUPPORTED")?;
    let can_pay = call(&class, "canMakePayments", &Array::new())
        .ok()
        .and_then(|r| r.as_bool())
        .unwrap_or(false);
    if can_pay {
        Ok(version)
    } else {
        Err("CANNOT_MAKE_PAYMENTS")
    }
}

/// A session's `on…` handler.
type EventHandler = Closure<dyn FnMut(JsValue)>;

/// Where a session is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Started,
    Authorizing,
    Ended,
}

/// One Apple Pay session, from the click to its end.
struct Run {
    session: JsValue,
    stage: Cell<Stage>,
    canceled: Cell<bool>,
    handlers: RefCell<Vec<EventHandler>>,
}

struct ApplePay {
    options: AppleOptions,
    version: u32,
    dispatcher: Dispatcher,
    button: RefCell<Option<Element>>,
    click: RefCell<Option<EventListener>>,
    run: RefCell<Option<Rc<Run>>>,
    /// Handlers of ended sessions: an ending may happen inside one of them, so they are
    /// dropped at the next click (or with the button), never inside their own call.
    retired: RefCell<Vec<EventHandler>>,
}

type Handler = fn(&Rc<ApplePay>, &Rc<Run>, JsValue);

impl ApplePay {
    /// The click: session created and begun synchronously, in the user gesture.
    fn start(self: &Rc<Self>) {
        if self.run.borrow().is_some() {
            return;
        }
        // A click runs outside every old session's handlers: they can go now.
        self.retired.borrow_mut().clear();
        self.dispatcher.emit("click", &payload(WALLET));
        let Some(class) = session_class() else {
            return report::error(
                &self.dispatcher,
                WALLET,
                "APPLE_PAY_SESSION_FAILED",
                "Apple Pay is gone",
            );
        };
        let args = Array::of2(&self.version.into(), &self.options.request);
        let session = match Reflect::construct(&class, &args) {
            Ok(session) => session,
            Err(e) => {
                return report::error(
                    &self.dispatcher,
                    WALLET,
                    "APPLE_PAY_SESSION_FAILED",
                    &message_of(&e),
                )
            }
        };
        let run = Rc::new(Run {
            session,
            stage: Cell::new(Stage::Started),
            canceled: Cell::new(false),
            handlers: RefCell::new(Vec::new()),
        });
        let handlers: [(&str, Handler); 4] = [
            ("onvalidatemerchant", ApplePay::validate),
            ("onpaymentmethodselected", ApplePay::method_selected),
            ("onpaymentauthorized", ApplePay::authorized),
            ("oncancel", ApplePay::canceled),
        ];
        for (property, handler) in handlers {
            let (this, weak_run) = (Rc::downgrade(self), Rc::downgrade(&run));
            let closure = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                if let (Some(this), Some(run)) = (this.upgrade(), weak_run.upgrade()) {
                    if run.stage.get() != Stage::Ended {
                        handler(&this, &run, event);
                    }
                }
            });
            let _ = Reflect::set(&run.session, &property.into(), closure.as_ref());
            run.handlers.borrow_mut().push(closure);
        }
        *self.run.borrow_mut() = Some(run.clone());
        if let Err(e) = call(&run.session, "begin", &Array::new()) {
            self.finish(&run);
            report::error(
                &self.dispatcher,
                WALLET,
                "APPLE_PAY_SESSION_FAILED",
                &message_of(&e),
            );
        }
    }

    /// `validatemerchant`: the merchant session from the backend, parsed, handed over.
    fn validate(self: &Rc<Self>, run: &Rc<Run>, event: JsValue) {
        let url = Reflect::get(&event, &"validationURL".into())
            .ok()
            .and_then(|u| u.as_string())
            .unwrap_or_default();
        let domain = window()
            .and_then(|w| w.location().hostname())
            .unwrap_or_default();
        let (this, run) = (self.clone(), run.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let session = merchant_session(&this.options.common.backend, &url, &domain).await;
            if run.stage.get() == Stage::Ended {
                return;
            }
            let message = match session {
                Ok(object) => match call(
                    &run.session,
                    "completeMerchantValidation",
                    &Array::of1(&object),
                ) {
                    Ok(_) => return,
                    Err(e) => message_of(&e),
                },
                Err(failure) => failure.code_and_message().1.to_owned(),
            };
            // No `cancel` follows `abort()`, and `abort()` throws once the sheet is gone.
            let _ = call(&run.session, "abort", &Array::new());
            this.finish(&run);
            report::error(
                &this.dispatcher,
                WALLET,
                "MERCHANT_VALIDATION_FAILED",
                &message,
            );
        });
    }

    /// `paymentmethodselected`: the total stays the merchant's.
    fn method_selected(self: &Rc<Self>, run: &Rc<Run>, _event: JsValue) {
        let update = Object::new();
        set(&update, "newTotal", self.options.total());
        let _ = call(
            &run.session,
            "completePaymentMethodSelection",
            &Array::of1(&update),
        );
    }

    /// `paymentauthorized`: the backend pays with the token; the sheet is completed with
    /// its answer before Apple's 30 s run out.
    fn authorized(self: &Rc<Self>, run: &Rc<Run>, event: JsValue) {
        run.stage.set(Stage::Authorizing);
        let token = Reflect::get(&event, &"payment".into())
            .and_then(|p| Reflect::get(&p, &"token".into()))
            .unwrap_or(JsValue::UNDEFINED);
        let Some(token_data) = JSON::stringify(&token)
            .ok()
            .and_then(|t| t.as_string())
            .filter(|_| token.is_object())
        else {
            self.complete(run, STATUS_FAILURE);
            self.finish(run);
            return report::error(
                &self.dispatcher,
                WALLET,
                "APPLE_PAY_TOKEN_MISSING",
                "Apple Pay gave no token",
            );
        };
        let payment = Object::new();
        set(&payment, "payment_method", "APPLE_PAY");
        set(&payment, "token_data", token_data);
        let detail = payload(WALLET);
        set(&detail, "payment", &payment);
        let network = Reflect::get(&token, &"paymentMethod".into())
            .and_then(|m| Reflect::get(&m, &"network".into()))
            .unwrap_or(JsValue::NULL);
        set(&detail, "network", network);
        self.dispatcher.emit("authorized", &detail);
        let (this, run) = (self.clone(), run.clone());
        let timeout = self
            .options
            .common
            .answer_timeout_ms
            .unwrap_or(ANSWER_DEADLINE_MS);
        wasm_bindgen_futures::spawn_local(async move {
            let outcome = pay(&this.options.common.backend, &payment, &detail, timeout).await;
            let status = match outcome {
                Ok(Answer::Success | Answer::Action { .. }) => STATUS_SUCCESS,
                _ => STATUS_FAILURE,
            };
            this.complete(&run, status);
            this.finish(&run);
            report::end(&this.dispatcher, WALLET, &outcome);
        });
    }

    /// `cancel`: the shopper (or Apple) closed the sheet. After authorization the
    /// backend's answer still comes and is reported.
    fn canceled(self: &Rc<Self>, run: &Rc<Run>, _event: JsValue) {
        run.canceled.set(true);
        let detail = payload(WALLET);
        let authorizing = run.stage.get() == Stage::Authorizing;
        set(&detail, "afterAuthorization", authorizing);
        if !authorizing {
            self.finish(run);
        }
        self.dispatcher.emit("cancel", &detail);
    }

    /// `completePayment({status})`, unless the sheet is already gone.
    fn complete(&self, run: &Run, status: u32) {
        if run.canceled.get() {
            return;
        }
        let result = Object::new();
        set(&result, "status", status);
        let _ = call(&run.session, "completePayment", &Array::of1(&result));
    }

    /// Ends a run: its handlers are detached (and dropped after this event) and a new
    /// session may start.
    fn finish(&self, run: &Rc<Run>) {
        run.stage.set(Stage::Ended);
        for property in [
            "onvalidatemerchant",
            "onpaymentmethodselected",
            "onpaymentauthorized",
            "oncancel",
        ] {
            let _ = Reflect::set(&run.session, &property.into(), &JsValue::NULL);
        }
        let handlers = std::mem::take(&mut *run.handlers.borrow_mut());
        self.retired.borrow_mut().extend(handlers);
        let mut current = self.run.borrow_mut();
        if current.as_ref().is_some_and(|r| Rc::ptr_eq(r, run)) {
            *current = None;
        }
    }

    fn teardown(&self) {
        let run = self.run.borrow().clone();
        if let Some(run) = run {
            if !run.canceled.get() {
                let _ = call(&run.session, "abort", &Array::new());
            }
            self.finish(&run);
        }
        self.click.borrow_mut().take();
        if let Some(button) = self.button.borrow_mut().take() {
            button.remove();
        }
    }
}

/// The Apple Pay button: WebKit draws it from `-apple-pay-button` (CSSOM, CSP-safe).
fn create_button(root: &Element, options: &AppleOptions) -> Result<Element, JsValue> {
    let doc = document()?;
    let locale = options
        .common
        .button_locale
        .clone()
        .unwrap_or_else(|| "en".into());
    let button = element(
        &doc,
        "button",
        &[
            ("type", "button"),
            ("class", "paykka-apple-pay"),
            ("aria-label", "Apple Pay"),
            ("lang", &locale),
        ],
    )?;
    button.set_text_content(Some("Apple Pay"));
    let style = cast::<HtmlElement>(button.clone())?.style();
    for (property, value) in [
        ("-webkit-appearance", "-apple-pay-button"),
        ("-apple-pay-button-type", options.button_type.as_str()),
        ("-apple-pay-button-style", options.button_style.as_str()),
        ("min-width", "140px"),
        ("min-height", "40px"),
        ("cursor", "pointer"),
    ] {
        style.set_property(property, value)?;
    }
    root.append_child(&button)?;
    Ok(button)
}

/// An Apple Pay button. `await ApplePayButton.mount(target, options)`.
#[wasm_bindgen]
pub struct ApplePayButton {
    inner: Option<Rc<ApplePay>>,
}

#[wasm_bindgen]
impl ApplePayButton {
    /// Whether Apple Pay can be offered here (`ApplePaySession`, a version from 3 to 14,
    /// `canMakePayments()`).
    #[wasm_bindgen(js_name = isAvailable)]
    pub async fn is_available() -> bool {
        availability().is_ok()
    }

    /// Checks the options, then shows the button in `target` and emits `ready` — or, where
    /// Apple Pay is unavailable, shows nothing and emits `unavailable`. Rejects with
    /// `INVALID_OPTION` or `HOLDER_MISSING`.
    pub async fn mount(
        target: MountTarget,
        options: ApplePayButtonOptions,
    ) -> Result<ApplePayButton, JsValue> {
        let parsed = AppleOptions::read(&options).map_err(JsValue::from)?;
        let root = resolve_target(&target).map_err(JsValue::from)?;
        ApplePayButton::mount_parsed(root, parsed)
    }

    /// Whether the button is shown.
    #[wasm_bindgen(getter)]
    pub fn available(&self) -> bool {
        self.inner.is_some()
    }

    /// Removes the button and aborts a session in progress (no events follow).
    pub fn unmount(&self) {
        if let Some(inner) = &self.inner {
            inner.teardown();
        }
    }
}

impl ApplePayButton {
    fn mount_parsed(root: Element, parsed: AppleOptions) -> Result<ApplePayButton, JsValue> {
        let dispatcher = Dispatcher::new(root.clone(), parsed.common.callbacks.clone());
        let version = match availability() {
            Ok(version) => version,
            Err(reason) => {
                report::unavailable(&dispatcher, WALLET, reason);
                return Ok(ApplePayButton { inner: None });
            }
        };
        let button = create_button(&root, &parsed)?;
        let inner = Rc::new(ApplePay {
            options: parsed,
            version,
            dispatcher,
            button: RefCell::new(Some(button.clone())),
            click: RefCell::new(None),
            run: RefCell::new(None),
            retired: RefCell::new(Vec::new()),
        });
        let weak: Weak<ApplePay> = Rc::downgrade(&inner);
        *inner.click.borrow_mut() = Some(EventListener::new(&button, "click", move |_| {
            if let Some(this) = weak.upgrade() {
                this.start();
            }
        }));
        inner.dispatcher.emit("ready", &payload(WALLET));
        Ok(ApplePayButton { inner: Some(inner) })
    }
}

impl Drop for ApplePayButton {
    fn drop(&mut self) {
        self.unmount();
    }
}
