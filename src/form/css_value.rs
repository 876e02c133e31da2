//! The allow-list grammars of style values. A value is split into a few kinds of tokens
//! (numbers with a unit, lowercase keywords, hex colours, `rgb()`/`hsl()`/`cubic-bezier()`
//! with numeric arguments, commas, and — for font families only — quoted names of letters,
//! digits, spaces, `-` and `_`); anything else (`;`, braces, `@`, backslashes, `url(`,
//! `var(`, other functions, stray quotes) does not tokenize, so it is refused before any
//! grammar is asked.

/// What a property's value may be.
#[derive(Clone, Copy, Debug)]
pub enum Grammar {
    /// One to `n` colours.
    Colors(usize),
    /// One to `n` lengths.
    Lengths(usize),
    /// A length or one of the keywords.
    LengthOr(&'static [&'static str]),
    /// A number, a length or `normal`.
    LineHeight,
    /// `normal`, `bold`, `bolder`, `lighter` or 1–1000.
    FontWeight,
    /// A `@font-face` weight: `normal`, `bold`, or one or two numbers 1–1000.
    FontFaceWeight,
    /// One of the keywords.
    Keyword(&'static [&'static str]),
    /// 0–1 or 0%–100%.
    Opacity,
    /// `none` or comma-separated shadows (2–4 lengths, a colour, `inset` if allowed).
    Shadows { inset: bool },
    /// `none` or comma-separated transitions (property, durations, timing function).
    Transition,
    /// Width, style and colour, each at most once.
    Border,
    /// Comma-separated family names (keywords or quoted names).
    FontFamilies,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    /// A number in thousandths (no floating point in the wasm) and its unit (`""` for
    /// none, `"%"`, `"px"`…).
    Number(i64, String),
    Ident(String),
    /// A hex colour with this many digits.
    Hash(usize),
    /// A function and its number of arguments.
    Function(String, usize),
    /// A quoted family name.
    Quoted,
    Comma,
}

/// One, in the thousandths numbers are kept in.
const THOUSANDTHS: i64 = 1000;

const LENGTH_UNITS: [&str; 11] = [
    "px", "em", "rem", "%", "pt", "vh", "vw", "vmin", "vmax", "ch", "ex",
];
const GLOBAL: [&str; 4] = ["inherit", "initial", "unset", "revert"];
const TIMING: [&str; 7] = [
    "ease",
    "linear",
    "ease-in",
    "ease-out",
    "ease-in-out",
    "step-start",
    "step-end",
];
const BORDER_STYLES: [&str; 10] = [
    "none", "hidden", "solid", "dashed", "dotted", "double", "groove", "ridge", "inset", "outset",
];
const BORDER_WIDTHS: [&str; 3] = ["thin", "medium", "thick"];
const TRANSITION_PROPERTIES: [&str; 14] = [
    "all",
    "color",
    "background-color",
    "border-color",
    "box-shadow",
    "opacity",
    "padding",
    "border",
    "border-radius",
    "font-size",
    "letter-spacing",
    "text-shadow",
    "caret-color",
    "-webkit-text-fill-color",
];

/// Whether `value` is in `grammar`.
pub fn matches(grammar: Grammar, value: &str) -> bool {
    let Some(tokens) = tokenize(value) else {
        return false;
    };
    if let [Token::Ident(word)] = tokens.as_slice() {
        if GLOBAL.contains(&word.as_str()) && !matches!(grammar, Grammar::FontFaceWeight) {
            return true;
        }
    }
    if tokens.contains(&Token::Quoted) && !matches!(grammar, Grammar::FontFamilies) {
        return false;
    }
    match grammar {
        Grammar::Colors(n) => count_all(&tokens, 1, n, is_color),
        Grammar::Lengths(n) => count_all(&tokens, 1, n, is_length),
        Grammar::LengthOr(words) => single(&tokens, |t| is_length(t) || is_keyword(t, words)),
        Grammar::LineHeight => single(&tokens, |t| {
            is_length(t) || is_keyword(t, &["normal"]) || number(t, "").is_some_and(|n| n >= 0)
        }),
        Grammar::FontWeight => single(&tokens, |t| {
            is_keyword(t, &["normal", "bold", "bolder", "lighter"]) || is_weight(t)
        }),
        Grammar::FontFaceWeight => {
            single(&tokens, |t| is_keyword(t, &["normal", "bold"]))
                || count_all(&tokens, 1, 2, is_weight)
        }
        Grammar::Keyword(words) => single(&tokens, |t| is_keyword(t, words)),
        Grammar::Opacity => single(&tokens, |t| {
            number(t, "").is_some_and(|n| (0..=THOUSANDTHS).contains(&n))
                || number(t, "%").is_some_and(|n| (0..=100 * THOUSANDTHS).contains(&n))
        }),
        Grammar::Shadows { inset } => {
            single(&tokens, |t| is_keyword(t, &["none"]))
                || groups(&tokens).iter().all(|g| is_shadow(g, inset))
        }
        Grammar::Transition => {
            single(&tokens, |t| is_keyword(t, &["none"]))
                || groups(&tokens).iter().all(|g| is_transition(g))
        }
        Grammar::Border => is_border(&tokens),
        Grammar::FontFamilies => groups(&tokens).iter().all(|g| is_family(g)),
    }
}

