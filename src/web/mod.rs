//! The browser plumbing every shipped part shares, exporting nothing to JavaScript: DOM
//! helpers, events, the frame protocol on the wire, the field view, styling, WebCrypto,
//! key loading, option reading, display options, coded errors and the clock.

pub mod browser_info;
pub mod clock;
pub mod display;
pub mod dom;
pub mod error;
pub mod events;
pub mod field_view;
pub mod http;
pub mod icons;
pub mod keys;
pub mod locale_pack;
pub mod option_reader;
pub mod protocol;
pub mod styling;
pub mod types;
pub mod webcrypto;
