//! `Checkout`: mounts the drop-in for a session, runs a payment from the pay button (or
//! `pay()`), a wallet sheet or a redirect method, shows 3-D Secure, and reports results.
//! One payment at a time; a decline keeps the card input for the retry, which is a new
//! attempt at the gateway (never a second charge).

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;

use futures_util::future::{select, Either};
use gloo_events::EventListener;
use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, spawn_local, JsFuture};

use crate::card_fields::form::CardForm;
use crate::card_fields::options::CardOptions;
use crate::checkout_flow::coordinator::{Coordinator, Next, TOO_MANY_ATTEMPTS};
use crate::checkout_flow::methods::Method;
use crate::checkout_flow::session::SessionView;
use crate::checkout_flow::texts::CheckoutTexts;
use crate::wallet::amount::{exponent, to_decimal};
use crate::web::dom::{resolve_target, window};
use crate::web::events::{set, Dispatcher};
use crate::web::locale_pack::with_pack;
use crate::web::option_reader::member;
use crate::web::types::MountTarget;

use super::api::{ApiError, SessionApi, TIMEOUT_MS};
use super::modal::Modal;
use super::options::CheckoutOptions;
use super::view::View;
use super::wallets::{self, WalletButton, WalletSetup};

#[wasm_bindgen(typescript_custom_section)]
const CHECKOUT_TYPES: &str = r#"
export type CheckoutMethod = "BANKCARD" | "APPLE_PAY" | "GOOGLE_PAY" | "ALIPAY" | "WECHAT_PAY";
/** The checkout's own error codes (beside the card fields' and the gateway's). */
export type CheckoutErrorCode = "NETWORK_ERROR" | "AUTHENTICATION_CANCELLED" | "MODAL_FAILED" | "CARD_FIELDS_FAILED"
  | "GATEWAY_ERROR" | "CLIENT_KEY_UNKNOWN" | "ORIGIN_NOT_ALLOWED";
export interface CheckoutEventMap {
  paymentMethodsReady: { methods: CheckoutMethod[] };
  submit: { valid: boolean; fields?: string[]; errors?: FieldProblem[] };
  paymentCompleted: { status: string; orderId: string | null; returnUrl: string | null };
  success: { status: string; orderId: string | null; returnUrl: string | null };
  paymentFailed: { code: GatewayCode | "PAYMENT_FAILED"; message: string };
  actionRequired: { url: string };
  expired: {};
  timeout: {};
  error: { code: CheckoutErrorCode | PaykkaErrorCode | GatewayCode; message: string };
}
export interface CheckoutOptions {
  sessionId: string;
  clientKey: string;
  /** "sandbox", "production" or the gateway base URL. */
  environment?: string;
  /** "en-US" (default), "zh-CN", or a pack: "zh-TW", "ja-JP", "ko-KR", "de-DE", "fr-FR", "es-ES". */
  locale?: string;
  /** Overrides of any text: the card fields' keys, and "checkout.<key>" for the checkout's. */
  translations?: Record<string, string>;
  /** "modal" (default) or "redirect". */
  threeDSecure?: "modal" | "redirect";
  /** Hide the built-in pay button; call `pay()` from your own. */
  hidePayButton?: boolean;
  /** The merchant's ISO 3166 country, for Apple Pay and Google Pay (default "US"). */
  countryCode?: string;
  /** Only these of the session's methods (e.g. a card-only or a Google Pay-only component). */
  methods?: CheckoutMethod[];
  onPaymentMethodsReady?: (e: CheckoutEventMap["paymentMethodsReady"]) => void;
  onSubmit?: (e: CheckoutEventMap["submit"]) => void;
  onPaymentCompleted?: (e: CheckoutEventMap["paymentCompleted"]) => void;
  /** PayKKa's name for paymentCompleted. */
  onSuccess?: (e: CheckoutEventMap["success"]) => void;
  onPaymentFailed?: (e: CheckoutEventMap["paymentFailed"]) => void;
  onActionRequired?: (e: CheckoutEventMap["actionRequired"]) => void;
  onExpired?: (e: CheckoutEventMap["expired"]) => void;
  onTimeout?: (e: CheckoutEventMap["timeout"]) => void;
  onError?: (e: CheckoutEventMap["error"]) => void;
}
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "CheckoutOptions")]
    pub type CheckoutOptionsJs;
}

