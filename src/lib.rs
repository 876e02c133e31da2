//! paykka-web: card rules, field encryption and browser components for the PayKKa API.
//!
//! The pure core (`card`, `form`, `crypto`) is DOM-free and tested natively; `web` is the
//! browser plumbing the shipped parts share (it exports nothing); each shipped part has its
//! own folder and Cargo feature, so each wasm bundle holds only what its role needs:
//! `card_fields` (the merchant page; `card-core` without the `EncryptedCard` export, for the
//! checkout), `frame` (the secure frame), `helpers`, `wallet_buttons` (Apple Pay and Google
//! Pay), `checkout`; `wallet` holds the wallets' pure rules.
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod card;
pub mod checkout_flow;
pub mod crypto;
pub mod form;
pub mod wallet;
pub mod web;

#[cfg(feature = "card-core")]
pub mod card_fields;
#[cfg(feature = "checkout")]
pub mod checkout;
#[cfg(feature = "frame")]
pub mod frame;
#[cfg(feature = "helpers")]
pub mod helpers;
#[cfg(any(feature = "apple-pay", feature = "google-pay"))]
pub mod wallet_buttons;

/// Talc instead of the default dlmalloc: every bundle is about 2.4 KB gzip smaller.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
