//! Card holder names: letters, spaces and `.'-`, up to 64 characters; optional, required or hidden.

use super::validity::{FieldError, Validity};

/// Whether the form shows and requires a holder name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum HolderNamePolicy {
    /// Shown, may be left empty.
    Optional,
    /// Shown and must be filled.
    Required,
    /// Not shown at all.
    #[default]
    Hidden,
}

impl HolderNamePolicy {
    /// Parses `"optional"`, `"required"` or `"hidden"`.
    pub fn from_id(id: &str) -> Option<Self> {
        match id {
            "optional" => Some(Self::Optional),
            "required" => Some(Self::Required),
            "hidden" => Some(Self::Hidden),
            _ => None,
        }
    }
}

/// The longest holder name accepted, in characters.
pub const MAX_HOLDER_NAME: usize = 64;

fn is_name_char(c: char) -> bool {
    c.is_alphabetic() || c == ' ' || matches!(c, '.' | '\'' | '-') || is_combining_mark(c)
}

/// Combining accents typed as separate code points (e.g. `e` + U+0301).
fn is_combining_mark(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

/// The name as it is sent: trimmed, inner whitespace runs collapsed to one space.
pub fn normalize_holder_name(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Checks a holder name as typed. Empty is fine unless `required` (reported when done).
pub fn check_holder_name(text: &str) -> Validity {
    let name = normalize_holder_name(text);
    if name.is_empty() {
        Validity::Empty
    } else if !name.chars().all(is_name_char) {
        Validity::Invalid(FieldError::InvalidCharacters)
    } else if crate::card::char_count(&name) > MAX_HOLDER_NAME {
        Validity::Invalid(FieldError::TooLong)
    } else {
        Validity::Valid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in [
            "J. Smith",
            "Anne-Marie O'Neil",
            "张伟",
            "José Álvarez",
            "Zoë",
            "  Ann   Lee ",
        ] {
            assert_eq!(check_holder_name(ok), Validity::Valid, "{ok}");
        }
        assert_eq!(check_holder_name(""), Validity::Empty);
        assert_eq!(check_holder_name("   "), Validity::Empty);
        for bad in ["R2D2", "a@b", "Ann 🙂", "<script>"] {
            assert_eq!(
                check_holder_name(bad),
                Validity::Invalid(FieldError::InvalidCharacters),
                "{bad}"
            );
        }
        assert_eq!(check_holder_name(&"a".repeat(64)), Validity::Valid);
        assert_eq!(
            check_holder_name(&"a".repeat(65)),
            Validity::Invalid(FieldError::TooLong)
        );
        assert_eq!(normalize_holder_name("  Ann   Lee "), "Ann Lee");
        assert_eq!(
            check_holder_name("").error_when_done(true),
            Some(FieldError::Required)
        );
    }

    #[test]
    fn policy_ids() {
        assert_eq!(
            HolderNamePolicy::from_id("required"),
            Some(HolderNamePolicy::Required)
        );
        assert_eq!(HolderNamePolicy::from_id("sometimes"), None);
    }
}
