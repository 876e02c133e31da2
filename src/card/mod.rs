//! Pure card rules: brands, numbers, formatting with the caret, expiry, security code and
//! holder name. No browser types here; everything is tested natively.

pub mod brand;
pub mod cvc;
pub mod expiry;
pub mod format;
pub mod holder;
pub mod number;
pub mod validity;

pub use brand::{detect, Brand, Detection};
pub use cvc::check_cvc;
pub use expiry::{check_expiry, ExpiryCheck, YearMonth};
pub use format::{edit_number, format_number, Edit, Formatted};
pub use holder::{check_holder_name, HolderNamePolicy};
pub use number::{check_number, luhn_valid, NumberCheck};
pub use validity::{FieldError, Validity};
