//! The locales that ship as packs (`locales/<tag>.js` in the package), loaded only when
//! a component asks for one: `en-US` and `zh-CN` are built in, so the default stays light.

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

#[cfg(test)]
mod tests {
    use super::*;

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