/// How mounting the card fields went: a failure's code and message.
type CardMount = Result<(), (String, String)>;

/// How often the result is asked for while the shopper authenticates.
const POLL_MS: u32 = 1_500;

/// A callback handed to a component (a wallet's `onAuthorized`, the card's `onSubmit`),
/// kept alive with the checkout.
type ComponentCallback = Closure<dyn FnMut(JsValue) -> JsValue>;

struct Inner {
    options: CheckoutOptions,
    coordinator: Coordinator,
    api: SessionApi,
    view: View,
    dispatcher: Dispatcher,
    card: RefCell<Option<CardForm>>,
    wallets: RefCell<Vec<WalletButton>>,
    selected: Cell<Option<Method>>,
    busy: Cell<bool>,
    modal: RefCell<Option<Modal>>,
    /// Bumped to stop a poll that is no longer wanted.
    poll_generation: Cell<u32>,
    action_url: RefCell<Option<String>>,
    amount: RefCell<(u64, String)>,
    /// The session's PayKKa merchant id (Google Pay's `gatewayMerchantId`).
    merchant_id: RefCell<String>,
    /// The session's `return_url`, for `success`.
    return_url: RefCell<Option<String>>,
    listeners: RefCell<Vec<EventListener>>,
    component_callbacks: RefCell<Vec<ComponentCallback>>,
}

fn text_of(value: &JsValue, path: &[&str]) -> Option<String> {
    path.iter()
        .try_fold(value.clone(), |o, key| member(&o, key))
        .and_then(|v| v.as_string())
}

/// `minor` of `currency` for the shopper's locale (`US$3.00`, `¥1,690`): the digits by
/// ISO 4217, the look by `Intl`.
fn format_amount(locale: &str, minor: u64, currency: &str) -> String {
    let plain = to_decimal(minor, currency).unwrap_or_default();
    let Ok(exp) = exponent(currency) else {
        return plain;
    };
    let options = Object::new();
    set(&options, "style", "currency");
    set(&options, "currency", currency);
    set(&options, "minimumFractionDigits", exp);
    set(&options, "maximumFractionDigits", exp);
    let class = Reflect::get(&js_sys::global(), &"Intl".into())
        .and_then(|intl| Reflect::get(&intl, &"NumberFormat".into()))
        .ok()
        .and_then(|c| c.dyn_into::<Function>().ok());
    let format = class
        .and_then(|c| Reflect::construct(&c, &Array::of2(&locale.into(), &options)).ok())
        .and_then(|f| Reflect::get(&f, &"format".into()).ok())
        .and_then(|f| f.dyn_into::<Function>().ok());
    let value = minor as f64 / 10f64.powi(exp as i32);
    format
        .and_then(|f| f.call1(&JsValue::UNDEFINED, &value.into()).ok())
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| [currency, " ", &plain].concat())
}

fn payload(pairs: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (key, value) in pairs {
        set(&o, key, value);
    }
    o
}

impl Inner {
    /// The translations the card fields get (a pack's and the merchant's).
    fn translations(&self) -> JsValue {
        let o = Object::new();
        for (key, value) in &self.options.translations {
            set(&o, key, value.as_str());
        }
        o.into()
    }

    fn emit(&self, name: &str, pairs: &[(&str, JsValue)]) {
        self.dispatcher.emit(name, &payload(pairs));
    }

    fn error(&self, code: &str, message: &str) {
        self.emit(
            "error",
            &[("code", code.into()), ("message", message.into())],
        );
    }

