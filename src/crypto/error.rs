//! The one error type of the crypto boundary, with stable codes.

use super::payload::FieldName;

/// Why a key could not be used or a field could not be encrypted. Messages never
/// contain key material or card data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    #[error("the public key is malformed")]
    KeyInvalid,
    #[error("the public key is shorter than 2048 bits")]
    KeyTooShort,
    #[error("the public key is longer than 4096 bits")]
    KeyTooLong,
    #[error("the public key is not an RSA encryption key")]
    KeyUnsupported,
    #[error("a card field is missing or malformed")]
    Validation(FieldName),
    #[error("the browser could not encrypt the card")]
    EncryptionFailed,
}

impl CryptoError {
    /// The stable code the host page can switch on.
    pub fn code(self) -> &'static str {
        match self {
            CryptoError::KeyInvalid => "KEY_INVALID",
            CryptoError::KeyTooShort => "KEY_TOO_SHORT",
            CryptoError::KeyTooLong => "KEY_TOO_LONG",
            CryptoError::KeyUnsupported => "KEY_UNSUPPORTED",
            CryptoError::Validation(_) => "VALIDATION",
            CryptoError::EncryptionFailed => "ENCRYPTION_FAILED",
        }
    }

    /// The field concerned, if any.
    pub fn field(self) -> Option<FieldName> {
        match self {
            CryptoError::Validation(field) => Some(field),
            _ => None,
        }
    }
}
