//! Wallet rules, DOM-free and tested natively: amounts by ISO 4217 exponent, the Apple Pay
//! and Google Pay request vocabularies, and how a merchant backend's answer ends a payment.

pub mod amount;
pub mod answer;
pub mod apple;
pub mod google;