    /// Shows what the session answer says: the form (first time), a result, or an action.
    /// `card` is how mounting the card fields went, when they were mounted beside the
    /// session load (`None`: mount them if the session takes cards).
    async fn show_session(
        self: &Rc<Self>,
        session: SessionView,
        card: Option<CardMount>,
    ) -> Result<(), JsValue> {
        let currency = session.currency.clone();
        *self.amount.borrow_mut() = (session.amount, currency.clone());
        *self.merchant_id.borrow_mut() = session.merchant_id.clone();
        self.return_url.replace(session.return_url.clone());
        let tag = self.options.lang.as_str();
        let amount = format_amount(tag, session.amount, &currency);
        let goods: Vec<(String, String)> = session
            .goods
            .iter()
            .map(|line| {
                let name = if line.quantity > 1 {
                    [line.name.as_str(), " × ", &line.quantity.to_string()].concat()
                } else {
                    line.name.clone()
                };
                (name, format_amount(tag, line.price, &currency))
            })
            .collect();
        let merchant = session.merchant_name.clone().unwrap_or_default();
        self.view.show_session(&merchant, &amount, &goods)?;
        match self.coordinator.on_session(&session, self.selected.get()) {
            Next::Paid { status, order_id } => self.paid(&status, order_id.as_deref()),
            Next::Expired => self.expired(),
            Next::Locked => self.locked(),
            next => {
                self.build_methods(&session, card).await?;
                self.carry_out(next);
            }
        }
        Ok(())
    }

    /// The method choice: the session's methods. The card and redirect methods are ready at
    /// once; wallet buttons appear when their wallet answers that it is available (and
    /// never hold up the pay button). `paymentMethodsReady` names what is finally shown.
    async fn build_methods(
        self: &Rc<Self>,
        session: &SessionView,
        mut card: Option<CardMount>,
    ) -> Result<(), JsValue> {
        let mut wallets = Vec::new();
        let mut shown = Vec::new();
        let methods: Vec<Method> = session
            .methods()
            .into_iter()
            .filter(|m| self.options.wants(m.code()))
            .collect();
        if !methods.contains(&Method::Card) {
            // Mounted beside the session load, before the session said it takes no cards.
            self.drop_card();
        }
        for method in methods {
            if method == Method::Card {
                let mounted = match card.take() {
                    Some(mounted) => mounted,
                    None => self.mount_card().await,
                };
                if let Err((code, message)) = mounted {
                    self.error(&code, &message);
                    continue;
                }
            }
            let radio = self.view.add_method(method)?;
            let this = Rc::downgrade(self);
            self.listeners
                .borrow_mut()
                .push(EventListener::new(&radio, "change", move |_| {
                    if let Some(this) = this.upgrade() {
                        this.select(method);
                    }
                }));
            match radio.parent_element() {
                Some(label) if method.is_wallet() => {
                    label.toggle_attribute_with_force("hidden", true)?;
                    wallets.push((method, label));
                }
                _ => shown.push(method),
            }
        }
        if let Some(first) = shown.first() {
            self.select(*first);
        }
        let this = Rc::downgrade(self);
        let pay = EventListener::new(&self.view.pay, "click", move |_| {
            if let Some(this) = this.upgrade() {
                spawn_local(async move { this.pay_card().await });
            }
        });
        let this = Rc::downgrade(self);
        let redirect = EventListener::new(&self.view.redirect_button, "click", move |_| {
            if let Some(this) = this.upgrade() {
                spawn_local(async move { this.pay_redirect().await });
            }
        });
        self.listeners.borrow_mut().extend([pay, redirect]);
        self.view.set_state("ready");
        let this = self.clone();
        spawn_local(async move {
            for (method, label) in wallets {
                if this.mount_wallet(method).await {
                    let _ = label.toggle_attribute_with_force("hidden", false);
                    shown.push(method);
                } else {
                    label.remove();
                }
            }
            // In the methods' own order (a filter, not a sort: no sort code in the wasm).
            let shown: Vec<Method> = Method::ALL
                .into_iter()
                .filter(|m| shown.contains(m))
                .collect();
            if this.selected.get().is_none() {
                if let Some(first) = shown.first() {
                    this.select(*first);
                }
            }
            let list: Array = shown.iter().map(|m| JsValue::from_str(m.code())).collect();
            this.emit("paymentMethodsReady", &[("methods", list.into())]);
        });
        Ok(())
    }

    fn select(&self, method: Method) {
        self.selected.set(Some(method));
        let _ = self.view.select(method);
        self.view
            .show_pay(self.coordinator.shows_pay_button(method));
    }

