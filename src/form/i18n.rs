//! Built-in texts (`en-US`, `zh-CN`) and merchant overrides. Keys: `<field>.label`,
//! `<field>.placeholder`, `<field>.frameTitle`, `<field>.error.<CODE>` (field-specific),
//! `error.<CODE>` (any field), and `form.*`.

use crate::card::FieldError;

use super::field::FieldKind;

/// A built-in locale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Locale {
    EnUs,
    ZhCn,
}

impl Locale {
    pub fn tag(self) -> &'static str {
        match self {
            Locale::EnUs => "en-US",
            Locale::ZhCn => "zh-CN",
        }
    }

    /// Matches a BCP 47 tag by language (`zh`, `zh-Hans-CN`, `en-GB`…). Unknown → None.
    pub fn from_tag(tag: &str) -> Option<Locale> {
        let language = tag
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match language.as_str() {
            "en" => Some(Locale::EnUs),
            "zh" => Some(Locale::ZhCn),
            _ => None,
        }
    }

    fn table(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Locale::EnUs => EN_US,
            Locale::ZhCn => ZH_CN,
        }
    }
}

const EN_US: &[(&str, &str)] = &[
    ("cardNumber.label", "Card number"),
    ("cardNumber.placeholder", "1234 5678 9012 3456"),
    ("cardNumber.frameTitle", "Secure card number field"),
    ("expiryDate.label", "Expiry date"),
    ("expiryDate.placeholder", "MM/YY"),
    ("expiryDate.frameTitle", "Secure expiry date field"),
    ("expiryMonth.label", "Expiry month"),
    ("expiryMonth.placeholder", "MM"),
    ("expiryMonth.frameTitle", "Secure expiry month field"),
    ("expiryYear.label", "Expiry year"),
    ("expiryYear.placeholder", "YY"),
    ("expiryYear.frameTitle", "Secure expiry year field"),
    ("securityCode.label", "Security code"),
    ("securityCode.placeholder", "3 digits"),
    ("securityCode.placeholder4", "4 digits"),
    ("securityCode.frameTitle", "Secure security code field"),
    ("holderName.label", "Name on card"),
    ("holderName.placeholder", "J. Smith"),
    ("holderName.frameTitle", "Name on card field"),
    ("cardNumber.error.REQUIRED", "Enter the card number."),
    (
        "cardNumber.error.INCOMPLETE",
        "Enter the complete card number.",
    ),
    ("expiryDate.error.REQUIRED", "Enter the expiry date."),
    (
        "expiryDate.error.INCOMPLETE",
        "Enter the complete expiry date.",
    ),
    ("expiryMonth.error.REQUIRED", "Enter the expiry month."),
    ("expiryYear.error.REQUIRED", "Enter the expiry year."),
    ("securityCode.error.REQUIRED", "Enter the security code."),
    (
        "securityCode.error.INCOMPLETE",
        "Enter the complete security code.",
    ),
    ("holderName.error.REQUIRED", "Enter the name on the card."),
    ("error.REQUIRED", "This field is required."),
    ("error.INVALID_CHARACTERS", "Only digits are allowed here."),
    (
        "holderName.error.INVALID_CHARACTERS",
        "Use letters, spaces and . ' - only.",
    ),
    ("error.INCOMPLETE", "This field is incomplete."),
    ("error.TOO_LONG", "This is too long."),
    ("error.UNKNOWN_BRAND", "This card number is not recognised."),
    (
        "error.UNSUPPORTED_BRAND",
        "This card brand is not accepted.",
    ),
    (
        "error.LUHN_FAILED",
        "This card number is not valid. Check it for typos.",
    ),
    ("error.INVALID_MONTH", "The month must be 01 to 12."),
    ("error.INVALID_YEAR", "This year is not valid."),
    ("error.EXPIRED", "This card has expired."),
    (
        "error.TOO_FAR_AHEAD",
        "This expiry date is too far in the future.",
    ),
    ("form.invalid", "Some card details are missing or wrong."),
    ("form.pasteRejected", "Only digits can be pasted here."),
];

