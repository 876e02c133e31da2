// The locale packs as dynamic imports with fixed paths, which bundlers (Vite, webpack)
// follow from inside node_modules and split into one chunk per pack, and which browsers
// resolve beside the bundle when it is served as is. wasm-bindgen copies this file to
// snippets/<crate>/src/web/, four folders below the package root, where locales/ is.
// tests/locale_packs.rs checks that the list matches PACKS and the files in locales/.
const PACKS = {
  "zh-TW": () => import("../../../../locales/zh-TW.js"),
  "ja-JP": () => import("../../../../locales/ja-JP.js"),
  "ko-KR": () => import("../../../../locales/ko-KR.js"),
  "de-DE": () => import("../../../../locales/de-DE.js"),
  "fr-FR": () => import("../../../../locales/fr-FR.js"),
  "es-ES": () => import("../../../../locales/es-ES.js"),
};

/** The pack module's default export (`{locale, texts}`), or a rejection for an unknown tag. */
export function import_pack(tag) {
  const load = Object.prototype.hasOwnProperty.call(PACKS, tag) ? PACKS[tag] : null;
  return load ? load().then((m) => m.default) : Promise.reject(new Error("no such pack"));
}
