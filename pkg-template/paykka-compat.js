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
  var env = { apiUrl: null, cdnUrl: null };

  /** Loads and initialises one of the package's ES modules, once. */
  function load(file) {
    if (!modules[file]) {
      modules[file] = import(new URL(file, base).href).then(function (module) {
        return module.default().then(function () { return module; });
      });
    }
    return modules[file];
  }

  /** PayKKa's `env` or `setApiUrl()` as paykka-web's `environment`. */
  function environment(given) {
    return env.apiUrl || given || 'sandbox';
  }

  function setEnv(options) {
    if (options && options.apiUrl) env.apiUrl = String(options.apiUrl).replace(/\/+$/, '');
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

  Component.prototype.mount = function (target) {
    var self = this;
    var o = this.parent.options;
    var own = this.options;
    var ready = this.parent.module ? Promise.resolve(this.parent) : this.parent.init();
    return ready.then(function (parent) {
      var settings = {
        sessionId: o.sessionId,
        clientKey: o.clientKey,
        environment: environment(o.env),
        hidePayButton: Boolean(own.hidePaymentButton || o.hidePaymentButton),
        onPaymentMethodsReady: function (e) { call(o.onPaymentMethodsReady, e.methods); },
        onSubmit: function (e) {
          var problem = e.valid ? undefined : { fields: e.fields || [] };
          call(o.onSubmit, problem);
          call(own.onSubmit, problem);
        },
        onSuccess: function (e) {
          var payload = { status: e.status, orderId: e.orderId };
          call(o.onSuccess, payload);
          call(own.onSuccess, payload);
        },
        onExpired: function () { call(o.onExpired); },
        onTimeout: function () { call(o.onTimeout); },
        onError: function (e) { call(o.onError, { code: e.code, msg: e.message, message: e.message }); },
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
