// The demo checkout: mounts paykka-web's secure card fields (frames) and encrypts the card.
import init, { EncryptedCard } from '/pkg/paykka_web.js';

const $ = (id) => document.getElementById(id);
let card = null;

function logEvent(name, detail) {
  const item = document.createElement('li');
  item.textContent = `${name} ${JSON.stringify(detail)}`;
  $('event-log').prepend(item);
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

async function pay(event) {
  event.preventDefault();
  const button = $('pay');
  button.disabled = true;
  try {
    const r = await card.encrypt();
    $('result').textContent = JSON.stringify({ brand: r.brand, last4: r.last4, payment: r.payment }, null, 2);
    $('result').dataset.state = 'encrypted';
  } catch (error) {
    $('result').textContent = `${error.code}: ${error.message}`;
    $('result').dataset.state = 'error';
  } finally {
    button.disabled = false;
  }
}

async function main() {
  await init();
  $('card-form').addEventListener('submit', pay);
  $('locale').addEventListener('change', () => mount($('locale').value));
  await mount($('locale').value);
}

main().catch((error) => {
  $('result').textContent = `Could not start: ${error.code ?? ''} ${error.message}`;
  $('result').dataset.state = 'error';
});
