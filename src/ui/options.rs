//! The merchant's `EncryptedCard` options: read and checked once, with typed errors. The
//! display part is also what the host forwards to each secure frame, which checks it again.

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::card::holder::HolderNamePolicy;
use crate::card::Brand;
use crate::form::field::FieldKind;
use crate::form::i18n::{Locale, Texts};
use crate::form::style::Styles;

use super::keys::gateway_base;
use crate::js::error::SetupError;
use crate::js::options::{
    boolean, brand_list, check_keys, invalid, member, plain_object, string, string_map,
};

/// Option keys the frames get (display and key), forwarded as given.
pub const FRAME_KEYS: [&str; 11] = [
    "locale",
    "translations",
    "styles",
    "fonts",
    "brands",
    "holderName",
    "maskSecurityCode",
    "showBrandIcon",
    "showLabels",
    "disabled",
    "sessionId",
];

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

/// What every field needs to draw itself.
#[derive(Clone, Debug)]
pub struct FieldConfig {
    pub kind: FieldKind,
    pub texts: Texts,
    pub styles: Styles,
    pub accepted: Option<Vec<Brand>>,
    pub required: bool,
    pub mask_security_code: bool,
    pub show_brand_icon: bool,
    pub show_label: bool,
    pub disabled: bool,
}

/// Display options shared by host and frames.
#[derive(Clone, Debug)]
pub struct DisplayOptions {
    pub texts: Texts,
    /// The locale asked for was unknown (a warning, not an error).
    pub unknown_locale: Option<String>,
    pub styles: Styles,
    pub brands: Option<Vec<Brand>>,
    pub holder_name: HolderNamePolicy,
    pub mask_security_code: bool,
    pub show_brand_icon: bool,
    pub show_labels: bool,
    pub disabled: bool,
    pub session_id: Option<String>,
}

fn read_styles(options: &JsValue) -> Result<Styles, SetupError> {
    let mut states = Vec::new();
    if let Some(styles) = member(options, "styles") {
        let object = plain_object(&styles, "styles")?;
        for state in Object::keys(&object).iter() {
            let state = state.as_string().unwrap_or_default();
            let declarations = member(&styles, &state).unwrap_or(JsValue::UNDEFINED);
            let path = format!("styles.{state}");
            states.push((state, string_map(&declarations, &path)?));
        }
    }
    let mut fonts = Vec::new();
    if let Some(list) = member(options, "fonts") {
        let list = list
            .dyn_into::<Array>()
            .map_err(|_| invalid("fonts must be an array"))?;
        for (index, font) in list.iter().enumerate() {
            fonts.push(string_map(&font, &format!("fonts[{index}]"))?);
        }
    }
    Styles::new(states, fonts).map_err(|e| invalid(e.describe()))
}

fn read_brands(options: &JsValue) -> Result<Option<Vec<Brand>>, SetupError> {
    let brands = brand_list(&member(options, "brands").unwrap_or(JsValue::UNDEFINED))?;
    if brands.as_ref().is_some_and(Vec::is_empty) {
        return Err(invalid("brands must name at least one brand"));
    }
    Ok(brands)
}

impl DisplayOptions {
    /// Reads the display and key options (a frame reads exactly these).
    pub fn read(options: &JsValue) -> Result<DisplayOptions, SetupError> {
        let tag = string(options, "locale")?;
        let locale = tag.as_deref().map_or(Some(Locale::EnUs), Locale::from_tag);
        let translations = match member(options, "translations") {
            Some(t) => string_map(&t, "translations")?.into_iter().collect(),
            None => Vec::new(),
        };
        let holder_name = match string(options, "holderName")? {
            None => HolderNamePolicy::Hidden,
            Some(policy) => HolderNamePolicy::from_id(&policy)
                .ok_or_else(|| invalid("holderName must be optional, required or hidden"))?,
        };
        Ok(DisplayOptions {
            texts: Texts::new(locale.unwrap_or(Locale::EnUs), translations),
            unknown_locale: if locale.is_none() { tag } else { None },
            styles: read_styles(options)?,
            brands: read_brands(options)?,
            holder_name,
            mask_security_code: boolean(options, "maskSecurityCode", false)?,
            show_brand_icon: boolean(options, "showBrandIcon", true)?,
            show_labels: boolean(options, "showLabels", true)?,
            disabled: boolean(options, "disabled", false)?,
            session_id: string(options, "sessionId")?,
        })
    }

    pub fn field_config(&self, kind: FieldKind) -> FieldConfig {
        FieldConfig {
            kind,
            texts: self.texts.clone(),
            styles: self.styles.clone(),
            accepted: self.brands.clone(),
            required: kind != FieldKind::HolderName
                || self.holder_name == HolderNamePolicy::Required,
            mask_security_code: self.mask_security_code,
            show_brand_icon: self.show_brand_icon,
            show_label: self.show_labels,
            disabled: self.disabled,
        }
    }
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
