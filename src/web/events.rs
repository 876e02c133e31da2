//! The one event stream to the host page: each event goes to its `onX` callback and, as a
//! `paykka:<name>` CustomEvent (bubbles, composed), to the component's root element.
//! Payloads are built from reports only: no card number, CVV or expiry can get in.

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, Element};

use crate::card::cvc::cvc_lengths;
use crate::card::Brand;
use crate::form::coordinator::{Coordinator, Event};
use crate::form::field::FieldKind;

/// Sends events to callbacks and as DOM events.
pub struct Dispatcher {
    root: Element,
    callbacks: Vec<(&'static str, Function)>,
}

/// Sets a plain data property (on a fresh object this cannot fail).
pub fn set(o: &Object, key: &str, value: impl Into<JsValue>) {
    set_value(o, key, value.into());
}

/// `set`'s one body: every call site shares it rather than inlining the conversions.
#[inline(never)]
fn set_value(o: &Object, key: &str, value: JsValue) {
    let _ = Reflect::set(o, &JsValue::from_str(key), &value);
}

fn opt_str(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from_str)
}

/// A payload object with its `field` member.
pub fn payload(field: Option<FieldKind>) -> Object {
    let o = Object::new();
    set(&o, "field", opt_str(field.map(FieldKind::id)));
    o
}

impl Dispatcher {
    pub fn new(root: Element, callbacks: Vec<(&'static str, Function)>) -> Self {
        Dispatcher { root, callbacks }
    }

    pub fn emit(&self, name: &str, detail: &Object) {
        if let Some((_, callback)) = self.callbacks.iter().find(|(n, _)| *n == name) {
            // A throwing merchant callback must not break the component.
            let _ = callback.call1(&JsValue::UNDEFINED, detail);
        }
        let init = CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(detail);
        if let Ok(event) = CustomEvent::new_with_event_init_dict(&["paykka:", name].concat(), &init)
        {
            let _ = self.root.dispatch_event(&event);
        }
    }

    pub fn emit_error(&self, code: &str, message: &str, field: Option<FieldKind>) {
        let detail = payload(field);
        set(&detail, "code", code);
        set(&detail, "message", message);
        self.emit("error", &detail);
    }

    /// Emits a coordinator event with its payload.
    pub fn emit_event(&self, event: &Event, coordinator: &Coordinator) {
        match event {
            Event::Focus(kind) => self.emit("focus", &payload(Some(*kind))),
            Event::Blur(kind) => self.emit("blur", &payload(Some(*kind))),
            Event::Change(kind) => self.emit("change", &state_payload(Some(*kind), coordinator)),
            Event::Brand(brand) => self.emit("brand", &brand_payload(*brand)),
            Event::BinValue(bin) => {
                let detail = payload(Some(FieldKind::CardNumber));
                set(&detail, "bin", opt_str(bin.as_deref()));
                self.emit("binValue", &detail);
            }
            Event::FieldValid {
                field,
                valid,
                last4,
            } => {
                let detail = payload(Some(*field));
                set(&detail, "valid", *valid);
                set(&detail, "last4", opt_str(last4.as_deref()));
                self.emit("fieldValid", &detail);
            }
            Event::AllValid(valid) => {
                let detail = payload(None);
                set(&detail, "valid", *valid);
                self.emit("allValid", &detail);
            }
        }
    }
}

fn brand_payload(brand: Option<Brand>) -> Object {
    let detail = payload(Some(FieldKind::CardNumber));
    set(&detail, "brand", opt_str(brand.map(Brand::id)));
    set(
        &detail,
        "codeName",
        opt_str(brand.map(|b| b.rules().code_name)),
    );
    let lengths: js_sys::Array = cvc_lengths(brand)
        .iter()
        .map(|n| JsValue::from(*n as u32))
        .collect();
    set(&detail, "codeLengths", lengths);
    detail
}

/// The whole state: every field's state, plus validity and brand.
pub fn state_payload(field: Option<FieldKind>, coordinator: &Coordinator) -> Object {
    let detail = payload(field);
    set(&detail, "isValid", coordinator.all_valid());
    set(
        &detail,
        "brand",
        opt_str(coordinator.brand().map(Brand::id)),
    );
    let fields = Object::new();
    for kind in coordinator.fields() {
        let Some(report) = coordinator.report(*kind) else {
            continue;
        };
        let state = Object::new();
        set(&state, "state", report.validity.state());
        set(&state, "empty", report.empty);
        set(&state, "focused", report.focused);
        set(&state, "valid", report.validity.is_valid());
        set(
            &state,
            "potentiallyValid",
            report.validity.error().is_none(),
        );
        set(
            &state,
            "error",
            opt_str(report.shown_error.map(|e| e.code())),
        );
        set(&fields, kind.id(), state);
    }
    set(&detail, "fields", fields);
    detail
}
