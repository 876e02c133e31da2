//! Card helpers (`detectBrand`, `validateNumber`…) and the low-level `CardEncryptor`, thin
//! glue over the pure `card` and `crypto` modules. Ship in the full bundle
//! (`paykka_web_full.js`).

pub mod checks;
pub mod encryptor;
