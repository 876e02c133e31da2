//! Card number formatting by brand gaps, and edits that keep the caret where the shopper expects it.
//!
//! Positions are counted in characters of the displayed text (which is ASCII, so they are
//! also UTF-16 offsets as the DOM counts them).

use super::brand::{detect, DEFAULT_GAPS, MAX_NUMBER_LENGTH};
use super::number::normalize_number;
use super::validity::FieldError;

/// An edit the shopper makes to the displayed text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit<'a> {
    /// Typing, pasting, dropping or autofill: `text` replaces the selection.
    Insert(&'a str),
    /// Backspace: removes the selection, or the digit before the caret.
    DeleteBackward,
    /// Delete: removes the selection, or the digit after the caret.
    DeleteForward,
}

/// The displayed text and caret after an edit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Formatted {
    pub text: String,
    pub caret: usize,
}

/// Splits `digits` at `gaps` and joins the groups with single spaces.
pub fn group_digits(digits: &str, gaps: &[usize]) -> String {
    let mut out = String::with_capacity(digits.len() + gaps.len());
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && gaps.contains(&i) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// Formats a card number (any separators) by the gaps of its brand.
pub fn format_number(text: &str) -> Result<String, FieldError> {
    let digits = normalize_number(text)?;
    Ok(group_digits(&digits, gaps_for(&digits)))
}

fn gaps_for(digits: &str) -> &'static [usize] {
    detect(digits)
        .brand()
        .map_or(DEFAULT_GAPS, |b| b.rules().gaps)
}

fn max_length_for(digits: &str) -> usize {
    detect(digits)
        .brand()
        .map_or(MAX_NUMBER_LENGTH, |b| b.max_length())
}

/// Number of digits in `text` before character position `pos`.
pub(crate) fn digits_before(text: &str, pos: usize) -> usize {
    text.chars().take(pos).filter(char::is_ascii_digit).count()
}

/// The digits before and after the selection `start..end` (character positions in `old`,
/// whose digits are `digits`), and whether the selection holds a digit. Checked slices: on
/// wasm, indexing's char-boundary panic path costs 3 KB.
pub(crate) fn around_selection<'a>(
    old: &str,
    digits: &'a str,
    start: usize,
    end: usize,
) -> (&'a str, &'a str, bool) {
    let lo = digits_before(old, start.min(end));
    let hi = digits_before(old, start.max(end));
    let before = digits.get(..lo).unwrap_or_default();
    let after = digits.get(hi..).unwrap_or_default();
    (before, after, lo != hi)
}

/// Character position just after the `n`-th digit of `text` (0 → 0).
fn position_after_digits(text: &str, n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    let mut seen = 0;
    for (i, c) in text.chars().enumerate() {
        if c.is_ascii_digit() {
            seen += 1;
            if seen == n {
                return i + 1;
            }
        }
    }
    crate::card::char_count(text)
}

/// Applies `edit` to the card number shown as `old` with the selection `start..end`
/// (equal for a plain caret) and re-formats by the resulting brand.
///
/// Backspace right after a space removes the digit before the space. Inserted text keeps
/// its digits and drops spaces and dashes; any other character rejects the whole edit
/// (`INVALID_CHARACTERS`), leaving the old text as it was. Digits beyond the brand's
/// maximum length are cut off.
pub fn edit_number(
    old: &str,
    start: usize,
    end: usize,
    edit: Edit<'_>,
) -> Result<Formatted, FieldError> {
    let old_digits = normalize_number(old)?;
    let (before, after, selected) = around_selection(old, &old_digits, start, end);
    let (digits, caret_digits) = match edit {
        Edit::Insert(text) => {
            let inserted = normalize_number(text)?;
            let candidate = format!("{before}{inserted}{after}");
            let room = max_length_for(&candidate).saturating_sub(before.len() + after.len());
            let kept = inserted.get(..room).unwrap_or(&inserted);
            (format!("{before}{kept}{after}"), before.len() + kept.len())
        }
        delete => delete_digits(before, after, selected, delete),
    };
    let text = group_digits(&digits, gaps_for(&digits));
    let caret = position_after_digits(&text, caret_digits);
    Ok(Formatted { text, caret })
}

/// A deletion on a digit string split at the caret (`before`|`after`): a selection of
/// digits goes; otherwise Backspace removes the digit before the caret, even when a
/// space stood between, and Delete the digit after. Returns the digits and caret index.
pub(crate) fn delete_digits(
    before: &str,
    after: &str,
    selected: bool,
    edit: Edit<'_>,
) -> (String, usize) {
    match (selected, edit, before.len()) {
        (true, _, n) => (format!("{before}{after}"), n),
        (false, Edit::DeleteForward, n) => (format!("{before}{}", after.get(1..).unwrap_or("")), n),
        (false, _, 0) => (after.to_owned(), 0),
        (false, _, n) => (
            [before.get(..n - 1).unwrap_or_default(), after].concat(),
            n - 1,
        ),
    }
}