    /// Mounts the card fields; a failure is returned, for the caller to report once the
    /// session is shown.
    async fn mount_card(self: &Rc<Self>) -> CardMount {
        // Enter in a card field pays, as the pay button does.
        let this = Rc::downgrade(self);
        let on_submit = ComponentCallback::new(move |_: JsValue| -> JsValue {
            if let Some(this) = this.upgrade() {
                spawn_local(async move { this.pay_card().await });
            }
            JsValue::UNDEFINED
        });
        let options = payload(&[
            ("clientKey", self.options.client_key.as_str().into()),
            ("environment", self.options.environment.as_str().into()),
            ("locale", self.options.lang.as_str().into()),
            ("translations", self.translations()),
            ("sessionId", self.options.session_id.as_str().into()),
            ("holderName", "optional".into()),
            ("onSubmit", on_submit.as_ref().clone()),
        ]);
        self.component_callbacks.borrow_mut().push(on_submit);
        // A failing mount emits its own `error` on the card's root and rejects; the checkout
        // reports the rejection once the session is shown (or reports the session's own
        // failure instead). Until then the card's error stays inside the checkout: one
        // failure, one `error` event.
        let _quiet = EventListener::new(&self.view.card_panel, "paykka:error", |event| {
            event.stop_propagation();
        });
        // Built here, without styles: the card's options need no reading of a merchant's.
        let options = CardOptions::read_without_styles(&options.into())
            .map_err(|e| (e.code.to_owned(), e.message.clone()))?;
        match CardForm::mount(self.view.card_panel.clone(), options).await {
            Ok(card) => {
                *self.card.borrow_mut() = Some(card);
                Ok(())
            }
            Err(error) => Err((
                text_of(&error, &["code"]).unwrap_or_else(|| "CARD_FIELDS_FAILED".into()),
                text_of(&error, &["message"]).unwrap_or_default(),
            )),
        }
    }

    /// A wallet button (from its wallet's bundle) whose `onAuthorized` pays the session;
    /// whether it shows.
    async fn mount_wallet(self: &Rc<Self>, method: Method) -> bool {
        let on_authorized = self.promise_callback(Inner::pay_wallet);
        let on_validate_merchant = self.promise_callback(Inner::merchant_session);
        let (minor, currency) = self.amount.borrow().clone();
        let merchant_id = self.merchant_id.borrow().clone();
        let setup = WalletSetup {
            minor,
            currency: &currency,
            country_code: &self.options.country_code,
            label: self.view.texts.get("total"),
            lang: &self.options.lang,
            merchant_id: &merchant_id,
            on_authorized: on_authorized.as_ref(),
            on_validate_merchant: on_validate_merchant.as_ref(),
        };
        let panel = match method {
            Method::ApplePay => &self.view.apple_panel,
            _ => &self.view.google_panel,
        };
        let button = WalletButton::mount(method, panel, &setup).await;
        self.component_callbacks
            .borrow_mut()
            .extend([on_authorized, on_validate_merchant]);
        let shown = button.is_some();
        self.wallets.borrow_mut().extend(button);
        shown
    }

    /// A callback for a component that answers with a promise: `act` on the checkout, or a
    /// rejection once the checkout is gone.
    fn promise_callback<Act, Answer>(self: &Rc<Self>, act: Act) -> ComponentCallback
    where
        Act: Fn(Rc<Self>, JsValue) -> Answer + 'static,
        Answer: Future<Output = Result<JsValue, JsValue>> + 'static,
    {
        let this = Rc::downgrade(self);
        ComponentCallback::new(move |value: JsValue| -> JsValue {
            match this.upgrade() {
                Some(this) => future_to_promise(act(this, value)).into(),
                None => js_sys::Promise::reject(&"the checkout is gone".into()).into(),
            }
        })
    }

    /// A wallet's token pays the session; the answer shows in the checkout as a card
    /// payment's would, and goes back to the wallet's sheet.
    async fn pay_wallet(self: Rc<Self>, detail: JsValue) -> Result<JsValue, JsValue> {
        let payment = member(&detail, "payment").unwrap_or(JsValue::NULL);
        let result = self
            .api
            .pay(&payment, &JsValue::UNDEFINED, wallets::PAY_TIMEOUT_MS)
            .await;
        let answer = wallets::answer(&result);
        self.handle(result);
        answer
    }