fn single(tokens: &[Token], accept: impl Fn(&Token) -> bool) -> bool {
    matches!(tokens, [t] if accept(t))
}

fn count_all(tokens: &[Token], min: usize, max: usize, accept: fn(&Token) -> bool) -> bool {
    (min..=max).contains(&tokens.len()) && tokens.iter().all(accept)
}

/// Comma-separated groups; `None`-like empty groups make the whole list fail.
fn groups(tokens: &[Token]) -> Vec<&[Token]> {
    tokens.split(|t| *t == Token::Comma).collect()
}

fn number(token: &Token, unit: &str) -> Option<i64> {
    match token {
        Token::Number(n, u) if u == unit => Some(*n),
        _ => None,
    }
}

fn is_keyword(token: &Token, words: &[&str]) -> bool {
    matches!(token, Token::Ident(word) if words.contains(&word.as_str()))
}

fn is_length(token: &Token) -> bool {
    match token {
        Token::Number(n, unit) if unit.is_empty() => *n == 0,
        Token::Number(_, unit) => LENGTH_UNITS.contains(&unit.as_str()),
        _ => false,
    }
}

fn is_time(token: &Token) -> bool {
    matches!(token, Token::Number(n, unit) if *n >= 0 && (unit == "s" || unit == "ms"))
}

fn is_weight(token: &Token) -> bool {
    number(token, "").is_some_and(|n| (THOUSANDTHS..=1000 * THOUSANDTHS).contains(&n))
}

fn is_color(token: &Token) -> bool {
    match token {
        Token::Hash(digits) => [3, 4, 6, 8].contains(digits),
        // Named colours, `transparent`, `currentcolor`: letters only.
        Token::Ident(word) => word.bytes().all(|b| b.is_ascii_lowercase()),
        Token::Function(name, args) => {
            ["rgb", "rgba", "hsl", "hsla"].contains(&name.as_str()) && (3..=4).contains(args)
        }
        _ => false,
    }
}

fn is_shadow(group: &[Token], inset_allowed: bool) -> bool {
    let lengths = group.iter().filter(|t| is_length(t)).count();
    let colors = group
        .iter()
        .filter(|t| !is_length(t) && !is_keyword(t, &["inset"]) && is_color(t))
        .count();
    let insets = group.iter().filter(|t| is_keyword(t, &["inset"])).count();
    (2..=4).contains(&lengths)
        && colors <= 1
        && insets <= usize::from(inset_allowed)
        && lengths + colors + insets == group.len()
}

fn is_transition(group: &[Token]) -> bool {
    let properties = group
        .iter()
        .filter(|t| is_keyword(t, &TRANSITION_PROPERTIES))
        .count();
    let times = group.iter().filter(|t| is_time(t)).count();
    let timings = group
        .iter()
        .filter(|t| {
            is_keyword(t, &TIMING)
                || matches!(t, Token::Function(name, 4) if name == "cubic-bezier")
        })
        .count();
    !group.is_empty()
        && properties <= 1
        && times <= 2
        && timings <= 1
        && properties + times + timings == group.len()
}

