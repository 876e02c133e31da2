// In-browser measurements for `./dev bench`: card encryption (ours, WebCrypto, node-forge,
// all producing paykka-web JWE v1), keystroke handling cost, and mount-to-ready time.
import init, { CardEncryptor, EncryptedCard } from '/pkg/paykka_web_full.js';

const enc = new TextEncoder();
const b64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const fromB64url = (text) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4)), (c) => c.charCodeAt(0));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const percentile = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; };
const CARD = { number: '4242424242424242', expiryMonth: '12', expiryYear: '2031', cvc: '123' };
const FIELDS = [['number', '4242424242424242'], ['expiryMonth', '12'], ['expiryYear', '2031'], ['cvc', '123']];

function payload(field, value) {
  const nonce = b64url(crypto.getRandomValues(new Uint8Array(16)));
  return JSON.stringify({ field, value, generationtime: new Date().toISOString(), nonce });
}

function header(kid) {
  return b64url(enc.encode(JSON.stringify({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid, cty: 'paykka-field+json;v=1' })));
}

// The browser's own crypto: the physical limit in a browser.
async function webcryptoCard(publicKey, kid) {
  const h = header(kid);
  const out = [];
  for (const [field, value] of FIELDS) {
    const cek = crypto.getRandomValues(new Uint8Array(32));
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const aes = await crypto.subtle.importKey('raw', cek, 'AES-GCM', false, ['encrypt']);
    const wrapped = await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, publicKey, cek);
    const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: enc.encode(h), tagLength: 128 }, aes, enc.encode(payload(field, value))));
    out.push([h, b64url(wrapped), b64url(iv), b64url(sealed.slice(0, -16)), b64url(sealed.slice(-16))].join('.'));
  }
  return out;
}

// node-forge, as JavaScript SDKs do it.
function forgeKey(jwk) {
  const hex = (b) => Array.from(fromB64url(b), (x) => x.toString(16).padStart(2, '0')).join('');
  const BigInteger = forge.jsbn.BigInteger;
  return forge.pki.setRsaPublicKey(new BigInteger(hex(jwk.n), 16), new BigInteger(hex(jwk.e), 16));
}

function forgeCard(key, kid) {
  const h = header(kid);
  const bytes = (s) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  const out = [];
  for (const [field, value] of FIELDS) {
    const cek = forge.random.getBytesSync(32);
    const iv = forge.random.getBytesSync(12);
    const wrapped = key.encrypt(cek, 'RSA-OAEP', { md: forge.md.sha256.create(), mgf1: { md: forge.md.sha256.create() } });
    const cipher = forge.cipher.createCipher('AES-GCM', cek);
    cipher.start({ iv, additionalData: h, tagLength: 128 });
    cipher.update(forge.util.createBuffer(forge.util.encodeUtf8(payload(field, value))));
    cipher.finish();
    out.push([h, b64url(bytes(wrapped)), b64url(bytes(iv)), b64url(bytes(cipher.output.getBytes())), b64url(bytes(cipher.mode.tag.getBytes()))].join('.'));
  }
  return out;
}

async function decrypts(privateKey, compact) {
  const [h, wrapped, iv, ct, tag] = compact.split('.');
  const cek = await crypto.subtle.decrypt({ name: 'RSA-OAEP' }, privateKey, fromB64url(wrapped));
  const aes = await crypto.subtle.importKey('raw', cek, 'AES-GCM', false, ['decrypt']);
  const sealed = new Uint8Array([...fromB64url(ct), ...fromB64url(tag)]);
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromB64url(iv), additionalData: enc.encode(h), tagLength: 128 }, aes, sealed);
  return JSON.parse(new TextDecoder().decode(plain)).value;
}

// Median time of one call of each of `fns`, from batches of 10 (the page's timer has 0.1 ms
// resolution) taken in turns, so that the machine's slow moments fall on all of them alike.
async function timeInTurns(runs, warmup, fns) {
  for (const fn of fns) for (let i = 0; i < warmup; i++) await fn();
  const batch = 10;
  const times = fns.map(() => []);
  for (let i = 0; i < Math.ceil(runs / batch); i++) {
    for (const [k, fn] of fns.entries()) {
      const t0 = performance.now();
      for (let j = 0; j < batch; j++) await fn();
      times[k].push((performance.now() - t0) / batch);
    }
  }
  return times.map(median);
}

