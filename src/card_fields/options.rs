//! The merchant's `EncryptedCard` options: read and checked once, with typed errors. The
//! display part (`web::display`) is also what the host forwards to each secure frame.

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::web::display::{DisplayOptions, FRAME_KEYS};
use crate::web::error::SetupError;
use crate::web::keys::gateway_base;
use crate::web::option_reader::{boolean, check_keys, invalid, member, plain_object, string};

const OTHER_KEYS: [&str; 19] = [
    "clientKey",
    "environment",
    "publicKey",
    "keyId",
    "isolation",
    "autoFocus",
    "frameTimeout",
    "onReady",
    "onChange",
    "onFocus",
    "onBlur",
    "onBrand",
    "onBinValue",
    "onFieldValid",
    "onAllValid",
    "onSubmit",
    "onEncrypted",
    "onError",
    "layout",
];

/// How the fields are isolated from the host page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isolation {
    Frames,
    Inline,
}

/// Where the key comes from.
#[derive(Clone, Debug)]
pub enum KeySource {
    /// Given directly (JWK object or text, PEM, hex pair).
    PublicKey {
        key: JsValue,
        key_id: Option<String>,
    },
    /// Asked of the secure origin with the client key.
    ClientKey { client_key: String, base: String },
}

/// The callback names, in event order of the spec.
pub const EVENTS: [&str; 11] = [
    "ready",
    "change",
    "focus",
    "blur",
    "brand",
    "binValue",
    "fieldValid",
    "allValid",
    "submit",
    "encrypted",
    "error",
];

/// All options of `EncryptedCard.mount`.
pub struct CardOptions {
    pub display: DisplayOptions,
    pub key: KeySource,
    pub isolation: Isolation,
    pub auto_focus: bool,
    pub frame_timeout_ms: u32,
    pub callbacks: Vec<(&'static str, Function)>,
    /// The options object as given, to forward the frames' part.
    pub raw: JsValue,
}

impl CardOptions {
    pub fn read(options: &JsValue) -> Result<CardOptions, SetupError> {
        let object = plain_object(options, "options")?;
        check_keys(&object, &[&FRAME_KEYS, &OTHER_KEYS])?;
        let display = DisplayOptions::read(options)?;
        let key = match (member(options, "publicKey"), string(options, "clientKey")?) {
            (Some(key), _) => KeySource::PublicKey {
                key,
                key_id: string(options, "keyId")?,
            },
            (None, Some(client_key)) => {
                let environment = string(options, "environment")?
                    .ok_or_else(|| invalid("clientKey needs an environment"))?;
                let base = gateway_base(&environment)?;
                KeySource::ClientKey { client_key, base }
            }
            (None, None) => return Err(invalid("give clientKey and environment, or publicKey")),
        };
        let isolation = match string(options, "isolation")?.as_deref() {
            None | Some("frames") => Isolation::Frames,
            Some("inline") => Isolation::Inline,
            Some(_) => return Err(invalid("isolation must be frames or inline")),
        };
        // A frame fetches its key from its own origin, so a compromised host page cannot
        // hand it a key of its choosing.
        if isolation == Isolation::Frames && !matches!(key, KeySource::ClientKey { .. }) {
            return Err(invalid(
                "frames isolation needs clientKey and environment (the secure origin)",
            ));
        }
        let frame_timeout_ms = match member(options, "frameTimeout") {
            None => 6_000,
            Some(v) => v
                .as_f64()
                .filter(|t| (100.0..=60_000.0).contains(t))
                .map(|t| t as u32)
                .ok_or_else(|| invalid("frameTimeout must be 100–60000 ms"))?,
        };
        let mut callbacks = Vec::new();
        for name in EVENTS {
            let key = format!("on{}{}", name[..1].to_ascii_uppercase(), &name[1..]);
            if let Some(f) = member(options, &key) {
                let f = f
                    .dyn_into::<Function>()
                    .map_err(|_| invalid(format!("{key} must be a function")))?;
                callbacks.push((name, f));
            }
        }
        Ok(CardOptions {
            display,
            key,
            isolation,
            auto_focus: boolean(options, "autoFocus", true)?,
            frame_timeout_ms,
            callbacks,
            raw: options.clone(),
        })
    }

    /// The options object a frame gets: display options and the client key (never a key).
    pub fn frame_options(&self) -> Object {
        let out = Object::new();
        for key in FRAME_KEYS {
            if let Some(value) = member(&self.raw, key) {
                let _ = Reflect::set(&out, &JsValue::from_str(key), &value);
            }
        }
        if let KeySource::ClientKey { client_key, .. } = &self.key {
            let _ = Reflect::set(&out, &"clientKey".into(), &client_key.into());
        }
        out
    }
}
