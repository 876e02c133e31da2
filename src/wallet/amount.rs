//! Amounts: the API's integer minor units as the decimal strings both wallets take, by
//! ISO 4217 exponent and integer arithmetic only (CLDR's display digits differ for IDR,
//! HUF, COP and IQD, so `Intl` is used for display only, never here).

/// ISO 4217 currencies with no minor unit.
const EXPONENT_0: [&str; 17] = [
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND",
    "VUV", "XAF", "XOF", "XPF",
];
/// ISO 4217 currencies with three decimals.
const EXPONENT_3: [&str; 7] = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
/// ISO 4217 currencies with four decimals.
const EXPONENT_4: [&str; 2] = ["CLF", "UYW"];

/// Why an amount cannot be given to a wallet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmountError {
    /// Not three upper-case letters.
    Currency,
    /// Not a decimal with exactly the currency's number of decimals.
    Format,
    /// More than a wallet can show (or than fits in minor units).
    TooLarge,
}

/// The largest amount in minor units (PayKKa's amounts are at most 12 digits).
pub const MAX_MINOR: u64 = 999_999_999_999;

/// The ISO 4217 exponent of an alphabetic currency code (2 for every code not listed).
pub fn exponent(currency: &str) -> Result<u32, AmountError> {
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(AmountError::Currency);
    }
    Ok(if EXPONENT_0.contains(&currency) {
        0
    } else if EXPONENT_3.contains(&currency) {
        3
    } else if EXPONENT_4.contains(&currency) {
        4
    } else {
        2
    })
}

/// Minor units as a decimal string with exactly the currency's decimals: 1250 USD →
/// "12.50", 5 USD → "0.05", 1690 JPY → "1690", 12345 KWD → "12.345".
pub fn to_decimal(minor: u64, currency: &str) -> Result<String, AmountError> {
    let exp = exponent(currency)? as usize;
    if minor > MAX_MINOR {
        return Err(AmountError::TooLarge);
    }
    let digits = minor.to_string();
    if exp == 0 {
        return Ok(digits);
    }
    let padded = if digits.len() <= exp {
        "0".repeat(exp + 1 - digits.len()) + &digits
    } else {
        digits
    };
    // `get`, not `split_at`: the char-boundary panic path costs 3 KB of wasm.
    let at = padded.len() - exp;
    match (padded.get(..at), padded.get(at..)) {
        (Some(whole), Some(fraction)) => Ok([whole, ".", fraction].concat()),
        _ => Err(AmountError::Format),
    }
}

/// A decimal string back to minor units; it must have exactly the currency's decimals.
pub fn from_decimal(decimal: &str, currency: &str) -> Result<u64, AmountError> {
    let exp = exponent(currency)? as usize;
    let (whole, fraction) = match decimal.split_once('.') {
        Some((w, f)) if exp > 0 && f.len() == exp => (w, f),
        None if exp == 0 => (decimal, ""),
        _ => return Err(AmountError::Format),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || !(fraction.is_empty() || all_digits(fraction)) {
        return Err(AmountError::Format);
    }
    let value: u64 = [whole, fraction]
        .concat()
        .parse()
        .map_err(|_| AmountError::TooLarge)?;
    if value > MAX_MINOR {
        return Err(AmountError::TooLarge);
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_examples_of_the_wallet_facts() {
        assert_eq!(to_decimal(1690, "JPY").unwrap(), "1690");
        assert_eq!(to_decimal(1250, "USD").unwrap(), "12.50");
        assert_eq!(to_decimal(5, "USD").unwrap(), "0.05");
        assert_eq!(to_decimal(0, "USD").unwrap(), "0.00");
        assert_eq!(to_decimal(12345, "KWD").unwrap(), "12.345");
        assert_eq!(to_decimal(5, "BHD").unwrap(), "0.005");
        assert_eq!(to_decimal(7, "CLF").unwrap(), "0.0007");
        assert_eq!(
            to_decimal(100, "IDR").unwrap(),
            "1.00",
            "ISO 4217, not CLDR"
        );
    }

    #[test]
    fn bad_currencies_and_strings_are_refused() {
        assert_eq!(to_decimal(1, "usd"), Err(AmountError::Currency));
        assert_eq!(to_decimal(1, "US"), Err(AmountError::Currency));
        assert_eq!(to_decimal(MAX_MINOR + 1, "USD"), Err(AmountError::TooLarge));
        for bad in ["12.5", "12", "12.500", ".50", "1a.00", "-1.00", "1.0 0", ""] {
            assert_eq!(from_decimal(bad, "USD"), Err(AmountError::Format), "{bad}");
        }
        assert_eq!(from_decimal("12.00", "JPY"), Err(AmountError::Format));
        assert_eq!(from_decimal("12.345", "KWD"), Ok(12345));
        assert_eq!(from_decimal("0.05", "USD"), Ok(5));
    }
}
