//! The checkout's rules, DOM-free and tested natively: its texts in each locale, the
//! methods a session may offer and how they are shown, the session view the gateway sends
//! and the drop-in reads, and how a session answer decides what the shopper sees next.

pub mod coordinator;
pub mod methods;
pub mod screen;
pub mod session;
pub mod texts;
