//! The host side of a mounted card form: it links to each field (inline view or secure
//! frame), feeds their reports to the coordinator, emits events, keeps the holders' state
//! classes and the live region true, and gathers `encrypt()` answers.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use js_sys::{Array, Function, Object};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, MessageEvent};

use crate::card::FieldError;
use crate::form::coordinator::Coordinator;
use crate::form::field::FieldKind;
use crate::form::field_map::FieldMap;
use crate::form::i18n::Texts;
use crate::web::error::paykka_error;

use super::holders::Holders;
use super::links::{FieldLink, FieldLinks};
use super::live_region::LiveRegion;
use super::result::encrypt_result;
use crate::web::events::{payload, set, Dispatcher};
use crate::web::protocol::{Failure, FieldCommand, FieldMessage, Slot};

#[cfg(feature = "card-fields")]
mod update;

/// What `encrypt()` and `update()` reject with when a frame does not answer in time.
const NO_ANSWER: (&str, &str) = ("FRAME_TIMEOUT", "the secure fields did not answer");

/// How a promise the host handed out (`mount()`'s, `encrypt()`'s, `update()`'s) settles.
struct Settle {
    resolve: Function,
    reject: Function,
}

impl Settle {
    fn resolve(self, value: &JsValue) {
        let _ = self.resolve.call1(&JsValue::UNDEFINED, value);
    }

    fn reject(self, error: &JsValue) {
        let _ = self.reject.call1(&JsValue::UNDEFINED, error);
    }
}

/// The number after the one `last` holds, which it then holds: requests and configures
/// are numbered from 1 (0 is never handed out, and means "the first configure").
fn next_number(last: &Cell<u32>) -> u32 {
    let n = last.get().wrapping_add(1).max(1);
    last.set(n);
    n
}

/// The error a promise settles with once the form is removed.
fn unmounted() -> JsValue {
    paykka_error("UNMOUNTED", "the card form was unmounted", None)
}

/// An `encrypt()` call waiting for its fields.
struct Pending {
    request: u32,
    waiting: FieldMap<()>,
    values: Vec<(Slot, String)>,
    invalid: Vec<(FieldKind, FieldError)>,
    failed: Option<Failure>,
    settle: Settle,
    _timeout: Option<Timeout>,
}

/// Resolves or rejects `mount()` once every frame is ready.
struct MountWaiter {
    settle: Settle,
    _timeout: Timeout,
}

/// A mounted form's host.
pub struct Host {
    pub root: Element,
    holders: Holders,
    links: FieldLinks,
    coordinator: RefCell<Coordinator>,
    pub dispatcher: Dispatcher,
    live: LiveRegion,
    auto_focus: Cell<bool>,
    /// The merchant's options as they stand (for `update()`).
    #[cfg(feature = "card-fields")]
    options: RefCell<JsValue>,
    /// The last `encrypt()` request's number.
    last_request: Cell<u32>,
    pending: RefCell<Option<Pending>>,
    ready: RefCell<FieldMap<()>>,
    mount_waiter: RefCell<Option<MountWaiter>>,
    /// `update()`s the frames are checking (the checkout's card is never updated).
    #[cfg(feature = "card-fields")]
    updates: update::Updates,
    listeners: RefCell<Vec<EventListener>>,
    torn_down: Cell<bool>,
}

/// What a host is built from.
pub struct HostParts {
    pub root: Element,
    pub holders: FieldMap<Element>,
    pub added: Vec<Element>,
    pub coordinator: Coordinator,
    pub dispatcher: Dispatcher,
    pub texts: Texts,
    pub live: Element,
    pub auto_focus: bool,
    pub secure_origin: Option<String>,
    pub frame_options: Option<Object>,
    pub options: JsValue,
}

impl Host {
    pub fn new(parts: HostParts) -> Rc<Host> {
        Rc::new(Host {
            root: parts.root,
            holders: Holders::new(parts.holders, parts.added),
            links: FieldLinks::new(parts.secure_origin, parts.frame_options),
            coordinator: RefCell::new(parts.coordinator),
            dispatcher: parts.dispatcher,
            live: LiveRegion::new(parts.live, parts.texts),
            auto_focus: Cell::new(parts.auto_focus),
            #[cfg(feature = "card-fields")]
            options: RefCell::new(parts.options),
            last_request: Cell::new(0),
            pending: RefCell::new(None),
            ready: RefCell::new(FieldMap::new()),
            mount_waiter: RefCell::new(None),
            #[cfg(feature = "card-fields")]
            updates: update::Updates::default(),
            listeners: RefCell::new(Vec::new()),
            torn_down: Cell::new(false),
        })
    }

