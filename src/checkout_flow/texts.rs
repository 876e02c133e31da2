//! The checkout's texts in `en-US` and `zh-CN` (the same locales as the card fields), with
//! the amount filled in where a text has `{amount}`; overrides (a locale pack's, the
//! merchant's) win.

use crate::form::i18n::Locale;

const EN_US: &[(&str, &str)] = &[
    ("pay", "Pay {amount}"),
    ("paying", "Paying…"),
    ("loading", "Loading the payment…"),
    ("total", "Total"),
    ("methods", "Payment method"),
    ("method.card", "Card"),
    ("method.applePay", "Apple Pay"),
    ("method.googlePay", "Google Pay"),
    ("method.alipay", "Alipay"),
    ("method.wechatPay", "WeChat Pay"),
    (
        "redirectNotice",
        "You will go to {method} to approve the payment.",
    ),
    ("continueTo", "Continue to {method}"),
    ("paid", "Payment successful. Thank you!"),
    (
        "declined",
        "The payment was declined: {reason} Check the details or use another card.",
    ),
    ("expired", "This payment session has expired."),
    ("startOver", "Start over"),
    (
        "networkError",
        "The payment service could not be reached. Your details are kept.",
    ),
    ("retry", "Try again"),
    ("authTitle", "Confirm the payment with your bank"),
    ("authFrameTitle", "Bank authentication"),
    ("authClose", "Close"),
    ("authWaiting", "Waiting for your bank…"),
    (
        "authCancelled",
        "Authentication was not completed. Your card has not been charged yet.",
    ),
    ("authResume", "Continue authentication"),
    ("redirecting", "Taking you to your bank…"),
    ("notFound", "This payment session does not exist."),
    ("locked", "Too many payment attempts failed, so this checkout is closed. Please start again from the shop."),
    ("tooManyFailures", "Too many payments failed from this connection. Please try again later."),
];

const ZH_CN: &[(&str, &str)] = &[
    ("pay", "支付 {amount}"),
    ("paying", "正在支付…"),
    ("loading", "正在加载支付信息…"),
    ("total", "合计"),
    ("methods", "支付方式"),
    ("method.card", "银行卡"),
    ("method.applePay", "Apple Pay"),
    ("method.googlePay", "Google Pay"),
    ("method.alipay", "支付宝"),
    ("method.wechatPay", "微信支付"),
    ("redirectNotice", "您将前往{method}确认付款。"),
    ("continueTo", "前往{method}"),
    ("paid", "支付成功，谢谢！"),
    ("declined", "支付被拒绝：{reason} 请检查信息或换一张卡。"),
    ("expired", "此支付会话已过期。"),
    ("startOver", "重新开始"),
    ("networkError", "无法连接支付服务。您填写的信息已保留。"),
    ("retry", "重试"),
    ("authTitle", "请向您的银行确认这笔支付"),
    ("authFrameTitle", "银行验证"),
    ("authClose", "关闭"),
    ("authWaiting", "正在等待银行确认…"),
    ("authCancelled", "验证未完成，您的卡尚未被扣款。"),
    ("authResume", "继续验证"),
    ("redirecting", "正在前往您的银行…"),
    ("notFound", "此支付会话不存在。"),
    (
        "locked",
        "支付失败次数过多，此收银台已关闭。请返回商店重新开始。",
    ),
    (
        "tooManyFailures",
        "此网络连接的支付失败次数过多，请稍后再试。",
    ),
];

/// Every checkout text key (a locale pack gives each as `checkout.<key>`).
pub fn keys() -> impl Iterator<Item = &'static str> {
    EN_US.iter().map(|(key, _)| *key)
}

fn table(locale: Locale) -> &'static [(&'static str, &'static str)] {
    match locale {
        Locale::EnUs => EN_US,
        Locale::ZhCn => ZH_CN,
    }
}

/// The text for `key` in `locale` (`en-US` when missing, the key itself as a last resort).
pub fn text(locale: Locale, key: &str) -> &'static str {
    let find = |t: &'static [(&'static str, &'static str)]| {
        t.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    };
    find(table(locale)).or_else(|| find(EN_US)).unwrap_or("")
}

/// One checkout's texts: a built-in locale and the overrides (a locale pack's and the
/// merchant's `translations`, keyed `checkout.<key>`).
#[derive(Clone, Debug)]
pub struct CheckoutTexts {
    locale: Locale,
    overrides: Vec<(String, String)>,
}

impl CheckoutTexts {
    pub fn new(locale: Locale, overrides: Vec<(String, String)>) -> Self {
        CheckoutTexts { locale, overrides }
    }

    /// The text for `key`: an override, then the locale, then `en-US`.
    pub fn get<'a>(&'a self, key: &str) -> &'a str {
        self.overrides
            .iter()
            .find(|(k, _)| k.strip_prefix("checkout.") == Some(key))
            .map_or_else(|| text(self.locale, key), |(_, v)| v.as_str())
    }

    /// `get` with `{name}` replaced by `value`.
    pub fn fill(&self, key: &str, name: &str, value: &str) -> String {
        // Split at `{` rather than `str::replace`, whose substring search costs 2 KB of wasm.
        let mut parts = self.get(key).split('{');
        let mut text = parts.next().unwrap_or_default().to_owned();
        for part in parts {
            match part.strip_prefix(name).and_then(|p| p.strip_prefix('}')) {
                Some(after) => text.extend([value, after]),
                None => text.extend(["{", part]),
            }
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_in_every_locale() {
        for (key, _) in EN_US {
            assert!(ZH_CN.iter().any(|(k, _)| k == key), "zh-CN lacks {key}");
        }
        assert_eq!(EN_US.len(), ZH_CN.len());
        assert_eq!(
            CheckoutTexts::new(Locale::ZhCn, Vec::new()).fill("pay", "amount", "US$3.00"),
            "支付 US$3.00"
        );
        assert_eq!(
            CheckoutTexts::new(Locale::EnUs, Vec::new()).fill("pay", "amount", "$3.00"),
            "Pay $3.00"
        );
        let texts = CheckoutTexts::new(
            Locale::EnUs,
            vec![("checkout.pay".into(), "{a {amount}}{amount}{".into())],
        );
        assert_eq!(texts.fill("pay", "amount", "$1"), "{a $1}$1{");
    }

    #[test]
    fn overrides_win_over_the_locale() {
        let texts = CheckoutTexts::new(
            Locale::EnUs,
            vec![
                ("checkout.pay".into(), "Bezahlen {amount}".into()),
                ("pay".into(), "not a checkout key".into()),
            ],
        );
        assert_eq!(texts.fill("pay", "amount", "3,00 $"), "Bezahlen 3,00 $");
        assert_eq!(texts.get("retry"), "Try again");
    }
}
