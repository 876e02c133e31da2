// Test support for the card form in a real browser: reach into closed shadow roots (by
// recording what attachShadow returns), type and paste with real InputEvents, and record
// every event, callback and console line the page sees.

export function captureShadowRoots() {
  const roots = [];
  const original = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = original.call(this, init);
    roots.push(root);
    return root;
  };
  return { roots, restore() { Element.prototype.attachShadow = original; } };
}

export function inputIn(root) {
  return root.querySelector('input');
}

function beforeInput(input, init) {
  const event = new InputEvent('beforeinput', { bubbles: true, cancelable: true, composed: true, ...init });
  const notCancelled = input.dispatchEvent(event);
  if (notCancelled) {
    // The component did not take it: let the default action happen as a browser would.
    input.setRangeText(init.data ?? '', input.selectionStart, input.selectionEnd, 'end');
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }
}

export function typeText(input, text) {
  input.focus();
  for (const ch of text) beforeInput(input, { inputType: 'insertText', data: ch });
}

/**
 * A paste as the engine delivers it to a text input: Chromium and Firefox put the text in
 * `dataTransfer`; WebKit, whose InputEvent takes no `dataTransfer` from script, puts a
 * plain-text paste in `data`.
 */
export function paste(input, text) {
  input.focus();
  const transfer = new DataTransfer();
  transfer.setData('text/plain', text);
  const carried = new InputEvent('beforeinput', { dataTransfer: transfer }).dataTransfer;
  beforeInput(input, carried
    ? { inputType: 'insertFromPaste', dataTransfer: transfer }
    : { inputType: 'insertFromPaste', data: text });
}

export function backspace(input) {
  beforeInput(input, { inputType: 'deleteContentBackward' });
}

export function setCaret(input, start, end) {
  input.setSelectionRange(start, end ?? start);
}

export function pressEnter(input) {
  input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
}

export function blur(input) {
  input.blur();
}

const NAMES = ['ready', 'change', 'focus', 'blur', 'brand', 'binValue', 'fieldValid', 'allValid', 'submit', 'encrypted', 'error'];

// Records DOM events on `target` and returns callbacks recording the same, plus the log.
export function recorder(target) {
  const log = [];
  for (const name of NAMES) {
    target.addEventListener(`paykka:${name}`, (e) => log.push({ via: 'dom', name, detail: e.detail }));
  }
  const callbacks = {};
  for (const name of NAMES) {
    callbacks[`on${name[0].toUpperCase()}${name.slice(1)}`] = (detail) => log.push({ via: 'callback', name, detail });
  }
  return { log, callbacks };
}

export function recordConsole() {
  const lines = [];
  for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
    const original = console[level];
    console[level] = (...args) => { lines.push(args.map(String).join(' ')); original.apply(console, args); };
  }
  return lines;
}

export function recordMessages() {
  const seen = [];
  window.addEventListener('message', (e) => seen.push(JSON.stringify(e.data)));
  return seen;
}

export function stringify(value) {
  return JSON.stringify(value);
}

export function withOptions(base, extra) {
  return Object.assign({}, base, extra);
}

export function activeInput(roots) {
  return roots.find((r) => r.activeElement && r.activeElement.tagName === 'INPUT')?.activeElement ?? null;
}

export function nextTick() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

// Makes this page look like an insecure context (no `crypto.subtle`) until `restoreSubtle`.
export function hideSubtle() {
  Object.defineProperty(window.crypto, 'subtle', { value: undefined, configurable: true });
}

export function restoreSubtle() {
  delete window.crypto.subtle;
}
