//! Brand icons. In a secure frame: the brand marks the secure origin serves
//! (`/frames/brands/<brand>.svg`, same origin as the frame). Inline, where the page's
//! origin serves nothing of ours: a small mark drawn as SVG through the DOM (no
//! `innerHTML`, so Trusted Types and strict CSPs are fine). Decorative either way: hidden
//! from assistive technology.

use wasm_bindgen::JsValue;
use web_sys::{Document, Element};

use crate::card::Brand;

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// Background, text colour and label of each brand's mark.
fn mark(brand: Option<Brand>) -> (&'static str, &'static str, &'static str) {
    match brand {
        Some(Brand::Visa) => ("#1a1f71", "#fff", "VISA"),
        Some(Brand::Mastercard) => ("#231f20", "#f79e1b", "MC"),
        Some(Brand::Amex) => ("#2e77bc", "#fff", "AMEX"),
        Some(Brand::Diners) => ("#0079be", "#fff", "DC"),
        Some(Brand::Discover) => ("#fff", "#e55c20", "DISC"),
        Some(Brand::Jcb) => ("#0e4c96", "#fff", "JCB"),
        Some(Brand::UnionPay) => ("#d10429", "#fff", "UP"),
        Some(Brand::Maestro) => ("#0099df", "#fff", "MAES"),
        Some(Brand::Elo) => ("#000", "#ffcb05", "ELO"),
        Some(Brand::Mir) => ("#0f754e", "#fff", "MIR"),
        Some(Brand::Hiper) => ("#f37021", "#fff", "HIPR"),
        Some(Brand::Hipercard) => ("#b3131b", "#fff", "HIPC"),
        None => ("#e6e9ef", "#8a93a6", "CARD"),
    }
}

fn svg(doc: &Document, tag: &str, attributes: &[(&str, &str)]) -> Result<Element, JsValue> {
    let el = doc.create_element_ns(Some(SVG_NS), tag)?;
    for (name, value) in attributes {
        el.set_attribute(name, value)?;
    }
    Ok(el)
}

/// The secure origin's brand mark as an image (a generic card when unknown).
pub fn served_brand_icon(doc: &Document, brand: Option<Brand>) -> Result<Element, JsValue> {
    let id = brand.map_or("unknown", Brand::id);
    let img = doc.create_element("img")?;
    for (name, value) in [
        ("src", ["/frames/brands/", id, ".svg"].concat().as_str()),
        ("alt", ""),
        ("width", "40"),
        ("height", "26"),
        ("class", "paykka-brand-icon"),
        ("data-brand", if brand.is_some() { id } else { "unknown" }),
    ] {
        img.set_attribute(name, value)?;
    }
    Ok(img)
}

/// A brand's icon drawn as SVG (a generic card when unknown), `aria-hidden`.
pub fn brand_icon(doc: &Document, brand: Option<Brand>) -> Result<Element, JsValue> {
    let (background, foreground, label) = mark(brand);
    let icon = svg(
        doc,
        "svg",
        &[
            ("viewBox", "0 0 40 26"),
            ("width", "40"),
            ("height", "26"),
            ("aria-hidden", "true"),
            ("focusable", "false"),
            ("class", "paykka-brand-icon"),
            ("data-brand", brand.map_or("unknown", Brand::id)),
        ],
    )?;
    let rect = svg(
        doc,
        "rect",
        &[
            ("width", "40"),
            ("height", "26"),
            ("rx", "4"),
            ("fill", background),
            ("stroke", "#c6ccd8"),
            ("stroke-width", "0.5"),
        ],
    )?;
    let text = svg(
        doc,
        "text",
        &[
            ("x", "20"),
            ("y", "17"),
            ("font-family", "Arial,sans-serif"),
            ("font-size", "9"),
            ("font-weight", "700"),
            ("text-anchor", "middle"),
            ("fill", foreground),
        ],
    )?;
    text.set_text_content(Some(label));
    icon.append_child(&rect)?;
    icon.append_child(&text)?;
    Ok(icon)
}
