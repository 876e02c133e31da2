//! The merchant's style object and web fonts as typed, checked data. Every property has an
//! allow-list grammar (colours, lengths, font-family names, weights, keywords…); a value
//! outside it is refused with the option path. Nothing here produces CSS text: the browser
//! layer applies declarations one by one through the CSSOM (`setProperty` on rules with
//! fixed selectors) and fonts through the `FontFace` API, so no option can carry code, and
//! no request a field makes can depend on what the shopper types.

use super::css_value::{self, Grammar};

/// The most web fonts a style object may declare (all are loaded at configure time).
pub const MAX_FONTS: usize = 4;
/// The longest value a property or font member may have.
pub const MAX_VALUE_LEN: usize = 200;
const MAX_URL_LEN: usize = 500;
const MAX_FAMILY_LEN: usize = 64;

/// The states a style object may address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Base,
    Focus,
    Valid,
    Invalid,
    Placeholder,
    Disabled,
    Autofill,
}

impl State {
    pub const ALL: [State; 7] = [
        State::Base,
        State::Focus,
        State::Valid,
        State::Invalid,
        State::Placeholder,
        State::Disabled,
        State::Autofill,
    ];

    /// The option name (`styles.<id>`).
    pub fn id(self) -> &'static str {
        match self {
            State::Base => "base",
            State::Focus => "focus",
            State::Valid => "valid",
            State::Invalid => "invalid",
            State::Placeholder => "placeholder",
            State::Disabled => "disabled",
            State::Autofill => "autofill",
        }
    }

    pub fn from_id(id: &str) -> Option<State> {
        State::ALL.into_iter().find(|s| s.id() == id)
    }

    /// The fixed selectors of the state's rules (one rule each: a browser that does not
    /// know one of them refuses only that rule).
    pub fn selectors(self) -> &'static [&'static str] {
        match self {
            State::Base => &["input"],
            State::Focus => &["input:focus"],
            State::Valid => &["input.paykka-valid"],
            State::Invalid => &["input[aria-invalid=\"true\"]"],
            State::Placeholder => &["input::placeholder"],
            State::Disabled => &["input:disabled"],
            State::Autofill => &["input:autofill", "input:-webkit-autofill"],
        }
    }
}

/// The properties a merchant may set (camelCase names, as in JS style objects).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Property {
    Color,
    FontFamily,
    FontSize,
    FontStyle,
    FontVariant,
    FontWeight,
    LetterSpacing,
    LineHeight,
    TextAlign,
    TextShadow,
    TextTransform,
    Padding,
    PaddingTop,
    PaddingRight,
    PaddingBottom,
    PaddingLeft,
    BackgroundColor,
    CaretColor,
    Opacity,
    Transition,
    WebkitTextFillColor,
    BoxShadow,
    Border,
    BorderColor,
    BorderRadius,
}

impl Property {
    pub const ALL: [Property; 25] = [
        Property::Color,
        Property::FontFamily,
        Property::FontSize,
        Property::FontStyle,
        Property::FontVariant,
        Property::FontWeight,
        Property::LetterSpacing,
        Property::LineHeight,
        Property::TextAlign,
        Property::TextShadow,
        Property::TextTransform,
        Property::Padding,
        Property::PaddingTop,
        Property::PaddingRight,
        Property::PaddingBottom,
        Property::PaddingLeft,
        Property::BackgroundColor,
        Property::CaretColor,
        Property::Opacity,
        Property::Transition,
        Property::WebkitTextFillColor,
        Property::BoxShadow,
        Property::Border,
        Property::BorderColor,
        Property::BorderRadius,
    ];

