//! The locale packs in `locales/` cover every text of every component: each pack has every
//! key of the card fields and the checkout (and no other), no empty text, and the same
//! `{placeholders}` as the built-in texts. A key added to the code without its translations
//! fails here.

use std::collections::BTreeSet;

use paykka_web::checkout_flow::texts as checkout_texts;
use paykka_web::form::i18n::{self, Locale};
use paykka_web::form::locale_packs::PACKS;
use serde_json::Value;

fn placeholders(text: &str) -> BTreeSet<String> {
    text.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
        .collect()
}

fn english(key: &str) -> String {
    match key.strip_prefix("checkout.") {
        Some(key) => checkout_texts::text(Locale::EnUs, key).to_owned(),
        None => i18n::Texts::new(Locale::EnUs, Vec::new())
            .get(key)
            .to_owned(),
    }
}

#[test]
fn every_pack_has_every_text_and_its_placeholders() {
    let expected: BTreeSet<String> = i18n::keys()
        .map(str::to_owned)
        .chain(checkout_texts::keys().map(|k| format!("checkout.{k}")))
        .collect();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    let files: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let packs: BTreeSet<String> = PACKS.iter().map(|p| format!("{p}.json")).collect();
    assert_eq!(files, packs, "one file per pack, no other");
    for pack in PACKS {
        let json: Value =
            serde_json::from_slice(&std::fs::read(dir.join(format!("{pack}.json"))).unwrap())
                .unwrap();
        assert_eq!(json["locale"], pack);
        let texts = json["texts"].as_object().unwrap();
        let keys: BTreeSet<String> = texts.keys().cloned().collect();
        let missing: Vec<_> = expected.difference(&keys).collect();
        let extra: Vec<_> = keys.difference(&expected).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{pack}: missing {missing:?}, extra {extra:?}"
        );
        for (key, text) in texts {
            let text = text.as_str().unwrap_or_default();
            assert!(!text.trim().is_empty(), "{pack}: {key} is empty");
            assert_eq!(
                placeholders(text),
                placeholders(&english(key)),
                "{pack}: {key}"
            );
        }
    }
}