    pub fn fields(&self) -> Vec<FieldKind> {
        self.coordinator.borrow().fields().to_vec()
    }

    /// The holder element of `kind` (found or built at mount).
    pub fn holder(&self, kind: FieldKind) -> Result<Element, JsValue> {
        self.holders
            .get(kind)
            .cloned()
            .ok_or_else(|| JsValue::from_str("no holder"))
    }

    pub fn add_link(&self, kind: FieldKind, link: FieldLink) {
        self.links.add(kind, link);
    }

    pub fn remember_node(&self, node: Element) {
        self.holders.remember(node);
    }

    pub fn keep_listener(&self, listener: EventListener) {
        self.listeners.borrow_mut().push(listener);
    }

    pub fn ignored_messages(&self) -> u32 {
        self.links.ignored()
    }

    pub fn is_torn_down(&self) -> bool {
        self.torn_down.get()
    }

    /// Sends a command to a field, wherever it lives.
    pub fn send(&self, kind: FieldKind, command: FieldCommand) {
        self.links.send(kind, command);
    }

    /// Handles a message from a field (called directly inline, from `message` events in
    /// frames mode after the origin and channel checks).
    pub fn on_message(self: &Rc<Self>, kind: FieldKind, message: FieldMessage) {
        if self.torn_down.get() {
            return;
        }
        match message {
            FieldMessage::Hello => self.links.configure(kind, 0),
            FieldMessage::Ready => self.on_ready(kind),
            FieldMessage::Report(report) => {
                if report.kind != kind {
                    return;
                }
                self.holders.show(kind, &report);
                self.live.announce(kind, report.shown_error);
                let (events, commands) = {
                    let mut coordinator = self.coordinator.borrow_mut();
                    let events = coordinator.on_report(report);
                    let commands = coordinator.commands_for(&events);
                    (events, commands)
                };
                for (field, command) in commands {
                    self.send(field, command);
                }
                for event in &events {
                    let coordinator = self.coordinator.borrow().clone();
                    self.dispatcher.emit_event(event, &coordinator);
                }
            }
            FieldMessage::Complete => {
                if self.auto_focus.get() {
                    let next = self.coordinator.borrow().next_field(kind);
                    if let Some(next) = next {
                        self.send(next, FieldCommand::Focus);
                    }
                }
            }
            FieldMessage::Enter => self.dispatcher.emit("submit", &payload(Some(kind))),
            FieldMessage::Rejected(_) => {
                self.live.say_text("form.pasteRejected");
            }
            FieldMessage::Height(height) => self.links.set_height(kind, height),
            FieldMessage::Encrypted { request, values } => {
                self.on_answer(kind, request, |p| p.values.extend(values));
            }
            FieldMessage::Invalid { request, error } => {
                self.on_answer(kind, request, |p| p.invalid.push((kind, error)));
            }
            FieldMessage::Failed {
                request: 0,
                failure,
            } => {
                // A frame could not set itself up (origin refused, key unusable…).
                self.fail_mount(failure.code(), failure.message(), Some(kind));
            }
            FieldMessage::Failed { request, failure } => {
                self.on_answer(kind, request, |p| p.failed = Some(failure));
            }
            // The first options refused: the form cannot be shown as asked.
            FieldMessage::Refused { update: 0, reason } => {
                self.fail_mount("INVALID_OPTION", &reason, Some(kind));
            }
            #[cfg(feature = "card-fields")]
            FieldMessage::Refused { update, reason } => {
                self.update_failed(update, "INVALID_OPTION", &reason);
            }
            #[cfg(not(feature = "card-fields"))]
            FieldMessage::Refused { .. } | FieldMessage::Configured { .. } => {}
            #[cfg(feature = "card-fields")]
            FieldMessage::Configured { update } => self.update_taken(kind, update),
        }
    }

    /// Sets the disabled class on every holder.
    pub fn set_disabled(&self, disabled: bool) {
        self.holders.set_disabled(disabled);
        for kind in self.fields() {
            self.send(kind, FieldCommand::Disable(disabled));
        }
    }

