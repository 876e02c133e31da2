//! The merchant's style object turned into CSS for the inputs: whitelisted properties,
//! checked values, one rule per state, and optional web fonts. Applied inside the frames
//! (or the shadow roots) through constructed stylesheets, so it works under a strict CSP.

/// The states a style object may address, and the selector of each.
pub const STATES: [(&str, &str); 7] = [
    ("base", "input"),
    ("focus", "input:focus"),
    ("valid", "input.paykka-valid"),
    ("invalid", "input[aria-invalid=\"true\"]"),
    ("placeholder", "input::placeholder"),
    ("disabled", "input:disabled"),
    ("autofill", "input:autofill"),
];

/// Properties a merchant may set (camelCase, as in JS style objects).
const ALLOWED: [&str; 25] = [
    "color",
    "fontFamily",
    "fontSize",
    "fontStyle",
    "fontVariant",
    "fontWeight",
    "letterSpacing",
    "lineHeight",
    "textAlign",
    "textShadow",
    "textTransform",
    "padding",
    "paddingTop",
    "paddingRight",
    "paddingBottom",
    "paddingLeft",
    "backgroundColor",
    "caretColor",
    "opacity",
    "transition",
    "webkitTextFillColor",
    "boxShadow",
    "border",
    "borderColor",
    "borderRadius",
];

/// Why a style option was refused (the property or state named).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StyleError {
    UnknownState(String),
    PropertyNotAllowed(String),
    BadValue(String),
    BadFont(String),
}

impl StyleError {
    pub fn describe(&self) -> String {
        match self {
            StyleError::UnknownState(s) => format!("styles: unknown state \"{s}\""),
            StyleError::PropertyNotAllowed(p) => format!("styles: property \"{p}\" is not allowed"),
            StyleError::BadValue(p) => format!("styles: the value of \"{p}\" is not allowed"),
            StyleError::BadFont(f) => format!("fonts: \"{f}\" is not a valid font"),
        }
    }
}

/// A web font: family name and an https (or same-origin path) URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FontFace {
    pub family: String,
    pub src: String,
    pub weight: Option<String>,
    pub style: Option<String>,
}

/// A checked style object.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Styles {
    rules: Vec<(&'static str, Vec<(String, String)>)>,
    fonts: Vec<FontFace>,
}