    /// Apple Pay's merchant session, from the session API. A refusal closes the sheet with
    /// the button's error, and the checkout says why (expired, paid meanwhile,
    /// unreachable…) as for any refused call.
    async fn merchant_session(self: Rc<Self>, request: JsValue) -> Result<JsValue, JsValue> {
        let url = wallets::validation_url(&request).ok_or("no validationURL")?;
        let session = self
            .api
            .apple_pay_session(&url, wallets::VALIDATION_TIMEOUT_MS)
            .await;
        session.map_err(|refusal| {
            self.handle(Err(refusal));
            js_sys::Error::new("merchant validation was refused").into()
        })
    }

    /// Pays with the card fields.
    async fn pay_card(self: Rc<Self>) {
        if self.busy.replace(true) {
            return;
        }
        let _ = self.view.set_busy(true);
        self.view.set_state("paying");
        let promise = self
            .card
            .borrow()
            .as_ref()
            .map(|c| JsValue::from(c.encrypt()));
        let Some(promise) = promise else {
            return self.idle();
        };
        match JsFuture::from(js_sys::Promise::from(promise)).await {
            Ok(encrypted) => {
                self.emit("submit", &[("valid", true.into())]);
                let payment = member(&encrypted, "payment").unwrap_or(JsValue::NULL);
                let browser = member(&encrypted, "browserInfo").unwrap_or(JsValue::NULL);
                let result = self.api.pay(&payment, &browser, TIMEOUT_MS).await;
                self.handle(result);
            }
            Err(error) => {
                let code = text_of(&error, &["code"]).unwrap_or_default();
                if code == "VALIDATION" {
                    let fields = member(&error, "fields").unwrap_or(JsValue::NULL);
                    let errors = member(&error, "errors").unwrap_or(JsValue::NULL);
                    self.emit(
                        "submit",
                        &[
                            ("valid", false.into()),
                            ("fields", fields),
                            ("errors", errors),
                        ],
                    );
                } else {
                    self.error(&code, &text_of(&error, &["message"]).unwrap_or_default());
                }
                self.idle();
            }
        }
    }

    /// Pays with a redirect method: the shopper approves on the method's page.
    async fn pay_redirect(self: Rc<Self>) {
        let Some(method) = self.selected.get().filter(|m| m.is_redirect()) else {
            return;
        };
        if self.busy.replace(true) {
            return;
        }
        let _ = self.view.set_busy(true);
        let payment = payload(&[("payment_method", method.code().into())]);
        let result = self
            .api
            .pay(&payment.into(), &JsValue::UNDEFINED, TIMEOUT_MS)
            .await;
        self.handle(result);
    }

    fn idle(&self) {
        self.busy.set(false);
        let _ = self.view.set_busy(false);
        self.view.set_state("ready");
    }

    /// Acts on a pay or result answer.
    fn handle(self: &Rc<Self>, result: Result<SessionView, ApiError>) {
        let next = self.coordinator.on_answer(&result, self.selected.get());
        self.carry_out(next);
    }

    /// Does what the coordinator decided.
    fn carry_out(self: &Rc<Self>, next: Next) {
        match next {
            Next::Paid { status, order_id } => self.paid(&status, order_id.as_deref()),
            Next::Expired => self.expired(),
            Next::Locked => self.locked(),
            Next::Authenticate { url, leave_page } => self.action(url, leave_page),
            Next::Declined { code, message } => self.declined(&code, &message),
            Next::Ready => self.idle(),
            Next::LookAgain => {
                let this = self.clone();
                spawn_local(async move {
                    let result = this.api.result().await;
                    this.handle(result);
                });
            }
            Next::Refused {
                code,
                message,
                text,
            } => {
                self.idle();
                let message = text.map_or(message.as_str(), |key| self.view.texts.get(key));
                self.view.alert(message);
                self.error(&code, message);
            }
            Next::Unreachable { timed_out } => {
                self.idle();
                let message = self.view.texts.get("networkError");
                self.view.alert(message);
                if timed_out {
                    self.emit("timeout", &[]);
                }
                self.error("NETWORK_ERROR", message);
            }
        }
    }

    fn declined(&self, code: &str, message: &str) {
        self.idle();
        self.view
            .alert(&self.view.texts.fill("declined", "reason", message));
        self.view.set_state("declined");
        self.emit(
            "paymentFailed",
            &[("code", code.into()), ("message", message.into())],
        );
    }

