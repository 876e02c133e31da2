//! Apple Pay JS's vocabulary: versions, networks, merchant capabilities, completion
//! statuses, the step deadline and the button's looks, as WebKit checks them.

/// The newest Apple Pay JS version used; `supportsVersion` is asked from here down.
pub const LATEST_VERSION: u32 = 14;
/// The oldest version with the object forms (`completePayment({status})`, update dicts).
pub const OLDEST_VERSION: u32 = 3;
/// `ApplePaySession.STATUS_SUCCESS`.
pub const STATUS_SUCCESS: u32 = 0;
/// `ApplePaySession.STATUS_FAILURE`.
pub const STATUS_FAILURE: u32 = 1;
/// Apple closes the sheet when `completePayment` comes later than 30 s after
/// `paymentauthorized`; the merchant's answer is awaited this long, so the sheet is always
/// completed in time.
pub const ANSWER_DEADLINE_MS: u32 = 25_000;
/// How long merchant validation may take (Apple's step limit is 30 s).
pub const VALIDATION_DEADLINE_MS: u32 = 20_000;

/// The highest version from `LATEST_VERSION` down to `OLDEST_VERSION` that `supports`.
pub fn highest_version(supports: impl Fn(u32) -> bool) -> Option<u32> {
    (OLDEST_VERSION..=LATEST_VERSION)
        .rev()
        .find(|v| supports(*v))
}

/// Payment networks as `supportedNetworks` spells them (case-sensitive).
pub const NETWORKS: [&str; 17] = [
    "amex",
    "cartesBancaires",
    "chinaUnionPay",
    "discover",
    "eftpos",
    "electron",
    "elo",
    "girocard",
    "interac",
    "jcb",
    "mada",
    "maestro",
    "masterCard",
    "mir",
    "privateLabel",
    "visa",
    "vPay",
];

/// The networks when the merchant names none.
pub const DEFAULT_NETWORKS: [&str; 4] = ["visa", "masterCard", "amex", "discover"];

/// `merchantCapabilities` values.
pub const CAPABILITIES: [&str; 4] = [
    "supports3DS",
    "supportsEMV",
    "supportsCredit",
    "supportsDebit",
];

/// `-apple-pay-button-style` values.
pub const BUTTON_STYLES: [&str; 3] = ["black", "white", "white-outline"];

/// `-apple-pay-button-type` values.
pub const BUTTON_TYPES: [&str; 16] = [
    "plain",
    "buy",
    "set-up",
    "donate",
    "check-out",
    "book",
    "subscribe",
    "reload",
    "add-money",
    "top-up",
    "order",
    "rent",
    "support",
    "contribute",
    "tip",
    "continue",
];

/// An ISO 3166 alpha-2 country code as Apple Pay and Google Pay take it.
pub fn is_country_code(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// A button locale: a BCP 47 tag of letters, digits and hyphens (`en`, `zh-CN`).
pub fn is_locale(tag: &str) -> bool {
    (2..=16).contains(&tag.len())
        && tag.as_bytes()[0].is_ascii_alphabetic()
        && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highest_supported_version_at_most_14_and_at_least_3() {
        assert_eq!(highest_version(|v| v <= 14), Some(14));
        assert_eq!(highest_version(|v| v <= 10), Some(10));
        assert_eq!(highest_version(|v| v <= 20), Some(14));
        assert_eq!(highest_version(|v| v <= 2), None);
        assert_eq!(highest_version(|_| false), None);
    }

    #[test]
    fn codes_and_locales() {
        assert!(is_country_code("US") && !is_country_code("us") && !is_country_code("USA"));
        assert!(is_locale("en") && is_locale("zh-CN"));
        assert!(!is_locale("e") && !is_locale("en;") && !is_locale("-en"));
        assert!(NETWORKS.contains(&"masterCard") && !NETWORKS.contains(&"mastercard"));
    }
}