    fn on_ready(&self, kind: FieldKind) {
        let all_ready = {
            let mut ready = self.ready.borrow_mut();
            ready.insert(kind, ());
            self.links.frames_ready(&ready)
        };
        let waiter = if all_ready {
            self.mount_waiter.borrow_mut().take()
        } else {
            None
        };
        if let Some(waiter) = waiter {
            waiter.settle.resolve(&JsValue::UNDEFINED);
        }
    }

    /// A promise that settles when every frame is ready, or fails after `timeout_ms`.
    pub fn wait_for_frames(self: &Rc<Self>, timeout_ms: u32) -> js_sys::Promise {
        let weak = Rc::downgrade(self);
        js_sys::Promise::new(&mut |resolve, reject| {
            let weak = weak.clone();
            let timeout = Timeout::new(timeout_ms, move || {
                if let Some(host) = weak.upgrade() {
                    host.fail_mount(
                        "FRAME_TIMEOUT",
                        "the secure fields did not load in time: check the environment URL and that the secure origin serves /frames/<client key>/field.html",
                        None,
                    );
                }
            });
            *self.mount_waiter.borrow_mut() = Some(MountWaiter {
                settle: Settle { resolve, reject },
                _timeout: timeout,
            });
        })
    }

    /// Setup failed: error event, mount rejected, everything removed.
    pub fn fail_mount(&self, code: &str, message: &str, field: Option<FieldKind>) {
        self.dispatcher.emit_error(code, message, field);
        let waiter = self.mount_waiter.borrow_mut().take();
        if let Some(waiter) = waiter {
            waiter
                .settle
                .reject(&paykka_error(code, message, field.map(FieldKind::id)));
        }
        self.teardown();
    }

    /// Listens for the frames' messages and watches them for reloads.
    pub fn listen_to_frames(self: &Rc<Self>) -> Result<(), JsValue> {
        let window = crate::web::dom::window()?;
        let weak = Rc::downgrade(self);
        self.keep_listener(EventListener::new(&window, "message", move |event| {
            let (Some(host), Some(event)) = (weak.upgrade(), event.dyn_ref::<MessageEvent>())
            else {
                return;
            };
            host.on_window_message(event);
        }));
        for (kind, iframe) in self.links.frames() {
            let weak = Rc::downgrade(self);
            self.keep_listener(EventListener::new(&iframe, "load", move |_| {
                let Some(host) = weak.upgrade() else { return };
                if host.links.count_load(kind) > 1 {
                    host.frame_navigated(kind);
                }
            }));
        }
        Ok(())
    }

    fn frame_navigated(&self, kind: FieldKind) {
        let message = "a secure field reloaded or navigated; the card form was removed for safety";
        if self.mount_waiter.borrow().is_some() {
            self.fail_mount("FRAME_NAVIGATED", message, Some(kind));
        } else {
            self.dispatcher
                .emit_error("FRAME_NAVIGATED", message, Some(kind));
            self.teardown();
        }
    }

    /// A frame's message, once `links` has checked where it comes from.
    fn on_window_message(self: &Rc<Self>, event: &MessageEvent) {
        if let Some((field, message)) = self.links.open(event) {
            self.on_message(field, message);
        }
    }

    /// Starts an `encrypt()`: every field validates and encrypts; the promise settles
    /// when all have answered.
    pub fn encrypt(self: &Rc<Self>, timeout_ms: u32) -> js_sys::Promise {
        let request = next_number(&self.last_request);
        let fields = self.fields();
        let weak = Rc::downgrade(self);
        let promise = js_sys::Promise::new(&mut |resolve, reject| {
            let settle = Settle { resolve, reject };
            if self.torn_down.get() {
                return settle.reject(&unmounted());
            }
            let previous = self.pending.borrow_mut().take();
            if let Some(previous) = previous {
                previous.settle.reject(&paykka_error(
                    "SUPERSEDED",
                    "a newer encrypt() call replaced this one",
                    None,
                ));
            }
            let weak = weak.clone();
            let timeout = Timeout::new(timeout_ms, move || {
                if let Some(host) = weak.upgrade() {
                    let pending = host.pending.borrow_mut().take();
                    if let Some(p) = pending {
                        let (code, message) = NO_ANSWER;
                        p.settle.reject(&paykka_error(code, message, None));
                    }
                }
            });
            *self.pending.borrow_mut() = Some(Pending {
                request,
                waiting: fields.iter().map(|k| (*k, ())).collect(),
                values: Vec::new(),
                invalid: Vec::new(),
                failed: None,
                settle,
                _timeout: Some(timeout),
            });
        });
        for kind in fields {
            self.send(kind, FieldCommand::Encrypt(request));
        }
        promise
    }