    /// Removes the card fields (the session cannot take a card payment now).
    fn drop_card(&self) {
        if let Some(card) = self.card.borrow_mut().take() {
            card.unmount();
        }
    }

    fn paid(&self, status: &str, order_id: Option<&str>) {
        self.stop_polling();
        self.drop_card();
        let _ = self
            .view
            .show_result("paid", self.view.texts.get("paid"), None);
        let order = order_id.map_or(JsValue::NULL, JsValue::from);
        let return_url = self
            .return_url
            .borrow()
            .as_deref()
            .map_or(JsValue::NULL, JsValue::from);
        let pairs = [
            ("status", JsValue::from(status)),
            ("orderId", order),
            ("returnUrl", return_url),
        ];
        self.emit("paymentCompleted", &pairs);
        self.emit("success", &pairs);
    }

    /// The session takes no more attempts: the form goes, the reason stays.
    fn locked(&self) {
        self.stop_polling();
        self.drop_card();
        let message = self.view.texts.get("locked");
        let _ = self.view.show_result("locked", message, None);
        self.error(TOO_MANY_ATTEMPTS, message);
    }

    fn expired(&self) {
        self.stop_polling();
        self.drop_card();
        let _ = self
            .view
            .show_result("expired", self.view.texts.get("expired"), None);
        self.emit("expired", &[]);
    }

    /// 3-D Secure or a redirect method's approval.
    fn action(self: &Rc<Self>, url: String, leave_page: bool) {
        self.emit("actionRequired", &[("url", url.as_str().into())]);
        *self.action_url.borrow_mut() = Some(url.clone());
        if leave_page {
            self.view.say(self.view.texts.get("redirecting"));
            if let Ok(win) = window() {
                let _ = win.location().assign(&url);
            }
            return;
        }
        self.open_modal(&url);
    }

    fn open_modal(self: &Rc<Self>, url: &str) {
        self.view.set_state("authenticating");
        self.view.say(self.view.texts.get("authWaiting"));
        let this = Rc::downgrade(self);
        let cancel = move || {
            if let Some(this) = this.upgrade() {
                this.cancel_modal();
            }
        };
        match Modal::open(&self.view.texts, url, cancel) {
            Ok(modal) => *self.modal.borrow_mut() = Some(modal),
            Err(_) => {
                self.error("MODAL_FAILED", "the authentication dialog could not open");
                return;
            }
        }
        let generation = self.poll_generation.get() + 1;
        self.poll_generation.set(generation);
        let this = self.clone();
        spawn_local(async move {
            while this.poll_generation.get() == generation {
                gloo_timers::future::TimeoutFuture::new(POLL_MS).await;
                if this.poll_generation.get() != generation {
                    break;
                }
                let result = this.api.result().await;
                if this.coordinator.poll_settled(&result) {
                    this.stop_polling();
                    this.handle(result);
                }
            }
        });
    }

    /// The shopper closed the dialog: nothing is charged until the bank answers; they may
    /// continue where they left off.
    fn cancel_modal(self: &Rc<Self>) {
        self.stop_polling();
        let message = self.view.texts.get("authCancelled");
        let _ = self.view.show_result(
            "authCancelled",
            message,
            Some(self.view.texts.get("authResume")),
        );
        self.error("AUTHENTICATION_CANCELLED", message);
        let this = Rc::downgrade(self);
        let resume = EventListener::once(&self.view.result_button, "click", move |_| {
            let Some(this) = this.upgrade() else { return };
            let url = this.action_url.borrow().clone();
            if let Some(url) = url {
                this.open_modal(&url);
            }
        });
        self.listeners.borrow_mut().push(resume);
    }

    fn stop_polling(&self) {
        self.poll_generation.set(self.poll_generation.get() + 1);
        if let Some(modal) = self.modal.borrow_mut().take() {
            modal.close();
        }
    }

