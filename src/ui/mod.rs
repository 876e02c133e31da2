//! The browser side of the card form: field views in the DOM, the host that links them
//! (inline or through secure frames), the frame guest, events, keys and options.

pub mod browser_info;
pub mod component;
pub mod dom;
pub mod events;
pub mod field_view;
pub mod frame_guest;
pub mod host;
pub mod icons;
pub mod keys;
pub mod options;
pub mod protocol;
pub mod styling;
pub mod webcrypto;
