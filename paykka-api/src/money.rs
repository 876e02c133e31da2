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

/// An amount in minor units as PayKKa writes it: a JSON number or, as its API pages show
/// (`"amount": "300"`), a string of digits; positive and at most 10^12.
pub fn minor_units(value: &serde_json::Value) -> Option<i64> {
    let n = match value {
        serde_json::Value::Number(n) => n.as_i64()?,
        serde_json::Value::String(s)
            if !s.is_empty() && s.len() <= 15 && s.bytes().all(|b| b.is_ascii_digit()) =>
        {
            s.parse().ok()?
        }
        _ => return None,
    };
    (1..=1_000_000_000_000).contains(&n).then_some(n)
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

    #[test]
    fn amounts_are_numbers_or_digit_strings() {
        use serde_json::json;
        assert_eq!(minor_units(&json!(300)), Some(300));
        assert_eq!(minor_units(&json!("300")), Some(300));
        for bad in [
            json!(0),
            json!(-1),
            json!("-1"),
            json!("3.00"),
            json!(""),
            json!(" 300"),
            json!(3.5),
            json!(null),
            json!("1000000000000000"),
            json!([300]),
        ] {
            assert_eq!(minor_units(&bad), None, "{bad}");
        }
    }
}