async function encryption({ bits, runs, warmup }) {
  const pair = await crypto.subtle.generateKey({ name: 'RSA-OAEP', modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['encrypt', 'decrypt']);
  const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
  const kid = 'bench';
  const ours = new CardEncryptor(jwk, { keyId: kid });
  const forgePublic = forgeKey(jwk);
  // Same format from all three: each must decrypt to the card.
  const checks = [
    (await ours.encrypt(CARD)).encryptedCardNumber,
    (await webcryptoCard(pair.publicKey, kid))[0],
    forgeCard(forgePublic, kid)[0],
  ];
  for (const compact of checks) {
    if ((await decrypts(pair.privateKey, compact)) !== CARD.number) throw new Error('format mismatch');
  }
  const [oursMs, webcryptoMs, forgeMs] = await timeInTurns(runs, warmup, [
    () => ours.encrypt(CARD),
    () => webcryptoCard(pair.publicKey, kid),
    () => forgeCard(forgePublic, kid),
  ]);
  return { bits, runs, ours: oursMs, webcrypto: webcryptoMs, forge: forgeMs };
}

// Dispatches a typed-and-pasted sequence on `input`; returns per-event handler times (ms).
// Self-contained: it is also injected into a secure frame.
function keystrokes(input, count) {
  const percentile = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(s.length * p))]; };
  const times = [];
  const fire = (init) => {
    const event = new InputEvent('beforeinput', { bubbles: true, cancelable: true, composed: true, ...init });
    const t0 = performance.now();
    input.dispatchEvent(event);
    times.push(performance.now() - t0);
  };
  input.focus();
  while (times.length < count) {
    for (const ch of '4242424242424242') fire({ inputType: 'insertText', data: ch });
    for (let i = 0; i < 19; i++) fire({ inputType: 'deleteContentBackward' });
    const transfer = new DataTransfer();
    transfer.setData('text/plain', '3782 822463 10005');
    fire({ inputType: 'insertFromPaste', dataTransfer: transfer });
    input.setSelectionRange(0, input.value.length);
    fire({ inputType: 'deleteContentBackward' });
  }
  return { events: times.length, p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
}
window.paykkaKeystrokes = keystrokes;

let roots = [];
const originalAttach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) { const r = originalAttach.call(this, init); roots.push(r); return r; };

async function mountOnce(options) {
  const t0 = performance.now();
  const card = await EncryptedCard.mount('#card', options);
  const ms = performance.now() - t0;
  return { card, ms };
}

async function inlineOptions() {
  const pair = await crypto.subtle.generateKey({ name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['encrypt', 'decrypt']);
  return { isolation: 'inline', publicKey: await crypto.subtle.exportKey('jwk', pair.publicKey) };
}

const params = new URLSearchParams(location.search);
const framesOptions = { clientKey: params.get('clientKey'), environment: params.get('environment') };

window.bench = {
  encryption,
  async keystrokesInline(count) {
    roots = [];
    const { card } = await mountOnce(await inlineOptions());
    const result = keystrokes(roots[0].querySelector('input'), count);
    card.unmount();
    return result;
  },
  async mount(mode, count) {
    const options = mode === 'inline' ? await inlineOptions() : framesOptions;
    const times = [];
    for (let i = 0; i < count; i++) {
      const { card, ms } = await mountOnce(options);
      times.push(ms);
      card.unmount();
    }
    return { first: times[0], median: median(times), count };
  },
  /** Cold checkout: load its bundle, mount for `sessionId`, until the pay button works. */
  async checkout(sessionId) {
    const t0 = performance.now();
    const module = await import('/pkg/paykka_web_checkout.js');
    await module.default();
    const holder = document.createElement('div');
    document.body.append(holder);
    const checkout = await module.Checkout.mount(holder, { sessionId, ...framesOptions });
    const ms = performance.now() - t0;
    const interactive = holder.querySelector('.pc-submit:not([hidden]):not([disabled])') !== null;
    checkout.unmount();
    holder.remove();
    return { ms, interactive };
  },
  /**
   * The floor under a frames mount: three frames of `path` on the gateway, timed until each
   * has loaded (`until` 'load') or, for the frame page, booted its bundle and said hello.
   */
  async frameFloor(path, until) {
    const holder = document.createElement('div');
    document.body.append(holder);
    const t0 = performance.now();
    const frames = ['cardNumber', 'expiryDate', 'securityCode'].map((field) => {
      const frame = document.createElement('iframe');
      frame.src = `${framesOptions.environment}${path}#field=${field}&channel=${'0'.repeat(32)}`;
      holder.append(frame);
      return frame;
    });
    await Promise.all(frames.map((frame) => new Promise((resolve) => {
      if (until === 'load') {
        frame.addEventListener('load', resolve, { once: true });
        return;
      }
      addEventListener('message', function hello(event) {
        if (event.source === frame.contentWindow) {
          removeEventListener('message', hello);
          resolve();
        }
      });
    })));
    const ms = performance.now() - t0;
    holder.remove();
    return { ms };
  },
  async mountFramesAndKeep() {
    const { card, ms } = await mountOnce(framesOptions);
    window.kept = card;
    return ms;
  },
};

await init();
document.getElementById('status').dataset.state = 'ready';
document.getElementById('status').textContent = 'ready';
