// Boots one secure card field: the same paykka-web wasm as the host, in the frame role.
import init, { bootFrame } from '/pkg/paykka_web.js';

await init();
bootFrame();
