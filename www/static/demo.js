// The demo checkout: mounts paykka-web's secure card fields (frames), encrypts the card,
// and asks the merchant server to pay; 3-D Secure redirects and comes back to /3ds/return.
// The Apple Pay and Google Pay buttons come from their own bundle, fetched only when the
// wallet probe finds a wallet to show; with the server's --wallet-fakes they run on test
// fakes (?fakes=apple|google|none picks them).
import init, { EncryptedCard } from '/pkg/paykka_web.js';
import { applePayUnavailable, googlePayUnavailable } from '/pkg/paykka-wallet-probe.js';
import { installWalletFakes } from '/wallet-fakes.js';

const $ = (id) => document.getElementById(id);
let card = null;
let order = null;
let config = null;
let wallets = [];
let walletModule = null;
/** The wallets the probe found (`applePay`, `googlePay`). */
let availableWallets = [];
let walletsMounting = Promise.resolve();

// The page's own texts (the card fields bring theirs).
const TEXTS = {
  'en-US': {
    language: 'Language', item: 'Hand-roasted beans, 250 g', total: 'Total', card: 'Card', payment: 'Payment',
    events: 'Component events', pay: (amount) => `Pay US$${amount}`, paying: 'Paying…',
    wallets: 'Express checkout', noWallets: 'No wallet is available in this browser.',
    canceled: 'Payment canceled.',
    notice: "The card fields below are secure frames served by the gateway's origin: this page never sees the card number, expiry or security code, only ciphertext, which the merchant server passes to the gateway.",
    paid: (order, last4) => `Paid. Order ${order}, card ending ${last4}.`,
    declined: (reason) => `Payment declined: ${reason}`, redirecting: 'Your bank wants to confirm the payment…',
  },
  'zh-CN': {
    language: '语言', item: '手工烘焙咖啡豆，250 克', total: '合计', card: '银行卡', payment: '支付',
    events: '组件事件', pay: (amount) => `支付 US$${amount}`, paying: '正在支付…',
    wallets: '快捷支付', noWallets: '此浏览器没有可用的钱包。', canceled: '支付已取消。',
    notice: '下方的卡信息输入框是由网关源提供的安全框架：本页面看不到卡号、有效期或安全码，只能拿到密文，由商户服务器转交网关。',
    paid: (order, last4) => `支付成功。订单 ${order}，尾号 ${last4} 的卡。`,
    declined: (reason) => `支付被拒绝：${reason}`, redirecting: '您的银行需要确认这笔支付…',
  },
};
let texts = TEXTS['en-US'];

function translatePage(locale) {
  texts = TEXTS[locale] ?? TEXTS['en-US'];
  document.documentElement.lang = locale;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = texts[el.dataset.i18n];
  if (order) $('pay').textContent = texts.pay(order.display_amount);
}

function logEvent(name, detail) {
  const item = document.createElement('li');
  item.textContent = `${name} ${JSON.stringify(detail)}`;
  $('event-log').prepend(item);
}

async function newOrder() {
  order = await (await fetch('/api/orders', { method: 'POST' })).json();
  $('pay').textContent = texts.pay(order.display_amount);
  // The wallet buttons pay the current order (remounted in the background, one at a time).
  if (walletModule) {
    walletsMounting = walletsMounting.then(mountWallets).catch((error) => logEvent('wallets', { code: error.code, message: error.message }));
  }
}

async function mount(locale) {
  card?.unmount();
  $('pay').disabled = true;
  const callbacks = {};
  for (const name of ['ready', 'change', 'focus', 'blur', 'brand', 'binValue', 'fieldValid', 'allValid', 'submit', 'encrypted', 'error']) {
    callbacks[`on${name[0].toUpperCase()}${name.slice(1)}`] = (detail) => logEvent(name, detail);
  }
  card = await EncryptedCard.mount('#card', {
    clientKey: config.clientKey,
    environment: config.environment,
    locale,
    holderName: 'optional',
    ...callbacks,
    onSubmit: (detail) => { logEvent('submit', detail); $('card-form').requestSubmit(); },
  });
  $('pay').disabled = false;
}

function show(state, text) {
  $('result').dataset.state = state;
  $('result').textContent = text;
}

