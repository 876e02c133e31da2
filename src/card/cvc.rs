//! Security codes (CVV/CVC/CID): 3 digits, 4 for Amex, 3 or 4 while the brand is unknown.

use super::brand::Brand;
use super::number::digits_only;
use super::validity::{FieldError, Validity};

/// The accepted code lengths for `brand` (None: brand not known yet).
pub fn cvc_lengths(brand: Option<Brand>) -> &'static [usize] {
    match brand.map(|b| b.rules().code_size) {
        Some(3) => &[3],
        Some(4) => &[4],
        _ => &[3, 4],
    }
}

/// Checks a security code as typed.
pub fn check_cvc(text: &str, brand: Option<Brand>) -> Validity {
    let digits = match digits_only(text, |_| false) {
        Ok(d) => d,
        Err(e) => return Validity::Invalid(e),
    };
    let lengths = cvc_lengths(brand);
    let max = lengths.iter().copied().max().unwrap_or(4);
    match digits.len() {
        0 => Validity::Empty,
        n if lengths.contains(&n) => Validity::Valid,
        n if n < max => Validity::PotentiallyValid,
        _ => Validity::Invalid(FieldError::TooLong),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_by_brand() {
        assert_eq!(check_cvc("123", Some(Brand::Visa)), Validity::Valid);
        assert_eq!(
            check_cvc("1234", Some(Brand::Visa)),
            Validity::Invalid(FieldError::TooLong)
        );
        assert_eq!(check_cvc("1234", Some(Brand::Amex)), Validity::Valid);
        assert_eq!(
            check_cvc("123", Some(Brand::Amex)),
            Validity::PotentiallyValid
        );
        assert_eq!(check_cvc("123", None), Validity::Valid);
        assert_eq!(check_cvc("1234", None), Validity::Valid);
        assert_eq!(
            check_cvc("12345", None),
            Validity::Invalid(FieldError::TooLong)
        );
        assert_eq!(check_cvc("12", None), Validity::PotentiallyValid);
        assert_eq!(check_cvc("", None), Validity::Empty);
    }

    #[test]
    fn digits_only() {
        for bad in ["12a", "1 2 3", "١٢٣", "12-3"] {
            assert_eq!(
                check_cvc(bad, None),
                Validity::Invalid(FieldError::InvalidCharacters),
                "{bad}"
            );
        }
    }
}