const ZH_CN: &[(&str, &str)] = &[
    ("cardNumber.label", "卡号"),
    ("cardNumber.placeholder", "1234 5678 9012 3456"),
    ("cardNumber.frameTitle", "安全卡号输入框"),
    ("expiryDate.label", "有效期"),
    ("expiryDate.placeholder", "月/年"),
    ("expiryDate.frameTitle", "安全有效期输入框"),
    ("expiryMonth.label", "有效期（月）"),
    ("expiryMonth.placeholder", "月"),
    ("expiryMonth.frameTitle", "安全有效期月份输入框"),
    ("expiryYear.label", "有效期（年）"),
    ("expiryYear.placeholder", "年"),
    ("expiryYear.frameTitle", "安全有效期年份输入框"),
    ("securityCode.label", "安全码"),
    ("securityCode.placeholder", "3 位数字"),
    ("securityCode.placeholder4", "4 位数字"),
    ("securityCode.frameTitle", "安全码输入框"),
    ("holderName.label", "持卡人姓名"),
    ("holderName.placeholder", "张三"),
    ("holderName.frameTitle", "持卡人姓名输入框"),
    ("cardNumber.error.REQUIRED", "请输入卡号。"),
    ("cardNumber.error.INCOMPLETE", "请输入完整的卡号。"),
    ("expiryDate.error.REQUIRED", "请输入有效期。"),
    ("expiryDate.error.INCOMPLETE", "请输入完整的有效期。"),
    ("expiryMonth.error.REQUIRED", "请输入有效期月份。"),
    ("expiryYear.error.REQUIRED", "请输入有效期年份。"),
    ("securityCode.error.REQUIRED", "请输入安全码。"),
    ("securityCode.error.INCOMPLETE", "请输入完整的安全码。"),
    ("holderName.error.REQUIRED", "请输入持卡人姓名。"),
    ("error.REQUIRED", "此项为必填项。"),
    ("error.INVALID_CHARACTERS", "此处只能输入数字。"),
    (
        "holderName.error.INVALID_CHARACTERS",
        "只能使用字母、空格和 . ' -。",
    ),
    ("error.INCOMPLETE", "此项不完整。"),
    ("error.TOO_LONG", "输入过长。"),
    ("error.UNKNOWN_BRAND", "无法识别此卡号。"),
    ("error.UNSUPPORTED_BRAND", "不支持此卡组织。"),
    ("error.LUHN_FAILED", "卡号无效，请检查是否输错。"),
    ("error.INVALID_MONTH", "月份必须在 01 到 12 之间。"),
    ("error.INVALID_YEAR", "年份无效。"),
    ("error.EXPIRED", "此卡已过期。"),
    ("error.TOO_FAR_AHEAD", "有效期过远。"),
    ("form.invalid", "部分卡信息缺失或有误。"),
    ("form.pasteRejected", "此处只能粘贴数字。"),
];

/// Every text key (a locale pack must give each one).
pub fn keys() -> impl Iterator<Item = &'static str> {
    EN_US.iter().map(|(key, _)| *key)
}

/// The texts of one form: a locale plus the merchant's overrides.
#[derive(Clone, Debug)]
pub struct Texts {
    locale: Locale,
    overrides: Vec<(String, String)>,
}

impl Texts {
    pub fn new(locale: Locale, overrides: Vec<(String, String)>) -> Self {
        Texts { locale, overrides }
    }

    pub fn locale(&self) -> Locale {
        self.locale
    }

    /// The text for `key`: override, then locale, then `en-US`, then the key itself.
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        if let Some((_, text)) = self.overrides.iter().find(|(k, _)| k == key) {
            return text;
        }
        find(self.locale.table(), key)
            .or_else(|| find(EN_US, key))
            .unwrap_or(key)
    }

    /// A field's label, placeholder or frame title (`what` = `label`, …).
    pub fn field(&self, field: FieldKind, what: &str) -> String {
        self.get(&format!("{}.{what}", field.id())).to_owned()
    }

    /// The message for an error on a field: field-specific text first, then generic.
    pub fn error(&self, field: FieldKind, error: FieldError) -> String {
        let specific = format!("{}.error.{}", field.id(), error.code());
        if self.overrides.iter().any(|(k, _)| *k == specific)
            || find(self.locale.table(), &specific).is_some()
        {
            return self.get(&specific).to_owned();
        }
        self.get(&format!("error.{}", error.code())).to_owned()
    }
}

fn find(table: &'static [(&'static str, &'static str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_message_in_every_locale() {
        for locale in [Locale::EnUs, Locale::ZhCn] {
            for error in FieldError::ALL {
                let key = format!("error.{}", error.code());
                assert!(
                    find(locale.table(), &key).is_some(),
                    "{} {key}",
                    locale.tag()
                );
            }
            for field in FieldKind::ALL {
                for what in ["label", "placeholder", "frameTitle"] {
                    let key = format!("{}.{what}", field.id());
                    assert!(
                        find(locale.table(), &key).is_some(),
                        "{} {key}",
                        locale.tag()
                    );
                }
            }
        }
    }

    #[test]
    fn both_locales_have_the_same_keys() {
        fn keys(table: &'static [(&'static str, &'static str)]) -> Vec<&'static str> {
            let mut k: Vec<_> = table.iter().map(|(k, _)| *k).collect();
            k.sort_unstable();
            k
        }
        assert_eq!(keys(EN_US), keys(ZH_CN));
    }

    #[test]
    fn overrides_and_fallbacks() {
        let overrides = vec![
            ("cardNumber.label".to_owned(), "Kartennummer".to_owned()),
            ("error.EXPIRED".to_owned(), "Abgelaufen".to_owned()),
        ];
        let texts = Texts::new(Locale::ZhCn, overrides);
        assert_eq!(texts.field(FieldKind::CardNumber, "label"), "Kartennummer");
        assert_eq!(texts.field(FieldKind::SecurityCode, "label"), "安全码");
        assert_eq!(
            texts.error(FieldKind::ExpiryDate, FieldError::Expired),
            "Abgelaufen"
        );
        assert_eq!(
            texts.error(FieldKind::CardNumber, FieldError::Incomplete),
            "请输入完整的卡号。"
        );
        assert_eq!(
            texts.error(FieldKind::ExpiryYear, FieldError::Incomplete),
            "此项不完整。"
        );
        assert_eq!(texts.get("no.such.key"), "no.such.key");
    }

    #[test]
    fn locale_tags() {
        assert_eq!(Locale::from_tag("zh-Hans-CN"), Some(Locale::ZhCn));
        assert_eq!(Locale::from_tag("en_GB"), Some(Locale::EnUs));
        assert_eq!(Locale::from_tag("fr-FR"), None);
    }
}
