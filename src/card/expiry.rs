//! Expiry dates: `MM/YY` parsing with the automatic slash, 2- or 4-digit years, and the
//! validity window (current month up to 19 years ahead), with "today" injected.

use super::format::{around_selection, delete_digits, Edit, Formatted};
use super::number::digits_only;
use super::validity::{FieldError, Validity};

/// A calendar month, used for "today" and for parsed expiry dates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct YearMonth {
    pub year: u16,
    /// 1–12.
    pub month: u8,
}

/// How many years ahead of the current one an expiry may lie.
pub const MAX_YEARS_AHEAD: u16 = 19;

/// The result of checking an expiry date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExpiryCheck {
    /// Month and 4-digit year, once both are known and in range.
    pub date: Option<YearMonth>,
    pub validity: Validity,
}

impl ExpiryCheck {
    /// The month as the API wants it: `"01"`–`"12"`.
    pub fn month_text(&self) -> Option<String> {
        self.date.map(|d| format!("{:02}", d.month))
    }

    /// The year as the API wants it: four digits.
    pub fn year_text(&self) -> Option<String> {
        self.date.map(|d| format!("{:04}", d.year))
    }
}

fn is_expiry_separator(c: char) -> bool {
    c.is_whitespace()
}

/// Checks a combined expiry as typed: `MM/YY`, `MM/YYYY`, `M/YY`, `MMYY` or `MMYYYY`.
pub fn check_expiry(text: &str, today: YearMonth) -> ExpiryCheck {
    let (month_part, year_part) = match text.split_once('/') {
        Some((m, y)) => (m, y),
        None => (text, ""),
    };
    let parsed = digits_only(month_part, is_expiry_separator)
        .and_then(|m| digits_only(year_part, is_expiry_separator).map(|y| (m, y)));
    let (month, year) = match parsed {
        Err(e) => return invalid(e),
        Ok((m, y)) if text.contains('/') => (m, y),
        // No slash: the first two digits are the month.
        Ok((digits, _)) => {
            // Checked: on wasm, indexing's char-boundary panic path costs 3 KB.
            let (month, year) = digits.split_at_checked(2).unwrap_or((&digits, ""));
            (month.to_owned(), year.to_owned())
        }
    };
    if month.is_empty() && year.is_empty() {
        return ExpiryCheck {
            date: None,
            validity: if text.contains('/') {
                Validity::PotentiallyValid
            } else {
                Validity::Empty
            },
        };
    }
    let month_done = text.contains('/') || month.len() == 2;
    check_parts(&month, &year, month_done, today)
}

/// Checks a separate month field (`1`–`12`, leading zero optional).
pub fn check_month(text: &str) -> Validity {
    match digits_only(text, is_expiry_separator) {
        Err(e) => Validity::Invalid(e),
        Ok(m) if m.is_empty() => Validity::Empty,
        Ok(m) => month_validity(&m, false).0,
    }
}

/// Checks a separate year field (2 or 4 digits) on its own; combine with the month
/// through [`check_parts`] for the past/future window.
pub fn check_year(text: &str, today: YearMonth) -> Validity {
    match digits_only(text, is_expiry_separator) {
        Err(e) => Validity::Invalid(e),
        Ok(y) if y.is_empty() => Validity::Empty,
        Ok(y) => year_validity(&y, today).0,
    }
}

/// Checks month and year digits together. `month_done` says the shopper finished the
/// month (typed two digits or a slash), so a single digit is a whole month.
pub fn check_parts(month: &str, year: &str, month_done: bool, today: YearMonth) -> ExpiryCheck {
    let (month_state, month_value) = month_validity(month, month_done);
    let (year_state, year_value) = year_validity(year, today);
    let validity = match (month_state, year_state) {
        (Validity::Invalid(e), _) | (_, Validity::Invalid(e)) => Validity::Invalid(e),
        (Validity::Valid, Validity::Valid) => Validity::Valid,
        _ => Validity::PotentiallyValid,
    };
    let date = match (month_value, year_value) {
        (Some(month), Some(year)) => Some(YearMonth { year, month }),
        _ => None,
    };
    match date {
        Some(d) if validity == Validity::Valid && d < today => invalid(FieldError::Expired),
        Some(d) if validity == Validity::Valid => ExpiryCheck {
            date: Some(d),
            validity,
        },
        _ => ExpiryCheck {
            date: None,
            validity,
        },
    }
}

fn invalid(e: FieldError) -> ExpiryCheck {
    ExpiryCheck {
        date: None,
        validity: Validity::Invalid(e),
    }
}

fn parse_small(digits: &str) -> u16 {
    digits.bytes().fold(0u16, |n, b| {
        n.saturating_mul(10).saturating_add(u16::from(b - b'0'))
    })
}

