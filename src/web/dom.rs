//! Small DOM helpers: element creation, attributes, constructed stylesheets (allowed under a
//! strict CSP, unlike `<style>` elements or `style` attributes).

use js_sys::Array;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CssStyleSheet, Document, Element, ShadowRoot};

use super::error::SetupError;

pub fn window() -> Result<web_sys::Window, JsValue> {
    web_sys::window().ok_or_else(|| JsValue::from_str("no window"))
}

pub fn document() -> Result<Document, JsValue> {
    window()?
        .document()
        .ok_or_else(|| JsValue::from_str("no document"))
}

/// Creates `<tag>` with the given attributes.
pub fn element(doc: &Document, tag: &str, attributes: &[(&str, &str)]) -> Result<Element, JsValue> {
    let el = doc.create_element(tag)?;
    for (name, value) in attributes {
        el.set_attribute(name, value)?;
    }
    Ok(el)
}

/// A stylesheet built through the CSSOM.
pub fn stylesheet(css: &str) -> Result<CssStyleSheet, JsValue> {
    let sheet = CssStyleSheet::new()?;
    sheet.replace_sync(css)?;
    Ok(sheet)
}

/// Where a field's DOM lives: a shadow root (inline) or a frame's document.
#[derive(Clone)]
pub enum FieldRoot {
    Shadow(ShadowRoot),
    Document(Document),
}

impl FieldRoot {
    pub fn append(&self, node: &Element) -> Result<(), JsValue> {
        match self {
            FieldRoot::Shadow(root) => root.append_child(node).map(drop),
            FieldRoot::Document(doc) => doc
                .body()
                .ok_or_else(|| JsValue::from_str("no body"))?
                .append_child(node)
                .map(drop),
        }
    }

    /// Replaces the adopted stylesheets.
    pub fn adopt(&self, sheets: &[&CssStyleSheet]) -> Result<(), JsValue> {
        let list: Array = sheets.iter().map(|s| JsValue::from(*s)).collect();
        let target: &JsValue = match self {
            FieldRoot::Shadow(root) => root.as_ref(),
            FieldRoot::Document(doc) => doc.as_ref(),
        };
        js_sys::Reflect::set(target, &"adoptedStyleSheets".into(), &list).map(drop)
    }

    pub fn document(&self) -> Result<Document, JsValue> {
        match self {
            FieldRoot::Shadow(root) => root
                .owner_document()
                .ok_or_else(|| JsValue::from_str("no document")),
            FieldRoot::Document(doc) => Ok(doc.clone()),
        }
    }
}

/// Random hex from `crypto.getRandomValues` (channel secrets, element ids).
pub fn random_hex(bytes: usize) -> Result<String, JsValue> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|_| JsValue::from_str("no random source"))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// Casts with a readable error instead of a panic.
pub fn cast<T: JsCast>(value: impl Into<JsValue>) -> Result<T, JsValue> {
    value
        .into()
        .dyn_into::<T>()
        .map_err(|_| JsValue::from_str("unexpected DOM node type"))
}

/// The mount target: a selector or an element.
pub fn resolve_target(target: &JsValue) -> Result<Element, SetupError> {
    let missing = || SetupError::new("HOLDER_MISSING", "the mount target was not found");
    if let Some(selector) = target.as_string() {
        let doc = document().map_err(|_| missing())?;
        return doc
            .query_selector(&selector)
            .ok()
            .flatten()
            .ok_or_else(missing);
    }
    target.dyn_ref::<Element>().cloned().ok_or_else(missing)
}
