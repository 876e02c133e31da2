// The demo checkout: mounts paykka-web's secure card fields (frames), encrypts the card,
// and asks the merchant server to pay; 3-D Secure redirects and comes back to /3ds/return.
import init, { EncryptedCard } from '/pkg/paykka_web.js';

const $ = (id) => document.getElementById(id);
let card = null;
let order = null;

function logEvent(name, detail) {
  const item = document.createElement('li');
  item.textContent = `${name} ${JSON.stringify(detail)}`;
  $('event-log').prepend(item);
}

async function newOrder() {
  order = await (await fetch('/api/orders', { method: 'POST' })).json();
  $('pay').textContent = `Pay US$${order.display_amount}`;
}

async function mount(locale) {
  card?.unmount();
  $('pay').disabled = true;
  const config = await (await fetch('/api/config')).json();
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
  button.textContent = 'Paying…';
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
      show('redirecting', 'Your bank wants to confirm the payment…');
      location.assign(answer.action.url);
      button.hidden = true;
      return;
    }
    if (answer.status === 'SUCCESS' || answer.status === 'AUTHORIZED') {
      show('success', `Paid. Order ${answer.order_id}, card ending ${answer.card?.last4 ?? ''}.`);
      card.update({ disabled: true });
      button.hidden = true;
      return;
    }
    // Declined: say why, keep the card form, and start a new order for the next try.
    $('pay-error').textContent = answer.message;
    show('declined', `Payment declined: ${answer.message}`);
    await newOrder();
  } catch (error) {
    if (error.code !== 'VALIDATION') {
      $('pay-error').textContent = error.message;
      show('error', `${error.code}: ${error.message}`);
    }
  } finally {
    button.removeAttribute('aria-busy');
    if (button.textContent === 'Paying…') button.textContent = label;
    if (!button.hidden) button.disabled = false;
  }
}

async function main() {
  await init();
  $('card-form').addEventListener('submit', pay);
  $('locale').addEventListener('change', () => mount($('locale').value));
  await newOrder();
  await mount($('locale').value);
}

main().catch((error) => show('error', `Could not start: ${error.code ?? ''} ${error.message}`));
