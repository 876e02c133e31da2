//! Locale packs at run time: when a component asks for a locale that ships as a pack
//! (`locales/<tag>.js` beside the package's bundles), its texts are put under the
//! merchant's own `translations` (which still win). The pack is a dynamic `import()` with a
//! fixed relative path (`locale_pack.js`), which bundlers (Vite, webpack) follow and split
//! into chunks, and browsers resolve beside the bundle when unbundled; the browser's module
//! map loads each pack once however many components ask. A pack that cannot be loaded is a
//! warning and the built-in `en-US` texts, never a failed mount.

use js_sys::{Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::form::locale_packs::pack_for;
use crate::web::events::set;
use crate::web::option_reader::member;

#[wasm_bindgen(module = "/src/web/locale_pack.js")]
extern "C" {
    /// The pack module's default export (`{locale, texts}`); `tag` is one of `PACKS`.
    fn import_pack(tag: &str) -> Promise;
}

/// The pack's texts (`{key: text}`), if it can be loaded.
async fn load_pack(pack: &str) -> Option<JsValue> {
    let module = JsFuture::from(import_pack(pack)).await.ok()?;
    member(&module, "texts").filter(JsValue::is_object)
}

/// `options` with the texts of its `locale`'s pack under its `translations`; `options`
/// itself when the locale is built in (or the pack is unavailable: then a warning).
pub async fn with_pack(options: &JsValue) -> JsValue {
    let Some(tag) = member(options, "locale").and_then(|l| l.as_string()) else {
        return options.clone();
    };
    let Some(pack) = pack_for(&tag) else {
        return options.clone();
    };
    let Some(texts) = load_pack(pack).await else {
        web_sys::console::warn_1(
            &[
                "paykka-web: the locale pack ",
                pack,
                " could not be loaded, using en-US",
            ]
            .concat()
            .into(),
        );
        return options.clone();
    };
    let translations = Object::assign(&Object::new(), &Object::from(texts));
    if let Some(own) = member(options, "translations").filter(JsValue::is_object) {
        Object::assign(&translations, &Object::from(own));
    }
    let merged = Object::assign(&Object::new(), &Object::from(options.clone()));
    set(&merged, "translations", translations);
    merged.into()
}
