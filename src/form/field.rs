//! The card form's fields: their names (as in `data-paykka-field`), input attributes and
//! the order in which focus advances.

/// One input of the card form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FieldKind {
    CardNumber,
    ExpiryDate,
    ExpiryMonth,
    ExpiryYear,
    SecurityCode,
    HolderName,
}

impl FieldKind {
    pub const ALL: [FieldKind; 6] = [
        FieldKind::CardNumber,
        FieldKind::ExpiryDate,
        FieldKind::ExpiryMonth,
        FieldKind::ExpiryYear,
        FieldKind::SecurityCode,
        FieldKind::HolderName,
    ];

    /// The name used in `data-paykka-field`, events and translations.
    pub fn id(self) -> &'static str {
        match self {
            FieldKind::CardNumber => "cardNumber",
            FieldKind::ExpiryDate => "expiryDate",
            FieldKind::ExpiryMonth => "expiryMonth",
            FieldKind::ExpiryYear => "expiryYear",
            FieldKind::SecurityCode => "securityCode",
            FieldKind::HolderName => "holderName",
        }
    }

    pub fn from_id(id: &str) -> Option<FieldKind> {
        FieldKind::ALL.into_iter().find(|k| k.id() == id)
    }

    /// The `autocomplete` token browsers use to autofill this field.
    pub fn autocomplete(self) -> &'static str {
        match self {
            FieldKind::CardNumber => "cc-number",
            FieldKind::ExpiryDate => "cc-exp",
            FieldKind::ExpiryMonth => "cc-exp-month",
            FieldKind::ExpiryYear => "cc-exp-year",
            FieldKind::SecurityCode => "cc-csc",
            FieldKind::HolderName => "cc-name",
        }
    }

    /// Whether the shopper types digits (numeric keyboard on phones).
    pub fn is_numeric(self) -> bool {
        self != FieldKind::HolderName
    }

    /// Longest text the input accepts (formatted), a guard against huge pastes.
    pub fn max_text_length(self) -> usize {
        match self {
            FieldKind::CardNumber => 23,
            FieldKind::ExpiryDate => 7,
            FieldKind::ExpiryMonth => 2,
            FieldKind::ExpiryYear => 4,
            FieldKind::SecurityCode => 4,
            FieldKind::HolderName => 64,
        }
    }
}

/// Which expiry inputs a form has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpiryLayout {
    /// One `MM/YY` input.
    Combined,
    /// Separate month and year inputs.
    Split,
}

/// The fields of a form in focus order.
pub fn form_fields(expiry: ExpiryLayout, holder_name: bool) -> Vec<FieldKind> {
    let mut fields = vec![FieldKind::CardNumber];
    match expiry {
        ExpiryLayout::Combined => fields.push(FieldKind::ExpiryDate),
        ExpiryLayout::Split => fields.extend([FieldKind::ExpiryMonth, FieldKind::ExpiryYear]),
    }
    fields.push(FieldKind::SecurityCode);
    if holder_name {
        fields.push(FieldKind::HolderName);
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        for kind in FieldKind::ALL {
            assert_eq!(FieldKind::from_id(kind.id()), Some(kind));
        }
        assert_eq!(FieldKind::from_id("pin"), None);
    }

    #[test]
    fn focus_order() {
        assert_eq!(
            form_fields(ExpiryLayout::Split, true),
            vec![
                FieldKind::CardNumber,
                FieldKind::ExpiryMonth,
                FieldKind::ExpiryYear,
                FieldKind::SecurityCode,
                FieldKind::HolderName
            ]
        );
        assert_eq!(form_fields(ExpiryLayout::Combined, false).len(), 3);
    }
}
