//! paykka-www: the demo's merchant site and the embedded sandbox gateway, as a library so
//! the tests can build either app around a temporary data directory.

pub mod apple_pay_signature;
pub mod apple_pay_token;
pub mod client_ip;
pub mod gateway;
pub mod merchant;
pub mod money;
pub mod secure_origin;
