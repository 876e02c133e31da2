//! The JavaScript surface (wasm-bindgen): card helpers, the low-level `CardEncryptor`, and
//! coded errors. Thin glue over the pure `card` and `crypto` modules.

pub mod encryptor;
pub mod error;
pub mod helpers;
pub mod options;
