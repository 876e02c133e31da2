//! The wallet buttons on the merchant's page: `ApplePayButton` and `GooglePayButton`, their
//! options, the merchant backend they call and the events they report. Ships in its own
//! bundle (`paykka_web_wallets.js`; one wallet's alone: `paykka_web_apple_pay.js`,
//! `paykka_web_google_pay.js`), so a card-only page downloads none of it.

#[cfg(feature = "apple-pay")]
pub mod apple_pay;
pub mod backend;
#[cfg(feature = "google-pay")]
pub mod google_pay;
pub mod options;
pub mod report;
pub mod types;
