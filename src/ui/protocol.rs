//! What fields and the host say to each other. In inline mode these pass as Rust values;
//! in frames mode they are encoded as plain objects for `postMessage`, tagged with the
//! per-mount channel secret. Nothing here carries card data except `Encrypted` (ciphertext)
//! and the holder name.

use js_sys::{Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::card::{Brand, FieldError, Validity};
use crate::form::field::FieldKind;
use crate::form::model::FieldReport;

/// From a field to the host.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldMessage {
    /// The frame booted and waits for its configuration.
    Hello,
    /// Configured and able to encrypt.
    Ready,
    Report(FieldReport),
    /// Complete and valid: focus may move on.
    Complete,
    /// The shopper pressed Enter.
    Enter,
    /// An edit was refused (e.g. letters pasted).
    Rejected(FieldError),
    /// The frame's content height changed (frames mode).
    Height(f64),
    /// Result slots (`encryptedCardNumber`…, `holderName`) for an encrypt request.
    Encrypted {
        request: u32,
        values: Vec<(String, String)>,
    },
    /// The field is invalid, so nothing was encrypted.
    Invalid {
        request: u32,
        error: FieldError,
    },
    /// A setup or encryption failure with a stable code.
    Failed {
        request: u32,
        code: String,
    },
}

/// From the host to a field.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldCommand {
    Focus,
    Validate,
    Brand(Option<Brand>),
    Clear,
    Disable(bool),
    Encrypt(u32),
}

const VERSION: f64 = 1.0;

fn set(o: &Object, key: &str, value: impl Into<JsValue>) {
    // Plain data properties on a fresh object: cannot fail.
    let _ = Reflect::set(o, &JsValue::from_str(key), &value.into());
}

fn get_str(o: &JsValue, key: &str) -> Option<String> {
    Reflect::get(o, &JsValue::from_str(key)).ok()?.as_string()
}

fn get_num(o: &JsValue, key: &str) -> Option<f64> {
    Reflect::get(o, &JsValue::from_str(key)).ok()?.as_f64()
}