/// Applies `edit` to plain text (no formatting): the selection is replaced by the
/// inserted text, or one character before/after the caret is deleted. Positions are in
/// characters. Returns the new text and caret.
pub fn edit_plain(old: &str, start: usize, end: usize, edit: Edit<'_>) -> Formatted {
    let chars: Vec<char> = old.chars().collect();
    let lo = start.min(end).min(chars.len());
    let hi = start.max(end).min(chars.len());
    let (from, to, inserted) = match edit {
        Edit::Insert(text) => (lo, hi, text),
        Edit::DeleteBackward | Edit::DeleteForward if lo != hi => (lo, hi, ""),
        Edit::DeleteBackward => (lo.saturating_sub(1), lo, ""),
        Edit::DeleteForward => (lo, (lo + 1).min(chars.len()), ""),
    };
    let mut text: String = chars[..from].iter().collect();
    text.push_str(inserted);
    let caret = from + crate::card::char_count(inserted);
    text.extend(&chars[to..]);
    Formatted { text, caret }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(old: &str, caret: usize, e: Edit<'_>) -> (String, usize) {
        let f = edit_number(old, caret, caret, e).expect("edit");
        (f.text, f.caret)
    }

    #[test]
    fn groups_by_brand() {
        assert_eq!(
            format_number("4242424242424242").unwrap(),
            "4242 4242 4242 4242"
        );
        assert_eq!(
            format_number("378282246310005").unwrap(),
            "3782 822463 10005"
        );
        assert_eq!(format_number("36227206271667").unwrap(), "3622 720627 1667");
        assert_eq!(format_number("4242-4242").unwrap(), "4242 4242");
        assert_eq!(
            format_number("4242424242424242424").unwrap(),
            "4242 4242 4242 4242424"
        );
        assert_eq!(format_number("abc"), Err(FieldError::InvalidCharacters));
    }

    #[test]
    fn typing_at_the_end() {
        assert_eq!(edit("", 0, Edit::Insert("4")), ("4".into(), 1));
        assert_eq!(edit("4242", 4, Edit::Insert("4")), ("4242 4".into(), 6));
        assert_eq!(
            edit("3782 82246", 10, Edit::Insert("3")),
            ("3782 822463".into(), 11)
        );
    }

    #[test]
    fn backspace() {
        assert_eq!(edit("4242 4", 6, Edit::DeleteBackward), ("4242".into(), 4));
        // Backspace right after the space removes the digit before it.
        assert_eq!(edit("4242 4", 5, Edit::DeleteBackward), ("4244".into(), 3));
        assert_eq!(edit("4242", 0, Edit::DeleteBackward), ("4242".into(), 0));
        // In the middle, the rest shifts left and the caret stays by its digit.
        assert_eq!(
            edit("4242 4242 4242", 7, Edit::DeleteBackward),
            ("4242 4424 242".into(), 6)
        );
    }

    #[test]
    fn delete_forward() {
        assert_eq!(
            edit("4242 4242", 4, Edit::DeleteForward),
            ("4242 242".into(), 4)
        );
        assert_eq!(edit("4242", 4, Edit::DeleteForward), ("4242".into(), 4));
    }

    #[test]
    fn insert_in_the_middle_keeps_caret_after_inserted_digit() {
        assert_eq!(
            edit("4242 4242", 2, Edit::Insert("9")),
            ("4294 2424 2".into(), 3)
        );
        // Caret just before a space: the new digit lands at the group's end.
        assert_eq!(
            edit("4242 4242", 4, Edit::Insert("1")),
            ("4242 1424 2".into(), 6)
        );
    }

    #[test]
    fn paste_in_the_middle_and_over_a_selection() {
        assert_eq!(
            edit("4242 4242", 4, Edit::Insert("42-42 ")),
            ("4242 4242 4242".into(), 9)
        );
        let f = edit_number("1234 5678", 0, 9, Edit::Insert("3782 822463 10005")).unwrap();
        assert_eq!((f.text.as_str(), f.caret), ("3782 822463 10005", 17));
        let f = edit_number("4242 4242 4242", 5, 9, Edit::DeleteBackward).unwrap();
        assert_eq!((f.text.as_str(), f.caret), ("4242 4242", 4));
    }

    #[test]
    fn brand_change_regroups() {
        // Turning a Visa into an Amex regroups as 4-6-5.
        assert_eq!(
            edit("4782 8224 6310 005", 0, Edit::DeleteForward),
            ("7828 2246 3100 05".into(), 0)
        );
        assert_eq!(
            edit("7828 2246 3100 05", 0, Edit::Insert("3")),
            ("3782 822463 10005".into(), 1)
        );
    }

    #[test]
    fn too_long_input_is_cut_to_the_brand_maximum() {
        assert_eq!(
            edit("3782 822463 10005", 17, Edit::Insert("9")),
            ("3782 822463 10005".into(), 17)
        );
        let f = edit_number("", 0, 0, Edit::Insert(&"4".repeat(10_000))).unwrap();
        assert_eq!(f.text, "4444 4444 4444 4444444");
        assert_eq!(f.caret, f.text.len());
    }

    #[test]
    fn invalid_characters_reject_the_whole_edit() {
        assert_eq!(
            edit_number("4242", 4, 4, Edit::Insert("a")),
            Err(FieldError::InvalidCharacters)
        );
        assert_eq!(
            edit_number("4242", 4, 4, Edit::Insert("٤")),
            Err(FieldError::InvalidCharacters)
        );
    }

    #[test]
    fn plain_edits() {
        let f = edit_plain("Ann", 3, 3, Edit::Insert(" Lee"));
        assert_eq!((f.text.as_str(), f.caret), ("Ann Lee", 7));
        let f = edit_plain("张伟", 1, 1, Edit::DeleteBackward);
        assert_eq!((f.text.as_str(), f.caret), ("伟", 0));
        let f = edit_plain("123", 0, 0, Edit::DeleteForward);
        assert_eq!((f.text.as_str(), f.caret), ("23", 0));
        let f = edit_plain("123", 0, 3, Edit::Insert("9"));
        assert_eq!((f.text.as_str(), f.caret), ("9", 1));
        let f = edit_plain("1", 0, 0, Edit::DeleteBackward);
        assert_eq!((f.text.as_str(), f.caret), ("1", 0));
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        assert_eq!(edit("4242", 99, Edit::Insert("4")), ("4242 4".into(), 6));
    }
}