    /// The option name and the CSS property name.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Property::Color => ("color", "color"),
            Property::FontFamily => ("fontFamily", "font-family"),
            Property::FontSize => ("fontSize", "font-size"),
            Property::FontStyle => ("fontStyle", "font-style"),
            Property::FontVariant => ("fontVariant", "font-variant"),
            Property::FontWeight => ("fontWeight", "font-weight"),
            Property::LetterSpacing => ("letterSpacing", "letter-spacing"),
            Property::LineHeight => ("lineHeight", "line-height"),
            Property::TextAlign => ("textAlign", "text-align"),
            Property::TextShadow => ("textShadow", "text-shadow"),
            Property::TextTransform => ("textTransform", "text-transform"),
            Property::Padding => ("padding", "padding"),
            Property::PaddingTop => ("paddingTop", "padding-top"),
            Property::PaddingRight => ("paddingRight", "padding-right"),
            Property::PaddingBottom => ("paddingBottom", "padding-bottom"),
            Property::PaddingLeft => ("paddingLeft", "padding-left"),
            Property::BackgroundColor => ("backgroundColor", "background-color"),
            Property::CaretColor => ("caretColor", "caret-color"),
            Property::Opacity => ("opacity", "opacity"),
            Property::Transition => ("transition", "transition"),
            Property::WebkitTextFillColor => ("webkitTextFillColor", "-webkit-text-fill-color"),
            Property::BoxShadow => ("boxShadow", "box-shadow"),
            Property::Border => ("border", "border"),
            Property::BorderColor => ("borderColor", "border-color"),
            Property::BorderRadius => ("borderRadius", "border-radius"),
        }
    }

    pub fn id(self) -> &'static str {
        self.names().0
    }

    pub fn css_name(self) -> &'static str {
        self.names().1
    }

    pub fn from_id(id: &str) -> Option<Property> {
        Property::ALL.into_iter().find(|p| p.id() == id)
    }

    fn grammar(self) -> Grammar {
        use Property::*;
        match self {
            Color | BackgroundColor | CaretColor | WebkitTextFillColor => Grammar::Colors(1),
            BorderColor => Grammar::Colors(4),
            FontFamily => Grammar::FontFamilies,
            FontSize => Grammar::LengthOr(&[
                "xx-small", "x-small", "small", "medium", "large", "x-large", "xx-large",
                "smaller", "larger",
            ]),
            LetterSpacing => Grammar::LengthOr(&["normal"]),
            PaddingTop | PaddingRight | PaddingBottom | PaddingLeft => Grammar::Lengths(1),
            Padding | BorderRadius => Grammar::Lengths(4),
            LineHeight => Grammar::LineHeight,
            FontWeight => Grammar::FontWeight,
            FontStyle => Grammar::Keyword(&["normal", "italic", "oblique"]),
            FontVariant => Grammar::Keyword(&[
                "normal",
                "small-caps",
                "all-small-caps",
                "tabular-nums",
                "lining-nums",
            ]),
            TextAlign => Grammar::Keyword(&["left", "right", "center", "start", "end"]),
            TextTransform => {
                Grammar::Keyword(&["none", "uppercase", "lowercase", "capitalize", "full-width"])
            }
            Opacity => Grammar::Opacity,
            TextShadow => Grammar::Shadows { inset: false },
            BoxShadow => Grammar::Shadows { inset: true },
            Transition => Grammar::Transition,
            Border => Grammar::Border,
        }
    }
}

/// One checked declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declaration {
    pub property: Property,
    pub value: String,
}

/// The declarations of one state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateRule {
    pub state: State,
    pub declarations: Vec<Declaration>,
}

/// A web font face: a family name, an absolute `https://` URL and optional descriptors.
/// No `unicode-range`: a face is all or nothing, and loaded before the shopper types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FontSource {
    pub family: String,
    pub src: String,
    pub weight: Option<String>,
    pub style: Option<String>,
}

/// Why a style option was refused; `path` is the option path (`styles.base.color`,
/// `fonts[1].src`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StyleError {
    UnknownState { path: String },
    PropertyNotAllowed { path: String },
    BadValue { path: String },
    BadFont { path: String },
    TooManyFonts,
}

impl StyleError {
    pub fn path(&self) -> &str {
        match self {
            StyleError::UnknownState { path }
            | StyleError::PropertyNotAllowed { path }
            | StyleError::BadValue { path }
            | StyleError::BadFont { path } => path,
            StyleError::TooManyFonts => "fonts",
        }
    }

    pub fn describe(&self) -> String {
        let path = self.path();
        match self {
            StyleError::UnknownState { .. } => format!("{path}: unknown style state"),
            StyleError::PropertyNotAllowed { .. } => format!("{path}: property not allowed"),
            StyleError::BadValue { .. } => format!("{path}: value not allowed"),
            StyleError::BadFont { .. } => format!("{path}: not allowed (fonts take a family name, an absolute https:// URL, and a weight and style)"),
            StyleError::TooManyFonts => format!("fonts: at most {MAX_FONTS} faces"),
        }
    }
}

/// A checked style object: state rules and font faces.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Styles {
    rules: Vec<StateRule>,
    fonts: Vec<FontSource>,
}

/// The merchant's font entry before checking (member → value, as given).
pub type RawFont = Vec<(String, String)>;

