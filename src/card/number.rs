//! Card numbers: digit normalisation, the Luhn checksum and number validation by brand.

use super::brand::{detect, Brand, Detection, MAX_NUMBER_LENGTH};
use super::validity::{FieldError, Validity};

/// Keeps ASCII digits, drops characters for which `is_separator` holds, and rejects
/// everything else (letters, emoji, non-ASCII digits such as `٤` or `４`).
pub fn digits_only(text: &str, is_separator: impl Fn(char) -> bool) -> Result<String, FieldError> {
    let mut digits = String::with_capacity(text.len().min(64));
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if !is_separator(c) {
            return Err(FieldError::InvalidCharacters);
        }
    }
    Ok(digits)
}

/// Whether `c` may separate digit groups in a typed or pasted card number.
pub fn is_number_separator(c: char) -> bool {
    c == '-' || c.is_whitespace()
}

/// The digits of a typed or pasted card number: spaces and dashes dropped.
pub fn normalize_number(text: &str) -> Result<String, FieldError> {
    digits_only(text, is_number_separator)
}

/// The Luhn (mod 10) checksum over ASCII digits.
pub fn luhn_valid(digits: &str) -> bool {
    if digits.is_empty() {
        return false;
    }
    let mut sum = 0u32;
    for (i, b) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(b.wrapping_sub(b'0'));
        if d > 9 {
            return false;
        }
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

/// The result of checking a card number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NumberCheck {
    /// The normalised digits (empty when the input had invalid characters).
    pub digits: String,
    pub detection: Detection,
    pub validity: Validity,
}

impl NumberCheck {
    /// The brand, once known for sure.
    pub fn brand(&self) -> Option<Brand> {
        self.detection.brand()
    }

    /// The error to show on blur or submit. A full-length number that fails Luhn but could
    /// still grow (a 16-digit Visa) reports `LUHN_FAILED` rather than `INCOMPLETE`.
    pub fn error_when_done(&self) -> Option<FieldError> {
        match (self.validity, self.brand()) {
            (Validity::PotentiallyValid, Some(b))
                if b.rules().lengths.contains(&self.digits.len()) =>
            {
                Some(FieldError::LuhnFailed)
            }
            (validity, _) => validity.error_when_done(true),
        }
    }
}

/// Checks a card number as typed. `accepted` limits the brands (None: all known brands).
pub fn check_number(text: &str, accepted: Option<&[Brand]>) -> NumberCheck {
    let digits = match normalize_number(text) {
        Ok(d) => d,
        Err(e) => {
            return NumberCheck {
                digits: String::new(),
                detection: Detection::None,
                validity: Validity::Invalid(e),
            }
        }
    };
    let detection = detect(&digits);
    let validity = number_validity(&digits, &detection, accepted);
    NumberCheck {
        digits,
        detection,
        validity,
    }
}

