//! The plaintext of one encrypted field: a small JSON object with the field name, the
//! normalised value, the generation time (RFC 3339 UTC, milliseconds) and a nonce.

use zeroize::Zeroizing;

/// The card field a ciphertext belongs to; receivers require it to match the slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FieldName {
    Number,
    ExpiryMonth,
    ExpiryYear,
    Cvc,
}

impl FieldName {
    /// The name inside the payload: `number`, `expiryMonth`, `expiryYear`, `cvc`.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldName::Number => "number",
            FieldName::ExpiryMonth => "expiryMonth",
            FieldName::ExpiryYear => "expiryYear",
            FieldName::Cvc => "cvc",
        }
    }

    pub const ALL: [FieldName; 4] = [
        FieldName::Number,
        FieldName::ExpiryMonth,
        FieldName::ExpiryYear,
        FieldName::Cvc,
    ];
}

/// Appends `value` to `out` as a JSON string literal.
pub fn push_json_string(out: &mut String, value: &str) {
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str("\\u00");
                out.push(char::from(b"0123456789abcdef"[(c as usize) >> 4]));
                out.push(char::from(b"0123456789abcdef"[(c as usize) & 0xf]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Builds `{"field":…,"value":…,"generationtime":…,"nonce":…[,"sid":…]}`. The buffer is
/// wiped when dropped, since it holds card data.
pub fn field_payload(
    field: FieldName,
    value: &str,
    generation_time: &str,
    nonce: &str,
    session_id: Option<&str>,
) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(128 + value.len()));
    let members = [
        ("field", Some(field.as_str())),
        ("value", Some(value)),
        ("generationtime", Some(generation_time)),
        ("nonce", Some(nonce)),
        ("sid", session_id),
    ];
    out.push('{');
    for (name, member) in members {
        let Some(member) = member else { continue };
        if out.len() > 1 {
            out.push(',');
        }
        push_json_string(&mut out, name);
        out.push(':');
        push_json_string(&mut out, member);
    }
    out.push('}');
    out
}

/// Formats milliseconds since the Unix epoch as RFC 3339 UTC with milliseconds,
/// e.g. `2026-11-27T11:11:17.123Z`. Times before 1970 clamp to the epoch.
pub fn rfc3339_millis(epoch_ms: i64) -> String {
    let ms = epoch_ms.max(0);
    let (days, ms_of_day) = (ms / 86_400_000, ms % 86_400_000);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000
    )
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar
/// (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339() {
        assert_eq!(rfc3339_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339_millis(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(
            rfc3339_millis(1_796_210_477_123),
            "2026-12-02T11:21:17.123Z"
        );
        assert_eq!(
            rfc3339_millis(4_102_444_799_999),
            "2099-12-31T23:59:59.999Z"
        );
        assert_eq!(rfc3339_millis(-5), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn payload_json_is_well_formed() {
        let p = field_payload(FieldName::Cvc, "123", "t", "n", Some("CS\"1\\\n\u{1}"));
        let parsed: serde_json::Value = serde_json::from_str(&p).unwrap();
        assert_eq!(parsed["field"], "cvc");
        assert_eq!(parsed["value"], "123");
        assert_eq!(parsed["sid"], "CS\"1\\\n\u{1}");
        let p = field_payload(FieldName::Number, "4242", "t", "n", None);
        assert_eq!(
            p.as_str(),
            r#"{"field":"number","value":"4242","generationtime":"t","nonce":"n"}"#
        );
    }
}
