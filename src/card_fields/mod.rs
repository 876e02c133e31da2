//! `EncryptedCard` on the merchant's page: mounting into holders, the secure frames (or,
//! with the `inline` feature, fields in closed shadow roots), events, `encrypt()` and the
//! API's `payment` object. Ships in the page bundle (`paykka_web.js`); the checkout drives a
//! `CardForm` without the export (feature `card-core`).

#[cfg(feature = "card-fields")]
pub mod component;
pub mod form;
pub mod holders;
pub mod host;
#[cfg(feature = "inline")]
pub mod inline;
#[cfg(not(feature = "inline"))]
#[path = "inline_refused.rs"]
pub mod inline;
pub mod links;
pub mod live_region;
pub mod options;
pub mod result;
