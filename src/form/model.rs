//! One field's model: its text, edits with formatting and caret, validity, the error on
//! display, and the non-sensitive report sent to the coordinator. It runs wherever the
//! input lives (in a secure frame, or inline).

use crate::card::brand::Brand;
use crate::card::cvc::cvc_lengths;
use crate::card::expiry::{check_month, check_parts, check_year, edit_expiry};
use crate::card::format::{edit_number, edit_plain, Edit, Formatted};
use crate::card::holder::check_holder_name;
use crate::card::number::{check_number, digits_only, NumberCheck};
use crate::card::{check_cvc, check_expiry, FieldError, Validity, YearMonth};

use super::field::FieldKind;

/// What the coordinator learns about a field: never its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldReport {
    pub kind: FieldKind,
    pub validity: Validity,
    pub empty: bool,
    pub focused: bool,
    /// The error on display (after blur or submit, or a definite error while typing).
    pub shown_error: Option<FieldError>,
    /// Valid, or empty where allowed: what `allValid` needs.
    pub acceptable: bool,
    /// Card number only: the detected brand.
    pub brand: Option<Brand>,
    /// Card number only: first 6 digits once typed, 8 once valid with 16+ digits.
    pub bin: Option<String>,
    /// Card number only: last 4 digits, once valid.
    pub last4: Option<String>,
    /// Counts text changes, so every edit is a new report (and a `change` event).
    pub revision: u32,
}

/// The outcome of an edit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditOutcome {
    pub text: String,
    pub caret: usize,
    /// The edit was refused (e.g. letters pasted into the number); the text is unchanged.
    pub rejected: Option<FieldError>,
    /// The field just became complete and valid: time to move focus on.
    pub completed: bool,
}

/// The state of one input.
#[derive(Clone, Debug)]
pub struct FieldModel {
    kind: FieldKind,
    text: String,
    required: bool,
    focused: bool,
    shown_error: Option<FieldError>,
    accepted: Option<Vec<Brand>>,
    /// For the security code: the brand the number field detected.
    brand_hint: Option<Brand>,
    today: YearMonth,
    revision: u32,
}

impl FieldModel {
    pub fn new(kind: FieldKind, required: bool, today: YearMonth) -> Self {
        FieldModel {
            kind,
            text: String::new(),
            required,
            focused: false,
            shown_error: None,
            accepted: None,
            brand_hint: None,
            today,
            revision: 0,
        }
    }

    pub fn kind(&self) -> FieldKind {
        self.kind
    }

