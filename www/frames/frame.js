// Boots one secure card field with the frame bundle (field view, card rules, WebCrypto).
import init, { bootFrame } from '/pkg/paykka_web_frame.js';

await init();
bootFrame();
