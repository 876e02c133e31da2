//! The drop-in checkout (收银台) on the merchant's page: one mount shows a whole payment
//! page for a gateway session — amount, goods, the allowed methods, the card fields (the
//! same component, used from Rust) and the wallet buttons (each from its own bundle,
//! loaded when the session offers it), 3-D Secure in a modal frame or by redirect, and the
//! result. Ships in its own bundle (`paykka_web_checkout.js`).

pub mod api;
pub mod component;
pub mod modal;
pub mod options;
pub mod session_reader;
pub mod style;
pub mod view;
pub mod wallets;
