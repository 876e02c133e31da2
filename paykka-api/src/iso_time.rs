//! Times as PayKKa writes them (`expire_time`, `pay_finish_time`): ISO 8601 in whole
//! seconds with PayKKa's own offset, `2025-05-05T17:17:24+08:00`.

use time::format_description::well_known::Rfc3339;
use time::macros::{format_description, offset};
use time::{OffsetDateTime, UtcOffset};

/// The offset PayKKa's documents show (China Standard Time).
const PAYKKA_OFFSET: UtcOffset = offset!(+8);

/// Unix ms as PayKKa writes a time: whole seconds (rounded down), `+08:00`.
pub fn format(ms: i64) -> Option<String> {
    OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .ok()?
        .to_offset(PAYKKA_OFFSET)
        .format(&Rfc3339)
        .ok()
}

/// Unix ms of an ISO 8601 time with an offset: RFC 3339 (`+08:00`, `Z`, fractions) or the
/// `+0800` form of PayKKa's older examples.
pub fn parse(text: &str) -> Option<i64> {
    let at = OffsetDateTime::parse(text, &Rfc3339).ok().or_else(|| {
        let compact = format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory][offset_minute]"
        );
        OffsetDateTime::parse(text, compact).ok()
    })?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_as_paykka_shows_them() {
        // 2025-05-05T09:17:24.123Z
        let ms = 1_746_436_644_123;
        assert_eq!(format(ms).as_deref(), Some("2025-05-05T17:17:24+08:00"));
        assert_eq!(parse("2025-05-05T17:17:24+08:00"), Some(ms - 123));
    }

    #[test]
    fn read_in_every_form_with_an_offset() {
        let ms = 1_746_436_644_000;
        for text in [
            "2025-05-05T17:17:24+08:00",
            "2025-05-05T09:17:24Z",
            "2025-05-05T17:17:24+0800",
            "2025-05-05T09:17:24.000Z",
        ] {
            assert_eq!(parse(text), Some(ms), "{text}");
        }
        for text in ["2025-05-05T17:17:24", "2025-05-05", "tomorrow", ""] {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
