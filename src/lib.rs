//! paykka-web: card rules, field encryption and browser components for the PayKKa API.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod card;
pub mod crypto;
pub mod form;
pub mod js;
pub mod ui;
