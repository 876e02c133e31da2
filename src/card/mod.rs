//! Pure card rules: brands, numbers, formatting with the caret, expiry, security code and
//! holder name. No browser types here; everything is tested natively.

pub mod brand;
pub mod cvc;
pub mod expiry;
pub mod format;
pub mod holder;
pub mod number;
pub mod validity;

pub use brand::{detect, Brand, Detection};
pub use cvc::check_cvc;
pub use expiry::{check_expiry, ExpiryCheck, YearMonth};
pub use format::{edit_number, format_number, Edit, Formatted};
pub use holder::{check_holder_name, HolderNamePolicy};
pub use number::{check_number, luhn_valid, NumberCheck};
pub use validity::{FieldError, Validity};

/// The number of characters in `text` (its UTF-8 lead bytes). `chars().count()` brings a
/// vectorised counter, nearly 1 KB of wasm, for strings of a few dozen characters.
pub fn char_count(text: &str) -> usize {
    text.bytes().filter(|b| b & 0xC0 != 0x80).count()
}

#[cfg(test)]
mod tests {
    use super::char_count;

    #[test]
    fn char_count_counts_characters_not_bytes() {
        for text in [
            "",
            "4242",
            "José Núñez",
            "李小龙",
            "Zoë 🙂 ﬁ",
            "\u{10FFFF}a",
        ] {
            assert_eq!(char_count(text), text.chars().count(), "{text}");
        }
    }
}
