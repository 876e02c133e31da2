//! Currencies the sandbox accepts and their ISO 4217 minor-unit exponents.

/// (code, exponent): the currencies of PayKKa's webhook schema plus a few with other
/// exponents.
const CURRENCIES: [(&str, u32); 14] = [
    ("CNY", 2),
    ("USD", 2),
    ("JPY", 0),
    ("RUB", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("AUD", 2),
    ("CAD", 2),
    ("INR", 2),
    ("KRW", 0),
    ("VND", 0),
    ("BHD", 3),
    ("KWD", 3),
];

/// The exponent of a supported currency.
pub fn exponent(currency: &str) -> Option<u32> {
    CURRENCIES
        .iter()
        .find(|(c, _)| *c == currency)
        .map(|(_, e)| *e)
}

/// Minor units as a decimal string: `300` USD → `"3.00"`, `300` JPY → `"300"`.
pub fn decimal(amount: i64, currency: &str) -> Option<String> {
    let exp = exponent(currency)?;
    if exp == 0 {
        return Some(amount.to_string());
    }
    let scale = 10_i64.pow(exp);
    let sign = if amount < 0 { "-" } else { "" };
    let abs = amount.unsigned_abs() as i64;
    Some(format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = exp as usize
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponents_and_decimals() {
        assert_eq!(exponent("JPY"), Some(0));
        assert_eq!(exponent("XXX"), None);
        assert_eq!(decimal(300, "USD").as_deref(), Some("3.00"));
        assert_eq!(decimal(5, "USD").as_deref(), Some("0.05"));
        assert_eq!(decimal(300, "JPY").as_deref(), Some("300"));
        assert_eq!(decimal(1234, "BHD").as_deref(), Some("1.234"));
    }
}
