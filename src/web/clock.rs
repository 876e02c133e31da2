//! The shopper's clock: the current month, which decides whether an expiry has passed.

use crate::card::YearMonth;

/// The current month on the shopper's clock.
pub fn current_month() -> YearMonth {
    let now = js_sys::Date::new_0();
    YearMonth {
        year: u16::try_from(now.get_full_year()).unwrap_or(u16::MAX),
        month: u8::try_from(now.get_month() + 1).unwrap_or(1),
    }
}
