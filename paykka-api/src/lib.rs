//! paykka-api: what the shop, the secure-origin service and the sandbox share about PayKKa —
//! its v3 request signing and a client that signs requests and trusts only signed answers,
//! RSA key files, the `paykka-web JWE v1` receiver and card checks, Apple Pay tokens
//! (opening them and checking their signatures), currencies and amounts, PayKKa's times, SQLite storage with
//! migrations, the caller's IP address, the servers' listeners, and the guesses about what
//! PayKKa does not publish.

pub mod apple_pay_signature;
pub mod apple_pay_token;
pub mod card;
pub mod client;
pub mod client_ip;
pub mod domain;
pub mod guesses;
pub mod iso_time;
pub mod jwe;
pub mod keys;
pub mod listener;
pub mod money;
pub mod paths;
pub mod shutdown;
pub mod signing;
pub mod store;
