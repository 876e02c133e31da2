// Written the way PayKKa's documentation (and its WooCommerce plugin) use the Checkout UI
// SDK: new PayKKaCheckout({...callbacks}), init(), create(DropIn).mount(). ?component=card,
// applepay or googlepay mounts that component instead (with the server's --wallet-fakes the
// wallets run on the test fakes). Only the script tag in the page differs: it names the
// secure origin, so PayKKa's own host given to setApiUrl is not used.
(async function () {
  const result = document.getElementById('result');
  const show = (state, text) => { result.dataset.state = state; result.textContent = text; };
  const config = await (await fetch('/api/config')).json();
  await (await import('/wallet-fakes.js')).installWalletFakes(config);
  const session = await (await fetch('/api/sessions', { method: 'POST' })).json();
  const { PayKKaCheckout, DropIn, Card, ApplePay, GooglePay, setApiUrl } = window.PayKKaCardCheckoutUI;
  setApiUrl('https://checkout-sandbox.eu.paykka.com');
  const checkout = new PayKKaCheckout({
    sessionId: session.session_id,
    clientKey: config.clientKey,
    env: 'sandbox',
    onPaymentMethodsReady: (methods) => { result.dataset.methods = methods.join(','); },
    onInitError: (err) => show('error', `init: ${err.message}`),
    onSubmit: (formValidateError) => {
      if (!formValidateError) return;
      // PayKKa's shape: each invalid field's name, holding [{ msg }].
      const first = Object.values(formValidateError)[0];
      show('invalid', `${Object.keys(formValidateError).join(',')}: ${first[0].msg}`);
    },
    onSuccess: (payload) => {
      show('success', `Paid (${payload.orderId})`);
      result.dataset.returnUrl = payload.returnUrl ?? '';
    },
    onExpired: () => show('expired', 'Session expired'),
    onError: (err) => show('error', err.msg || err.message),
    onTimeout: () => show('error', 'Timed out'),
  });
  await checkout.init();
  const components = { card: Card, applepay: ApplePay, googlepay: GooglePay };
  const component = components[new URLSearchParams(location.search).get('component')] ?? DropIn;
  await checkout.create(component, { paymentMethods: { card: { showCardBrands: true } } }).mount('#dropin');
  document.body.dataset.ready = 'true';
})();
