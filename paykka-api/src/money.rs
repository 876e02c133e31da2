//! Currencies the sandbox accepts and their ISO 4217 minor-unit exponents.

/// (code, ISO 4217 numeric code, exponent): the currencies of PayKKa's webhook schema plus a
/// few with other exponents.
const CURRENCIES: [(&str, &str, u32); 14] = [
    ("CNY", "156", 2),
    ("USD", "840", 2),
    ("JPY", "392", 0),
    ("RUB", "643", 2),
    ("EUR", "978", 2),
    ("GBP", "826", 2),
    ("HKD", "344", 2),
    ("AUD", "036", 2),
    ("CAD", "124", 2),
    ("INR", "356", 2),
    ("KRW", "410", 0),
    ("VND", "704", 0),
    ("BHD", "048", 3),
    ("KWD", "414", 3),
];

/// The exponent of a supported currency.
pub fn exponent(currency: &str) -> Option<u32> {
    CURRENCIES
        .iter()
        .find(|(c, _, _)| *c == currency)
        .map(|(_, _, e)| *e)
}

/// The ISO 4217 numeric code of a supported currency (`"USD"` → `"840"`), as Apple Pay
/// tokens name it.
pub fn numeric_code(currency: &str) -> Option<&'static str> {
    CURRENCIES
        .iter()
        .find(|(c, _, _)| *c == currency)
        .map(|(_, n, _)| *n)
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
        assert_eq!(numeric_code("USD"), Some("840"));
        assert_eq!(numeric_code("BHD"), Some("048"));
        assert_eq!(numeric_code("XXX"), None);
        assert_eq!(decimal(300, "USD").as_deref(), Some("3.00"));
        assert_eq!(decimal(5, "USD").as_deref(), Some("0.05"));
        assert_eq!(decimal(300, "JPY").as_deref(), Some("300"));
        assert_eq!(decimal(1234, "BHD").as_deref(), Some("1.234"));
    }
}
