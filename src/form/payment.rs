//! The PayKKa API's `payment` object for a card the fields encrypted, written once: which
//! result slot becomes which API member. The wasm builds `encrypt().payment` with it; the
//! demo server forwards exactly `MEMBERS` of what a page sends.

use super::messages::Slot;

/// `payment.payment_method` of a card.
pub const BANKCARD: &str = "BANKCARD";

/// Every member a page may send in `payment` (cards and wallets), in PayKKa's names.
pub const MEMBERS: [&str; 7] = [
    "payment_method",
    "encrypted_card_no",
    "encrypted_exp_month",
    "encrypted_exp_year",
    "encrypted_cvv",
    "holder_name",
    "token_data",
];

/// The API member a result slot fills.
pub fn api_member(slot: Slot) -> &'static str {
    match slot {
        Slot::CardNumber => "encrypted_card_no",
        Slot::ExpireMonth => "encrypted_exp_month",
        Slot::ExpireYear => "encrypted_exp_year",
        Slot::Cvv => "encrypted_cvv",
        Slot::HolderName => "holder_name",
    }
}

/// The `payment` object of an encrypted card: `payment_method` and one member per slot
/// (an empty holder name is left out).
pub fn card_payment(values: &[(Slot, String)]) -> Vec<(&'static str, String)> {
    let mut members = vec![("payment_method", BANKCARD.to_owned())];
    for slot in Slot::ALL {
        let value = values.iter().find(|(s, _)| *s == slot).map(|(_, v)| v);
        match value {
            Some(v) if !(slot == Slot::HolderName && v.is_empty()) => {
                members.push((api_member(slot), v.clone()))
            }
            _ => {}
        }
    }
    members
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_slot_has_a_forwarded_member() {
        for slot in Slot::ALL {
            assert!(MEMBERS.contains(&api_member(slot)), "{slot:?}");
        }
        let payment = card_payment(&[
            (Slot::Cvv, "c".into()),
            (Slot::CardNumber, "n".into()),
            (Slot::HolderName, String::new()),
        ]);
        assert_eq!(
            payment,
            [
                ("payment_method", "BANKCARD".to_owned()),
                ("encrypted_card_no", "n".to_owned()),
                ("encrypted_cvv", "c".to_owned()),
            ]
        );
    }
}