    fn load_failed(self: &Rc<Self>, error: ApiError) {
        // A retry mounts them again once the session is known.
        self.drop_card();
        match error {
            ApiError::Refused { code, message } => {
                let _ = self
                    .view
                    .show_result("notFound", self.view.texts.get("notFound"), None);
                self.error(&code, &message);
            }
            ApiError::Unreachable | ApiError::Timeout => {
                let message = self.view.texts.get("networkError");
                let _ = self.view.show_result(
                    "networkError",
                    message,
                    Some(self.view.texts.get("retry")),
                );
                self.error("NETWORK_ERROR", message);
                let this = Rc::downgrade(self);
                let retry = EventListener::once(&self.view.result_button, "click", move |_| {
                    let Some(this) = this.upgrade() else { return };
                    spawn_local(async move {
                        this.view.set_state("loading");
                        match this.api.session().await {
                            Ok(session) => {
                                let _ = this.view.restore_form();
                                let _ = this.show_session(session, None).await;
                            }
                            Err(error) => this.load_failed(error),
                        }
                    });
                });
                self.listeners.borrow_mut().push(retry);
            }
        }
    }

    fn teardown(&self) {
        self.stop_polling();
        self.listeners.borrow_mut().clear();
        self.drop_card();
        for wallet in self.wallets.borrow_mut().drain(..) {
            wallet.unmount();
        }
        self.view.root.remove();
    }
}

/// The drop-in checkout. `await Checkout.mount('#checkout', { sessionId, clientKey, … })`.
#[wasm_bindgen]
pub struct Checkout {
    inner: Rc<Inner>,
}

#[wasm_bindgen]
impl Checkout {
    /// Loads the session and shows the checkout. Rejects with `INVALID_OPTION` or
    /// `HOLDER_MISSING`; a session that cannot be loaded is shown (and reported as `error`).
    pub async fn mount(
        target: MountTarget,
        options: CheckoutOptionsJs,
    ) -> Result<Checkout, JsValue> {
        let options = with_pack(&options).await;
        let options = CheckoutOptions::read(&options).map_err(JsValue::from)?;
        let target = resolve_target(&target).map_err(JsValue::from)?;
        let texts = CheckoutTexts::new(options.locale, options.translations.clone());
        let view = View::build(&target, texts, &options.lang, &options.session_id)?;
        let dispatcher = Dispatcher::new(view.root.clone(), options.callbacks.clone());
        let api = SessionApi {
            base: options.base.clone(),
            client_key: options.client_key.clone(),
            session_id: options.session_id.clone(),
        };
        let coordinator = Coordinator {
            three_ds: options.three_ds,
            hide_pay_button: options.hide_pay_button,
        };
        let inner = Rc::new(Inner {
            options,
            coordinator,
            api,
            view,
            dispatcher,
            card: RefCell::new(None),
            wallets: RefCell::new(Vec::new()),
            selected: Cell::new(None),
            busy: Cell::new(false),
            modal: RefCell::new(None),
            poll_generation: Cell::new(0),
            action_url: RefCell::new(None),
            amount: RefCell::new((0, String::new())),
            merchant_id: RefCell::new(String::new()),
            return_url: RefCell::new(None),
            listeners: RefCell::new(Vec::new()),
            component_callbacks: RefCell::new(Vec::new()),
        });
        // The card fields need nothing from the session: they mount while it loads, unless
        // the merchant asked for no card.
        let (session, card) = if inner.options.wants(Method::Card.code()) {
            let loading = pin!(inner.api.session());
            let mounting = pin!(inner.mount_card());
            match select(loading, mounting).await {
                Either::Left((Ok(session), mounting)) => (Ok(session), Some(mounting.await)),
                // No session to pay: the half-mounted fields are dropped with `mounting` as
                // this block ends, before they can report anything.
                Either::Left((Err(error), _)) => (Err(error), None),
                Either::Right((card, loading)) => (loading.await, Some(card)),
            }
        } else {
            (inner.api.session().await, None)
        };
        match session {
            Ok(session) => inner.show_session(session, card).await?,
            Err(error) => inner.load_failed(error),
        }
        Ok(Checkout { inner })
    }

    /// Pays with the card fields, as the built-in pay button does (for `hidePayButton`).
    pub fn pay(&self) {
        let inner = self.inner.clone();
        spawn_local(async move { inner.pay_card().await });
    }

    /// Removes the checkout, its fields, buttons, dialog and listeners.
    pub fn unmount(&self) {
        self.inner.teardown();
    }
}

impl Drop for Checkout {
    fn drop(&mut self) {
        self.inner.teardown();
    }
}