fn number_validity(digits: &str, detection: &Detection, accepted: Option<&[Brand]>) -> Validity {
    let is_accepted = |b: &Brand| accepted.is_none_or(|list| list.contains(b));
    if digits.is_empty() {
        return Validity::Empty;
    }
    match detection {
        Detection::None => Validity::Invalid(FieldError::UnknownBrand),
        Detection::Ambiguous(candidates) => {
            if !candidates.iter().any(is_accepted) {
                Validity::Invalid(FieldError::UnsupportedBrand)
            } else if digits.len() > MAX_NUMBER_LENGTH {
                Validity::Invalid(FieldError::TooLong)
            } else {
                Validity::PotentiallyValid
            }
        }
        Detection::Brand(brand) if !is_accepted(brand) => {
            Validity::Invalid(FieldError::UnsupportedBrand)
        }
        Detection::Brand(brand) => {
            let rules = brand.rules();
            let len = digits.len();
            let checksum_ok = !rules.luhn || luhn_valid(digits);
            let could_grow = len < brand.max_length();
            if rules.lengths.contains(&len) && checksum_ok {
                Validity::Valid
            } else if could_grow {
                Validity::PotentiallyValid
            } else if rules.lengths.contains(&len) {
                Validity::Invalid(FieldError::LuhnFailed)
            } else {
                Validity::Invalid(FieldError::TooLong)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn() {
        assert!(luhn_valid("4242424242424242"));
        assert!(luhn_valid("378282246310005"));
        assert!(luhn_valid("0"));
        assert!(!luhn_valid("4242424242424241"));
        assert!(!luhn_valid(""));
        assert!(!luhn_valid("42a2"));
    }

    #[test]
    fn normalisation_drops_spaces_and_dashes_only() {
        assert_eq!(
            normalize_number(" 4242-4242 4242\t4242 ").as_deref(),
            Ok("4242424242424242")
        );
        for bad in ["4242x", "٤٢٤٢", "４２４２", "4242🙂", "42.42", "+4242"] {
            assert_eq!(
                normalize_number(bad),
                Err(FieldError::InvalidCharacters),
                "{bad}"
            );
        }
    }

    fn validity(text: &str) -> Validity {
        check_number(text, None).validity
    }

    #[test]
    fn valid_test_cards() {
        for number in [
            "4242 4242 4242 4242",
            "5555555555554444",
            "3782 822463 10005",
            "3566002020360505",
            "6011111111111117",
            "36227206271667",
            "6200000000000005",
            "4000000000003220",
            "4000000000000002",
            "4000000000009995",
            "4000000000000069",
            "4000000000000127",
            "4111111111111111110", // 19-digit Visa
        ] {
            assert_eq!(validity(number), Validity::Valid, "{number}");
        }
    }

    #[test]
    fn states_and_error_codes() {
        assert_eq!(validity(""), Validity::Empty);
        assert_eq!(validity("4"), Validity::PotentiallyValid);
        assert_eq!(validity("6"), Validity::PotentiallyValid);
        assert_eq!(validity("4242 4242"), Validity::PotentiallyValid);
        assert_eq!(
            validity("9999"),
            Validity::Invalid(FieldError::UnknownBrand)
        );
        assert_eq!(
            validity("4242a"),
            Validity::Invalid(FieldError::InvalidCharacters)
        );
        // Amex has one length: a 15-digit number failing Luhn is wrong for good.
        assert_eq!(
            validity("378282246310006"),
            Validity::Invalid(FieldError::LuhnFailed)
        );
        assert_eq!(
            validity("3782822463100050"),
            Validity::Invalid(FieldError::TooLong)
        );
        assert_eq!(
            validity("42424242424242424242"),
            Validity::Invalid(FieldError::TooLong)
        );
        // A 16-digit Visa failing Luhn could still become a valid 18/19-digit Visa.
        let visa = check_number("4242424242424241", None);
        assert_eq!(visa.validity, Validity::PotentiallyValid);
        assert_eq!(visa.error_when_done(), Some(FieldError::LuhnFailed));
        assert_eq!(
            check_number("4242", None).error_when_done(),
            Some(FieldError::Incomplete)
        );
        assert_eq!(
            check_number("", None).error_when_done(),
            Some(FieldError::Required)
        );
    }

    #[test]
    fn unionpay_does_not_need_luhn() {
        assert!(!luhn_valid("6212345678901234"));
        assert_eq!(validity("6212345678901234"), Validity::Valid);
        assert_eq!(validity("62123456789012"), Validity::Valid); // 14 digits
    }

    #[test]
    fn accepted_brands() {
        let only_visa = [Brand::Visa];
        assert_eq!(
            check_number("5555555555554444", Some(&only_visa)).validity,
            Validity::Invalid(FieldError::UnsupportedBrand)
        );
        assert_eq!(
            check_number("4242424242424242", Some(&only_visa)).validity,
            Validity::Valid
        );
        // "6" could be several brands, none of them Visa.
        assert_eq!(
            check_number("6", Some(&only_visa)).validity,
            Validity::Invalid(FieldError::UnsupportedBrand)
        );
        assert_eq!(
            check_number("6", Some(&[Brand::Discover])).validity,
            Validity::PotentiallyValid
        );
    }

    #[test]
    fn ten_thousand_characters_do_not_panic() {
        let long = "4".repeat(10_000);
        assert_eq!(validity(&long), Validity::Invalid(FieldError::TooLong));
        let junk = "x".repeat(10_000);
        assert_eq!(
            validity(&junk),
            Validity::Invalid(FieldError::InvalidCharacters)
        );
    }
}
