//! The Google Pay API's vocabulary for PayKKa: environments, card networks and auth
//! methods, the `PAYMENT_GATEWAY` tokenization, the button's looks, `totalPrice` and how a
//! `PaymentsError` status ends the click.

use super::amount::{exponent, to_decimal, AmountError};

/// Where pay.js is loaded from when `google.payments.api` is absent.
pub const PAY_JS_URL: &str = "https://pay.google.com/gp/p/js/pay.js";
/// PayKKa's gateway id in `tokenizationSpecification` (PayKKa also names `"paykka"`).
pub const DEFAULT_GATEWAY: &str = "paykkaeu";
/// How long pay.js may take to load before Google Pay counts as unavailable.
pub const DEFAULT_LOAD_TIMEOUT_MS: u32 = 8_000;

pub const ENVIRONMENTS: [&str; 2] = ["TEST", "PRODUCTION"];
pub const NETWORKS: [&str; 8] = [
    "AMEX",
    "DISCOVER",
    "ELO",
    "INTERAC",
    "JCB",
    "MAESTRO",
    "MASTERCARD",
    "VISA",
];
pub const DEFAULT_NETWORKS: [&str; 4] = ["AMEX", "DISCOVER", "MASTERCARD", "VISA"];
/// PayKKa takes both: cards on file (3-D Secure may follow) and device tokens.
pub const AUTH_METHODS: [&str; 2] = ["PAN_ONLY", "CRYPTOGRAM_3DS"];
pub const BUTTON_COLORS: [&str; 3] = ["default", "black", "white"];
pub const BUTTON_TYPES: [&str; 8] = [
    "book",
    "buy",
    "checkout",
    "donate",
    "order",
    "pay",
    "plain",
    "subscribe",
];
pub const BUTTON_SIZE_MODES: [&str; 2] = ["static", "fill"];

/// `transactionInfo.totalPrice`: Google documents `^[0-9]+(\.[0-9][0-9])?$`, so
/// currencies with three or four decimals have no documented form and are refused.
pub fn total_price(minor: u64, currency: &str) -> Result<String, AmountError> {
    if exponent(currency)? > 2 {
        return Err(AmountError::Format);
    }
    to_decimal(minor, currency)
}

/// How a `loadPaymentData` rejection ends the click.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rejection {
    /// The shopper closed the sheet (or Google refused to show one): a `cancel` event.
    Canceled,
    /// Anything else: an `error` event with this stable code.
    Error(&'static str),
}

/// The rejection for a `PaymentsError.statusCode`.
pub fn rejection(status_code: Option<&str>) -> Rejection {
    match status_code {
        Some("CANCELED") => Rejection::Canceled,
        Some("DEVELOPER_ERROR") => Rejection::Error("GOOGLE_PAY_DEVELOPER_ERROR"),
        Some("BUYER_ACCOUNT_ERROR") => Rejection::Error("GOOGLE_PAY_BUYER_ACCOUNT_ERROR"),
        Some("MERCHANT_ACCOUNT_ERROR") => Rejection::Error("GOOGLE_PAY_MERCHANT_ACCOUNT_ERROR"),
        Some("INTERNAL_ERROR") => Rejection::Error("GOOGLE_PAY_INTERNAL_ERROR"),
        _ => Rejection::Error("GOOGLE_PAY_ERROR"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_price_matches_googles_pattern_or_is_refused() {
        assert_eq!(total_price(1250, "USD").unwrap(), "12.50");
        assert_eq!(total_price(1690, "JPY").unwrap(), "1690");
        assert_eq!(total_price(12345, "KWD"), Err(AmountError::Format));
        assert_eq!(total_price(1, "eur"), Err(AmountError::Currency));
    }

    #[test]
    fn canceled_is_a_cancel_and_every_other_status_a_typed_error() {
        assert_eq!(rejection(Some("CANCELED")), Rejection::Canceled);
        assert_eq!(
            rejection(Some("DEVELOPER_ERROR")),
            Rejection::Error("GOOGLE_PAY_DEVELOPER_ERROR")
        );
        assert_eq!(rejection(None), Rejection::Error("GOOGLE_PAY_ERROR"));
        assert_eq!(
            rejection(Some("something new")),
            Rejection::Error("GOOGLE_PAY_ERROR")
        );
    }
}