fn get_bool(o: &JsValue, key: &str) -> bool {
    Reflect::get(o, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
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

/// Reads the envelope: the channel must match, the field must be known.
pub fn open_envelope(data: &JsValue, channel: &str) -> Option<(FieldKind, String)> {
    if get_num(data, "paykka") != Some(VERSION)
        || get_str(data, "channel").as_deref() != Some(channel)
    {
        return None;
    }
    let field = FieldKind::from_id(&get_str(data, "field")?)?;
    Some((field, get_str(data, "type")?))
}

pub fn encode_message(channel: &str, field: FieldKind, message: &FieldMessage) -> JsValue {
    let (kind, o) = match message {
        FieldMessage::Hello => ("hello", None),
        FieldMessage::Ready => ("ready", None),
        FieldMessage::Complete => ("complete", None),
        FieldMessage::Enter => ("enter", None),
        FieldMessage::Rejected(e) => (
            "rejected",
            Some(vec![("error", JsValue::from_str(e.code()))]),
        ),
        FieldMessage::Height(h) => ("height", Some(vec![("height", JsValue::from_f64(*h))])),
        FieldMessage::Report(r) => (
            "report",
            Some(vec![
                ("state", JsValue::from_str(r.validity.state())),
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
                ("revision", JsValue::from_f64(f64::from(r.revision))),
            ]),
        ),
        FieldMessage::Encrypted { request, values } => {
            let slots = Object::new();
            for (slot, value) in values {
                set(&slots, slot, value.as_str());
            }
            (
                "encrypted",
                Some(vec![
                    ("request", JsValue::from_f64(f64::from(*request))),
                    ("values", slots.into()),
                ]),
            )
        }
        FieldMessage::Invalid { request, error } => (
            "invalid",
            Some(vec![
                ("request", JsValue::from_f64(f64::from(*request))),
                ("error", JsValue::from_str(error.code())),
            ]),
        ),
        FieldMessage::Failed { request, code } => (
            "failed",
            Some(vec![
                ("request", JsValue::from_f64(f64::from(*request))),
                ("code", JsValue::from_str(code)),
            ]),
        ),
    };
    let envelope = envelope(channel, field, kind);
    for (key, value) in o.unwrap_or_default() {
        set(&envelope, key, value);
    }
    envelope.into()
}

fn request_of(data: &JsValue) -> Option<u32> {
    let n = get_num(data, "request")?;
    (n >= 0.0 && n <= f64::from(u32::MAX) && n.fract() == 0.0).then_some(n as u32)
}

pub fn decode_message(data: &JsValue, field: FieldKind, kind: &str) -> Option<FieldMessage> {
    let error = |key: &str| {
        get_str(data, key)
            .as_deref()
            .and_then(FieldError::from_code)
    };
    Some(match kind {
        "hello" => FieldMessage::Hello,
        "ready" => FieldMessage::Ready,
        "complete" => FieldMessage::Complete,
        "enter" => FieldMessage::Enter,
        "rejected" => FieldMessage::Rejected(error("error")?),
        "height" => FieldMessage::Height(get_num(data, "height").filter(|h| h.is_finite())?),
        "report" => {
            let validity = Validity::from_state(&get_str(data, "state")?, error("validityError"))?;
            let brand = get_str(data, "brand").as_deref().and_then(Brand::from_id);
            FieldMessage::Report(FieldReport {
                kind: field,
                validity,
                empty: get_bool(data, "empty"),
                focused: get_bool(data, "focused"),
                shown_error: error("shownError"),
                acceptable: get_bool(data, "acceptable"),
                // Only the number field may speak of brand, BIN and last 4.
                brand: brand.filter(|_| field == FieldKind::CardNumber),
                bin: get_str(data, "bin")
                    .filter(|b| field == FieldKind::CardNumber && b.len() <= 8),
                last4: get_str(data, "last4")
                    .filter(|l| field == FieldKind::CardNumber && l.len() == 4),
                revision: get_num(data, "revision").map_or(0, |r| r as u32),
            })
        }
        "encrypted" => {
            let values = Reflect::get(data, &JsValue::from_str("values")).ok()?;
            let keys = Object::keys(values.dyn_ref::<Object>()?);
            let values = keys
                .iter()
                .filter_map(|k| {
                    let k = k.as_string()?;
                    let v = get_str(&values, &k)?;
                    Some((k, v))
                })
                .collect();
            FieldMessage::Encrypted {
                request: request_of(data)?,
                values,
            }
        }
        "invalid" => FieldMessage::Invalid {
            request: request_of(data)?,
            error: error("error")?,
        },
        "failed" => FieldMessage::Failed {
            request: request_of(data)?,
            code: get_str(data, "code")?,
        },
        _ => return None,
    })
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

pub fn decode_command(data: &JsValue, kind: &str) -> Option<FieldCommand> {
    Some(match kind {
        "focus" => FieldCommand::Focus,
        "validate" => FieldCommand::Validate,
        "clear" => FieldCommand::Clear,
        "brand" => FieldCommand::Brand(get_str(data, "brand").as_deref().and_then(Brand::from_id)),
        "disable" => FieldCommand::Disable(get_bool(data, "disabled")),
        "encrypt" => FieldCommand::Encrypt(request_of(data)?),
        _ => return None,
    })
}

/// The host's answer to `hello`: the frame's options.
pub fn encode_configure(channel: &str, field: FieldKind, options: &Object) -> JsValue {
    let o = envelope(channel, field, "configure");
    set(&o, "options", options);
    o.into()
}

/// The options of a `configure` message.
pub fn configure_options(data: &JsValue) -> Option<JsValue> {
    Reflect::get(data, &JsValue::from_str("options"))
        .ok()
        .filter(JsValue::is_object)
}
