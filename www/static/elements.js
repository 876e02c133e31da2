// Fills in the attributes a server-rendered page would write (client key, secure origin,
// a session, an order for the wallets), and shows the elements' events: no other glue.
// With the server's --wallet-fakes, ?fakes=apple|google|none picks the wallet fakes.
import { installWalletFakes } from '/wallet-fakes.js';

const config = await (await fetch('/api/config')).json();
const session = await (await fetch('/api/sessions', { method: 'POST' })).json();
const card = document.getElementById('card');
card.addEventListener('paykka:ready', () => { document.getElementById('card-events').textContent = 'card ready'; });
card.setAttribute('environment', config.environment);
card.setAttribute('client-key', config.clientKey);
const checkout = document.getElementById('checkout');
checkout.addEventListener('paykka:paymentCompleted', (event) => { document.body.dataset.paid = event.detail.status; });
checkout.setAttribute('environment', config.environment);
checkout.setAttribute('client-key', config.clientKey);
checkout.setAttribute('session-id', session.session_id);

await installWalletFakes(config);
const order = await (await fetch('/api/orders', { method: 'POST' })).json();
const wallets = document.getElementById('wallets');
for (const name of ['ready', 'unavailable', 'cancel', 'success', 'failed', 'error']) {
  wallets.addEventListener(`paykka:${name}`, (event) => {
    const item = document.createElement('li');
    item.textContent = `${name} ${event.detail.wallet} ${event.detail.reason ?? event.detail.code ?? ''}`;
    document.getElementById('wallet-events').append(item);
  });
}
// A declined order is spent: the next try pays a new one (as the demo page does).
wallets.addEventListener('paykka:failed', async () => {
  const next = await (await fetch('/api/orders', { method: 'POST' })).json();
  for (const element of wallets.children) element.setAttribute('reference', next.trans_id);
});
const elements = document.getElementById('wallet-elements').content.cloneNode(true);
for (const element of elements.children) element.setAttribute('reference', order.trans_id);
elements.querySelector('paykka-google-pay').setAttribute('merchant-id', config.merchantId);
wallets.append(elements);
