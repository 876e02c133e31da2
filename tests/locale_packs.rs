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

/// A pack module's object: one comment line, `export default`, a JSON object, `;`.
fn pack_json(module: &str) -> Value {
    let (comment, rest) = module.split_once('\n').unwrap();
    assert!(
        comment.starts_with("// "),
        "a pack starts with one comment line"
    );
    let object = rest
        .strip_prefix("export default ")
        .and_then(|r| r.trim_end().strip_suffix(';'))
        .expect("export default {…};");
    serde_json::from_str(object).expect("the pack's object is JSON")
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
    let packs: BTreeSet<String> = PACKS.iter().map(|p| format!("{p}.js")).collect();
    assert_eq!(files, packs, "one file per pack, no other");
    for pack in PACKS {
        let json = pack_json(&std::fs::read_to_string(dir.join(format!("{pack}.js"))).unwrap());
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

#[test]
fn the_loader_imports_exactly_the_packs_by_fixed_paths() {
    let loader = include_str!("../src/web/locale_pack.js");
    let imported: Vec<&str> = loader
        .split("import(\"../../../../locales/")
        .skip(1)
        .filter_map(|rest| rest.split_once(".js\")").map(|(tag, _)| tag))
        .collect();
    assert_eq!(
        imported, PACKS,
        "locale_pack.js must import every pack, in PACKS order"
    );
    for tag in PACKS {
        assert!(
            loader.contains(&format!(
                "\"{tag}\": () => import(\"../../../../locales/{tag}.js\")"
            )),
            "{tag} is imported under its own tag"
        );
        let file = format!("{}/locales/{tag}.js", env!("CARGO_MANIFEST_DIR"));
        assert!(std::path::Path::new(&file).exists(), "{file} is missing");
    }
}
