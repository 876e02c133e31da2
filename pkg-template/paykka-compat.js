// paykka-web's PayKKa SDK compatibility entry: a classic script that gives a page written
// from PayKKa's documentation the globals it expects — `PayKKaCardCheckoutEncryptedCard`
// (encrypted-card.js) and `PayKKaCheckout` with `DropIn`, `Card`, `ApplePay`, `GooglePay`
// (card-checkout-ui.js, also as `PayKKaCardCheckoutUI`) — on top of paykka-web's
// `EncryptedCard` and `Checkout`, loaded from beside this file only when used. Other pages
// pay nothing for it.
(function () {
  'use strict';

  // This script's own element, read through Document's getter: `document.currentScript`
  // itself can be clobbered by an injected `<img name="currentScript" src=…>`, which would
  // make the package load from the injected origin.
  var current = Object.getOwnPropertyDescriptor(Document.prototype, 'currentScript').get.call(document);
  var script = current instanceof HTMLScriptElement ? current : null;
  var base = new URL('.', script ? script.src : location.href);
  var modules = {};
  // The secure origin: the script tag's `data-environment`, unless the page names one of
  // its own with setEnv/setApiUrl. PayKKa's own checkout hosts, which pages written for
  // PayKKa pass there, serve no paykka-web frames: they are not used.
  var env = { apiUrl: null, cdnUrl: null };
  var tagged = script && script.getAttribute('data-environment');

  /** Whether `url` is one of PayKKa's hosts (`paykka.com` and its subdomains). */
  function isPaykkaHost(url) {
    try {
      var host = new URL(url).hostname;
      return host === 'paykka.com' || /\.paykka\.com$/.test(host);
    } catch (e) {
      return false;
    }
  }

  /** Loads and initialises one of the package's ES modules, once. */
  function load(file) {
    if (!modules[file]) {
      modules[file] = import(new URL(file, base).href).then(function (module) {
        return module.default().then(function () { return module; });
      });
    }
    return modules[file];
  }

  /** paykka-web's `environment`: the page's own secure origin, the script tag's, or the
   * `env` option (`sandbox`, `production`). */
  function environment(given) {
    return env.apiUrl || tagged || given || 'sandbox';
  }

  function setEnv(options) {
    var api = options && options.apiUrl ? String(options.apiUrl).replace(/\/+$/, '') : null;
    if (api && !isPaykkaHost(api)) env.apiUrl = api;
    if (options && options.cdnUrl) env.cdnUrl = String(options.cdnUrl);
  }

  // --- encrypted-card.js ---------------------------------------------------------------

  var STYLE_STATES = ['base', 'focus', 'valid', 'invalid'];

  /** The fields of `init()`: holders marked `data-eci`, PayKKa's style states. */
  function EncryptedCardCompat(options) {
    this.options = options || {};
    this.card = null;
    this.ready = this.mount();
    this.ready.catch(function () {});
  }

  EncryptedCardCompat.prototype.mount = function () {
    var options = this.options;
    var self = this;
    return load('paykka_web.js').then(function (module) {
      var holders = document.querySelectorAll('[data-eci]');
      for (var i = 0; i < holders.length; i++) {
        holders[i].setAttribute('data-paykka-field', holders[i].getAttribute('data-eci'));
      }
      var input = (options.styles && options.styles.input) || {};
      var styles = {};
      STYLE_STATES.forEach(function (state) {
        if (input[state]) styles[state] = input[state];
      });
      return module.EncryptedCard.mount(document.body, {
        clientKey: options.clientKey,
        environment: environment(),
        showLabels: options.showLabel !== false,
        holderName: 'hidden',
        styles: styles,
      }).then(function (card) {
        self.card = card;
        return card;
      });
    });
  };

  /** Encrypts and calls `onCardEncrypted` with PayKKa's four names (nothing on failure). */
  EncryptedCardCompat.prototype.encrypt = function () {
    var callback = this.options.onCardEncrypted;
    return this.ready
      .then(function (card) { return card.encrypt(); })
      .then(function (result) {
        var encrypted = {
          encryptedCardNumber: result.encryptedCardNumber,
          encryptedExpireMonth: result.encryptedExpireMonth,
          encryptedExpireYear: result.encryptedExpireYear,
          encryptedCVV: result.encryptedCVV,
        };
        if (typeof callback === 'function') callback(encrypted);
        return encrypted;
      }, function (error) {
        if (typeof callback === 'function') callback(undefined);
        throw error;
      });
  };

  EncryptedCardCompat.prototype.destroy = function () {
    if (this.card) this.card.unmount();
  };

  window.PayKKaCardCheckoutEncryptedCard = window.PaykkaCardCheckoutEncryptedCard = {
    setEnv: setEnv,
    /** PayKKa's fraud SDK is not part of paykka-web: accepted and ignored. */
    setFraudDetectionEnv: function () {},
    init: function (options) { return new EncryptedCardCompat(options); },
  };

  // --- card-checkout-ui.js --------------------------------------------------------------

  var DropIn = { methods: null };
  var Card = { methods: ['BANKCARD'] };
  var ApplePay = { methods: ['APPLE_PAY'] };
  var GooglePay = { methods: ['GOOGLE_PAY'] };

  function PayKKaCheckout(options) {
    this.options = options || {};
    this.components = [];
    this.module = null;
  }

  /** Loads the checkout; `onInitError` hears why it could not. */
  PayKKaCheckout.prototype.init = function () {
    var self = this;
    return load('paykka_web_checkout.js').then(function (module) {
      self.module = module;
      return self;
    }, function (error) {
      if (typeof self.options.onInitError === 'function') self.options.onInitError(error);
      throw error;
    });
  };

  PayKKaCheckout.prototype.create = function (kind, options) {
    var component = new Component(this, kind || DropIn, options || {});
    this.components.push(component);
    return component;
  };

  PayKKaCheckout.prototype.destroy = function () {
    this.components.forEach(function (c) { c.unmount(); });
    this.components = [];
  };

  function call(f, value) {
    if (typeof f === 'function') f(value);
  }

  function Component(parent, kind, options) {
    var self = this;
    this.parent = parent;
    this.kind = kind;
    this.options = options;
    this.checkout = null;
    this.ref = { payment: function () { if (self.checkout) self.checkout.pay(); } };
  }

  /** PayKKa's `formValidateError`: each invalid field's problems, keyed by the field's
   * `data-eci` name, as `[{ msg, message, code }]`. */
  function formValidateError(e) {
    var problems = {};
    (e.errors || []).forEach(function (p) {
      problems[p.field] = [{ msg: p.message, message: p.message, code: p.code }];
    });
    return problems;
  }

  Component.prototype.mount = function (target) {
    var self = this;
    var o = this.parent.options;
    var own = this.options;
    var ready = this.parent.module ? Promise.resolve(this.parent) : this.parent.init();
    // As in PayKKa's SDK, a session that cannot be shown (not found, another merchant's, the
    // service unreachable) fails the init: onInitError hears it, not onError.
    var started = false;
    return ready.then(function (parent) {
      var settings = {
        sessionId: o.sessionId,
        clientKey: o.clientKey,
        environment: environment(o.env),
        hidePayButton: Boolean(own.hidePaymentButton || o.hidePaymentButton),
        onPaymentMethodsReady: function (e) {
          started = true;
          call(o.onPaymentMethodsReady, e.methods);
        },
        onSubmit: function (e) {
          var problem = e.valid ? undefined : formValidateError(e);
          call(o.onSubmit, problem);
          call(own.onSubmit, problem);
        },
        onSuccess: function (e) {
          var payload = { status: e.status, orderId: e.orderId };
          if (e.returnUrl) payload.returnUrl = e.returnUrl;
          call(o.onSuccess, payload);
          call(own.onSuccess, payload);
        },
        onExpired: function () { started = true; call(o.onExpired); },
        onTimeout: function () { call(o.onTimeout); },
        onError: function (e) {
          var error = { code: e.code, msg: e.message, message: e.message };
          if (!started && typeof o.onInitError === 'function') o.onInitError(error);
          else call(o.onError, error);
        },
      };
      if (self.kind.methods) settings.methods = self.kind.methods;
      return parent.module.Checkout.mount(target, settings).then(function (checkout) {
        self.checkout = checkout;
        return self;
      });
    });
  };

  Component.prototype.unmount = function () {
    if (this.checkout) this.checkout.unmount();
    this.checkout = null;
  };

  var ui = {
    PayKKaCheckout: PayKKaCheckout,
    DropIn: DropIn,
    Card: Card,
    ApplePay: ApplePay,
    GooglePay: GooglePay,
    setApiUrl: function (url) { setEnv({ apiUrl: url }); },
    setCDNUrl: function (url) { setEnv({ cdnUrl: url }); },
    setFraudDetectionEnv: function () {},
  };
  window.PayKKaCheckout = PayKKaCheckout;
  window.PayKKaCardCheckoutUI = ui;
})();
