//! The merchant's `EncryptedCard` options: read and checked once, with typed errors. The
//! display part (`web::display`) is also what the host forwards to each secure frame.

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::JsValue;

use crate::web::display::DisplayOptions;
use crate::web::error::SetupError;
use crate::web::keys::gateway_base;
use crate::web::option_reader::{
    boolean, callback_name, callbacks, invalid, member, plain_object, string,
};

/// One option of `EncryptedCard.mount`: its name, whether the secure frames get it (the
/// display options, checked again by each frame), and whether `update()` may change it.
struct OptionName {
    name: &'static str,
    frames: bool,
    updatable: bool,
}

const fn option(name: &'static str, frames: bool, updatable: bool) -> OptionName {
    OptionName {
        name,
        frames,
        updatable,
    }
}

/// Every option but the `on…` callbacks (those follow `EVENTS`), declared once.
const OPTIONS: [OptionName; 19] = [
    option("clientKey", false, false),
    option("environment", false, false),
    option("publicKey", false, false),
    option("keyId", false, false),
    option("isolation", false, false),
    option("autoFocus", false, true),
    option("frameTimeout", false, false),
    option("layout", false, false),
    option("locale", true, true),
    option("translations", true, true),
    option("styles", true, true),
    option("fonts", true, true),
    option("brands", true, true),
    option("holderName", true, false),
    option("maskSecurityCode", true, true),
    option("showBrandIcon", true, false),
    option("showLabels", true, false),
    option("disabled", true, true),
    option("sessionId", true, false),
];

/// The options the frames get, forwarded as given.
pub fn frame_keys() -> impl Iterator<Item = &'static str> {
    OPTIONS.iter().filter(|o| o.frames).map(|o| o.name)
}

/// The options `update()` may change.
pub fn updatable_keys() -> impl Iterator<Item = &'static str> {
    OPTIONS.iter().filter(|o| o.updatable).map(|o| o.name)
}

/// Every own key of `object` must be an option or a callback.
fn check_option_names(object: &Object) -> Result<(), SetupError> {
    for key in Object::keys(object).iter() {
        let key = key.as_string().unwrap_or_default();
        let known =
            OPTIONS.iter().any(|o| o.name == key) || EVENTS.iter().any(|e| callback_name(e) == key);
        if !known {
            return Err(invalid(format!("unknown option \"{key}\"")));
        }
    }
    Ok(())
}

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

/// The display options as the page checks them, at `mount()` and `update()`: all of them
/// in a bundle with inline fields (it has the style grammar anyway), all but `styles` and
/// `fonts` in the page bundle, whose frames check those two themselves.
pub fn page_display_options(options: &JsValue) -> Result<DisplayOptions, SetupError> {
    #[cfg(feature = "inline")]
    return DisplayOptions::read(options);
    #[cfg(not(feature = "inline"))]
    DisplayOptions::read_without_styles(options)
}

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
    /// Reads `EncryptedCard.mount`'s options. The page bundle (frames only) leaves `styles`
    /// and `fonts` to the frames, whose refusal rejects `mount()`: it carries no style
    /// grammar.
    pub fn read(options: &JsValue) -> Result<CardOptions, SetupError> {
        CardOptions::read_with(options, page_display_options(options)?)
    }

    /// Reads options without checking `styles` or `fonts` (frames mode, and the checkout's
    /// card, which passes none; see `DisplayOptions::read_without_styles`).
    pub fn read_without_styles(options: &JsValue) -> Result<CardOptions, SetupError> {
        CardOptions::read_with(options, DisplayOptions::read_without_styles(options)?)
    }

    fn read_with(options: &JsValue, display: DisplayOptions) -> Result<CardOptions, SetupError> {
        let object = plain_object(options, "options")?;
        check_option_names(&object)?;
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
        let callbacks = callbacks(options, &EVENTS)?;
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
        for key in frame_keys() {
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