    fn on_answer(
        self: &Rc<Self>,
        kind: FieldKind,
        request: u32,
        record: impl FnOnce(&mut Pending),
    ) {
        let finished = {
            let mut pending = self.pending.borrow_mut();
            let Some(p) = pending.as_mut().filter(|p| p.request == request) else {
                return;
            };
            if p.waiting.remove(kind).is_none() {
                return;
            }
            record(p);
            if p.waiting.is_empty() {
                pending.take()
            } else {
                None
            }
        };
        if let Some(p) = finished {
            self.settle(p);
        }
    }

    fn settle(self: &Rc<Self>, p: Pending) {
        if let Some(failure) = p.failed {
            let error = paykka_error(failure.code(), failure.message(), None);
            self.dispatcher
                .emit_error(failure.code(), failure.message(), None);
            p.settle.reject(&error);
            return;
        }
        if !p.invalid.is_empty() {
            // In focus order, so the first one gets focus.
            let invalid: Vec<(FieldKind, FieldError)> = self
                .fields()
                .into_iter()
                .filter_map(|k| p.invalid.iter().find(|(i, _)| *i == k).copied())
                .collect();
            if let Some((first, _)) = invalid.first() {
                self.send(*first, FieldCommand::Focus);
            }
            let message = self.live.say_text("form.invalid");
            let error = paykka_error("VALIDATION", &message, None);
            let fields: Array = invalid
                .iter()
                .map(|(k, _)| JsValue::from_str(k.id()))
                .collect();
            // Each field's problem as the shopper sees it (PayKKa's SDK passes these).
            let errors: Array = invalid
                .iter()
                .map(|(kind, field_error)| {
                    let problem = payload(Some(*kind));
                    set(&problem, "code", field_error.code());
                    set(
                        &problem,
                        "message",
                        self.live.error_text(*kind, *field_error).as_str(),
                    );
                    JsValue::from(problem)
                })
                .collect();
            let _ = js_sys::Reflect::set(&error, &"fields".into(), &fields);
            let _ = js_sys::Reflect::set(&error, &"errors".into(), &errors);
            let detail = payload(invalid.first().map(|(k, _)| *k));
            set(&detail, "code", "VALIDATION");
            set(&detail, "message", message.as_str());
            set(&detail, "fields", fields);
            set(&detail, "errors", errors);
            self.dispatcher.emit("error", &detail);
            p.settle.reject(&error);
            return;
        }
        let result = encrypt_result(
            &p.values,
            self.coordinator.borrow().report(FieldKind::CardNumber),
        );
        let detail = payload(None);
        let coordinator = self.coordinator.borrow().clone();
        let number = coordinator.report(FieldKind::CardNumber);
        set(
            &detail,
            "brand",
            number
                .and_then(|r| r.brand)
                .map_or(JsValue::NULL, |b| b.id().into()),
        );
        set(
            &detail,
            "last4",
            number
                .and_then(|r| r.last4.clone())
                .map_or(JsValue::NULL, JsValue::from),
        );
        self.dispatcher.emit("encrypted", &detail);
        p.settle.resolve(&result);
    }

    /// Whether every field is acceptable right now.
    pub fn is_valid(&self) -> bool {
        self.coordinator.borrow().all_valid()
    }

    /// The whole state, as in `change` events.
    pub fn state(&self) -> Object {
        crate::web::events::state_payload(None, &self.coordinator.borrow())
    }

    /// Removes every node and listener this component added; settles what is pending.
    pub fn teardown(&self) {
        if self.torn_down.replace(true) {
            return;
        }
        self.listeners.borrow_mut().clear();
        self.links.clear();
        self.holders.clear();
        // Whatever was still to settle is rejected: the form is gone.
        let pending = self.pending.borrow_mut().take().map(|p| p.settle);
        let waiter = self.mount_waiter.borrow_mut().take().map(|w| w.settle);
        #[cfg(feature = "card-fields")]
        let update = self.updates.abandon_any();
        #[cfg(not(feature = "card-fields"))]
        let update = None;
        for settle in [pending, waiter, update].into_iter().flatten() {
            settle.reject(&unmounted());
        }
    }
}
