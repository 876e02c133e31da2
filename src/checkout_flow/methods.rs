//! The payment methods a checkout can offer, by PayKKa's codes, in the order shown.

/// A method of the checkout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Card,
    ApplePay,
    GooglePay,
    Alipay,
    WechatPay,
}

impl Method {
    pub const ALL: [Method; 5] = [
        Method::Card,
        Method::ApplePay,
        Method::GooglePay,
        Method::Alipay,
        Method::WechatPay,
    ];

    /// PayKKa's `payment_method` code.
    pub fn code(self) -> &'static str {
        match self {
            Method::Card => "BANKCARD",
            Method::ApplePay => "APPLE_PAY",
            Method::GooglePay => "GOOGLE_PAY",
            Method::Alipay => "ALIPAY",
            Method::WechatPay => "WECHAT_PAY",
        }
    }

    /// The text key of its name.
    pub fn text_key(self) -> &'static str {
        match self {
            Method::Card => "method.card",
            Method::ApplePay => "method.applePay",
            Method::GooglePay => "method.googlePay",
            Method::Alipay => "method.alipay",
            Method::WechatPay => "method.wechatPay",
        }
    }

    /// Paid by leaving the page for the method's own page.
    pub fn is_redirect(self) -> bool {
        matches!(self, Method::Alipay | Method::WechatPay)
    }

    /// A wallet button (shown only where the wallet is available).
    pub fn is_wallet(self) -> bool {
        matches!(self, Method::ApplePay | Method::GooglePay)
    }

    pub fn from_code(code: &str) -> Option<Method> {
        Method::ALL
            .into_iter()
            .find(|m| m.code().eq_ignore_ascii_case(code))
    }
}

/// The session's allowed methods (unknown codes dropped, repeats once), in display order.
pub fn allowed(codes: &[String]) -> Vec<Method> {
    Method::ALL
        .into_iter()
        .filter(|m| codes.iter().any(|c| Method::from_code(c) == Some(*m)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_in_display_order_unknown_dropped() {
        let codes = ["wechat_pay", "CHEQUE", "BANKCARD", "bankcard", "APPLE_PAY"].map(String::from);
        assert_eq!(
            allowed(&codes),
            [Method::Card, Method::ApplePay, Method::WechatPay]
        );
        assert!(Method::Alipay.is_redirect() && !Method::Card.is_redirect());
        assert!(Method::GooglePay.is_wallet());
    }
}