/// Month digits → state and value. A lone `0` or `1` may still grow; `2`–`9` alone is a
/// whole month once `month_done` (or as a separate field).
fn month_validity(month: &str, month_done: bool) -> (Validity, Option<u8>) {
    let value = parse_small(month);
    match month.len() {
        0 => (Validity::PotentiallyValid, None),
        1 if value == 0 && !month_done => (Validity::PotentiallyValid, None),
        1 if value == 1 && !month_done => (Validity::PotentiallyValid, Some(1)),
        1 | 2 if (1..=12).contains(&value) => (Validity::Valid, u8::try_from(value).ok()),
        _ => (Validity::Invalid(FieldError::InvalidMonth), None),
    }
}

/// Year digits → state and 4-digit value.
fn year_validity(year: &str, today: YearMonth) -> (Validity, Option<u16>) {
    let first = today.year;
    let last = today.year + MAX_YEARS_AHEAD;
    // Could more digits still make a valid 2- or 4-digit year?
    let is_prefix_of_valid_year = || {
        (first..=last)
            .any(|y| y.to_string().starts_with(year) || format!("{:02}", y % 100).starts_with(year))
    };
    let full = match year.len() {
        0 => return (Validity::PotentiallyValid, None),
        2 => 2000 + parse_small(year),
        4 => parse_small(year),
        1 | 3 if is_prefix_of_valid_year() => return (Validity::PotentiallyValid, None),
        1 | 3 => return (Validity::Invalid(FieldError::InvalidYear), None),
        _ => return (Validity::Invalid(FieldError::InvalidYear), None),
    };
    if (first..=last).contains(&full) {
        (Validity::Valid, Some(full))
    } else if year.len() == 2 && is_prefix_of_valid_year() {
        // "20" is also how "2031" starts.
        (Validity::PotentiallyValid, None)
    } else if full < first {
        (Validity::Invalid(FieldError::Expired), None)
    } else {
        (Validity::Invalid(FieldError::TooFarAhead), None)
    }
}

/// Maximum digits in a combined expiry: `MMYYYY`.
const MAX_EXPIRY_DIGITS: usize = 6;

