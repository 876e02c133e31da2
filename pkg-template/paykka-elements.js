// paykka-web's custom elements, for pages that would rather write HTML than JavaScript
// glue: <paykka-card>, <paykka-apple-pay>, <paykka-google-pay> and <paykka-checkout>.
// Simple options are attributes (kebab-case: client-key, session-id…), everything else the
// `options` property; events are the components' own `paykka:<name>` DOM events, which
// bubble out of the element. Each element loads its bundle when it first connects (a
// bundler splits them into chunks; a wallet element only its own wallet's), and unmounts
// when it leaves the document. A wallet
// element first asks the wallet probe: where its wallet cannot be shown it emits
// `paykka:unavailable` and fetches no wallet code.

import { applePayUnavailable, googlePayUnavailable } from './paykka-wallet-probe.js';

/** The bundles, as literal imports: beside this file unbundled, code-split by bundlers. */
const BUNDLES = {
  'paykka_web.js': () => import('./paykka_web.js'),
  'paykka_web_apple_pay.js': () => import('./paykka_web_apple_pay.js'),
  'paykka_web_google_pay.js': () => import('./paykka_web_google_pay.js'),
  'paykka_web_checkout.js': () => import('./paykka_web_checkout.js'),
};
const modules = new Map();

/** Loads and initialises one of the package's bundles, once. */
function load(file) {
  if (!modules.has(file)) {
    modules.set(file, BUNDLES[file]().then(async (module) => {
      await module.default();
      return module;
    }));
  }
  return modules.get(file);
}

const camel = (name) => name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());

/**
 * One element kind: its bundle, the export that mounts, the attributes it reads (strings,
 * or numbers/booleans by `types`) and how attributes become options.
 */
function define(tag, { file, exportName, attributes, types = {}, shape = (o) => o, probe = null }) {
  class PaykkaElement extends HTMLElement {
    static observedAttributes = attributes;

    #options = {};
    #component = null;
    #mounting = null;
    #generation = 0;
    #scheduled = false;

    /** Options beyond the attributes (callbacks, styles, nested objects). */
    get options() { return this.#options; }
    set options(value) {
      this.#options = value ?? {};
      if (this.isConnected) this.#remount();
    }

    /** The mounted component (`EncryptedCard`, `Checkout`…), once ready. */
    get component() { return this.#component; }

    /** Resolves with the component once mounted. */
    get ready() { return this.#mounting ?? Promise.resolve(this.#component); }

    connectedCallback() { this.#remount(); }
    disconnectedCallback() { this.#generation += 1; this.#unmount(); }
    attributeChangedCallback() { if (this.isConnected) this.#remount(); }

    #attributeOptions() {
      const options = {};
      for (const name of attributes) {
        if (!this.hasAttribute(name)) continue;
        const value = this.getAttribute(name);
        const type = types[name];
        options[camel(name)] = type === 'number' ? Number(value) : type === 'boolean' ? value !== 'false' : value;
      }
      return shape(options);
    }

    #unmount() {
      this.#component?.unmount();
      this.#component = null;
    }

    /** Several attribute changes in one task make one mount; a newer mount wins. */
    #remount() {
      if (this.#scheduled) return;
      this.#scheduled = true;
      queueMicrotask(() => {
        this.#scheduled = false;
        if (this.isConnected) this.#mount();
      });
    }

    #mount() {
      this.#unmount();
      const generation = ++this.#generation;
      const options = { ...this.#attributeOptions(), ...this.#options };
      this.#mounting = (probe ? probe.unavailable(options) : Promise.resolve(null))
        .then((reason) => {
          if (reason === null) return load(file).then((module) => module[exportName].mount(this, options));
          const detail = { wallet: probe.wallet, reason };
          if (generation === this.#generation) {
            options.onUnavailable?.(detail);
            this.dispatchEvent(new CustomEvent('paykka:unavailable', { bubbles: true, composed: true, detail }));
          }
          return null;
        })
        .then((component) => {
          if (component === null) return null;
          if (generation !== this.#generation || !this.isConnected) {
            component.unmount();
            return null;
          }
          this.#component = component;
          return component;
        }, (error) => {
          if (generation !== this.#generation) return null;
          // A setup error (INVALID_OPTION…) as an event, like the components' own errors.
          this.dispatchEvent(new CustomEvent('paykka:error', {
            bubbles: true, composed: true, detail: { code: error.code, message: error.message },
          }));
          return null;
        });
    }
  }
  if (!customElements.get(tag)) customElements.define(tag, PaykkaElement);
}

/** `amount` + `currency` attributes as the wallets' `amount` object. */
function walletShape(options) {
  const { amount, currency, ...rest } = options;
  return amount === undefined ? rest : { ...rest, amount: { value: amount, currency } };
}

const WALLET_ATTRIBUTES = ['amount', 'currency', 'country-code', 'label', 'merchant-api', 'reference', 'button-type', 'button-locale'];

define('paykka-card', {
  file: 'paykka_web.js',
  exportName: 'EncryptedCard',
  attributes: ['client-key', 'environment', 'locale', 'holder-name', 'session-id', 'isolation', 'show-labels', 'disabled'],
  types: { 'show-labels': 'boolean', disabled: 'boolean' },
});

define('paykka-apple-pay', {
  file: 'paykka_web_apple_pay.js',
  exportName: 'ApplePayButton',
  attributes: [...WALLET_ATTRIBUTES, 'button-style'],
  types: { amount: 'number' },
  shape: walletShape,
  probe: { wallet: 'applePay', unavailable: async () => applePayUnavailable() },
});

define('paykka-google-pay', {
  file: 'paykka_web_google_pay.js',
  exportName: 'GooglePayButton',
  attributes: [...WALLET_ATTRIBUTES, 'merchant-id', 'environment', 'button-color', 'button-size-mode'],
  types: { amount: 'number' },
  shape: walletShape,
  probe: { wallet: 'googlePay', unavailable: googlePayUnavailable },
});

define('paykka-checkout', {
  file: 'paykka_web_checkout.js',
  exportName: 'Checkout',
  attributes: ['session-id', 'client-key', 'environment', 'locale', 'three-d-secure', 'hide-pay-button', 'country-code'],
  types: { 'hide-pay-button': 'boolean' },
});