async function pay(event) {
  event.preventDefault();
  const button = $('pay');
  if (button.disabled) return;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  const label = button.textContent;
  button.textContent = texts.paying;
  $('pay-error').textContent = '';
  try {
    const encrypted = await card.encrypt();
    const response = await fetch('/api/payments', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ trans_id: order.trans_id, payment: encrypted.payment, browser: encrypted.browserInfo }),
    });
    const answer = await response.json();
    if (!response.ok) {
      $('pay-error').textContent = answer.message;
      show('error', answer.message);
      return;
    }
    if (answer.action?.type === 'redirect') {
      show('redirecting', texts.redirecting);
      location.assign(answer.action.url);
      button.hidden = true;
      return;
    }
    if (answer.status === 'SUCCESS' || answer.status === 'AUTHORIZED') {
      show('success', texts.paid(answer.order_id, answer.card?.last4 ?? ''));
      card.update({ disabled: true });
      button.hidden = true;
      return;
    }
    // Declined: say why, keep the card form, and start a new order for the next try.
    $('pay-error').textContent = answer.message;
    show('declined', texts.declined(answer.message));
    await newOrder();
  } catch (error) {
    if (error.code !== 'VALIDATION') {
      $('pay-error').textContent = error.message;
      show('error', `${error.code}: ${error.message}`);
    }
  } finally {
    button.removeAttribute('aria-busy');
    if (button.textContent === texts.paying) button.textContent = label;
    if (!button.hidden) button.disabled = false;
  }
}


/** Mounts the wallet buttons for the current order. */
async function mountWallets() {
  for (const button of wallets) button.unmount();
  const { ApplePayButton, GooglePayButton } = walletModule;
  const common = {
    amount: { value: order.amount, currency: order.currency },
    countryCode: 'US',
    label: 'Paykka Coffee',
    merchantApi: '/api',
    reference: order.trans_id,
    buttonLocale: document.documentElement.lang,
  };
  for (const name of ['ready', 'unavailable', 'click', 'authorized', 'cancel', 'error']) {
    common[`on${name[0].toUpperCase()}${name.slice(1)}`] = (detail) => logEvent(name, { ...detail, payment: undefined });
  }
  Object.assign(common, {
    onSuccess: (detail) => { logEvent('success', detail); show('success', texts.paid(order.trans_id, '')); },
    onAction: (detail) => { logEvent('action', detail); show('redirecting', texts.redirecting); location.assign(detail.action.url); },
    onFailed: async (detail) => { logEvent('failed', detail); show('declined', texts.declined(detail.message)); await newOrder(); },
    onCancel: (detail) => { logEvent('cancel', detail); show('canceled', texts.canceled); },
  });
  wallets = [];
  if (availableWallets.includes('applePay')) wallets.push(await ApplePayButton.mount('#apple-pay', common));
  if (availableWallets.includes('googlePay')) {
    wallets.push(await GooglePayButton.mount('#google-pay', { ...common, merchantId: config.merchantId, ...payJsOptions() }));
  }
  $('wallets-none').hidden = wallets.some((w) => w.available);
  // `./dev bench` reads when the first buttons showed.
  if (!performance.getEntriesByName('paykka-demo:wallets-shown').length) performance.mark('paykka-demo:wallets-shown');
}

/** ?payjs= points Google Pay at another pay.js (the tests use a missing one): a test hook,
 * honoured only when the server runs with --lab. */
function payJsOptions() {
  const payjs = config.testHooks && new URLSearchParams(location.search).get('payjs');
  return payjs ? { payJsUrl: payjs, loadTimeout: 3000 } : {};
}

/** Probes the wallets; the wallet bundle is fetched only if one can be shown. */
async function startWallets() {
  await installWalletFakes(config);
  const reasons = {
    applePay: applePayUnavailable(),
    googlePay: await googlePayUnavailable(payJsOptions()),
  };
  availableWallets = Object.keys(reasons).filter((wallet) => reasons[wallet] === null);
  for (const [wallet, reason] of Object.entries(reasons)) {
    if (reason) logEvent('unavailable', { wallet, reason });
  }
  if (availableWallets.length === 0) {
    $('wallets-none').hidden = false;
    return;
  }
  // Only the code of the wallets this browser can show: one wallet's bundle, or both's.
  const bundle = availableWallets.length === 2 ? 'paykka_web_wallets'
    : availableWallets[0] === 'applePay' ? 'paykka_web_apple_pay' : 'paykka_web_google_pay';
  const module = await import(`/pkg/${bundle}.js`);
  await module.default();
  walletModule = module;
  await mountWallets();
}

async function main() {
  await init();
  $('card-form').addEventListener('submit', pay);
  $('locale').addEventListener('change', () => {
    translatePage($('locale').value);
    mount($('locale').value);
  });
  await newOrder();
  config = await (await fetch('/api/config')).json();
  const walletsStarted = startWallets().catch((error) => logEvent('wallets', { code: error.code, message: error.message }));
  try {
    await mount($('locale').value);
  } finally {
    await walletsStarted;
    document.body.dataset.ready = 'true';
  }
}

main().catch((error) => show('error', `Could not start: ${error.code ?? ''} ${error.message}`));
