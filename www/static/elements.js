// Fills in the attributes a server-rendered page would write (client key, secure origin,
// a session), and shows the elements' events: no other glue.
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