fn is_border(tokens: &[Token]) -> bool {
    let styles = tokens
        .iter()
        .filter(|t| is_keyword(t, &BORDER_STYLES))
        .count();
    let widths = tokens
        .iter()
        .filter(|t| is_length(t) || is_keyword(t, &BORDER_WIDTHS))
        .count();
    let colors = tokens
        .iter()
        .filter(|t| !is_keyword(t, &BORDER_STYLES) && !is_keyword(t, &BORDER_WIDTHS) && is_color(t))
        .count();
    (1..=3).contains(&tokens.len())
        && styles <= 1
        && widths <= 1
        && colors <= 1
        && styles + widths + colors == tokens.len()
}

fn is_family(group: &[Token]) -> bool {
    match group {
        [Token::Quoted] => true,
        [] => false,
        words => words
            .iter()
            .all(|t| matches!(t, Token::Ident(w) if !w.starts_with('-'))),
    }
}

/// Splits a value into tokens, or `None` if any character is outside the token kinds.
fn tokenize(value: &str) -> Option<Vec<Token>> {
    let chars: Vec<char> = value.trim_matches(' ').chars().collect();
    if chars.is_empty() {
        return None;
    }
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' || c == ',' {
            if c == ',' {
                tokens.push(Token::Comma);
            }
            i += 1;
            continue;
        }
        if c == '#' {
            let digits = run(&chars, i + 1, |c| c.is_ascii_hexdigit());
            tokens.push(Token::Hash(digits));
            i += 1 + digits;
        } else if c == '"' || c == '\'' {
            let inner = run(&chars, i + 1, |c| {
                c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '_')
            });
            if inner == 0 || chars.get(i + 1 + inner) != Some(&c) {
                return None;
            }
            tokens.push(Token::Quoted);
            i += inner + 2;
        } else if starts_number(&chars, i) {
            let (n, len) = read_number(&chars, i)?;
            let unit = run(&chars, i + len, |c| c.is_ascii_lowercase() || c == '%');
            let unit_text: String = chars[i + len..i + len + unit].iter().collect();
            tokens.push(Token::Number(n, unit_text));
            i += len + unit;
        } else if c.is_ascii_alphabetic() || c == '-' {
            let len = run(&chars, i, |c| c.is_ascii_alphanumeric() || c == '-');
            let word: String = chars[i..i + len]
                .iter()
                .collect::<String>()
                .to_ascii_lowercase();
            i += len;
            if chars.get(i) == Some(&'(') {
                let (args, consumed) = read_arguments(&chars, i + 1)?;
                tokens.push(Token::Function(word, args));
                i += 1 + consumed;
            } else {
                tokens.push(Token::Ident(word));
            }
        } else {
            return None;
        }
        // Tokens are separated: `1e3px`, `#fffz` or `"a"b` do not split into two.
        if !matches!(chars.get(i), None | Some(' ' | ',')) {
            return None;
        }
    }
    Some(tokens)
}

fn run(chars: &[char], from: usize, accept: impl Fn(char) -> bool) -> usize {
    chars
        .get(from..)
        .map_or(0, |rest| rest.iter().take_while(|c| accept(**c)).count())
}

fn starts_number(chars: &[char], i: usize) -> bool {
    let digit_at = |j: usize| chars.get(j).is_some_and(char::is_ascii_digit);
    let after_sign = if matches!(chars[i], '+' | '-') {
        i + 1
    } else {
        i
    };
    digit_at(after_sign) || (chars.get(after_sign) == Some(&'.') && digit_at(after_sign + 1))
}

/// A decimal number without exponent: its value in thousandths and its length.
fn read_number(chars: &[char], from: usize) -> Option<(i64, usize)> {
    let negative = chars[from] == '-';
    let sign = usize::from(matches!(chars[from], '+' | '-'));
    let whole = run(chars, from + sign, |c| c.is_ascii_digit());
    let mut len = sign + whole;
    let mut fraction = 0;
    if chars.get(from + len) == Some(&'.') {
        fraction = run(chars, from + len + 1, |c| c.is_ascii_digit());
        if fraction == 0 {
            return None;
        }
        len += 1 + fraction;
    }
    if len > 12 {
        return None;
    }
    let digit = |c: &char| i64::from(c.to_digit(10).unwrap_or(0));
    let whole_part = chars[from + sign..from + sign + whole]
        .iter()
        .fold(0i64, |n, c| n * 10 + digit(c));
    let fraction_start = from + sign + whole + 1;
    let thousandths = (0..3).fold(0i64, |n, i| {
        let c = if i < fraction {
            chars.get(fraction_start + i)
        } else {
            None
        };
        n * 10 + c.map_or(0, digit)
    });
    let value = whole_part * THOUSANDTHS + thousandths;
    Some((if negative { -value } else { value }, len))
}