fn kebab(property: &str) -> String {
    let mut out = String::with_capacity(property.len() + 4);
    if property.starts_with("webkit") {
        out.push('-');
    }
    for c in property.chars() {
        if c.is_ascii_uppercase() {
            out.push('-');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Values may not escape their declaration or load anything.
fn value_is_safe(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    !value.is_empty()
        && value.len() <= 200
        && value
            .chars()
            .all(|c| c.is_alphanumeric() || " #%.,()-+'\"/_".contains(c))
        && ![
            "url(",
            "expression(",
            "image(",
            "image-set(",
            "attr(",
            "var(",
        ]
        .iter()
        .any(|f| lower.contains(f))
}

fn font_family_is_safe(family: &str) -> bool {
    !family.is_empty()
        && family.len() <= 64
        && family
            .chars()
            .all(|c| c.is_alphanumeric() || c == ' ' || c == '-')
}

fn font_src_is_safe(src: &str) -> bool {
    (src.starts_with("https://") || src.starts_with('/'))
        && src.len() <= 500
        && !src
            .chars()
            .any(|c| c.is_whitespace() || "\"'()\\<>".contains(c))
}

impl Styles {
    /// Checks `states` (state → property → value) and `fonts`.
    pub fn new(
        states: Vec<(String, Vec<(String, String)>)>,
        fonts: Vec<FontFace>,
    ) -> Result<Styles, StyleError> {
        let mut rules = Vec::new();
        for (state, declarations) in states {
            let selector = STATES
                .iter()
                .find(|(name, _)| *name == state)
                .map(|(_, selector)| *selector)
                .ok_or(StyleError::UnknownState(state))?;
            let mut checked = Vec::new();
            for (property, value) in declarations {
                if !ALLOWED.contains(&property.as_str()) {
                    return Err(StyleError::PropertyNotAllowed(property));
                }
                if !value_is_safe(&value) {
                    return Err(StyleError::BadValue(property));
                }
                checked.push((kebab(&property), value));
            }
            rules.push((selector, checked));
        }
        for font in &fonts {
            let weight_ok = font.weight.as_deref().is_none_or(value_is_safe);
            let style_ok = font.style.as_deref().is_none_or(value_is_safe);
            if !font_family_is_safe(&font.family)
                || !font_src_is_safe(&font.src)
                || !weight_ok
                || !style_ok
            {
                return Err(StyleError::BadFont(font.family.clone()));
            }
        }
        Ok(Styles { rules, fonts })
    }

    /// The stylesheet text.
    pub fn css(&self) -> String {
        let mut css = String::new();
        for font in &self.fonts {
            css.push_str(&format!(
                "@font-face{{font-family:\"{}\";src:url(\"{}\");font-display:swap;",
                font.family, font.src
            ));
            if let Some(weight) = &font.weight {
                css.push_str(&format!("font-weight:{weight};"));
            }
            if let Some(style) = &font.style {
                css.push_str(&format!("font-style:{style};"));
            }
            css.push('}');
        }
        for (selector, declarations) in &self.rules {
            let selectors = if *selector == "input:autofill" {
                "input:autofill,input:-webkit-autofill".to_owned()
            } else {
                (*selector).to_owned()
            };
            css.push_str(&selectors);
            css.push('{');
            for (property, value) in declarations {
                css.push_str(&format!("{property}:{value};"));
            }
            css.push('}');
        }
        css
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decl(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(p, v)| ((*p).into(), (*v).into()))
            .collect()
    }

    #[test]
    fn builds_css_per_state() {
        let styles = Styles::new(
            vec![
                (
                    "base".into(),
                    decl(&[("color", "#1d2433"), ("fontSize", "16px")]),
                ),
                ("invalid".into(), decl(&[("color", "rgb(198, 40, 40)")])),
                ("autofill".into(), decl(&[("webkitTextFillColor", "#000")])),
            ],
            vec![FontFace {
                family: "Inter".into(),
                src: "https://fonts.example.com/inter.woff2".into(),
                weight: Some("400".into()),
                style: None,
            }],
        )
        .unwrap();
        let css = styles.css();
        assert!(
            css.contains("input{color:#1d2433;font-size:16px;}"),
            "{css}"
        );
        assert!(
            css.contains("input[aria-invalid=\"true\"]{color:rgb(198, 40, 40);}"),
            "{css}"
        );
        assert!(
            css.contains("input:autofill,input:-webkit-autofill{-webkit-text-fill-color:#000;}"),
            "{css}"
        );
        assert!(css.starts_with("@font-face{font-family:\"Inter\";src:url(\"https://fonts.example.com/inter.woff2\")"), "{css}");
    }

    #[test]
    fn refuses_what_could_escape_or_load() {
        let bad = |state: &str, p: &str, v: &str| {
            Styles::new(vec![(state.into(), decl(&[(p, v)]))], vec![]).unwrap_err()
        };
        assert_eq!(
            bad("hover", "color", "red"),
            StyleError::UnknownState("hover".into())
        );
        assert_eq!(
            bad("base", "position", "fixed"),
            StyleError::PropertyNotAllowed("position".into())
        );
        assert_eq!(
            bad("base", "backgroundColor", "url(https://x)"),
            StyleError::BadValue("backgroundColor".into())
        );
        assert_eq!(
            bad("base", "color", "red;} body{display:none"),
            StyleError::BadValue("color".into())
        );
        assert_eq!(
            bad("base", "color", "red\\"),
            StyleError::BadValue("color".into())
        );
        assert_eq!(
            bad("base", "color", ""),
            StyleError::BadValue("color".into())
        );
        let font = |family: &str, src: &str| FontFace {
            family: family.into(),
            src: src.into(),
            weight: None,
            style: None,
        };
        for f in [
            font("Inter", "http://x/f.woff2"),
            font("In\"ter", "https://x/f"),
            font("Inter", "https://x/f)"),
        ] {
            assert!(matches!(
                Styles::new(vec![], vec![f]),
                Err(StyleError::BadFont(_))
            ));
        }
    }
}
