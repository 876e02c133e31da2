//! Display options shared by the host part and the secure frames: texts, styles and fonts,
//! brands, holder-name policy, masking, labels, disabled, session id. The host reads and
//! checks them at mount and `update()` (styles and fonts only inline: frames check those
//! alone); each frame reads and checks them all itself.

use js_sys::{Array, Object};
use wasm_bindgen::{JsCast, JsValue};

use crate::card::holder::HolderNamePolicy;
use crate::card::Brand;
use crate::form::field::FieldKind;
use crate::form::i18n::Texts;
use crate::form::locale_packs::choose;
use crate::form::style::Styles;

use super::error::SetupError;
use super::option_reader::{
    boolean, brand_list, invalid, member, plain_object, string, string_map,
};

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
    /// The language of the texts, for `lang` (a pack's tag, or the built-in locale's).
    pub lang: String,
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
        DisplayOptions::read_with(options, read_styles)
    }

    /// Reads them without `styles` or `fonts` (a page whose fields are frames, which check
    /// those two themselves; the checkout's card, which passes none): the bundle then
    /// carries no style grammar.
    pub fn read_without_styles(options: &JsValue) -> Result<DisplayOptions, SetupError> {
        DisplayOptions::read_with(options, |_| Ok(Styles::default()))
    }

    fn read_with(
        options: &JsValue,
        styles: impl Fn(&JsValue) -> Result<Styles, SetupError>,
    ) -> Result<DisplayOptions, SetupError> {
        let tag = string(options, "locale")?;
        // A pack's texts arrive as `translations` over the en-US fallback.
        let choice = choose(tag.as_deref());
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
            texts: Texts::new(choice.built_in, translations),
            lang: choice.lang.to_owned(),
            unknown_locale: if choice.known { None } else { tag },
            styles: styles(options)?,
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