/// Applies `edit` to the combined expiry shown as `old` (selection `start..end`) and
/// re-formats it as `MM/YY`: the slash appears by itself once the month is typed, a
/// single month digit above 1 gets its leading zero, and a typed `/` after one digit
/// completes the month (`1/` → `01/`). Other characters reject the edit.
pub fn edit_expiry(
    old: &str,
    start: usize,
    end: usize,
    edit: Edit<'_>,
) -> Result<Formatted, FieldError> {
    let old_digits = digits_only(old, |c| c == '/' || c.is_whitespace())?;
    let (before, after, selected) = around_selection(old, &old_digits, start, end);
    let (mut digits, mut caret) = match edit {
        Edit::Insert(text) => {
            let mut inserted = String::new();
            let mut month = before.to_string();
            for c in text.chars() {
                if c.is_ascii_digit() {
                    inserted.push(c);
                } else if c == '/' && month.len() + inserted.len() == 1 {
                    month = format!("0{month}{inserted}");
                    inserted.clear();
                } else if !(c == '/' || c.is_whitespace()) {
                    return Err(FieldError::InvalidCharacters);
                }
            }
            (
                format!("{month}{inserted}{after}"),
                month.len() + inserted.len(),
            )
        }
        delete => delete_digits(before, after, selected, delete),
    };
    if matches!(digits.as_bytes().first(), Some(b'2'..=b'9')) {
        digits.insert(0, '0');
        caret += 1;
    }
    digits.truncate(MAX_EXPIRY_DIGITS);
    caret = caret.min(digits.len());
    let inserting = matches!(edit, Edit::Insert(_));
    let text = match digits.len() {
        0 | 1 => digits.clone(),
        2 if !inserting => digits.clone(),
        _ => {
            let (month, year) = digits.split_at_checked(2).unwrap_or((&digits, ""));
            [month, "/", year].concat()
        }
    };
    let caret = if caret >= 2 && (caret > 2 || inserting) {
        caret + 1
    } else {
        caret
    };
    Ok(Formatted {
        caret: caret.min(text.len()),
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: YearMonth = YearMonth {
        year: 2026,
        month: 11,
    };

    fn validity(text: &str) -> Validity {
        check_expiry(text, TODAY).validity
    }

    #[test]
    fn valid_dates_and_normalised_values() {
        let c = check_expiry("07/31", TODAY);
        assert_eq!(c.validity, Validity::Valid);
        assert_eq!(c.month_text().as_deref(), Some("07"));
        assert_eq!(c.year_text().as_deref(), Some("2031"));
        for text in [
            "07/2031", "7/31", "0731", "072031", "7 / 2031", "12/26", "11/26",
        ] {
            assert_eq!(validity(text), Validity::Valid, "{text}");
        }
        // The current month is still valid; 19 years ahead too.
        assert_eq!(validity("11/2026"), Validity::Valid);
        assert_eq!(validity("12/45"), Validity::Valid);
    }

    #[test]
    fn invalid_dates() {
        assert_eq!(validity("10/26"), Validity::Invalid(FieldError::Expired));
        assert_eq!(validity("01/2020"), Validity::Invalid(FieldError::Expired));
        assert_eq!(
            validity("01/46"),
            Validity::Invalid(FieldError::TooFarAhead)
        );
        assert_eq!(
            validity("01/2046"),
            Validity::Invalid(FieldError::TooFarAhead)
        );
        assert_eq!(
            validity("13/30"),
            Validity::Invalid(FieldError::InvalidMonth)
        );
        assert_eq!(
            validity("00/30"),
            Validity::Invalid(FieldError::InvalidMonth)
        );
        assert_eq!(
            validity("123/30"),
            Validity::Invalid(FieldError::InvalidMonth)
        );
        assert_eq!(validity("12/19"), Validity::Invalid(FieldError::Expired));
        assert_eq!(
            validity("12/30000"),
            Validity::Invalid(FieldError::InvalidYear)
        );
        assert_eq!(validity("12/5"), Validity::Invalid(FieldError::InvalidYear));
        assert_eq!(
            validity("1a/30"),
            Validity::Invalid(FieldError::InvalidCharacters)
        );
        assert_eq!(
            validity("١٢/٣٠"),
            Validity::Invalid(FieldError::InvalidCharacters)
        );
    }

    #[test]
    fn potentially_valid_while_typing() {
        assert_eq!(validity(""), Validity::Empty);
        for text in [
            "0", "1", "12", "12/", "/", "12/2", "12/3", "12/20", "12/203", "1/2",
        ] {
            assert_eq!(validity(text), Validity::PotentiallyValid, "{text}");
        }
        // On blur an unfinished "12/20" (a 2-digit 2020) is an error.
        assert_eq!(
            validity("12/20").error_when_done(true),
            Some(FieldError::Incomplete)
        );
    }

    #[test]
    fn separate_fields() {
        assert_eq!(check_month("1"), Validity::PotentiallyValid);
        assert_eq!(check_month("7"), Validity::Valid);
        assert_eq!(check_month("07"), Validity::Valid);
        assert_eq!(
            check_month("13"),
            Validity::Invalid(FieldError::InvalidMonth)
        );
        assert_eq!(check_month(""), Validity::Empty);
        assert_eq!(check_year("2031", TODAY), Validity::Valid);
        assert_eq!(check_year("31", TODAY), Validity::Valid);
        assert_eq!(check_year("2", TODAY), Validity::PotentiallyValid);
        assert_eq!(
            check_year("25", TODAY),
            Validity::Invalid(FieldError::Expired)
        );
        assert_eq!(
            check_year("x", TODAY),
            Validity::Invalid(FieldError::InvalidCharacters)
        );
        let parts = check_parts("3", "2031", true, TODAY);
        assert_eq!(parts.month_text().as_deref(), Some("03"));
        assert_eq!(
            check_parts("3", "26", true, TODAY).validity,
            Validity::Invalid(FieldError::Expired)
        );
    }

    #[test]
    fn year_boundary_of_today() {
        let january = YearMonth {
            year: 2027,
            month: 1,
        };
        assert_eq!(check_expiry("01/27", january).validity, Validity::Valid);
        assert_eq!(
            check_expiry("12/26", january).validity,
            Validity::Invalid(FieldError::Expired)
        );
    }

    fn edit(old: &str, caret: usize, e: Edit<'_>) -> (String, usize) {
        let f = edit_expiry(old, caret, caret, e).expect("edit");
        (f.text, f.caret)
    }

    #[test]
    fn automatic_slash_and_padding() {
        assert_eq!(edit("", 0, Edit::Insert("1")), ("1".into(), 1));
        assert_eq!(edit("1", 1, Edit::Insert("2")), ("12/".into(), 3));
        assert_eq!(edit("12/", 3, Edit::Insert("3")), ("12/3".into(), 4));
        assert_eq!(edit("", 0, Edit::Insert("4")), ("04/".into(), 3));
        assert_eq!(edit("1", 1, Edit::Insert("/")), ("01/".into(), 3));
        assert_eq!(edit("", 0, Edit::Insert("07/2031")), ("07/2031".into(), 7));
        assert_eq!(edit("", 0, Edit::Insert("0731")), ("07/31".into(), 5));
        assert_eq!(edit("07/2031", 7, Edit::Insert("9")), ("07/2031".into(), 7));
    }

    #[test]
    fn backspace_over_the_slash() {
        assert_eq!(edit("12/", 3, Edit::DeleteBackward), ("1".into(), 1));
        assert_eq!(edit("12/3", 4, Edit::DeleteBackward), ("12".into(), 2));
        assert_eq!(edit("12/34", 2, Edit::DeleteBackward), ("13/4".into(), 1));
        assert_eq!(
            edit_expiry("12", 2, 2, Edit::Insert("x")),
            Err(FieldError::InvalidCharacters)
        );
    }
}
