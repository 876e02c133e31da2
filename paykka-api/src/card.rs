//! A card's values checked as PayKKa checks them (Luhn and brand, expiry, security code),
//! kept only as brand, BIN and last 4 in anything that prints.

use paykka_web::card::{check_cvc, check_number, Brand, YearMonth};
use time::OffsetDateTime;

use crate::jwe::CardError;

/// The brands PayKKa accepts, as `/v3/frames/load` names them to the card fields.
pub const ACCEPTED_BRANDS: [&str; 7] = [
    "visa",
    "mastercard",
    "amex",
    "jcb",
    "discover",
    "diners",
    "unionpay",
];

/// A card as a receiver (the sandbox, the secure origin) processes it. Never logged, never stored (brand, BIN and last 4
/// are what is kept).
pub struct Card {
    pub number: String,
    pub brand: Brand,
}

impl std::fmt::Debug for Card {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Card {{ brand: {:?}, last4: {} }}",
            self.brand,
            self.last4()
        )
    }
}

impl Drop for Card {
    /// The number does not outlive the card in memory.
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.number);
    }
}

impl Card {
    /// Checks decrypted or raw values.
    pub fn check(
        number: &str,
        month: &str,
        year: &str,
        cvc: &str,
        now_ms: i64,
    ) -> Result<Card, CardError> {
        let card = Card::without_code(number, month, year, now_ms)?;
        if !check_cvc(cvc, Some(card.brand)).is_valid() {
            return Err(CardError::Invalid("Security code invalid"));
        }
        Ok(card)
    }

    /// Checks a card that comes without a security code: a wallet's device account number
    /// (the cryptogram stands in for the code).
    pub fn without_code(
        number: &str,
        month: &str,
        year: &str,
        now_ms: i64,
    ) -> Result<Card, CardError> {
        let number_check = check_number(number, None);
        let brand = match (number_check.validity.is_valid(), number_check.brand()) {
            (true, Some(brand)) => brand,
            _ => return Err(CardError::Invalid("Card number invalid")),
        };
        let month: u8 = month
            .parse()
            .ok()
            .filter(|m| (1..=12).contains(m))
            .ok_or(CardError::Invalid("Expiry month invalid"))?;
        let year: u16 = match year.len() {
            2 => year.parse::<u16>().map(|y| 2000 + y).ok(),
            4 => year.parse().ok(),
            _ => None,
        }
        .ok_or(CardError::Invalid("Expiry year invalid"))?;
        let today = OffsetDateTime::from_unix_timestamp(now_ms / 1000)
            .map_err(|_| CardError::Invalid("Clock"))?;
        let current = YearMonth {
            year: today.year() as u16,
            month: u8::from(today.month()),
        };
        if (YearMonth { year, month }) < current {
            return Err(CardError::Invalid("Card expired"));
        }
        Ok(Card {
            number: number_check.digits,
            brand,
        })
    }

    pub fn bin(&self) -> &str {
        &self.number[..6]
    }

    pub fn last4(&self) -> &str {
        &self.number[self.number.len() - 4..]
    }

    /// PayKKa's `card_brand` value.
    pub fn brand_name(&self) -> &'static str {
        match self.brand {
            Brand::Visa => "VISA",
            Brand::Mastercard => "MASTERCARD",
            Brand::Amex => "AMEX",
            Brand::Diners => "DINERS",
            Brand::Discover => "DISCOVER",
            Brand::Jcb => "JCB",
            Brand::UnionPay => "UNIONPAY",
            Brand::Maestro => "MAESTRO",
            Brand::Elo => "ELO",
            Brand::Mir => "MIR",
            Brand::Hiper => "HIPER",
            Brand::Hipercard => "HIPERCARD",
        }
    }
}
