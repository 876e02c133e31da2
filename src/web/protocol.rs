//! The frame protocol on the wire: typed messages (`form::messages`) encoded as plain
//! objects for `postMessage`, tagged with the per-mount channel secret, and received
//! objects read through `MessageData`. In inline mode messages pass as Rust values.

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::card::{Brand, FieldError};
use crate::form::field::FieldKind;
use crate::form::messages::MessageData;

use super::events::set;
pub use crate::form::messages::{
    decode_command, decode_message, open_envelope, Failure, FieldCommand, FieldMessage, Slot,
    VERSION,
};

fn member(o: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(o, &JsValue::from_str(key)).ok()
}

impl MessageData for JsValue {
    fn text(&self, key: &str) -> Option<String> {
        member(self, key)?.as_string()
    }

    fn number(&self, key: &str) -> Option<f64> {
        member(self, key)?.as_f64()
    }

    fn flag(&self, key: &str) -> bool {
        member(self, key).and_then(|v| v.as_bool()).unwrap_or(false)
    }

    fn entries(&self, key: &str) -> Option<Vec<(String, String)>> {
        let object: Object = member(self, key)
            .filter(JsValue::is_object)?
            .unchecked_into();
        Object::keys(&object)
            .iter()
            .map(|k| {
                let k = k.as_string()?;
                let v = object.text(&k)?;
                Some((k, v))
            })
            .collect()
    }
}

fn opt(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from_str)
}

/// The envelope every message shares.
fn envelope(channel: &str, field: FieldKind, kind: &str) -> Object {
    let o = Object::new();
    set(&o, "paykka", VERSION);
    set(&o, "channel", channel);
    set(&o, "field", field.id());
    set(&o, "type", kind);
    o
}

pub fn encode_message(channel: &str, field: FieldKind, message: &FieldMessage) -> JsValue {
    let (kind, members): (&str, Vec<(&str, JsValue)>) = match message {
        FieldMessage::Hello => ("hello", vec![]),
        FieldMessage::Ready => ("ready", vec![]),
        FieldMessage::Complete => ("complete", vec![]),
        FieldMessage::Enter => ("enter", vec![]),
        FieldMessage::Rejected(e) => ("rejected", vec![("error", e.code().into())]),
        FieldMessage::Height(h) => ("height", vec![("height", (*h).into())]),
        FieldMessage::Report(r) => (
            "report",
            vec![
                ("state", r.validity.state().into()),
                (
                    "validityError",
                    opt(r.validity.error().map(FieldError::code)),
                ),
                ("empty", r.empty.into()),
                ("focused", r.focused.into()),
                ("shownError", opt(r.shown_error.map(FieldError::code))),
                ("acceptable", r.acceptable.into()),
                ("brand", opt(r.brand.map(Brand::id))),
                ("bin", opt(r.bin.as_deref())),
                ("last4", opt(r.last4.as_deref())),
                ("revision", f64::from(r.revision).into()),
            ],
        ),
        FieldMessage::Encrypted { request, values } => {
            let slots = Object::new();
            for (slot, value) in values {
                set(&slots, slot.id(), value.as_str());
            }
            (
                "encrypted",
                vec![
                    ("request", f64::from(*request).into()),
                    ("values", slots.into()),
                ],
            )
        }
        FieldMessage::Invalid { request, error } => (
            "invalid",
            vec![
                ("request", f64::from(*request).into()),
                ("error", error.code().into()),
            ],
        ),
        FieldMessage::Failed { request, failure } => (
            "failed",
            vec![
                ("request", f64::from(*request).into()),
                ("code", failure.code().into()),
            ],
        ),
        FieldMessage::Configured { update } => {
            ("configured", vec![("update", f64::from(*update).into())])
        }
        FieldMessage::Refused { update, reason } => (
            "refused",
            vec![
                ("update", f64::from(*update).into()),
                ("reason", reason.as_str().into()),
            ],
        ),
    };
    let envelope = envelope(channel, field, kind);
    for (key, value) in members {
        set(&envelope, key, value);
    }
    envelope.into()
}

pub fn encode_command(channel: &str, field: FieldKind, command: &FieldCommand) -> JsValue {
    let o = match command {
        FieldCommand::Focus => envelope(channel, field, "focus"),
        FieldCommand::Validate => envelope(channel, field, "validate"),
        FieldCommand::Clear => envelope(channel, field, "clear"),
        FieldCommand::Brand(brand) => {
            let o = envelope(channel, field, "brand");
            set(&o, "brand", opt(brand.map(Brand::id)));
            o
        }
        FieldCommand::Disable(disabled) => {
            let o = envelope(channel, field, "disable");
            set(&o, "disabled", *disabled);
            o
        }
        FieldCommand::Encrypt(request) => {
            let o = envelope(channel, field, "encrypt");
            set(&o, "request", f64::from(*request));
            o
        }
    };
    o.into()
}

/// The host's answer to `hello` (number 0), or an `update()`'s options (numbers from 1):
/// the frame's options, which it answers with `configured` or `refused` and the number.
pub fn encode_configure(channel: &str, field: FieldKind, options: &Object, update: u32) -> JsValue {
    let o = envelope(channel, field, "configure");
    set(&o, "options", options);
    set(&o, "update", f64::from(update));
    o.into()
}

/// The options of a `configure` message, and its number (0 when it has none).
pub fn configure_options(data: &JsValue) -> Option<(JsValue, u32)> {
    let options = member(data, "options").filter(JsValue::is_object)?;
    let update = crate::form::messages::number_of(data, "update").unwrap_or(0);
    Some((options, update))
}
