// The wallet buttons' bundles as dynamic imports with fixed paths, as locale_pack.js does:
// bundlers (Vite, webpack) follow them from inside node_modules and split each into a chunk,
// and browsers resolve them beside the checkout's bundle when it is served as is.
// wasm-bindgen copies this file to snippets/<crate>/src/checkout/, four folders below the
// package root, where the bundles and the wallet probe are. The probe asks first, so a
// browser where the wallet cannot be shown fetches none of its code. A page that also shows
// a standalone button shares the module (and its wasm) with the drop-in.
const BUNDLES = {
  APPLE_PAY: {
    unavailable: (probe) => probe.applePayUnavailable(),
    load: () => import("../../../../paykka_web_apple_pay.js").then((m) => [m, m.ApplePayButton]),
  },
  GOOGLE_PAY: {
    unavailable: (probe) => probe.googlePayUnavailable(),
    load: () => import("../../../../paykka_web_google_pay.js").then((m) => [m, m.GooglePayButton]),
  },
};

/**
 * The wallet's button class, its bundle loaded and its wasm started, or null where the
 * wallet cannot be shown; `method` is a key of BUNDLES.
 */
export async function load_wallet_button(method) {
  const wallet = Object.prototype.hasOwnProperty.call(BUNDLES, method) ? BUNDLES[method] : null;
  if (!wallet) throw new Error("no wallet bundle for " + method);
  const probe = await import("../../../../paykka-wallet-probe.js");
  if (await wallet.unavailable(probe)) return null;
  const [module, button] = await wallet.load();
  await module.default();
  return button;
}
