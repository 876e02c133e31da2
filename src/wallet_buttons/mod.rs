//! The wallet buttons on the merchant's page: `ApplePayButton` and `GooglePayButton`, their
//! options, the merchant backend they call and the events they report. Ships in its own
//! bundle (`paykka_web_wallets.js`), so a card-only page downloads none of it.

pub mod apple_pay;
pub mod backend;
pub mod google_pay;
pub mod options;
pub mod report;
pub mod types;
