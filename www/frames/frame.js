// Boots one secure card field with the frame bundle (field view, card rules, WebCrypto).
// The page pins the bundle by its import map and the wasm by its preload's hash, which
// this fetch carries: a file that does not match does not run.
import init, { bootFrame } from '/pkg/paykka_web_frame.js';

const wasm = document.querySelector('link[rel="preload"][as="fetch"]');
await init({ module_or_path: fetch(wasm.href, { integrity: wasm.integrity }) });
bootFrame();