impl Styles {
    /// Checks `states` (state → property → value) and `fonts` (member → value per face).
    pub fn new(
        states: Vec<(String, Vec<(String, String)>)>,
        fonts: Vec<RawFont>,
    ) -> Result<Styles, StyleError> {
        let mut rules = Vec::new();
        for (state_id, declarations) in states {
            let state = State::from_id(&state_id).ok_or_else(|| StyleError::UnknownState {
                path: format!("styles.{}", printable(&state_id)),
            })?;
            let mut checked = Vec::new();
            for (name, value) in declarations {
                let path = format!("styles.{}.{}", state.id(), printable(&name));
                let property = Property::from_id(&name)
                    .ok_or(StyleError::PropertyNotAllowed { path: path.clone() })?;
                if value.len() > MAX_VALUE_LEN || !css_value::matches(property.grammar(), &value) {
                    return Err(StyleError::BadValue { path });
                }
                checked.push(Declaration {
                    property,
                    value: value.trim_matches(' ').to_owned(),
                });
            }
            rules.push(StateRule {
                state,
                declarations: checked,
            });
        }
        if fonts.len() > MAX_FONTS {
            return Err(StyleError::TooManyFonts);
        }
        let fonts = fonts
            .into_iter()
            .enumerate()
            .map(|(i, raw)| font_source(i, raw))
            .collect::<Result<_, _>>()?;
        Ok(Styles { rules, fonts })
    }

    pub fn rules(&self) -> &[StateRule] {
        &self.rules
    }

    pub fn fonts(&self) -> &[FontSource] {
        &self.fonts
    }
}

/// A name shown in an error: short, and only characters that cannot confuse a reader.
fn printable(name: &str) -> String {
    let clean: String = name
        .chars()
        .take(32)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '?'
            }
        })
        .collect();
    if clean.is_empty() {
        "?".into()
    } else {
        clean
    }
}

fn font_source(index: usize, raw: RawFont) -> Result<FontSource, StyleError> {
    let bad = |member: &str| StyleError::BadFont {
        path: format!("fonts[{index}].{}", printable(member)),
    };
    let mut font = FontSource {
        family: String::new(),
        src: String::new(),
        weight: None,
        style: None,
    };
    for (member, value) in raw {
        match member.as_str() {
            "family" if family_is_safe(&value) => font.family = value,
            "src" if url_is_safe(&value) => font.src = value,
            "weight" if css_value::matches(Grammar::FontFaceWeight, &value) => {
                font.weight = Some(value.trim_matches(' ').to_owned())
            }
            "style"
                if css_value::matches(
                    Grammar::Keyword(&["normal", "italic", "oblique"]),
                    &value,
                ) =>
            {
                font.style = Some(value.trim_matches(' ').to_owned())
            }
            _ => return Err(bad(&member)),
        }
    }
    if font.family.is_empty() {
        return Err(bad("family"));
    }
    if font.src.is_empty() {
        return Err(bad("src"));
    }
    Ok(font)
}

/// A family name: letters, digits, spaces, hyphens and underscores.
pub fn family_is_safe(family: &str) -> bool {
    !family.trim().is_empty()
        && family.len() <= MAX_FAMILY_LEN
        && family
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_'))
}

