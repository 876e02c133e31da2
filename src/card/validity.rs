//! Field validity states and the stable error codes shared by every card field.

/// Why a field is invalid. The code strings are stable: merchants translate by them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldError {
    /// Empty where a value is required.
    Required,
    /// Characters other than the field allows (letters in a number, non-ASCII digits…).
    InvalidCharacters,
    /// Could become valid but is not complete (reported on blur or submit only).
    Incomplete,
    /// Longer than any valid value.
    TooLong,
    /// No known brand starts with these digits.
    UnknownBrand,
    /// A known brand the merchant does not accept.
    UnsupportedBrand,
    /// Full length but the Luhn checksum fails.
    LuhnFailed,
    /// Month outside 01–12.
    InvalidMonth,
    /// A year that cannot be a card expiry year.
    InvalidYear,
    /// Expiry before the current month.
    Expired,
    /// Expiry more than 19 years ahead.
    TooFarAhead,
}

impl FieldError {
    /// The stable code, e.g. `"LUHN_FAILED"`.
    pub fn code(self) -> &'static str {
        match self {
            FieldError::Required => "REQUIRED",
            FieldError::InvalidCharacters => "INVALID_CHARACTERS",
            FieldError::Incomplete => "INCOMPLETE",
            FieldError::TooLong => "TOO_LONG",
            FieldError::UnknownBrand => "UNKNOWN_BRAND",
            FieldError::UnsupportedBrand => "UNSUPPORTED_BRAND",
            FieldError::LuhnFailed => "LUHN_FAILED",
            FieldError::InvalidMonth => "INVALID_MONTH",
            FieldError::InvalidYear => "INVALID_YEAR",
            FieldError::Expired => "EXPIRED",
            FieldError::TooFarAhead => "TOO_FAR_AHEAD",
        }
    }

    /// Parses a code back (messages between frames and host).
    pub fn from_code(code: &str) -> Option<FieldError> {
        FieldError::ALL.into_iter().find(|e| e.code() == code)
    }

    /// Every error, for exhaustive tables (translations, tests).
    pub const ALL: [FieldError; 11] = [
        FieldError::Required,
        FieldError::InvalidCharacters,
        FieldError::Incomplete,
        FieldError::TooLong,
        FieldError::UnknownBrand,
        FieldError::UnsupportedBrand,
        FieldError::LuhnFailed,
        FieldError::InvalidMonth,
        FieldError::InvalidYear,
        FieldError::Expired,
        FieldError::TooFarAhead,
    ];
}

/// The validity of one field's current value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validity {
    /// Nothing typed.
    Empty,
    /// Incomplete but not wrong: more input can make it valid.
    PotentiallyValid,
    /// Complete and valid.
    Valid,
    /// Wrong whatever is typed next.
    Invalid(FieldError),
}

impl Validity {
    /// The state name used in events: `empty`, `potentiallyValid`, `valid`, `invalid`.
    pub fn state(self) -> &'static str {
        match self {
            Validity::Empty => "empty",
            Validity::PotentiallyValid => "potentiallyValid",
            Validity::Valid => "valid",
            Validity::Invalid(_) => "invalid",
        }
    }

    /// Rebuilds a validity from its state name and error (messages between frames).
    pub fn from_state(state: &str, error: Option<FieldError>) -> Option<Validity> {
        match (state, error) {
            ("empty", _) => Some(Validity::Empty),
            ("potentiallyValid", _) => Some(Validity::PotentiallyValid),
            ("valid", _) => Some(Validity::Valid),
            ("invalid", Some(e)) => Some(Validity::Invalid(e)),
            _ => None,
        }
    }

    pub fn is_valid(self) -> bool {
        self == Validity::Valid
    }

    /// The error right now, while the shopper may still be typing.
    pub fn error(self) -> Option<FieldError> {
        match self {
            Validity::Invalid(e) => Some(e),
            _ => None,
        }
    }

    /// The error to show once the shopper leaves the field or submits: incomplete and
    /// (when `required`) empty values become errors too.
    pub fn error_when_done(self, required: bool) -> Option<FieldError> {
        match self {
            Validity::Empty if required => Some(FieldError::Required),
            Validity::Empty | Validity::Valid => None,
            Validity::PotentiallyValid => Some(FieldError::Incomplete),
            Validity::Invalid(e) => Some(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_screaming_snake_case() {
        let codes: Vec<_> = FieldError::ALL.iter().map(|e| e.code()).collect();
        for (i, code) in codes.iter().enumerate() {
            assert!(code.chars().all(|c| c.is_ascii_uppercase() || c == '_'));
            assert!(!codes[..i].contains(code), "{code} twice");
        }
    }

    #[test]
    fn errors_when_done() {
        assert_eq!(
            Validity::Empty.error_when_done(true),
            Some(FieldError::Required)
        );
        assert_eq!(Validity::Empty.error_when_done(false), None);
        assert_eq!(
            Validity::PotentiallyValid.error_when_done(false),
            Some(FieldError::Incomplete)
        );
        assert_eq!(Validity::PotentiallyValid.error(), None);
        assert_eq!(Validity::Valid.error_when_done(true), None);
        let invalid = Validity::Invalid(FieldError::LuhnFailed);
        assert_eq!(invalid.error(), Some(FieldError::LuhnFailed));
        assert_eq!(invalid.state(), "invalid");
    }
}