    /// The displayed text. Sensitive: stays where the input is.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn set_accepted_brands(&mut self, brands: Option<Vec<Brand>>) {
        self.accepted = brands;
        self.refresh_shown_error();
    }

    pub fn set_required(&mut self, required: bool) {
        self.required = required;
        self.refresh_shown_error();
    }

    pub fn set_today(&mut self, today: YearMonth) {
        self.today = today;
    }

    /// The security code follows the number's brand (3 or 4 digits).
    pub fn set_brand_hint(&mut self, brand: Option<Brand>) {
        self.brand_hint = brand;
        self.refresh_shown_error();
    }

    pub fn brand_hint(&self) -> Option<Brand> {
        self.brand_hint
    }

    fn number_check(&self) -> NumberCheck {
        check_number(&self.text, self.accepted.as_deref())
    }

    /// The current validity of the text.
    pub fn validity(&self) -> Validity {
        match self.kind {
            FieldKind::CardNumber => self.number_check().validity,
            FieldKind::ExpiryDate => check_expiry(&self.text, self.today).validity,
            FieldKind::ExpiryMonth => check_month(&self.text),
            FieldKind::ExpiryYear => check_year(&self.text, self.today),
            FieldKind::SecurityCode => check_cvc(&self.text, self.brand_hint),
            FieldKind::HolderName => check_holder_name(&self.text),
        }
    }

    /// The error to show once the shopper is done with the field.
    pub fn error_when_done(&self) -> Option<FieldError> {
        match self.kind {
            FieldKind::CardNumber => self.number_check().error_when_done(),
            _ => self.validity().error_when_done(self.required),
        }
    }

    fn max_digits(&self) -> usize {
        match self.kind {
            FieldKind::SecurityCode => cvc_lengths(self.brand_hint)
                .iter()
                .copied()
                .max()
                .unwrap_or(4),
            FieldKind::ExpiryMonth => 2,
            FieldKind::ExpiryYear => 4,
            _ => usize::MAX,
        }
    }

    /// Applies an edit at the selection `start..end` (character positions).
    pub fn edit(&mut self, start: usize, end: usize, edit: Edit<'_>) -> EditOutcome {
        let was_complete = self.is_complete();
        let result = match self.kind {
            FieldKind::CardNumber => edit_number(&self.text, start, end, edit),
            FieldKind::ExpiryDate => edit_expiry(&self.text, start, end, edit),
            FieldKind::HolderName => Ok(edit_plain(&self.text, start, end, edit)),
            _ => self.edit_digits(start, end, edit),
        };
        match result {
            Ok(Formatted { text, caret }) => {
                if text != self.text {
                    self.revision = self.revision.wrapping_add(1);
                }
                self.text = text;
                self.shown_error = self.validity().error();
                EditOutcome {
                    text: self.text.clone(),
                    caret,
                    rejected: None,
                    completed: !was_complete && self.is_complete(),
                }
            }
            Err(error) => EditOutcome {
                text: self.text.clone(),
                caret: start.max(end).min(crate::card::char_count(&self.text)),
                rejected: Some(error),
                completed: false,
            },
        }
    }

    /// Digits-only inputs (CVC, month, year): non-digits refuse the edit; digits beyond
    /// the maximum are cut off.
    fn edit_digits(
        &self,
        start: usize,
        end: usize,
        edit: Edit<'_>,
    ) -> Result<Formatted, FieldError> {
        if let Edit::Insert(text) = edit {
            digits_only(text, |c| c.is_whitespace())?;
        }
        let mut edited = match edit {
            Edit::Insert(text) => {
                let digits: String = text.chars().filter(char::is_ascii_digit).collect();
                edit_plain(&self.text, start, end, Edit::Insert(&digits))
            }
            other => edit_plain(&self.text, start, end, other),
        };
        let max = self.max_digits();
        if edited.text.len() > max {
            edited.text.truncate(max);
            edited.caret = edited.caret.min(max);
        }
        Ok(edited)
    }

    /// Replaces the whole text (autofill, `clear()`), re-formatted.
    pub fn set_text(&mut self, text: &str) -> EditOutcome {
        let len = crate::card::char_count(&self.text);
        let outcome = self.edit(0, len, Edit::Insert(text));
        if outcome.rejected.is_some() {
            // Whatever could not be taken is dropped rather than kept half-way.
            self.clear();
        }
        outcome
    }

    /// Whether the field is complete and valid, so focus may move on.
    pub fn is_complete(&self) -> bool {
        if !self.validity().is_valid() {
            return false;
        }
        let digits = self.text.chars().filter(char::is_ascii_digit).count();
        match self.kind {
            FieldKind::CardNumber => match self.number_check().brand() {
                Some(brand) => {
                    let rules = brand.rules();
                    digits == brand.max_length()
                        || (rules.luhn && (digits >= 16 || rules.lengths.len() == 1))
                }
                None => false,
            },
            FieldKind::ExpiryDate => true,
            FieldKind::ExpiryMonth => digits == 2 || self.text.trim() > "1",
            FieldKind::ExpiryYear => digits == 2 || digits == 4,
            FieldKind::SecurityCode => digits == self.max_digits(),
            FieldKind::HolderName => false,
        }
    }

    pub fn focus(&mut self) {
        self.focused = true;
    }

    /// Leaving the field shows its error, incomplete and required-but-empty included.
    pub fn blur(&mut self) {
        self.focused = false;
        if !self.text.is_empty() || self.shown_error.is_some() {
            self.shown_error = self.error_when_done();
        }
    }

    /// Submitting shows every error; returns it.
    pub fn validate(&mut self) -> Option<FieldError> {
        self.shown_error = self.error_when_done();
        self.shown_error
    }

    /// After a change of rules (brand hint, accepted brands, required), keep the shown
    /// error true: a shown error is re-judged; a value that became wrong shows at once.
    fn refresh_shown_error(&mut self) {
        self.shown_error = match self.shown_error {
            Some(_) => self.error_when_done(),
            None => self.validity().error(),
        };
    }

    pub fn clear(&mut self) {
        if !self.text.is_empty() {
            self.revision = self.revision.wrapping_add(1);
        }
        self.text.clear();
        self.shown_error = None;
    }

    /// The normalised values for encryption: (number) digits; (expiry) month and 4-digit
    /// year; (CVC) digits; (holder) the trimmed name. None unless valid.
    pub fn expiry_values(&self) -> Option<(String, String)> {
        match self.kind {
            FieldKind::ExpiryDate => {
                let check = check_expiry(&self.text, self.today);
                Some((check.month_text()?, check.year_text()?))
            }
            _ => None,
        }
    }

    /// The month or year of a split expiry, checked together with the other half.
    pub fn split_expiry(month: &FieldModel, year: &FieldModel) -> Option<(String, String)> {
        let check = check_parts(month.text.trim(), year.text.trim(), true, month.today);
        Some((check.month_text()?, check.year_text()?))
    }

    /// The non-sensitive report for the coordinator.
    pub fn report(&self) -> FieldReport {
        let validity = self.validity();
        let mut report = FieldReport {
            kind: self.kind,
            validity,
            empty: self.text.is_empty(),
            focused: self.focused,
            shown_error: self.shown_error,
            acceptable: validity.is_valid() || (validity == Validity::Empty && !self.required),
            brand: None,
            bin: None,
            last4: None,
            revision: self.revision,
        };
        if self.kind == FieldKind::CardNumber {
            let check = self.number_check();
            report.brand = check.brand();
            let digits = &check.digits;
            let valid = check.validity.is_valid();
            let bin_length = if valid && digits.len() >= 16 { 8 } else { 6 };
            if digits.len() >= 6 {
                report.bin = Some(digits.get(..bin_length).unwrap_or(digits).to_owned());
            }
            if valid {
                report.last4 = digits
                    .get(digits.len().saturating_sub(4)..)
                    .map(str::to_owned);
            }
        }
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: YearMonth = YearMonth {
        year: 2026,
        month: 11,
    };

    fn typed(kind: FieldKind, keys: &str) -> (FieldModel, Vec<EditOutcome>) {
        let mut model = FieldModel::new(kind, true, TODAY);
        let mut outcomes = Vec::new();
        for c in keys.chars() {
            let caret = crate::card::char_count(model.text());
            let mut buf = [0u8; 4];
            outcomes.push(model.edit(caret, caret, Edit::Insert(c.encode_utf8(&mut buf))));
        }
        (model, outcomes)
    }

    #[test]
    fn number_typing_reports_brand_bin_last4_and_completion() {
        let (model, outcomes) = typed(FieldKind::CardNumber, "4242424242424242");
        assert_eq!(model.text(), "4242 4242 4242 4242");
        assert!(outcomes.last().unwrap().completed);
        assert_eq!(outcomes.iter().filter(|o| o.completed).count(), 1);
        let report = model.report();
        assert_eq!(report.brand, Some(Brand::Visa));
        assert_eq!(report.bin.as_deref(), Some("42424242"));
        assert_eq!(report.last4.as_deref(), Some("4242"));
        assert_eq!(report.validity, Validity::Valid);

        let (partial, _) = typed(FieldKind::CardNumber, "4242424");
        let report = partial.report();
        assert_eq!(report.bin.as_deref(), Some("424242"));
        assert_eq!(report.last4, None);
        let (amex, _) = typed(FieldKind::CardNumber, "378282246310005");
        assert_eq!(
            amex.report().bin.as_deref(),
            Some("378282"),
            "6 digits below 16"
        );
        let (short, _) = typed(FieldKind::CardNumber, "42424");
        assert_eq!(short.report().bin, None);
    }

    #[test]
    fn errors_show_on_blur_not_while_typing_a_possible_value() {
        let (mut model, _) = typed(FieldKind::CardNumber, "4242");
        assert_eq!(model.report().shown_error, None);
        model.blur();
        assert_eq!(model.report().shown_error, Some(FieldError::Incomplete));
        let caret = model.text().len();
        model.edit(caret, caret, Edit::Insert("4"));
        assert_eq!(model.report().shown_error, None, "typing hides it again");
        // A definite error shows at once.
        let (unknown, _) = typed(FieldKind::CardNumber, "9");
        assert_eq!(unknown.report().shown_error, Some(FieldError::UnknownBrand));
        // Leaving an untouched field says nothing; submitting does.
        let mut empty = FieldModel::new(FieldKind::SecurityCode, true, TODAY);
        empty.focus();
        empty.blur();
        assert_eq!(empty.report().shown_error, None);
        assert_eq!(empty.validate(), Some(FieldError::Required));
    }

    #[test]
    fn rejected_paste_keeps_the_text() {
        let (mut model, _) = typed(FieldKind::CardNumber, "4242");
        let outcome = model.edit(4, 4, Edit::Insert("abc"));
        assert_eq!(outcome.rejected, Some(FieldError::InvalidCharacters));
        assert_eq!(model.text(), "4242");
        let outcome = model.edit(4, 4, Edit::Insert(&"4".repeat(10_000)));
        assert_eq!(outcome.rejected, None);
        assert_eq!(model.text(), "4242 4444 4444 4444444");
    }

    #[test]
    fn security_code_follows_the_brand() {
        let mut cvc = FieldModel::new(FieldKind::SecurityCode, true, TODAY);
        cvc.set_brand_hint(Some(Brand::Visa));
        for c in ["1", "2", "3", "4"] {
            let caret = cvc.text().len();
            cvc.edit(caret, caret, Edit::Insert(c));
        }
        assert_eq!(cvc.text(), "123", "Visa takes 3 digits");
        assert!(cvc.is_complete());
        cvc.set_brand_hint(Some(Brand::Amex));
        assert_eq!(cvc.validity(), Validity::PotentiallyValid);
        let outcome = cvc.edit(3, 3, Edit::Insert("4"));
        assert!(outcome.completed);
        let rejected = cvc.edit(0, 0, Edit::Insert("x"));
        assert_eq!(rejected.rejected, Some(FieldError::InvalidCharacters));
    }

    #[test]
    fn expiry_fields() {
        let (date, outcomes) = typed(FieldKind::ExpiryDate, "0731");
        assert_eq!(date.text(), "07/31");
        assert!(outcomes.last().unwrap().completed);
        assert_eq!(date.expiry_values(), Some(("07".into(), "2031".into())));
        let (month, _) = typed(FieldKind::ExpiryMonth, "7");
        assert!(month.is_complete());
        let (year, _) = typed(FieldKind::ExpiryYear, "2031");
        assert!(year.is_complete());
        assert_eq!(
            FieldModel::split_expiry(&month, &year),
            Some(("07".into(), "2031".into()))
        );
        let (past, _) = typed(FieldKind::ExpiryYear, "25");
        assert_eq!(FieldModel::split_expiry(&month, &past), None);
    }

    #[test]
    fn holder_name_is_optional_or_required() {
        let mut name = FieldModel::new(FieldKind::HolderName, false, TODAY);
        assert!(name.report().acceptable);
        assert_eq!(name.validate(), None);
        name.set_required(true);
        assert!(!name.report().acceptable);
        assert_eq!(name.validate(), Some(FieldError::Required));
        name.set_text("Ann Lee");
        assert!(name.report().acceptable);
        assert!(!name.is_complete(), "names never auto-advance");
    }

    #[test]
    fn changed_rules_update_the_shown_error() {
        let (mut number, _) = typed(FieldKind::CardNumber, "5555555555554444");
        assert_eq!(number.report().shown_error, None);
        number.set_accepted_brands(Some(vec![Brand::Visa]));
        assert_eq!(
            number.report().shown_error,
            Some(FieldError::UnsupportedBrand)
        );
        number.set_accepted_brands(None);
        assert_eq!(number.report().shown_error, None);
    }

    #[test]
    fn set_text_and_clear() {
        let mut number = FieldModel::new(FieldKind::CardNumber, true, TODAY);
        number.set_text("5555-5555-5555-4444");
        assert_eq!(number.text(), "5555 5555 5555 4444");
        number.set_text("not a number");
        assert_eq!(number.text(), "");
        number.set_text("4242");
        number.clear();
        assert!(number.report().empty);
    }
}
