//! The card form's logic, free of DOM types: fields, the per-field model, the coordinator
//! that decides events, texts and styles. Tested natively; `ui` wires it to the browser.

pub mod coordinator;
mod css_value;
pub mod field;
pub mod field_map;
pub mod gateway_url;
pub mod i18n;
pub mod locale_packs;
pub mod messages;
pub mod model;
pub mod payment;
pub mod style;
