//! The checkout's rules, DOM-free and tested natively: its texts in each locale, the
//! methods a session may offer and how they are shown, and how a session answer decides
//! what the shopper sees next.

pub mod methods;
pub mod screen;
pub mod texts;
