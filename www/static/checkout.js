// The drop-in demo: the merchant server creates a session; the page mounts the checkout
// for it. After 3-D Secure by redirect or a redirect method (Alipay, WeChat Pay), PayKKa
// sends the shopper back here, and the checkout restores itself from the stored session
// id. ?locale=zh-CN, ?threeds=redirect, ?expires_in=<seconds>, ?own_button try the variants; with the
// server's --wallet-fakes the wallet buttons run on test fakes; with its --lab, ?environment=
// overrides the gateway (the tests point it at a closed port).
import init, { Checkout } from '/pkg/paykka_web_checkout.js';
import { installWalletFakes } from '/wallet-fakes.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const STORED = 'paykka-demo:session';

function logEvent(name, detail) {
  const item = document.createElement('li');
  item.textContent = `${name} ${JSON.stringify(detail)}`;
  $('event-log').prepend(item);
}

/** The session to show: the URL's, the stored one after a return, or a new one. */
async function sessionId() {
  if (params.get('session_id')) return params.get('session_id');
  const back = params.has('trans_id') && sessionStorage.getItem(STORED);
  if (back) return back;
  const query = params.get('expires_in') ? `?expires_in=${encodeURIComponent(params.get('expires_in'))}` : '';
  const session = await (await fetch(`/api/sessions${query}`, { method: 'POST' })).json();
  return session.session_id;
}

let checkout = null;

async function mount(config, id, locale) {
  checkout?.unmount();
  const callbacks = {};
  for (const name of ['paymentMethodsReady', 'submit', 'paymentCompleted', 'paymentFailed', 'actionRequired', 'expired', 'error']) {
    callbacks[`on${name[0].toUpperCase()}${name.slice(1)}`] = (detail) => logEvent(name, detail);
  }
  checkout = await Checkout.mount('#checkout', {
    sessionId: id,
    clientKey: config.clientKey,
    // ?environment= points the checkout elsewhere (the tests use it for "gateway down").
    // A test hook (another secure origin), honoured only when the server runs with --lab.
    environment: (config.testHooks && params.get('environment')) || config.environment,
    locale,
    threeDSecure: params.get('threeds') === 'redirect' ? 'redirect' : 'modal',
    // ?own_button: the merchant's own button pays (hidePayButton + checkout.pay()).
    hidePayButton: params.has('own_button'),
    ...callbacks,
  });
  $('own-pay').hidden = !params.has('own_button');
  document.body.dataset.ready = 'true';
}

async function main() {
  const config = await (await fetch('/api/config')).json();
  await installWalletFakes(config);
  await init();
  const id = await sessionId();
  sessionStorage.setItem(STORED, id);
  const locale = params.get('locale') ?? 'en-US';
  $('locale').value = locale;
  $('locale').addEventListener('change', () => mount(config, id, $('locale').value));
  $('own-pay').addEventListener('click', () => checkout?.pay());
  await mount(config, id, locale);
}

main().catch((error) => { $('page-status').textContent = `Could not start: ${error.code ?? ''} ${error.message}`; });