/// Numeric arguments up to `)`: their count and the characters consumed (with `)`).
fn read_arguments(chars: &[char], from: usize) -> Option<(usize, usize)> {
    let mut i = from;
    let mut args = 0;
    loop {
        match chars.get(i)? {
            ')' => return (args > 0).then_some((args, i + 1 - from)),
            ' ' | ',' | '/' => i += 1,
            _ if starts_number(chars, i) => {
                let (_, len) = read_number(chars, i)?;
                let unit = run(chars, i + len, |c| c.is_ascii_lowercase() || c == '%');
                let unit_text: String = chars[i + len..i + len + unit].iter().collect();
                if !["", "%", "deg", "turn", "rad"].contains(&unit_text.as_str()) {
                    return None;
                }
                args += 1;
                i += len + unit;
            }
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_cannot_carry_css_syntax() {
        for value in [
            "red;",
            "a{",
            "}",
            "@import",
            "url(x)",
            "var(--a)",
            "\\66",
            "a:b",
            "\"a",
            "a'",
            "calc(1px)",
            "rgb(1,2,x)",
            "rgb(",
            "1e3px",
            "<",
            "!important",
            "a\tb",
            "/*x*/",
            "1.px",
        ] {
            assert!(tokenize(value).is_none(), "{value}");
        }
    }

    #[test]
    fn grammars_accept_ordinary_values() {
        let ok = [
            (Grammar::Colors(1), "#FFF"),
            (Grammar::Colors(1), "rgba(0, 0, 0, 0.5)"),
            (Grammar::Colors(1), "hsl(210deg 50% 40% / 80%)"),
            (Grammar::Colors(1), "rebeccapurple"),
            (Grammar::Colors(4), "red #000 blue #123456"),
            (Grammar::Lengths(4), "0 1px 2em 3%"),
            (Grammar::LengthOr(&["normal"]), "-0.02em"),
            (Grammar::LineHeight, "1.25"),
            (Grammar::FontWeight, "600"),
            (Grammar::FontFaceWeight, "100 900"),
            (Grammar::Opacity, "0.5"),
            (
                Grammar::Shadows { inset: false },
                "1px 1px 2px black, 0 0 1em red",
            ),
            (Grammar::Transition, "all .2s"),
            (Grammar::Border, "thin dashed"),
            (Grammar::FontFamilies, "'Open Sans', system-ui, sans-serif"),
            (Grammar::Keyword(&["left"]), "inherit"),
        ];
        for (grammar, value) in ok {
            assert!(matches(grammar, value), "{grammar:?}: {value}");
        }
    }

    #[test]
    fn grammars_refuse_the_wrong_kind() {
        let bad = [
            (Grammar::Colors(1), "1px"),
            (Grammar::Colors(1), "red blue"),
            (Grammar::Colors(1), "rgb(1, 2)"),
            (Grammar::Colors(1), "not-a-colour"),
            (Grammar::Lengths(1), "12"),
            (Grammar::Lengths(1), "12deg"),
            (Grammar::FontWeight, "1001"),
            (Grammar::FontFaceWeight, "inherit"),
            (Grammar::Opacity, "-0.1"),
            (Grammar::Shadows { inset: false }, "inset 1px 1px red"),
            (Grammar::Shadows { inset: true }, "1px red"),
            (Grammar::Transition, "all 1s 2s 3s"),
            (Grammar::Transition, "position 1s"),
            (Grammar::Border, "1px 2px solid"),
            (Grammar::FontFamilies, "Inter,,Arial"),
            (Grammar::FontFamilies, "'Inter' Arial"),
            (Grammar::FontFamilies, "--x"),
            (Grammar::Colors(1), "'red'"),
        ];
        for (grammar, value) in bad {
            assert!(!matches(grammar, value), "{grammar:?}: {value}");
        }
    }
}
