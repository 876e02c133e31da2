//! The locales that ship as packs (`locales/<tag>.js` in the package), loaded only when
//! a component asks for one: `en-US` and `zh-CN` are built in, so the default stays light.

use super::i18n::Locale;

/// The packs, by the tag of their file.
pub const PACKS: [&str; 6] = ["zh-TW", "ja-JP", "ko-KR", "de-DE", "fr-FR", "es-ES"];

/// The pack for a BCP 47 tag: its own (`de-DE`, any case), Traditional Chinese for
/// `zh-TW`, `zh-HK`, `zh-MO` and `zh-Hant…`, or the language's (`de-AT` → `de-DE`).
/// Simplified Chinese and English are built in (`None`).
pub fn pack_for(tag: &str) -> Option<&'static str> {
    let lower = tag.to_ascii_lowercase();
    let mut parts = lower.split(['-', '_']);
    let language = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    if language == "zh" {
        let traditional = rest
            .iter()
            .any(|p| matches!(*p, "tw" | "hk" | "mo" | "hant"));
        return traditional.then_some("zh-TW");
    }
    PACKS.into_iter().find(|pack| {
        pack.split('-')
            .next()
            .is_some_and(|l| l.eq_ignore_ascii_case(language))
    })
}

/// What a component's `locale` option comes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LocaleChoice {
    /// The built-in texts to start from (`en-US` under a pack, whose texts come as
    /// translations).
    pub built_in: Locale,
    /// The language the texts are in, for `lang` (a pack's tag or the built-in locale's).
    pub lang: &'static str,
    /// Whether the tag named a built-in locale or a pack (no tag: `en-US`, known).
    pub known: bool,
}

/// The choice for a `locale` option: a pack, a built-in locale, or `en-US`.
pub fn choose(tag: Option<&str>) -> LocaleChoice {
    let pack = tag.and_then(pack_for);
    let built_in = match (tag, pack) {
        (Some(tag), None) => Locale::from_tag(tag),
        _ => Some(Locale::EnUs),
    };
    let locale = built_in.unwrap_or(Locale::EnUs);
    LocaleChoice {
        built_in: locale,
        lang: pack.unwrap_or(locale.tag()),
        known: built_in.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_locale_option_chooses_a_pack_a_built_in_locale_or_en_us() {
        let choice = |built_in, lang, known| LocaleChoice {
            built_in,
            lang,
            known,
        };
        assert_eq!(choose(None), choice(Locale::EnUs, "en-US", true));
        assert_eq!(choose(Some("zh-CN")), choice(Locale::ZhCn, "zh-CN", true));
        assert_eq!(choose(Some("de-AT")), choice(Locale::EnUs, "de-DE", true));
        assert_eq!(choose(Some("xx-YY")), choice(Locale::EnUs, "en-US", false));
    }

    #[test]
    fn tags_find_their_pack() {
        assert_eq!(pack_for("de-DE"), Some("de-DE"));
        assert_eq!(pack_for("de-at"), Some("de-DE"));
        assert_eq!(pack_for("ja"), Some("ja-JP"));
        assert_eq!(pack_for("zh-TW"), Some("zh-TW"));
        assert_eq!(pack_for("zh-Hant-HK"), Some("zh-TW"));
        assert_eq!(pack_for("zh-CN"), None, "built in");
        assert_eq!(pack_for("en-GB"), None, "built in");
        assert_eq!(pack_for("xx"), None);
    }
}
