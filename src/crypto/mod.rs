//! Field encryption, `paykka-web JWE v1` (SPEC §2.4): public-key parsing, the JWE envelope
//! and the plaintext payload, pure Rust with the random source and the primitives
//! (`Cipher`) injected: RustCrypto natively, WebCrypto in the browser.

mod error;
pub mod jwe;
pub mod key;
pub mod key_encoding;
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
pub mod payload;

pub use error::CryptoError;
pub use jwe::{
    compact, encrypt_card_with, encrypt_field_with, normalize_value, seal_input, CardFields,
    Cipher, EncryptedCard, EncryptionContext, SealInput,
};
pub use key::{EncryptionKey, Jwk};
#[cfg(not(target_arch = "wasm32"))]
pub use native::{encrypt_card, encrypt_field, RustCipher};
pub use payload::FieldName;