/// An absolute `https://` URL with a plain host and only unreserved and a few reserved
/// characters in its path and query (no quotes, parentheses, backslashes, spaces,
/// fragments or user info).
pub fn url_is_safe(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let (authority, path) = super::gateway_url::authority_and_path(rest);
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && !host.starts_with(['.', '-'])
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
    let path_ok = (path.is_empty() || path.starts_with('/'))
        && !path.starts_with("//")
        && path.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '-' | '.' | '_' | '~' | '/' | '%' | '?' | '=' | '&' | '+')
        });
    url.len() <= MAX_URL_LEN && host_ok && port_ok && path_ok
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

    fn font(pairs: &[(&str, &str)]) -> RawFont {
        decl(pairs)
    }

    fn one(state: &str, property: &str, value: &str) -> Result<Styles, StyleError> {
        Styles::new(vec![(state.into(), decl(&[(property, value)]))], vec![])
    }

    #[test]
    fn keeps_typed_declarations_per_state() {
        let styles = Styles::new(
            vec![
                (
                    "base".into(),
                    decl(&[
                        ("color", "#1d2433"),
                        ("fontSize", "16px"),
                        ("fontFamily", "Inter, \"Helvetica Neue\", sans-serif"),
                        ("boxShadow", "0 0 0 3px rgba(31, 94, 255, .2), inset 0 1px 2px #0003"),
                        ("transition", "border-color 0.2s ease-in-out, color 150ms cubic-bezier(0.4, 0, 0.2, 1)"),
                        ("border", "1px solid rgb(198 204 216)"),
                        ("padding", "10px 12px"),
                        ("lineHeight", "1.5"),
                    ]),
                ),
                ("invalid".into(), decl(&[("color", "hsl(0 66% 47% / 0.9)")])),
                ("autofill".into(), decl(&[("webkitTextFillColor", "black")])),
            ],
            vec![font(&[
                ("family", "Inter"),
                ("src", "https://fonts.example.com/inter.woff2?v=4"),
                ("weight", "400"),
            ])],
        )
        .unwrap();
        assert_eq!(styles.rules().len(), 3);
        assert_eq!(styles.rules()[0].declarations.len(), 8);
        assert_eq!(
            styles.rules()[0].declarations[1].property.css_name(),
            "font-size"
        );
        assert_eq!(
            styles.rules()[2].state.selectors(),
            ["input:autofill", "input:-webkit-autofill"]
        );
        assert_eq!(
            Property::WebkitTextFillColor.css_name(),
            "-webkit-text-fill-color"
        );
        assert_eq!(styles.fonts()[0].weight.as_deref(), Some("400"));
    }

    #[test]
    fn refuses_unknown_states_and_properties_with_their_path() {
        assert_eq!(
            one("hover", "color", "red").unwrap_err().describe(),
            "styles.hover: unknown style state"
        );
        assert_eq!(
            one("base", "position", "fixed").unwrap_err(),
            StyleError::PropertyNotAllowed {
                path: "styles.base.position".into()
            }
        );
        assert_eq!(
            one("base", "background", "red").unwrap_err().path(),
            "styles.base.background"
        );
    }

    #[test]
    fn refuses_values_outside_each_grammar() {
        for (property, value) in [
            ("backgroundColor", "url(https://x)"),
            ("color", "red;} body{display:none"),
            ("color", "red\\"),
            ("color", ""),
            ("color", "#12345"),
            ("color", "var(--x)"),
            ("color", "rgb(1,2,3);x"),
            ("fontFamily", "\"Inter\"; src:url(x)"),
            ("fontFamily", "Inter\\"),
            ("fontFamily", "'a' 'b'"),
            ("fontWeight", "\"400"),
            ("fontWeight", "4000"),
            ("fontSize", "calc(1px + 1em)"),
            ("fontSize", "16 px"),
            ("fontStyle", "bold"),
            ("textAlign", "expression(alert(1))"),
            ("opacity", "2"),
            ("padding", "1px 2px 3px 4px 5px"),
            ("border", "1px solid red blue"),
            ("transition", "all 1s @import"),
            ("boxShadow", "0 0 image-set(x)"),
            ("lineHeight", "</style>"),
            ("color", "\\72 ed"),
            ("color", &"a".repeat(201)),
        ] {
            assert_eq!(
                one("base", property, value).unwrap_err(),
                StyleError::BadValue {
                    path: format!("styles.base.{property}")
                },
                "{property}: {value}"
            );
        }
    }

    #[test]
    fn fonts_are_https_faces_without_unicode_range() {
        let check = |f: RawFont| {
            Styles::new(vec![], vec![f])
                .map(|_| ())
                .map_err(|e| e.path().to_owned())
        };
        assert_eq!(
            check(font(&[
                ("family", "Inter"),
                ("src", "https://cdn.example/a.woff2")
            ])),
            Ok(())
        );
        for (raw, path) in [
            (
                font(&[("family", "Inter"), ("src", "http://x/f.woff2")]),
                "fonts[0].src",
            ),
            (
                font(&[("family", "Inter"), ("src", "//evil.example/f")]),
                "fonts[0].src",
            ),
            (
                font(&[("family", "Inter"), ("src", "/own/path.woff2")]),
                "fonts[0].src",
            ),
            (
                font(&[("family", "Inter"), ("src", "data:font/woff2;base64,AAAA")]),
                "fonts[0].src",
            ),
            (
                font(&[("family", "Inter"), ("src", "https://x/f\");}@font-face{")]),
                "fonts[0].src",
            ),
            (
                font(&[("family", "Inter"), ("src", "https://x/f;{}:@")]),
                "fonts[0].src",
            ),
            (
                font(&[("family", "Inter"), ("src", "https://user@x/f")]),
                "fonts[0].src",
            ),
            (
                font(&[("family", "Inter"), ("src", "https:///f")]),
                "fonts[0].src",
            ),
            (
                font(&[("family", "In\"ter"), ("src", "https://x/f")]),
                "fonts[0].family",
            ),
            (font(&[("src", "https://x/f")]), "fonts[0].family"),
            (font(&[("family", "Inter")]), "fonts[0].src"),
            (
                font(&[
                    ("family", "Inter"),
                    ("src", "https://x/f"),
                    ("weight", "400\";x"),
                ]),
                "fonts[0].weight",
            ),
            (
                font(&[
                    ("family", "Inter"),
                    ("src", "https://x/f"),
                    ("unicodeRange", "U+30"),
                ]),
                "fonts[0].unicodeRange",
            ),
        ] {
            assert_eq!(check(raw), Err(path.to_owned()));
        }
        let five = vec![font(&[("family", "A"), ("src", "https://x/a")]); MAX_FONTS + 1];
        assert_eq!(Styles::new(vec![], five), Err(StyleError::TooManyFonts));
    }
}
