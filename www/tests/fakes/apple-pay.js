// A faithful fake of Apple Pay JS (`ApplePaySession`) for tests and the demo's
// `--wallet-fakes` try-out: WebKit's checks and messages, its state machine, the single
// active session, the user-gesture rule, 30 s step timeouts ending in `cancel`, Apple
// refusing a merchant session, and real EC_v1 tokens (WebCrypto) for a processing key.
// Test code: never part of the package.

import { TEST_CARDS, base64, concat, hex, randomBytes, renderSheet } from "./sheet.js";

const NETWORKS = ["amex", "cartesBancaires", "chinaUnionPay", "discover", "eftpos", "electron", "elo",
  "girocard", "interac", "jcb", "mada", "maestro", "masterCard", "mir", "privateLabel", "visa", "vPay"];
const CAPABILITIES = ["supports3DS", "supportsEMV", "supportsCredit", "supportsDebit"];
const FINAL = ["completed", "aborted", "canceled"];
const VALIDATION_URL = "https://apple-pay-gateway.apple.com/paymentservices/startSession";

const invalidAccess = (message) => new DOMException(message, "InvalidAccessError");

/** Installs `window.ApplePaySession`; returns the controller (the shopper's sheet). */
export function install(options = {}) {
  const config = {
    gestureChecks: true, canMakePayments: true, maxVersion: 14, stepTimeoutMs: 30000,
    refuseMerchantSession: false, recipientKey: null, sheet: "scripted", ...options,
  };
  const log = [];
  let active = null;
  let current = null;
  let fallbackKey = null;

  const canCreateSession = () => {
    if (!window.isSecureContext) throw invalidAccess("Trying to start an Apple Pay session from an insecure document.");
  };

  function checkTotal(total, what) {
    if (!total || typeof total !== "object") throw new TypeError(`Missing ${what} label.`);
    if (typeof total.amount !== "string" || !/^-?[0-9]+(\.[0-9]+)?$/.test(total.amount)) {
      throw new TypeError(`"${total.amount}" is not a valid amount.`);
    }
    if (!total.label) throw new TypeError("Missing total label.");
    if (Number(total.amount) < 0) throw new TypeError("Total amount must not be negative.");
  }

  function checkRequest(request) {
    if (!request.merchantCapabilities || request.merchantCapabilities.length === 0) {
      throw new TypeError("At least one merchant capability must be provided.");
    }
    for (const c of request.merchantCapabilities) {
      if (!CAPABILITIES.includes(c)) throw new TypeError(`"${c}" is not a valid merchant capability.`);
    }
    if (!request.supportedNetworks || request.supportedNetworks.length === 0) {
      throw new TypeError("At least one supported network must be provided.");
    }
    for (const n of request.supportedNetworks) {
      if (!NETWORKS.includes(n)) throw new TypeError(`"${n}" is not a valid payment network.`);
    }
    checkTotal(request.total, "total");
    if (!request.countryCode) throw new TypeError("Missing country code.");
    if (!/^[A-Z]{2}$/.test(request.countryCode)) throw new TypeError(`"${request.countryCode}" is not a valid country code.`);
    if (!request.currencyCode) throw new TypeError("Missing currency code.");
    if (!/^[A-Z]{3}$/.test(request.currencyCode)) throw new TypeError(`"${request.currencyCode}" is not a valid currency code.`);
  }

  class ApplePaySession extends EventTarget {
    static STATUS_SUCCESS = 0;
    static STATUS_FAILURE = 1;
    static STATUS_INVALID_BILLING_POSTAL_ADDRESS = 2;
    static STATUS_INVALID_SHIPPING_POSTAL_ADDRESS = 3;
    static STATUS_INVALID_SHIPPING_CONTACT = 4;
    static STATUS_PIN_REQUIRED = 5;
    static STATUS_PIN_INCORRECT = 6;
    static STATUS_PIN_LOCKOUT = 7;

    static supportsVersion(version) {
      canCreateSession();
      if (version === 0) throw invalidAccess("");
      return Number.isInteger(version) && version >= 1 && version <= config.maxVersion;
    }

    static canMakePayments() {
      canCreateSession();
      return config.canMakePayments;
    }

    static canMakePaymentsWithActiveCard() {
      return Promise.resolve(config.canMakePayments);
    }

    static applePayCapabilities() {
      return Promise.resolve({
        paymentCredentialStatus: config.canMakePayments ? "paymentCredentialsAvailable" : "applePayUnsupported",
      });
    }

    #listened = new Set();

    constructor(version, request) {
      super();
      canCreateSession();
      if (config.gestureChecks && !navigator.userActivation?.isActive) {
        throw invalidAccess("Must create a new ApplePaySession from a user gesture handler.");
      }
      if (!ApplePaySession.supportsVersion(version)) throw invalidAccess(`"${version}" is not a supported version.`);
      checkRequest(request);
      this.request = JSON.parse(JSON.stringify(request));
      this.state = "idle";
      this.validation = "idle";
      this.timer = null;
      for (const name of ["validatemerchant", "paymentmethodselected", "shippingcontactselected",
        "shippingmethodselected", "couponcodechanged", "paymentauthorized", "cancel"]) {
        this[`on${name}`] = null;
      }
      log.push("construct");
    }

    addEventListener(type, listener, options) {
      this.#listened.add(type);
      super.addEventListener(type, listener, options);
    }

    hasListener(type) {
      return this.#listened.has(type) || typeof this[`on${type}`] === "function";
    }

    begin() {
      if (this.state !== "idle") throw invalidAccess("Payment session is already active.");
      if (active && active !== this) throw invalidAccess("Page already has an active payment session.");
      this.state = "active";
      this.validation = "validating";
      active = this;
      current = this;
      log.push("begin");
      this.step();
      render();
      setTimeout(() => {
        if (this.state === "active" && this.validation === "validating") {
          this.fire("validatemerchant", { validationURL: VALIDATION_URL });
        }
      }, 0);
    }

    completeMerchantValidation(session) {
      if (this.state !== "active" || this.validation !== "validating") throw invalidAccess("");
      if (typeof session !== "object" || session === null) {
        throw new TypeError("Type error: merchantSession must be an object.");
      }
      JSON.parse(JSON.stringify(session));
      this.validation = "complete";
      this.merchantSession = session;
      log.push("completeMerchantValidation");
      const refused = config.refuseMerchantSession || !session.merchantIdentifier || !session.merchantSessionIdentifier;
      if (refused) {
        // PassKit refuses the session: the call returned, then the sheet goes away.
        setTimeout(() => this.cancel("Payment not completed"), 0);
        return;
      }
      this.step();
      render();
    }

    completePaymentMethodSelection(update) {
      if (this.state !== "paymentMethodSelected") throw invalidAccess("");
      checkTotal(update?.newTotal, "total");
      this.state = "active";
      this.lastTotal = update.newTotal;
      log.push("completePaymentMethodSelection");
      this.step();
      render();
    }

    completePayment(result) {
      if (this.state !== "authorized") throw invalidAccess("");
      const status = typeof result === "number" ? result : result?.status;
      if (!Number.isInteger(status) || status < 0 || status > 7) throw invalidAccess("");
      const errors = (typeof result === "object" && result?.errors) || [];
      const fieldErrorsOnly = errors.length > 0 && errors.every((e) => e.code !== "unknown");
      const final = status === 0 || (status === 1 && !fieldErrorsOnly);
      log.push(`completePayment:${status}`);
      this.clearStep();
      if (final) {
        this.state = "completed";
        this.outcome = status;
        if (active === this) active = null;
      } else {
        this.state = "active";
        this.step();
      }
      render();
    }

    abort() {
      if (this.state === "idle" || FINAL.includes(this.state)) throw invalidAccess("");
      this.state = "aborted";
      this.clearStep();
      if (active === this) active = null;
      log.push("abort");
      render();
    }

    // --- the fake's own machinery ---

    fire(type, members) {
      const event = new Event(type);
      Object.assign(event, members);
      const handler = this[`on${type}`];
      if (typeof handler === "function") handler.call(this, event);
      this.dispatchEvent(event);
    }

    step() {
      this.clearStep();
      this.timer = setTimeout(() => this.cancel("timeout"), config.stepTimeoutMs);
    }

    clearStep() {
      clearTimeout(this.timer);
      this.timer = null;
    }

    cancel(reason = "user") {
      if (this.state === "idle" || FINAL.includes(this.state)) return false;
      this.state = "canceled";
      this.clearStep();
      if (active === this) active = null;
      log.push(`cancel:${reason}`);
      render();
      this.fire("cancel", { sessionError: { code: "unknown", info: {} } });
      return true;
    }

    async selectPaymentMethod(card = TEST_CARDS[0]) {
      if (this.state !== "active" || this.validation !== "complete") throw new Error(`cannot select in ${this.state}`);
      const paymentMethod = { displayName: `${card.network} ${card.pan.slice(-4)}`, network: card.network, type: "credit" };
      if (!this.hasListener("paymentmethodselected")) return;
      this.state = "paymentMethodSelected";
      this.step();
      this.fire("paymentmethodselected", { paymentMethod });
    }

    async authorize(card = TEST_CARDS[0]) {
      if (this.state !== "active" || this.validation !== "complete") throw new Error(`cannot authorize in ${this.state}`);
      const token = await makeToken(this, card);
      if (this.state !== "active") return;
      this.state = "authorized";
      this.step();
      log.push("authorize");
      render();
      this.fire("paymentauthorized", { payment: { token } });
    }
  }

  async function recipient() {
    if (config.recipientKey) return base64.decode(config.recipientKey);
    fallbackKey ??= await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
    return new Uint8Array(await crypto.subtle.exportKey("spki", fallbackKey.publicKey));
  }

  // ISO 4217 numeric codes, as Apple Pay's token names the currency.
  const NUMERIC_CURRENCIES = {
    AUD: "036", BHD: "048", CAD: "124", CNY: "156", EUR: "978", GBP: "826", HKD: "344", INR: "356",
    JPY: "392", KRW: "410", KWD: "414", RUB: "643", USD: "840", VND: "704",
  };

  async function makeToken(session, card) {
    const recipientDer = await recipient();
    const merchantIdentifier = session.merchantSession.merchantIdentifier;
    const plaintext = {
      applicationPrimaryAccountNumber: card.pan,
      applicationExpirationDate: card.expiry,
      currencyCode: NUMERIC_CURRENCIES[session.request.currencyCode] ?? "999",
      // The total's decimal string carries exactly the currency's exponent of decimals.
      transactionAmount: Number(session.request.total.amount.replace(".", "")),
      deviceManufacturerIdentifier: "040010030273",
      paymentDataType: "3DSecure",
      paymentData: { onlinePaymentCryptogram: base64.encode(randomBytes(20)), eciIndicator: "5" },
    };
    const curve = { name: "ECDH", namedCurve: "P-256" };
    const peer = await crypto.subtle.importKey("spki", recipientDer, curve, false, []);
    const ephemeral = await crypto.subtle.generateKey(curve, true, ["deriveBits"]);
    const z = new Uint8Array(await crypto.subtle.deriveBits({ name: "ECDH", public: peer }, ephemeral.privateKey, 256));
    const text = new TextEncoder();
    const partyV = new Uint8Array(await crypto.subtle.digest("SHA-256", text.encode(merchantIdentifier)));
    const kdf = concat([0, 0, 0, 1], z, [0x0d], text.encode("id-aes256-GCM"), text.encode("Apple"), partyV);
    const keyBytes = await crypto.subtle.digest("SHA-256", kdf);
    const key = await crypto.subtle.importKey("raw", keyBytes, "AES-GCM", false, ["encrypt"]);
    const iv = new Uint8Array(16);
    const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, text.encode(JSON.stringify(plaintext)));
    const transactionId = hex(randomBytes(32));
    return {
      paymentMethod: { displayName: `${card.network} ${card.pan.slice(-4)}`, network: card.network, type: "credit" },
      transactionIdentifier: transactionId,
      paymentData: {
        version: "EC_v1",
        data: base64.encode(new Uint8Array(data)),
        signature: base64.encode(randomBytes(64)),
        header: {
          ephemeralPublicKey: base64.encode(new Uint8Array(await crypto.subtle.exportKey("spki", ephemeral.publicKey))),
          publicKeyHash: base64.encode(new Uint8Array(await crypto.subtle.digest("SHA-256", recipientDer))),
          transactionId,
        },
      },
    };
  }

  function render() {
    if (config.sheet !== "dom") return;
    const s = current;
    const open = s && !FINAL.includes(s.state) && s.state !== "idle";
    renderSheet("apple-pay", open && {
      title: `Apple Pay — ${s.request.total.label} ${s.request.currencyCode} ${s.request.total.amount}`,
      canPay: s.state === "active" && s.validation === "complete",
      pay: (card) => s.authorize(card),
      cancel: () => s.cancel("user"),
    });
  }

  window.ApplePaySession = ApplePaySession;
  return {
    log,
    get session() { return current; },
    get active() { return active; },
    authorize: (card) => current.authorize(card),
    selectPaymentMethod: (card) => current.selectPaymentMethod(card),
    cancel: () => current?.cancel("user"),
    uninstall() {
      delete window.ApplePaySession;
      renderSheet("apple-pay", null);
    },
  };
}
