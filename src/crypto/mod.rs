//! Field encryption, `paykka-web JWE v1` (SPEC §2.4): public-key parsing, the JWE builder
//! and the plaintext payload. Pure Rust with the random source injected.

mod error;
pub mod jwe;
pub mod key;
pub mod payload;

pub use error::CryptoError;
pub use jwe::{
    encrypt_card, encrypt_field, normalize_value, CardFields, EncryptedCard, EncryptionContext,
};
pub use key::{EncryptionKey, Jwk};
pub use payload::FieldName;
