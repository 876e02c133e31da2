//! Applies the merchant's checked `Styles` without CSS text: one empty rule per fixed
//! selector (`insertRule`), then `style.setProperty` per declaration, and web fonts as
//! `FontFace` objects loaded at once, so that no request depends on what the shopper types.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CssStyleRule, CssStyleSheet, Document, FontFace, FontFaceDescriptors};

use crate::form::style::{FontSource, Styles};

/// A constructed stylesheet holding the merchant's declarations.
pub fn merchant_sheet(styles: &Styles) -> Result<CssStyleSheet, JsValue> {
    let sheet = CssStyleSheet::new()?;
    for rule in styles.rules() {
        for selector in rule.state.selectors() {
            let rules = sheet.css_rules()?;
            // A browser that does not know a selector (`:-webkit-autofill` in Firefox)
            // refuses only that rule.
            let Ok(index) =
                sheet.insert_rule_with_index(&format!("{selector}{{}}"), rules.length())
            else {
                continue;
            };
            let Some(style_rule) = rules
                .item(index)
                .and_then(|r| r.dyn_into::<CssStyleRule>().ok())
            else {
                continue;
            };
            let style = style_rule.style();
            for declaration in &rule.declarations {
                style.set_property(declaration.property.css_name(), &declaration.value)?;
            }
        }
    }
    Ok(sheet)
}

/// Font faces added to a document and loaded; removed again when dropped.
pub struct LoadedFonts {
    document: Document,
    faces: Vec<FontFace>,
    sources: Vec<FontSource>,
}

impl LoadedFonts {
    /// Adds every face to `document.fonts` and starts loading it now (a face that fails to
    /// load leaves the fallback font in place).
    pub fn load(document: &Document, sources: &[FontSource]) -> Result<LoadedFonts, JsValue> {
        let set = document.fonts();
        let mut faces = Vec::new();
        for source in sources {
            let descriptors = FontFaceDescriptors::new();
            descriptors.set_display("swap");
            if let Some(weight) = &source.weight {
                descriptors.set_weight(weight);
            }
            if let Some(style) = &source.style {
                descriptors.set_style(style);
            }
            // `src` was checked: https, no quotes, parentheses, backslashes or spaces.
            let face = FontFace::new_with_str_and_descriptors(
                &source.family,
                &format!("url(\"{}\")", source.src),
                &descriptors,
            )?;
            set.add(&face)?;
            // Awaited only so that a failed download is not an unhandled rejection.
            let loading = JsFuture::from(face.load()?);
            wasm_bindgen_futures::spawn_local(async move {
                let _ = loading.await;
            });
            faces.push(face);
        }
        Ok(LoadedFonts {
            document: document.clone(),
            faces,
            sources: sources.to_vec(),
        })
    }

    /// Whether these are the faces of `sources` already.
    pub fn same_as(&self, sources: &[FontSource]) -> bool {
        self.sources == sources
    }
}

impl Drop for LoadedFonts {
    fn drop(&mut self) {
        let set = self.document.fonts();
        for face in &self.faces {
            set.delete(face);
        }
    }
}
